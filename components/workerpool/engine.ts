import { Contract, Interface, Wallet, ZeroAddress, getAddress, zeroPadValue, type JsonRpcProvider, type TransactionRequest, type TransactionResponse } from "ethers";
import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { artifacts } from "../poco/artifacts";
import { waitForChain } from "../poco/deploy";
import { ORDER_OPERATION, WORKERPOOL_ORDER_OPERATION_TYPES, orderHash, pocoDomain, workerpoolOrder, type OrderTerms, type WorkerpoolOrder } from "./orders";

/**
 * The workerpool's on-chain set-up, as plain functions tests run against a real node (reference §5):
 * - the PoCo admin keeps the scheduler and the workers funded, deposits their stakes, and creates the workerpool at its
 *   predicted address, owned by the scheduler;
 * - one order per category is presigned (manageWorkerpoolOrder SIGN) and broadcast (broadcastWorkerpoolOrder), so that
 *   any member finds it in the hub's logs and matches it without an order book; an order whose terms changed is closed
 *   (CLOSE) and replaced. The scheduler signs each operation (EIP-712) and the admin sends it: the scheduler's own
 *   nonces stay the blockchain adapter's, which sends initialize and finalize with the same key while this runs.
 * Everything is read from the chain first: a second run sends nothing.
 */

export class WorkerpoolSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WorkerpoolSetupError";
    }
}

export interface WorkerpoolChain {
    readonly rpcUrl: string;
    readonly chainId: number;
    readonly credentials?: RpcCredentials;
}

/** An order the scheduler presigned and broadcast, as the outputs list it. */
export interface PublishedOrder {
    readonly category: number;
    readonly hash: string;
    readonly generation: number;
    readonly order: WorkerpoolOrder;
    /** The block of its broadcast: requesters read it from the hub's BroadcastWorkerpoolOrder logs. */
    readonly broadcastBlock: number;
}

export interface WorkerpoolSetupOptions {
    readonly chain: WorkerpoolChain;
    readonly hub: string;
    readonly workerpoolRegistry: string;
    /** The block PoCo was deployed in: nothing of the workerpool's can be older. */
    readonly pocoDeploymentBlock: number;
    /** The PoCo admin: pays the funding, the stakes and the workerpool's creation. */
    readonly adminKey: string;
    /** The scheduler: owns the workerpool and signs its orders. */
    readonly ownerKey: string;
    readonly description: string;
    readonly workers: readonly string[];
    /** Wei the scheduler and each worker are topped up to when they hold less than half of it. */
    readonly funding: string;
    /** nRLC each is given in its hub account when it holds less. */
    readonly stakes: { readonly scheduler: string; readonly worker: string };
    readonly orders: readonly OrderTerms[];
    /** What the previous run published: an order no longer wanted is closed. */
    readonly previous?: readonly PublishedOrder[];
    readonly readinessTimeoutMs?: number;
    readonly log?: (message: string) => void;
}

export interface WorkerpoolSetupResult {
    readonly workerpool: string;
    readonly owner: string;
    readonly creationBlock: number;
    readonly orders: PublishedOrder[];
    readonly closed: string[];
    readonly transactionsSent: number;
}

const hubAbi = () => artifacts.iexecToken().abi as never[];
const registryAbi = () => artifacts.registry("workerpools").abi as never[];
const RLC_ABI = ["function approve(address spender, uint256 value) returns (bool)", "function balanceOf(address) view returns (uint256)", "function allowance(address,address) view returns (uint256)"];
/** How many blocks one eth_getLogs asks for. */
const LOG_WINDOW = 5000;
/** Gas of one order operation or broadcast (about 60k to 90k measured on anvil; the rest is headroom). */
const ORDER_STEP_GAS = 300_000n;
/** Generations of one category's order tried before giving up (each closed or used up). */
const MAX_GENERATIONS = 1000;

/** Sends the transactions with consecutive nonces, then waits for every receipt; a revert names the step. */
async function sendAll(wallet: Wallet, steps: readonly { readonly what: string; readonly tx: TransactionRequest }[], log: (message: string) => void): Promise<number[]> {
    if (steps.length === 0) return [];
    const nonce = await wallet.getNonce("pending");
    const sent: { what: string; response: TransactionResponse }[] = [];
    for (const [index, step] of steps.entries()) sent.push({ what: step.what, response: await wallet.sendTransaction({ ...step.tx, nonce: nonce + index }) });
    log(`Workerpool: sent ${steps.length} transaction(s) from ${wallet.address}: ${steps.map((step) => step.what).join(", ")}`);
    const blocks: number[] = [];
    for (const { what, response } of sent) {
        const receipt = await response.wait(1).catch((error: Error) => {
            throw new WorkerpoolSetupError(`${what} failed: ${error.message}`);
        });
        if (!receipt || receipt.status !== 1) throw new WorkerpoolSetupError(`${what} reverted (transaction ${response.hash})`);
        blocks.push(receipt.blockNumber);
    }
    return blocks;
}

