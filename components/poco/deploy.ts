import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { Contract, Interface, type JsonRpcProvider, Wallet, ZeroAddress, ZeroHash, id, keccak256, type TransactionReceipt, type TransactionRequest } from "ethers";
import { REGISTRIES, artifacts } from "./artifacts";
import { GENERIC_FACTORY_ADDRESS, blocksFor, factoryCalldata, fillerStep, layout, planDeployment, type Category, type ChainState, type PocoAddresses, type PocoPlanInput, type Step } from "./plan";

/**
 * Runs the PoCo + RLC deployment plan against a chain with ethers v6: waits for the chain to seal
 * blocks and for the admin's earlier transactions to be mined, reads what already exists, sends only
 * the missing steps (signed up front with explicit nonces from the confirmed nonce, then outcomes
 * collected), and checks that nothing is left to do.
 *
 * Resuming: nonces come from the confirmed (`latest`) state the plan is read from, never from the
 * pool. A transaction of an interrupted run is therefore either mined before planning (and the plan
 * leaves its step out) or still in the pool at a nonce this run signs again for the same step; two
 * engines started together sign the same step for each nonce, so whichever is mined, each step
 * happens once. Transactions left stuck in the pool (behind a nonce the node dropped, or underpriced)
 * are replaced from the confirmed nonce on.
 */

export interface DeployOptions {
    readonly rpcUrl: string;
    /** The program's credentials at the consortium's RPC gateway, when RPC is behind one (secret). */
    readonly rpcCredentials?: RpcCredentials;
    /** 0x-prefixed private key of the PoCo admin (secret). */
    readonly adminKey: string;
    readonly plan: PocoPlanInput;
    /** Send every transaction before waiting for receipts (default), or one at a time. */
    readonly pipeline?: boolean;
    /** How long to wait for the chain to seal a block, in ms (default 120 s). */
    readonly readinessTimeoutMs?: number;
    /**
     * How long to wait for the admin's earlier transactions to leave the pool before replacing them,
     * in ms (default 120 s). Transactions the chain leaves out of STALL_BLOCKS blocks are replaced sooner.
     */
    readonly pendingTimeoutMs?: number;
    readonly log?: (message: string) => void;
}

/** A transaction of this run that the chain included. */
export interface MinedStep {
    readonly id: string;
    readonly contract: string;
    readonly nonce: number;
    readonly gasLimit: bigint;
    readonly expectedGas: bigint;
    readonly gasUsed: bigint;
    readonly blockNumber: number;
}

export interface DeployResult {
    readonly addresses: PocoAddresses;
    /** Block in which the diamond was created. */
    readonly deploymentBlock: number;
    /** Transactions of this run that the chain included (0 when everything existed). */
    readonly transactionsSent: number;
    /** Gas those transactions used. */
    readonly gasUsed: bigint;
    /** Blocks spanned by those transactions (0 when none were sent). */
    readonly blocksUsed: number;
    readonly mined: readonly MinedStep[];
}

export class PocoDeploymentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PocoDeploymentError";
    }
}

const GAS_MARGIN_WEI = 10n ** 15n;
/** A transaction the chain leaves out of this many blocks while it could take it is stuck. */
const STALL_BLOCKS = 3;
/** Rounds of sending; a round after the first only happens when other transactions took this run's nonces. */
const MAX_ROUNDS = 3;

