import { Contract, getAddress, toQuantity, type JsonRpcProvider } from "ethers";
import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { artifacts } from "../poco/artifacts";
import { buildReport, reportedAccounts, taskIdOf, type AccountBalances, type ChainData, type DealView } from "./build";
import { decodeLog, topicsOf, type ChainEvent } from "./events";
import type { PartyAccount, ReportRange, UsageReport } from "./model";

/**
 * Reads what the report needs from a node: the range's blocks, the logs of the hub, the RLC token, the registries and
 * the home bridge in bounded eth_getLogs windows, the deals and tasks they name, every block's author and its
 * transactions' senders and gas, and balances at both ends. Any member's node gives the same data for the same range.
 */

export interface ReportContracts {
    readonly hub: string;
    readonly registries: { readonly apps: string; readonly datasets: string; readonly workerpools: string };
    /** The home bridge, when the stack has one. */
    readonly homeBridge?: string;
    /** The block PoCo was deployed in: the registries' history starts there. */
    readonly pocoDeploymentBlock: number;
}

/** A block number, or a moment (the range starts at the first block at or after it, ends at the last at or before it). */
export type RangeBound = number | Date;

export interface CollectOptions {
    readonly rpcUrl: string;
    readonly chainId: number;
    /** A member's gateway credentials (secret), when RPC is behind the gateway. */
    readonly credentials?: RpcCredentials;
    readonly contracts: ReportContracts;
    /** Default: the block after PoCo's deployment. */
    readonly from?: RangeBound;
    /** Default: the latest block. Give it to reproduce a report: the same range, the same bytes. */
    readonly to?: RangeBound;
    /** The most blocks per eth_getLogs request (fewer where blocks hold many logs). */
    readonly logWindow?: number;
    readonly progress?: (message: string) => void;
}

/** The most blocks one eth_getLogs asks for; fewer where the chain is dense. */
const DEFAULT_LOG_WINDOW = 2000;
const FIRST_WINDOW = 50;
const LOGS_PER_REQUEST = 5000;

/**
 * JSON-RPC for the large answers (logs, blocks, receipts), over Node's fetch: ethers decodes every answer's bytes with
 * its own JavaScript UTF-8 decoder, which costs more than the report itself for a hundred thousand logs.
 */
function rawRpc(rpcUrl: string, credentials: RpcCredentials | undefined) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (credentials) headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    let id = 0;
    return async <T>(method: string, params: unknown[]): Promise<T> => {
        const response = await fetch(rpcUrl, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }) });
        if (!response.ok) throw new ReportError(`${method} at ${rpcUrl} answered HTTP ${response.status}`);
        const answer = (await response.json()) as { result?: T; error?: { message: string } };
        if (answer.error) throw new ReportError(`${method} at ${rpcUrl} failed: ${answer.error.message}`);
        return answer.result as T;
    };
}
type RawRpc = ReturnType<typeof rawRpc>;
/** Requests in flight at once (ethers batches them into JSON-RPC batches of 100). */
const CONCURRENCY = 200;

export class ReportError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReportError";
    }
}

async function inChunks<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = [];
    for (let start = 0; start < items.length; start += CONCURRENCY) for (const result of await Promise.all(items.slice(start, start + CONCURRENCY).map(run))) results.push(result);
    return results;
}

/** A log as the node sends it, and as the decoder takes it. */
interface RawLog {
    readonly address: string;
    readonly topics: string[];
    readonly data: string;
    readonly blockNumber: string;
    readonly logIndex: string;
    readonly transactionHash: string;
}
type LogEntry = { readonly address: string; readonly topics: readonly string[]; readonly data: string; readonly blockNumber: number; readonly index: number; readonly transactionHash: string };

interface RawBlock {
    readonly number: string;
    readonly hash: string;
    readonly timestamp: string;
    readonly miner: string;
    readonly transactions: readonly string[];
}

const block = (provider: JsonRpcProvider, number: number) => provider.send("eth_getBlockByNumber", [`0x${number.toString(16)}`, false]) as Promise<RawBlock | null>;

/** The first block at or after `moment` (`after`), or the last at or before it. */
async function blockAt(provider: JsonRpcProvider, moment: Date, latest: number, side: "after" | "before"): Promise<number> {
    const target = Math.floor(moment.getTime() / 1000);
    let low = 0;
    let high = latest;
    while (low < high) {
        const middle = side === "after" ? Math.floor((low + high) / 2) : Math.ceil((low + high) / 2);
        const time = Number((await block(provider, middle))!.timestamp);
        if (side === "after") {
            if (time >= target) high = middle;
            else low = middle + 1;
        } else if (time <= target) low = middle;
        else high = middle - 1;
    }
    return low;
}