/** Logs in bounded windows, oldest first. */
async function logsSince(provider: JsonRpcProvider, filter: { address: string; topics: (string | null)[] }, fromBlock: number) {
    const latest = await provider.getBlockNumber();
    const found = [];
    for (let from = fromBlock; from <= latest; from += LOG_WINDOW) {
        found.push(...(await provider.getLogs({ ...filter, fromBlock: from, toBlock: Math.min(latest, from + LOG_WINDOW - 1) })));
    }
    return found;
}

/** The admin's transactions: top-ups of whoever holds less than half the funding, missing stakes, the workerpool itself. */
async function adminSteps(options: WorkerpoolSetupOptions, provider: JsonRpcProvider, admin: Wallet, owner: string, exists: boolean) {
    const hub = new Contract(options.hub, hubAbi(), provider);
    const registry = new Contract(options.workerpoolRegistry, registryAbi(), provider);
    const funding = BigInt(options.funding);
    const accounts = [{ address: owner, stake: BigInt(options.stakes.scheduler), role: "scheduler" }, ...options.workers.map((address) => ({ address, stake: BigInt(options.stakes.worker), role: "worker" }))];
    const topUps: { what: string; tx: TransactionRequest }[] = [];
    const deposits: { address: string; amount: bigint; role: string }[] = [];
    for (const account of accounts) {
        const balance = await provider.getBalance(account.address);
        if (balance * 2n < funding) topUps.push({ what: `top-up of the ${account.role} ${account.address}`, tx: { to: account.address, value: funding - balance } });
        if (account.stake > 0n) {
            // Locked stake counts as held: a deal in progress locks part of it, which is no reason to deposit again.
            const { stake: free, locked } = await hub.viewAccount(account.address);
            const stake = BigInt(free) + BigInt(locked);
            if (stake < account.stake) deposits.push({ address: account.address, amount: account.stake - stake, role: account.role });
        }
    }
    const creation = exists ? [] : [{ what: `createWorkerpool(${owner}, '${options.description}')`, tx: { to: options.workerpoolRegistry, data: registry.interface.encodeFunctionData("createWorkerpool", [owner, options.description]) } }];
    const total = deposits.reduce((sum, deposit) => sum + deposit.amount, 0n);
    if (total > 0n) {
        const rlc = new Contract(String(await hub.token()), RLC_ABI, provider);
        const held = BigInt(await rlc.balanceOf(admin.address));
        if (held < total) throw new WorkerpoolSetupError(`the PoCo admin ${admin.address} holds ${held} nRLC, but the workerpool's stakes need ${total} more (workerpool.stakes)`);
    }
    return { first: [...topUps, ...creation], deposits, total, hub };
}

/** The stakes: the admin approves the hub once, then deposits into each account (IexecEscrowTokenFacet depositFor). */
async function depositStakes(admin: Wallet, hub: Contract, deposits: readonly { address: string; amount: bigint; role: string }[], total: bigint, log: (message: string) => void): Promise<number> {
    if (deposits.length === 0) return 0;
    const rlc = new Contract(String(await hub.token()), RLC_ABI, admin);
    await sendAll(admin, [{ what: `approve(${await hub.getAddress()}, ${total})`, tx: { to: await rlc.getAddress(), data: rlc.interface.encodeFunctionData("approve", [await hub.getAddress(), total]) } }], log);
    const steps = deposits.map((deposit) => ({
        what: `depositFor(${deposit.amount}, ${deposit.role} ${deposit.address})`,
        tx: { to: hub.target as string, data: hub.interface.encodeFunctionData("depositFor", [deposit.amount, deposit.address]) },
    }));
    await sendAll(admin, steps, log);
    return 1 + steps.length;
}

/** The block the workerpool's NFT was minted in: the registry's Transfer(0x0, owner, tokenId). */
async function creationBlockOf(provider: JsonRpcProvider, options: WorkerpoolSetupOptions, workerpool: string, owner: string): Promise<number> {
    const registry = new Interface(registryAbi());
    const transfer = registry.getEvent("Transfer")!.topicHash;
    const logs = await logsSince(provider, { address: options.workerpoolRegistry, topics: [transfer, zeroPadValue(ZeroAddress, 32), zeroPadValue(owner, 32), zeroPadValue(workerpool, 32)] }, options.pocoDeploymentBlock);
    if (logs.length === 0) throw new WorkerpoolSetupError(`the workerpool ${workerpool} exists, but its creation is not in the registry's logs since block ${options.pocoDeploymentBlock}`);
    return logs[0].blockNumber;
}