export async function deployPoco(options: DeployOptions): Promise<DeployResult> {
    const log = options.log ?? (() => undefined);
    const provider = connectRpc(options.rpcUrl, options.rpcCredentials, undefined, { cacheTimeout: -1, batchMaxCount: 200, batchMaxSize: 8 * 1024 * 1024 });
    try {
        const wallet = new Wallet(options.adminKey, provider);
        const input = options.plan;
        if (wallet.address.toLowerCase() !== input.admin.toLowerCase()) {
            throw new PocoDeploymentError(`the admin key is the key of ${wallet.address}, but the PoCo admin is ${input.admin}: set the admin's own key`);
        }
        await waitForChain(provider, options.plan.chainId, options.rpcUrl, options.readinessTimeoutMs ?? 120_000, log);
        await checkFactory(provider);

        const { addresses } = layout(input);
        const mined: MinedStep[] = [];
        let diamondBlock: number | undefined;
        for (let round = 1; ; round++) {
            const stuck = await waitForPendingTransactions(provider, wallet.address, options.pendingTimeoutMs ?? 120_000, log);
            const { nonce, state } = await observeStable(provider, input, wallet.address);
            const steps = planDeployment(input, state);
            // Stuck transactions beyond the plan's last nonce are replaced too, so none of them runs later.
            const fillers = Array.from({ length: Math.max(0, stuck.through - (nonce + steps.length) + 1) }, (_, index) => fillerStep(wallet.address, index));
            if (steps.length === 0 && fillers.length === 0) {
                if (round === 1) log("PoCo: every contract and setting is already in place; nothing to send");
                break;
            }
            if (round > MAX_ROUNDS) {
                throw new PocoDeploymentError(`PoCo deployment incomplete after sending: still missing ${steps.map((step) => step.id).join(", ")}`);
            }
            const batch = [...steps, ...fillers];
            const blockGasLimit = await checkBlockGasLimit(provider, batch);
            await checkFunds(provider, wallet.address, batch);
            const budget = batch.reduce((sum, step) => sum + step.gasLimit, 0n);
            log(`PoCo: ${batch.length} transactions to send from nonce ${nonce} (${batch.map((step) => step.id).join(", ")}); budget ${budget} gas, ${blocksFor(batch, blockGasLimit)} block(s) of ${blockGasLimit}`);
            const outcome = await send(provider, wallet, batch, nonce, stuck, options.pipeline ?? true, log);
            mined.push(...outcome.mined);
            diamondBlock ??= outcome.mined.find((step) => step.id === "diamond")?.blockNumber;
            if (outcome.superseded === 0) {
                // Every transaction of this round was mined: nothing can be missing any more.
                const remaining = planDeployment(input, (await observeStable(provider, input, wallet.address)).state);
                if (remaining.length > 0) {
                    throw new PocoDeploymentError(`PoCo deployment incomplete after sending: still missing ${remaining.map((step) => step.id).join(", ")}`);
                }
                break;
            }
        }
        const blocks = mined.map((step) => step.blockNumber);
        return {
            addresses,
            deploymentBlock: diamondBlock ?? (await creationBlock(provider, addresses.diamond)),
            transactionsSent: mined.length,
            gasUsed: mined.reduce((sum, step) => sum + step.gasUsed, 0n),
            blocksUsed: blocks.length === 0 ? 0 : Math.max(...blocks) - Math.min(...blocks) + 1,
            mined,
        };
    } finally {
        provider.destroy();
    }
}

/** Waits until the node answers with the expected chain id and has sealed a block. */
export async function waitForChain(
    provider: JsonRpcProvider,
    chainId: number,
    rpcUrl: string,
    timeoutMs: number,
    log: (message: string) => void,
    waiter = "PoCo",
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    let nextProgress = 0;
    for (;;) {
        try {
            const network = await provider.send("eth_chainId", []);
            if (Number(network) !== chainId) {
                throw new PocoDeploymentError(`${rpcUrl} serves chain id ${Number(network)}, but the configured chain id is ${chainId}`);
            }
            const block = Number(await provider.send("eth_blockNumber", []));
            if (block > 0) return;
            lastError = "the chain has not sealed its first block yet";
        } catch (error) {
            if (error instanceof PocoDeploymentError) throw error;
            lastError = (error as Error).message;
        }
        if (Date.now() >= deadline) {
            throw new PocoDeploymentError(`the chain at ${rpcUrl} is not ready after ${Math.round(timeoutMs / 1000)} s: ${lastError}`);
        }
        if (Date.now() >= nextProgress) {
            const left = Math.round((deadline - Date.now()) / 1000);
            log(`${waiter}: waiting for the chain at ${rpcUrl} to seal blocks (${lastError}; giving up in ${left} s)`);
            nextProgress = Date.now() + 15_000;
        }
        await sleep(1000);
    }
}

async function checkFactory(provider: JsonRpcProvider): Promise<void> {
    const code = await provider.getCode(GENERIC_FACTORY_ADDRESS);
    if (code === "0x") {
        throw new PocoDeploymentError(`no CREATE2 factory at ${GENERIC_FACTORY_ADDRESS}: the chain spec places it in genesis, so this chain was not started from this program's spec`);
    }
}

