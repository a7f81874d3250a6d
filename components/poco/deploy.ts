import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { Contract, Interface, type JsonRpcProvider, Wallet, ZeroAddress, type TransactionReceipt, type TransactionRequest } from "ethers";
import { REGISTRIES, artifacts } from "./artifacts";
import { GENERIC_FACTORY_ADDRESS, layout, planDeployment, type ChainState, type PocoAddresses, type PocoPlanInput, type Step } from "./plan";

/**
 * Runs the PoCo + RLC deployment plan against a chain with ethers v6: waits for the chain to seal
 * blocks, reads what already exists, sends only the missing steps (signed up front with explicit
 * nonces, then receipts collected), and checks that nothing is left to do.
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
    readonly log?: (message: string) => void;
}

export interface DeployResult {
    readonly addresses: PocoAddresses;
    /** Block in which the diamond was created. */
    readonly deploymentBlock: number;
    /** Transactions this run sent (0 when everything existed). */
    readonly transactionsSent: number;
    /** Blocks spanned by this run's transactions (0 when none were sent). */
    readonly blocksUsed: number;
}

export class PocoDeploymentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PocoDeploymentError";
    }
}

const GAS_MARGIN_WEI = 10n ** 15n;

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

        const state = await observeChain(provider, input);
        const steps = planDeployment(input, state);
        let transactionsSent = 0;
        let blocksUsed = 0;
        if (steps.length === 0) {
            log("PoCo: every contract and setting is already in place; nothing to send");
        } else {
            await checkFunds(provider, wallet.address, steps);
            log(`PoCo: ${steps.length} transactions to send (${steps.map((step) => step.id).join(", ")})`);
            const receipts = await send(provider, wallet, steps, options.pipeline ?? true, log);
            transactionsSent = receipts.length;
            const blocks = receipts.map((receipt) => receipt.blockNumber);
            blocksUsed = Math.max(...blocks) - Math.min(...blocks) + 1;
            const remaining = planDeployment(input, await observeChain(provider, input));
            if (remaining.length > 0) {
                throw new PocoDeploymentError(`PoCo deployment incomplete after sending: still missing ${remaining.map((step) => step.id).join(", ")}`);
            }
        }
        const { addresses } = layout(input);
        return { addresses, deploymentBlock: await creationBlock(provider, addresses.diamond), transactionsSent, blocksUsed };
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
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