interface OrderPlan {
    readonly terms: OrderTerms;
    readonly generation: number;
    readonly order: WorkerpoolOrder;
    readonly hash: string;
    /** Presigned already (an earlier run, or one interrupted before its broadcast was recorded). */
    readonly presigned: boolean;
}

/** The live order of each category: the first generation that is neither closed nor used up. */
async function planOrders(options: WorkerpoolSetupOptions, hub: Contract, workerpool: string, owner: string): Promise<OrderPlan[]> {
    const domain = pocoDomain(options.chain.chainId, options.hub);
    const plans: OrderPlan[] = [];
    for (const terms of options.orders) {
        for (let generation = 0; ; generation++) {
            if (generation >= MAX_GENERATIONS) throw new WorkerpoolSetupError(`category ${terms.category}: ${MAX_GENERATIONS} orders with these terms are closed or used up; change workerpool.orders`);
            const order = workerpoolOrder(workerpool, terms, generation);
            const hash = orderHash("WorkerpoolOrder", domain, order);
            const consumed = BigInt(await hub.viewConsumed(hash));
            if (consumed >= BigInt(order.volume)) continue;
            const signer = String(await hub.viewPresigned(hash));
            plans.push({ terms, generation, order, hash, presigned: getAddress(signer) === getAddress(owner) });
            break;
        }
    }
    return plans;
}

/** The blocks of this workerpool's broadcasts found in the hub's logs since `fromBlock`, by order hash. */
async function broadcastsSince(provider: JsonRpcProvider, options: WorkerpoolSetupOptions, hub: Contract, wanted: ReadonlySet<string>, fromBlock: number): Promise<Map<string, number>> {
    const event = hub.interface.getEvent("BroadcastWorkerpoolOrder")!;
    const domain = pocoDomain(options.chain.chainId, options.hub);
    const found = new Map<string, number>();
    if (wanted.size === 0) return found;
    for (const log of await logsSince(provider, { address: options.hub, topics: [event.topicHash] }, fromBlock)) {
        const [order] = hub.interface.decodeEventLog(event, log.data, log.topics);
        const hash = orderHash("WorkerpoolOrder", domain, plainOrder(order));
        if (wanted.has(hash) && !found.has(hash)) found.set(hash, log.blockNumber);
    }
    return found;
}

function plainOrder(decoded: Record<string, unknown>): WorkerpoolOrder {
    const field = (name: keyof WorkerpoolOrder) => String(decoded[name]);
    return {
        workerpool: getAddress(field("workerpool")),
        workerpoolprice: field("workerpoolprice"),
        volume: field("volume"),
        tag: field("tag"),
        category: field("category"),
        trust: field("trust"),
        apprestrict: getAddress(field("apprestrict")),
        datasetrestrict: getAddress(field("datasetrestrict")),
        requesterrestrict: getAddress(field("requesterrestrict")),
        salt: field("salt"),
    };
}

const withSign = (order: WorkerpoolOrder) => ({ ...order, sign: "0x" });

/** The call the admin sends for the scheduler: the operation with the scheduler's EIP-712 signature of it. */
async function managedOperation(scheduler: Wallet, hub: Contract, domain: ReturnType<typeof pocoDomain>, order: WorkerpoolOrder, operation: number): Promise<string> {
    const sign = await scheduler.signTypedData(domain, WORKERPOOL_ORDER_OPERATION_TYPES as unknown as Record<string, { name: string; type: string }[]>, { order, operation });
    return hub.interface.encodeFunctionData("manageWorkerpoolOrder", [{ order: withSign(order), operation, sign }]);
}