type Pricing = { readonly type: 2; readonly maxFeePerGas: bigint; readonly maxPriorityFeePerGas: bigint } | { readonly type: 0; readonly gasPrice: bigint };

/**
 * Admin transactions stuck in the pool, from the confirmed nonce to `through` (-1: none), with the
 * fees of each one the pool shows (`fees` undefined: the node does not show its pool).
 */
export interface StuckTransactions {
    readonly through: number;
    readonly fees?: ReadonlyMap<number, Pricing>;
}

const NOTHING_STUCK: StuckTransactions = { through: -1, fees: new Map() };

/**
 * Waits until the admin has no transaction in the pool, so the plan is read from a state that
 * includes everything an earlier run sent. Transactions that stay there while the chain seals
 * STALL_BLOCKS blocks without them (a nonce missing before them, or fees too low), or until the
 * timeout, are returned: the next batch replaces them from the confirmed nonce on. Waiting longer
 * would not help (a missing nonce never arrives by itself), and replacing is deterministic: every
 * nonce gets exactly one transaction, planned from confirmed state.
 */
async function waitForPendingTransactions(provider: JsonRpcProvider, admin: string, timeoutMs: number, log: (message: string) => void): Promise<StuckTransactions> {
    const deadline = Date.now() + timeoutMs;
    let progress = { nonce: -1, block: 0 };
    let nextProgressLog = 0;
    for (;;) {
        const [confirmed, pending, shown, block] = await Promise.all([
            provider.getTransactionCount(admin, "latest"),
            provider.getTransactionCount(admin, "pending"),
            poolTransactions(provider, admin),
            provider.getBlockNumber(),
        ]);
        const pool = shown ?? new Map<number, Pricing>();
        const waiting = [...pool.keys()].filter((nonce) => nonce >= confirmed);
        if (pending <= confirmed && waiting.length === 0) return NOTHING_STUCK;
        if (confirmed !== progress.nonce) progress = { nonce: confirmed, block };
        const through = Math.max(pending - 1, ...waiting);
        if (block - progress.block >= STALL_BLOCKS || Date.now() >= deadline) {
            const missing = pool.has(confirmed) || pending > confirmed ? "" : ` (no transaction with nonce ${confirmed}: the node dropped it)`;
            log(`PoCo: the admin's transactions with nonces ${confirmed} to ${through} are not being mined${missing}; this run replaces them from nonce ${confirmed}`);
            return shown ? { through, fees: shown } : { through };
        }
        if (Date.now() >= nextProgressLog) {
            log(`PoCo: waiting for the admin's earlier transactions (nonces ${confirmed} to ${through}) to be mined before reading the chain`);
            nextProgressLog = Date.now() + 15_000;
        }
        await sleep(500);
    }
}

interface RpcPoolTransaction {
    readonly nonce: string;
    readonly gasPrice?: string;
    readonly maxFeePerGas?: string;
    readonly maxPriorityFeePerGas?: string;
}

/**
 * The admin's transactions in the node's pool, by nonce, including those queued behind a missing
 * nonce, which the `pending` nonce leaves out (txpool_content: anvil, geth, Nethermind). Undefined
 * when the node has no txpool API (OpenEthereum): the pending nonce is then all there is to go by.
 */
async function poolTransactions(provider: JsonRpcProvider, admin: string): Promise<Map<number, Pricing> | undefined> {
    const found = new Map<number, Pricing>();
    let content: Record<string, Record<string, Record<string, RpcPoolTransaction>> | undefined>;
    try {
        content = await provider.send("txpool_content", []);
    } catch {
        return undefined;
    }
    for (const group of [content.pending, content.queued]) {
        for (const [sender, byNonce] of Object.entries(group ?? {})) {
            if (sender.toLowerCase() !== admin.toLowerCase()) continue;
            for (const tx of Object.values(byNonce)) {
                const pricing: Pricing =
                    tx.maxFeePerGas !== undefined && tx.maxFeePerGas !== null
                        ? { type: 2, maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas ?? tx.maxFeePerGas) }
                        : { type: 0, gasPrice: BigInt(tx.gasPrice ?? 0) };
                found.set(Number(tx.nonce), pricing);
            }
        }
    }
    return found;
}