async function resolveRange(provider: JsonRpcProvider, options: CollectOptions, hubToken: string): Promise<ReportRange> {
    const latest = Number(await provider.send("eth_blockNumber", []));
    const resolve = async (bound: RangeBound | undefined, fallback: number, side: "after" | "before") =>
        bound === undefined ? fallback : typeof bound === "number" ? bound : blockAt(provider, bound, latest, side);
    // By default the usage since PoCo is there: from the block after its deployment, where RLC and the hub already
    // exist (the faucet RLC's constructor gives its supply without a Transfer event, which no flow could account for).
    const fromBlock = await resolve(options.from, options.contracts.pocoDeploymentBlock + 1, "after");
    const toBlock = await resolve(options.to, latest, "before");
    if (toBlock > latest) throw new ReportError(`the range ends at block ${toBlock}, but the node's latest block is ${latest}`);
    if (fromBlock > toBlock) throw new ReportError(`the range is empty: it starts at block ${fromBlock} and ends at block ${toBlock}`);
    const [first, last] = await Promise.all([block(provider, fromBlock), block(provider, toBlock)]);
    const iso = (raw: RawBlock) => new Date(Number(raw.timestamp) * 1000).toISOString();
    return {
        chainId: options.chainId,
        hub: getAddress(options.contracts.hub),
        rlc: getAddress(hubToken),
        fromBlock,
        toBlock,
        fromBlockHash: first!.hash,
        toBlockHash: last!.hash,
        fromTime: iso(first!),
        toTime: iso(last!),
    };
}

/** Logs of these addresses and topics in windows of `window` blocks, oldest first, each decoded as it arrives, with progress. */
async function eventsIn(
    rpc: RawRpc,
    filter: { address: string[]; topics: string[][] },
    range: { from: number; to: number; window: number },
    decode: (log: LogEntry) => ChainEvent | undefined,
    label: string,
    progress: (message: string) => void,
): Promise<ChainEvent[]> {
    const found: ChainEvent[] = [];
    // One window at a time, sized to about LOGS_PER_REQUEST logs from the last answer's density: each answer is parsed
    // whole, so a dense stretch of the chain (a hundred tasks a block) must not come back in one piece.
    let window = Math.min(range.window, FIRST_WINDOW);
    for (let fromBlock = range.from; fromBlock <= range.to; ) {
        const toBlock = Math.min(range.to, fromBlock + window - 1);
        // Raw eth_getLogs: ethers' Log objects cost more than the decoding, for a hundred thousand logs.
        const logs = await rpc<RawLog[]>("eth_getLogs", [{ ...filter, fromBlock: toQuantity(fromBlock), toBlock: toQuantity(toBlock) }]);
        for (const log of logs) {
            const event = decode({ address: log.address, topics: log.topics, data: log.data, blockNumber: Number(log.blockNumber), index: Number(log.logIndex), transactionHash: log.transactionHash });
            if (event) found.push(event);
        }
        progress(`report: ${label} logs ${toBlock}/${range.to} (${found.length} events)`);
        const blocks = toBlock - fromBlock + 1;
        window = Math.max(1, Math.min(range.window, Math.floor((blocks * LOGS_PER_REQUEST) / Math.max(1, logs.length))));
        fromBlock = toBlock + 1;
    }
    return found;
}