async function checkFactory(provider: JsonRpcProvider): Promise<void> {
    const code = await provider.getCode(GENERIC_FACTORY_ADDRESS);
    if (code === "0x") {
        throw new PocoDeploymentError(`no CREATE2 factory at ${GENERIC_FACTORY_ADDRESS}: the chain spec places it in genesis, so this chain was not started from this program's spec`);
    }
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
    let categoryCount = 0;
    if (has(addresses.diamond)) {
        const loupe = new Contract(addresses.diamond, ["function facetAddress(bytes4) view returns (address)"], provider);
        const candidates = [...new Set(facetCuts.flatMap((facet) => facet.selectors))];
        const routed = await Promise.all(candidates.map(async (selector) => [selector, await loupe.facetAddress(selector)] as const));
        for (const [selector, facet] of routed) if (facet !== ZeroAddress) diamondSelectors.add(selector);
        const iexec = new Contract(addresses.diamond, artifacts.iexecToken().abi as never[], provider);
        if (diamondSelectors.has(selectorOf(iexec.interface, "token"))) configuredToken = await iexec.token();
        if (diamondSelectors.has(selectorOf(iexec.interface, "countCategory"))) categoryCount = Number(await iexec.countCategory());
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
    if (input.rlc.deploy && has(addresses.rlc)) {
        factoryRlcBalance = await new Contract(addresses.rlc, artifacts.rlc().abi as never[], provider).balanceOf(GENERIC_FACTORY_ADDRESS);
    }
    return { deployed, diamondSelectors, registriesInitialized, registryBaseURIs, configuredToken, categoryCount, factoryRlcBalance };
}

function selectorOf(iface: Interface, name: string): string {
    return iface.getFunction(name)!.selector;
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

const factoryInterface = () => new Interface(artifacts.genericFactory().abi as never[]);

/** The transaction that carries out a step (the factory call for a contract creation). */
export function transactionOf(step: Step): TransactionRequest {
    if (step.kind === "create") {
        const data = factoryInterface().encodeFunctionData("createContractAndCall", [step.code, step.salt, step.call]);
        return { to: GENERIC_FACTORY_ADDRESS, data, gasLimit: step.gasLimit };
    }
    return { to: step.to, data: step.data, gasLimit: step.gasLimit };
}

/**
 * Signs every step with consecutive explicit nonces, then either sends them all before collecting
 * receipts (pipelined: they fill blocks together) or waits for each receipt before the next.
 */
async function send(provider: JsonRpcProvider, wallet: Wallet, steps: readonly Step[], pipeline: boolean, log: (message: string) => void): Promise<TransactionReceipt[]> {
    const firstNonce = await provider.getTransactionCount(wallet.address, "pending");
    const fees = await provider.getFeeData();
    const chainId = (await provider.getNetwork()).chainId;
    const pricing: TransactionRequest =
        fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
            ? { type: 2, maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
            : { type: 0, gasPrice: fees.gasPrice ?? 1_000_000_000n };
    const signed = await Promise.all(steps.map((step, index) => wallet.signTransaction({ ...transactionOf(step), ...pricing, chainId, nonce: firstNonce + index })));

    const receipts: TransactionReceipt[] = [];
    const collect = async (index: number, raw: string, hash: string) => {
        const receipt = await waitForReceipt(provider, raw, hash);
        if (receipt.status !== 1) throw new PocoDeploymentError(`step ${steps[index].id} (${steps[index].contract}) failed in block ${receipt.blockNumber}: ${await revertReason(provider, wallet.address, steps[index], receipt)}`);
        log(`PoCo: ${steps[index].id} mined in block ${receipt.blockNumber}`);
        return receipt;
    };
    if (pipeline) {
        // Sent together, in nonce order, in one JSON-RPC batch: the node sees the whole deployment at once.
        const hashes: string[] = await Promise.all(signed.map((raw) => provider.send("eth_sendRawTransaction", [raw])));
        log(`PoCo: sent ${hashes.length} transactions (nonces ${firstNonce} to ${firstNonce + hashes.length - 1}); waiting for receipts`);
        const settled = await Promise.allSettled(hashes.map((hash, index) => collect(index, signed[index], hash)));
        const failure = settled.find((result) => result.status === "rejected") as PromiseRejectedResult | undefined;
        if (failure) throw failure.reason;
        for (const result of settled) receipts.push((result as PromiseFulfilledResult<TransactionReceipt>).value);
    } else {
        for (const [index, raw] of signed.entries()) receipts.push(await collect(index, raw, await provider.send("eth_sendRawTransaction", [raw])));
    }
    return receipts;
}

const RECEIPT_TIMEOUT_MS = 600_000;

/**
 * Polls for a receipt. A transaction pool may drop queued transactions (anvil does when a block is
 * sealed while a batch arrives; Nethermind when its pool is full), so a transaction that is neither
 * mined nor known to the node is sent again: signed with its nonce, it can only be included once.
 */
async function waitForReceipt(provider: JsonRpcProvider, raw: string, hash: string): Promise<TransactionReceipt> {
    const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
        const receipt = await provider.getTransactionReceipt(hash);
        if (receipt) return receipt;
        if (attempt % 2 === 0 && (await provider.send("eth_getTransactionByHash", [hash])) === null) {
            await provider.send("eth_sendRawTransaction", [raw]).catch(() => undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new PocoDeploymentError(`no receipt for transaction ${hash} after ${RECEIPT_TIMEOUT_MS / 60_000} minutes`);
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

async function creationBlock(provider: JsonRpcProvider, address: string): Promise<number> {
    let high = await provider.getBlockNumber();
    if ((await provider.getCode(address, high)) === "0x") return -1;
    let low = 0;
    while (low < high) {
        const middle = Math.floor((low + high) / 2);
        if ((await provider.getCode(address, middle)) === "0x") low = middle + 1;
        else high = middle;
    }
    return low;
}