/**
 * Reads the chain and the admin's confirmed nonce as one snapshot: if an admin transaction is mined
 * while the chain is read (another engine's), the reads are done again.
 */
async function observeStable(provider: JsonRpcProvider, input: PocoPlanInput, admin: string): Promise<{ nonce: number; state: ChainState }> {
    for (let attempt = 0; attempt < 5; attempt++) {
        const before = await provider.getTransactionCount(admin, "latest");
        const state = await observeChain(provider, input);
        if ((await provider.getTransactionCount(admin, "latest")) === before) return { nonce: before, state };
    }
    throw new PocoDeploymentError(`transactions of the PoCo admin ${admin} kept being mined while the deployment read the chain: is another program sending with the admin key?`);
}

/** Reads everything the plan depends on. */
export async function observeChain(provider: JsonRpcProvider, input: PocoPlanInput): Promise<ChainState> {
    const { addresses, creates, facetCuts } = layout(input);
    const codes = await Promise.all(creates.map(async (step) => [step.address, await provider.getCode(step.address)] as const));
    const deployed = new Set(codes.filter(([, code]) => code !== "0x").map(([address]) => address.toLowerCase()));
    if (!input.rlc.deploy && (await provider.getCode(addresses.rlc)) === "0x") {
        throw new PocoDeploymentError(`poco.rlcAddress ${addresses.rlc} holds no contract on this chain`);
    }
    const has = (address: string) => deployed.has(address.toLowerCase());

    const diamondSelectors = new Set<string>();
    let configuredToken = ZeroAddress;
    let categories: Category[] = [];
    if (has(addresses.diamond)) {
        const loupe = new Contract(addresses.diamond, ["function facetAddress(bytes4) view returns (address)"], provider);
        const candidates = [...new Set(facetCuts.flatMap((facet) => facet.selectors))];
        const routed = await Promise.all(candidates.map(async (selector) => [selector, await loupe.facetAddress(selector)] as const));
        for (const [selector, facet] of routed) if (facet !== ZeroAddress) diamondSelectors.add(selector);
        const iexec = new Contract(addresses.diamond, artifacts.iexecToken().abi as never[], provider);
        if (diamondSelectors.has(selectorOf(iexec.interface, "token"))) configuredToken = await iexec.token();
        if (diamondSelectors.has(selectorOf(iexec.interface, "countCategory"))) {
            const count = Number(await iexec.countCategory());
            if (count > 0 && !diamondSelectors.has(selectorOf(iexec.interface, "viewCategory"))) {
                throw new PocoDeploymentError(`the hub at ${addresses.diamond} has ${count} categories but no viewCategory to read them with`);
            }
            const read = await Promise.all(Array.from({ length: count }, (_, catid) => iexec.viewCategory(catid)));
            categories = read.map((category) => ({ name: category.name, description: category.description, workClockTimeRef: Number(category.workClockTimeRef) }));
        }
    }

    const kinds = Object.keys(REGISTRIES) as (keyof typeof REGISTRIES)[];
    const registriesInitialized = {} as Record<keyof typeof REGISTRIES, boolean>;
    const registryBaseURIs = {} as Record<keyof typeof REGISTRIES, string>;
    for (const kind of kinds) {
        const address = addresses.registries[kind];
        const registry = new Contract(address, artifacts.registry(kind).abi as never[], provider);
        registriesInitialized[kind] = has(address) ? await registry.initialized() : false;
        registryBaseURIs[kind] = has(address) ? await registry.baseURI() : "";
    }

    let factoryRlcBalance = 0n;
    let factoryRlcAllowance = 0n;
    if (input.rlc.deploy && has(addresses.rlc)) {
        const rlc = new Contract(addresses.rlc, artifacts.rlc().abi as never[], provider);
        [factoryRlcBalance, factoryRlcAllowance] = await Promise.all([rlc.balanceOf(GENERIC_FACTORY_ADDRESS), rlc.allowance(GENERIC_FACTORY_ADDRESS, input.admin)]);
    }
    return { deployed, diamondSelectors, registriesInitialized, registryBaseURIs, configuredToken, categories, factoryRlcBalance, factoryRlcAllowance };
}