async function collectEvents(rpc: RawRpc, options: CollectOptions, range: ReportRange, progress: (message: string) => void): Promise<ChainEvent[]> {
    const window = options.logWindow ?? DEFAULT_LOG_WINDOW;
    const { contracts } = options;
    // Keyed by lowercase address: a log's address is compared without computing a checksum per log.
    const sources = new Map<string, "hub" | "token" | "bridge">([
        [contracts.hub.toLowerCase(), "hub"],
        [range.rlc.toLowerCase(), "token"],
        ...(contracts.homeBridge ? ([[contracts.homeBridge.toLowerCase(), "bridge"]] as const) : []),
    ]);
    const topics = [...new Set([...topicsOf("hub"), ...topicsOf("token"), ...(contracts.homeBridge ? topicsOf("bridge") : [])])];
    const events = await eventsIn(
        rpc,
        { address: [...sources.keys()].map((address) => getAddress(address)), topics: [topics] },
        { from: range.fromBlock, to: range.toBlock, window },
        (log) => decodeLog(sources.get(log.address.toLowerCase())!, log),
        "hub, RLC and bridge",
        progress,
    );
    const registries = new Map(Object.entries(contracts.registries).map(([kind, address]) => [address.toLowerCase(), kind as "apps" | "datasets" | "workerpools"]));
    // Ownership at the end needs the registries' whole history, from PoCo's deployment.
    const registryEvents = await eventsIn(
        rpc,
        { address: Object.values(contracts.registries).map((address) => getAddress(address)), topics: [topicsOf("registry")] },
        { from: Math.min(contracts.pocoDeploymentBlock, range.fromBlock), to: range.toBlock, window },
        (log) => decodeLog("registry", log, registries.get(log.address.toLowerCase())),
        "registries",
        progress,
    );
    for (const event of registryEvents) events.push(event);
    return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

/** The deals the events name, with their category's time reference, and each named task's deal. */
async function collectDeals(hub: Contract, events: readonly ChainEvent[]): Promise<{ deals: Record<string, DealView>; taskDeals: Record<string, string> }> {
    const taskIds = new Set<string>();
    const dealIds = new Set<string>();
    for (const event of events) {
        if (event.source !== "hub") continue;
        if (event.name === "OrdersMatched") dealIds.add(event.args.dealid);
        if (event.args.taskid) taskIds.add(event.args.taskid);
        if ((event.name === "Reward" || event.name === "Seize") && event.args.ref) taskIds.add(event.args.ref);
    }
    const taskDeals: Record<string, string> = {};
    const deals: Record<string, DealView> = {};
    const categories = new Map<string, number>();
    const viewDeals = (ids: readonly string[]) =>
        inChunks(ids, async (dealid) => {
            const deal = await hub.viewDeal(dealid);
            const category = deal.category.toString();
            if (!categories.has(category)) categories.set(category, Number((await hub.viewCategory(deal.category)).workClockTimeRef));
            const resource = (entry: { pointer: string; owner: string; price: bigint }) => ({ pointer: getAddress(entry.pointer), owner: getAddress(entry.owner), price: entry.price.toString() });
            deals[dealid] = {
                app: resource(deal.app),
                dataset: resource(deal.dataset),
                workerpool: resource(deal.workerpool),
                requester: getAddress(deal.requester),
                sponsor: getAddress(deal.sponsor),
                botFirst: Number(deal.botFirst),
                botSize: Number(deal.botSize),
                startTime: Number(deal.startTime),
                workClockTimeRef: categories.get(category)!,
            };
        });
    // A deal's task ids are computed: only tasks of older deals need viewTask.
    await viewDeals([...dealIds]);
    for (const [dealid, deal] of Object.entries(deals)) {
        for (let index = deal.botFirst; index < deal.botFirst + deal.botSize; index++) {
            const taskid = taskIdOf(dealid, index);
            if (taskIds.has(taskid)) taskDeals[taskid] = dealid;
        }
    }
    const older = new Set<string>();
    await inChunks([...taskIds].filter((taskid) => taskDeals[taskid] === undefined), async (taskid) => {
        const task = await hub.viewTask(taskid);
        if (BigInt(task.dealid) !== 0n) {
            taskDeals[taskid] = task.dealid;
            if (!deals[task.dealid]) older.add(task.dealid);
        }
    });
    await viewDeals([...older]);
    return { deals, taskDeals };
}

/** Every block's author, and its transactions' senders and gas (eth_getBlockReceipts, for blocks with transactions). */
async function collectBlocks(rpc: RawRpc, range: ReportRange, progress: (message: string) => void) {
    const senders: Record<string, { transactions: number; gasUsed: bigint }> = {};
    const sealers: Record<string, number> = {};
    const numbers = Array.from({ length: range.toBlock - range.fromBlock + 1 }, (_, index) => range.fromBlock + index);
    for (let start = 0; start < numbers.length; start += CONCURRENCY * 5) {
        const slice = numbers.slice(start, start + CONCURRENCY * 5);
        const blocks = await inChunks(slice, (number) => rpc<RawBlock | null>("eth_getBlockByNumber", [toQuantity(number), false]));
        const busy = blocks.filter((raw): raw is RawBlock => raw !== null && raw.transactions.length > 0);
        const receipts = await inChunks(busy, (raw) => rpc<{ from: string; gasUsed: string }[]>("eth_getBlockReceipts", [raw.number]));
        for (const raw of blocks) if (raw) sealers[raw.miner.toLowerCase()] = (sealers[raw.miner.toLowerCase()] ?? 0) + 1;
        for (const receipt of receipts.flat()) {
            const entry = (senders[receipt.from.toLowerCase()] ??= { transactions: 0, gasUsed: 0n });
            entry.transactions += 1;
            entry.gasUsed += BigInt(receipt.gasUsed);
        }
        progress(`report: blocks ${slice[slice.length - 1]}/${range.toBlock}`);
    }
    // Keyed by lowercase address while counting (no checksum per receipt), checksummed once at the end.
    return {
        senders: Object.fromEntries(Object.entries(senders).map(([address, entry]) => [getAddress(address), { transactions: entry.transactions, gasUsed: entry.gasUsed.toString() }])),
        sealers: Object.fromEntries(Object.entries(sealers).map(([address, blocks]) => [getAddress(address), blocks])),
    };
}

/**
 * A hub whose escrow facet is not cut in yet (the diamond exists, its facets come in the next transactions: a range
 * starting inside PoCo's deployment) answers with a revert: nobody could hold anything in it. Any other error (a pruned
 * node's missing state) is passed on.
 */
function notYetCut(error: unknown): { stake: bigint; locked: bigint } {
    if ((error as { code?: string }).code === "CALL_EXCEPTION") return { stake: 0n, locked: 0n };
    throw error;
}

/** Balances of the accounts at a block; undefined when the node has no state there (a pruned node). */
async function balancesAt(provider: JsonRpcProvider, hub: Contract, token: Contract, accounts: readonly string[], blockTag: number): Promise<Record<string, AccountBalances> | undefined> {
    try {
        // Before PoCo and RLC existed, every balance was zero.
        const [hubCode, tokenCode] = await Promise.all([provider.getCode(hub.target as string, blockTag), provider.getCode(token.target as string, blockTag)]);
        const entries = await inChunks(accounts, async (address) => {
            const [account, held] = await Promise.all([
                hubCode === "0x" ? { stake: 0n, locked: 0n } : hub.viewAccount(address, { blockTag }).catch(notYetCut),
                tokenCode === "0x" ? 0n : token.balanceOf(address, { blockTag }),
            ]);
            return [address, { hub: account.stake.toString(), locked: account.locked.toString(), token: held.toString() }] as const;
        });
        return Object.fromEntries(entries);
    } catch {
        return undefined;
    }
}

const zeroBalances = (accounts: readonly string[]) => Object.fromEntries(accounts.map((address) => [address, { hub: "0", locked: "0", token: "0" }]));

export async function collectChainData(options: CollectOptions, parties: readonly PartyAccount[]): Promise<ChainData> {
    const progress = options.progress ?? (() => {});
    const provider = connectRpc(options.rpcUrl, options.credentials, options.chainId, { batchMaxCount: 100 });
    try {
        const served = Number(await provider.send("eth_chainId", []));
        if (served !== options.chainId) throw new ReportError(`${options.rpcUrl} serves chain id ${served}, but the stack's chain id is ${options.chainId}`);
        const hub = new Contract(options.contracts.hub, artifacts.iexecToken().abi as never[], provider);
        const range = await resolveRange(provider, options, String(await hub.token()));
        progress(`report: blocks ${range.fromBlock} (${range.fromBlockHash}) to ${range.toBlock} (${range.toBlockHash})`);
        const rpc = rawRpc(options.rpcUrl, options.credentials);
        const events = await collectEvents(rpc, options, range, progress);
        const { deals, taskDeals } = await collectDeals(hub, events);
        const { senders, sealers } = await collectBlocks(rpc, range, progress);
        const data: ChainData = { range, events, deals, taskDeals, senders, sealers };
        const accounts = reportedAccounts(data, parties).map((account) => account.address);
        const token = new Contract(range.rlc, ["function balanceOf(address) view returns (uint256)"], provider);
        const before = range.fromBlock === 0 ? zeroBalances(accounts) : await balancesAt(provider, hub, token, accounts, range.fromBlock - 1);
        const after = await balancesAt(provider, hub, token, accounts, range.toBlock);
        if (!before || !after) progress(`report: the node has no state at block ${before ? range.toBlock : range.fromBlock - 1}: balances not reconciled`);
        return { ...data, ...(before && after ? { balances: { before, after } } : {}) };
    } finally {
        provider.destroy();
    }
}

/** The whole report of a range, as any member computes it from its own node. */
export async function usageReport(options: CollectOptions, parties: readonly PartyAccount[]): Promise<UsageReport> {
    return buildReport(await collectChainData(options, parties), parties);
}