/** Creates or finds the workerpool, funds its accounts and publishes its orders; sends only what the chain lacks. */
export async function setUpWorkerpool(options: WorkerpoolSetupOptions): Promise<WorkerpoolSetupResult> {
    const log = options.log ?? (() => {});
    const provider = connectRpc(options.chain.rpcUrl, options.chain.credentials, options.chain.chainId, { cacheTimeout: -1 });
    try {
        await waitForChain(provider, options.chain.chainId, options.chain.rpcUrl, options.readinessTimeoutMs ?? 600_000, log, "Workerpool");
        if ((await provider.getCode(options.hub)) === "0x") throw new WorkerpoolSetupError(`no PoCo hub at ${options.hub}: PoCo must be deployed first`);
        const admin = new Wallet(options.adminKey, provider);
        const scheduler = new Wallet(options.ownerKey, provider);
        const owner = scheduler.address;
        const registry = new Contract(options.workerpoolRegistry, registryAbi(), provider);
        const workerpool = getAddress(String(await registry.predictWorkerpool(owner, options.description)));
        const exists = (await provider.getCode(workerpool)) !== "0x";
        if (exists) {
            const current = getAddress(String(await registry.ownerOf(BigInt(workerpool))));
            if (current !== owner) {
                throw new WorkerpoolSetupError(`the workerpool ${workerpool} now belongs to ${current}, not to this stack's scheduler ${owner}: its orders cannot be signed by the scheduler`);
            }
        }

        let transactionsSent = 0;
        const { first, deposits, total, hub } = await adminSteps(options, provider, admin, owner, exists);
        const firstBlocks = await sendAll(admin, first, log);
        transactionsSent += first.length + (await depositStakes(admin, hub, deposits, total, log));
        const creationBlock = exists ? await creationBlockOf(provider, options, workerpool, owner) : firstBlocks[firstBlocks.length - 1];
        if (!exists) log(`Workerpool: created ${workerpool} for the scheduler ${owner} in block ${creationBlock}`);

        const plans = await planOrders(options, hub, workerpool, owner);
        const known = new Map((options.previous ?? []).map((published) => [published.hash, published]));
        // An order presigned without a recorded broadcast (an interrupted run) may have been broadcast: the logs say.
        const unrecorded = new Set(plans.filter((plan) => plan.presigned && !known.has(plan.hash)).map((plan) => plan.hash));
        const broadcasts = await broadcastsSince(provider, options, hub, unrecorded, creationBlock);
        for (const [hash, block] of known) if (plans.some((plan) => plan.hash === hash)) broadcasts.set(hash, block.broadcastBlock);

        const wantedHashes = new Set(plans.map((plan) => plan.hash));
        const toClose: WorkerpoolOrder[] = [];
        for (const published of options.previous ?? []) {
            if (wantedHashes.has(published.hash)) continue;
            if (BigInt(await hub.viewConsumed(published.hash)) < BigInt(published.order.volume)) toClose.push(published.order);
        }
        const domain = pocoDomain(options.chain.chainId, options.hub);
        const orderSteps: { what: string; tx: TransactionRequest; broadcastOf?: string }[] = [];
        for (const order of toClose) {
            orderSteps.push({ what: `close the order of category ${order.category} (${orderHash("WorkerpoolOrder", domain, order)})`, tx: { to: options.hub, data: await managedOperation(scheduler, hub, domain, order, ORDER_OPERATION.CLOSE) } });
        }
        for (const plan of plans) {
            if (!plan.presigned) orderSteps.push({ what: `presign the order of category ${plan.terms.category}`, tx: { to: options.hub, data: await managedOperation(scheduler, hub, domain, plan.order, ORDER_OPERATION.SIGN) } });
            if (!broadcasts.has(plan.hash)) {
                orderSteps.push({ what: `broadcast the order of category ${plan.terms.category}`, broadcastOf: plan.hash, tx: { to: options.hub, data: hub.interface.encodeFunctionData("broadcastWorkerpoolOrder", [withSign(plan.order)]) } });
            }
        }
        // Explicit limits: each is estimated before the previous one of the batch is mined, which a broadcast of an
        // order not yet presigned does not need, but a close or sign of the same order would.
        const orderBlocks = await sendAll(admin, orderSteps.map((step) => ({ ...step, tx: { ...step.tx, gasLimit: ORDER_STEP_GAS } })), log);
        transactionsSent += orderSteps.length;
        orderSteps.forEach((step, index) => {
            if (step.broadcastOf) broadcasts.set(step.broadcastOf, orderBlocks[index]);
        });
        if (transactionsSent === 0) log(`Workerpool: ${workerpool} and its ${plans.length} order(s) are on chain as configured; nothing sent`);
        return {
            workerpool,
            owner,
            creationBlock,
            orders: plans.map((plan) => ({ category: plan.terms.category, hash: plan.hash, generation: plan.generation, order: plan.order, broadcastBlock: broadcasts.get(plan.hash)! })),
            closed: toClose.map((order) => orderHash("WorkerpoolOrder", pocoDomain(options.chain.chainId, options.hub), order)),
            transactionsSent,
        };
    } finally {
        provider.destroy();
    }
}