function selectorOf(iface: Interface, name: string): string {
    return iface.getFunction(name)!.selector;
}

async function checkBlockGasLimit(provider: JsonRpcProvider, steps: readonly Step[]): Promise<bigint> {
    const limit = (await provider.getBlock("latest"))!.gasLimit;
    const tooBig = steps.find((step) => step.gasLimit > limit);
    if (tooBig) {
        throw new PocoDeploymentError(`step ${tooBig.id} (${tooBig.contract}) needs up to ${tooBig.gasLimit} gas, but this chain's blocks hold ${limit}: it needs a chain with a larger chain.gasLimit`);
    }
    return limit;
}

async function checkFunds(provider: JsonRpcProvider, admin: string, steps: readonly Step[]): Promise<void> {
    const balance = await provider.getBalance(admin);
    const feeData = await provider.getFeeData();
    const price = feeData.maxFeePerGas ?? feeData.gasPrice ?? 0n;
    const needed = steps.reduce((sum, step) => sum + step.gasLimit, 0n) * price + GAS_MARGIN_WEI;
    if (balance < needed) {
        throw new PocoDeploymentError(
            `the PoCo admin ${admin} holds ${balance} wei but the deployment may need up to ${needed} wei: fund it in chain.accounts (genesis) or with a transfer`,
        );
    }
}

/** The transaction that carries out a step (the factory call for a contract creation). */
export function transactionOf(step: Step): TransactionRequest {
    if (step.kind === "create") return { to: GENERIC_FACTORY_ADDRESS, data: factoryCalldata(step.code, step.salt, step.call), gasLimit: step.gasLimit };
    return { to: step.to, data: step.data, gasLimit: step.gasLimit };
}

/** Geth, Nethermind and anvil require 10 % more on both fees to replace a pooled transaction. */
const outbid = (fee: bigint) => (fee * 1125n) / 1000n + 1n;

/** Fees that replace `stale`; a transaction the pool does not show (no txpool API) is outbid by twice today's price. */
function replacementPricing(base: Pricing, stale: Pricing | undefined): Pricing {
    const staleCap = stale ? (stale.type === 2 ? stale.maxFeePerGas : stale.gasPrice) : (base.type === 2 ? base.maxFeePerGas : base.gasPrice) * 2n;
    const staleTip = stale ? (stale.type === 2 ? stale.maxPriorityFeePerGas : stale.gasPrice) : (base.type === 2 ? base.maxPriorityFeePerGas : base.gasPrice) * 2n;
    if (base.type === 0) return { type: 0, gasPrice: max(base.gasPrice, outbid(staleCap)) };
    const maxPriorityFeePerGas = max(base.maxPriorityFeePerGas, outbid(staleTip));
    return { type: 2, maxFeePerGas: max(base.maxFeePerGas, outbid(staleCap), maxPriorityFeePerGas), maxPriorityFeePerGas };
}

const max = (...values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));

/** Errors that say the node already holds or has mined a transaction with this nonce. */
const NONCE_TAKEN = /already known|already imported|known transaction|alreadyknown|nonce too low|nonce has already been used|oldnonce|replacement transaction underpriced|replacementnotallowed/i;

interface Signed {
    readonly step: Step;
    readonly nonce: number;
    readonly raw: string;
    readonly hash: string;
}

/**
 * Signs every step with consecutive nonces from `firstNonce`, then either sends them all before
 * collecting outcomes (pipelined: they fill blocks together) or waits for each before the next.
 * A step whose nonce another transaction takes (another engine's, for the same step) is superseded,
 * not failed: the caller reads the chain again.
 */
async function send(
    provider: JsonRpcProvider,
    wallet: Wallet,
    steps: readonly Step[],
    firstNonce: number,
    stuck: StuckTransactions,
    pipeline: boolean,
    log: (message: string) => void,
): Promise<{ mined: MinedStep[]; superseded: number }> {
    const fees = await provider.getFeeData();
    const chainId = (await provider.getNetwork()).chainId;
    const base: Pricing =
        fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
            ? { type: 2, maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
            : { type: 0, gasPrice: fees.gasPrice ?? 1_000_000_000n };
    const signed: Signed[] = await Promise.all(
        steps.map(async (step, index) => {
            const nonce = firstNonce + index;
            const stale = stuck.fees?.get(nonce);
            // With the pool shown, a stuck range's nonce it does not list is free: no one to outbid.
            const pricing = nonce > stuck.through || (stuck.fees && !stale) ? base : replacementPricing(base, stale);
            const raw = await wallet.signTransaction({ ...transactionOf(step), ...pricing, chainId, nonce });
            return { step, nonce, raw, hash: keccak256(raw) };
        }),
    );
    const last = firstNonce + signed.length - 1;
    const sendAll = async (batch: readonly Signed[], replacing: boolean) => {
        // Sent together, in nonce order, in one JSON-RPC batch: the node sees the whole deployment at once.
        const results = await Promise.all(batch.map((tx) => provider.send("eth_sendRawTransaction", [tx.raw]).then(() => undefined, (error: unknown) => error as Error)));
        results.forEach((error, index) => {
            if (!error) return;
            const { step, nonce } = batch[index];
            // A replacement the node refuses would leave a stale transaction to run in this plan's sequence.
            if (replacing || !NONCE_TAKEN.test(error.message)) throw new PocoDeploymentError(`step ${step.id} (${step.contract}, nonce ${nonce}) was refused by the node: ${error.message}`);
        });
    };

    const outcomes: Outcome[] = [];
    if (stuck.through >= firstNonce) {
        // The stuck transactions wait behind the confirmed nonce: all of them are replaced before the
        // transaction at that nonce goes, so none of the stale ones can run.
        await sendAll(signed.slice(1), true);
        await alignToBlock(provider);
        await sendAll(signed.slice(0, 1), true);
        log(`PoCo: replaced the stuck transactions and sent ${signed.length} (nonces ${firstNonce} to ${last}); waiting for receipts`);
        outcomes.push(...(await collect(provider, wallet.address, signed, log)));
    } else if (pipeline) {
        if (signed.length > 1) await alignToBlock(provider);
        await sendAll(signed, false);
        log(`PoCo: sent ${signed.length} transactions (nonces ${firstNonce} to ${last}); waiting for receipts`);
        outcomes.push(...(await collect(provider, wallet.address, signed, log)));
    } else {
        for (const tx of signed) {
            await sendAll([tx], false);
            outcomes.push(...(await collect(provider, wallet.address, [tx], log)));
        }
    }

    const failed = outcomes.find((outcome) => outcome.receipt && outcome.receipt.status !== 1);
    if (failed) {
        const { step } = failed.tx;
        throw new PocoDeploymentError(`step ${step.id} (${step.contract}) failed in block ${failed.receipt!.blockNumber}: ${await revertReason(provider, wallet.address, step, failed.receipt!)}`);
    }
    const mined = outcomes.flatMap(({ tx, receipt }) =>
        receipt ? [{ id: tx.step.id, contract: tx.step.contract, nonce: tx.nonce, gasLimit: tx.step.gasLimit, expectedGas: tx.step.expectedGas, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber }] : [],
    );
    return { mined, superseded: outcomes.length - mined.length };
}

/**
 * Waits for the next block before a batch is sent, at most one block interval (read from the last
 * blocks' timestamps): sent at the start of an interval, the whole batch reaches the pool before the
 * block producer seals the next block, which then holds as much of it as fits.
 */
async function alignToBlock(provider: JsonRpcProvider): Promise<void> {
    const latest = (await provider.getBlock("latest"))!;
    const parent = latest.number > 0 ? await provider.getBlock(latest.number - 1) : null;
    const intervalMs = Math.min(Math.max(parent ? latest.timestamp - parent.timestamp : 1, 1), 30) * 1000;
    const deadline = Date.now() + intervalMs + 250;
    while (Date.now() < deadline) {
        if ((await provider.getBlockNumber()) > latest.number) return;
        await sleep(20);
    }
}

const RECEIPT_TIMEOUT_MS = 600_000;

/** A sent transaction's outcome: its receipt, or none when another transaction took its nonce. */
interface Outcome {
    readonly tx: Signed;
    readonly receipt: TransactionReceipt | null;
}

/**
 * Polls the admin's confirmed nonce until every transaction's nonce is used, then takes each one's
 * receipt (none: another transaction used the nonce). A transaction pool may drop queued
 * transactions (anvil does when a block is sealed while a batch arrives; Nethermind when its pool is
 * full), so a transaction that is neither mined nor known to the node is sent again: signed with its
 * nonce, it can only be included once.
 */
async function collect(provider: JsonRpcProvider, admin: string, sent: readonly Signed[], log: (message: string) => void): Promise<Outcome[]> {
    const outcomes = new Map<string, Outcome>();
    const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
    for (let poll = 1; ; poll++) {
        const confirmed = await provider.getTransactionCount(admin, "latest");
        await Promise.all(
            sent
                .filter((tx) => !outcomes.has(tx.hash))
                .map(async (tx) => {
                    if (tx.nonce < confirmed) {
                        const receipt = await provider.getTransactionReceipt(tx.hash);
                        if (receipt) {
                            outcomes.set(tx.hash, { tx, receipt });
                            log(`PoCo: ${tx.step.id} mined in block ${receipt.blockNumber}`);
                        } else if (!(await minedTransaction(provider, tx.hash))) {
                            outcomes.set(tx.hash, { tx, receipt: null });
                            log(`PoCo: ${tx.step.id}: nonce ${tx.nonce} was used by another transaction (another run of this deployment?); the chain is read again`);
                        }
                    } else if (poll % 4 === 0 && (await provider.send("eth_getTransactionByHash", [tx.hash])) === null) {
                        await provider.send("eth_sendRawTransaction", [tx.raw]).catch(() => undefined);
                    }
                }),
        );
        if (outcomes.size === sent.length) return sent.map((tx) => outcomes.get(tx.hash)!);
        if (Date.now() >= deadline) {
            const open = sent.find((tx) => !outcomes.has(tx.hash))!;
            throw new PocoDeploymentError(`no receipt for transaction ${open.hash} (step ${open.step.id}, nonce ${open.nonce}) after ${RECEIPT_TIMEOUT_MS / 60_000} minutes`);
        }
        await sleep(500);
    }
}

async function minedTransaction(provider: JsonRpcProvider, hash: string): Promise<boolean> {
    const tx = (await provider.send("eth_getTransactionByHash", [hash])) as { blockNumber?: string | null } | null;
    return tx !== null && tx.blockNumber !== null && tx.blockNumber !== undefined;
}

/** Replays a failed step on the state before its block, to read the revert reason. */
async function revertReason(provider: JsonRpcProvider, from: string, step: Step, receipt: TransactionReceipt): Promise<string> {
    try {
        await provider.call({ ...transactionOf(step), from, blockTag: receipt.blockNumber - 1 });
        return "reverted (the replay on the previous block succeeds, so an earlier transaction of the same block changed the state it needed)";
    } catch (error) {
        const details = error as { reason?: string; shortMessage?: string; message: string };
        return details.reason ?? details.shortMessage ?? details.message;
    }
}

// The diamond's constructor is the only emitter of OwnershipTransferred(0x0, owner) at its address:
// its log gives the creation block from the receipts, without the historical state a pruned node lacks.
const OWNERSHIP_TRANSFERRED = id("OwnershipTransferred(address,address)");
const LOG_WINDOW = 10_000;

/** The diamond's creation block (-1 when no log shows it), for a diamond this run did not create. */
async function creationBlock(provider: JsonRpcProvider, diamond: string): Promise<number> {
    const filter = { address: diamond, topics: [OWNERSHIP_TRANSFERRED, ZeroHash] };
    const latest = await provider.getBlockNumber();
    try {
        const logs = await provider.getLogs({ ...filter, fromBlock: 0, toBlock: latest });
        return logs.length > 0 ? logs[0].blockNumber : -1;
    } catch {
        // Nodes may cap the range of one eth_getLogs: search back window by window.
        for (let to = latest; to >= 0; to -= LOG_WINDOW) {
            const logs = await provider.getLogs({ ...filter, fromBlock: Math.max(0, to - LOG_WINDOW + 1), toBlock: to });
            if (logs.length > 0) return logs[0].blockNumber;
        }
        return -1;
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
