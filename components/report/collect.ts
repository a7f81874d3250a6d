import { Contract, getAddress, type JsonRpcProvider, type Log } from "ethers";
import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { artifacts } from "../poco/artifacts";
import { buildReport, reportedAccounts, type AccountBalances, type ChainData, type DealView } from "./build";
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
    /** Default: PoCo's deployment block. */
    readonly from?: RangeBound;
    /** Default: the latest block. Give it to reproduce a report: the same range, the same bytes. */
    readonly to?: RangeBound;
    /** Blocks per eth_getLogs request. */
    readonly logWindow?: number;
    readonly progress?: (message: string) => void;
}

const DEFAULT_LOG_WINDOW = 2000;
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
    for (let start = 0; start < items.length; start += CONCURRENCY) results.push(...(await Promise.all(items.slice(start, start + CONCURRENCY).map(run))));
    return results;
}

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
    const fromBlock = await resolve(options.from, options.contracts.pocoDeploymentBlock, "after");
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

/** Logs of these addresses and topics in windows of `window` blocks, oldest first, with progress. */
async function logsIn(provider: JsonRpcProvider, filter: { address: string[]; topics: string[][] }, from: number, to: number, window: number, label: string, progress: (message: string) => void): Promise<Log[]> {
    const found: Log[] = [];
    const windows: [number, number][] = [];
    for (let start = from; start <= to; start += window) windows.push([start, Math.min(to, start + window - 1)]);
    let done = 0;
    for (let start = 0; start < windows.length; start += 8) {
        const batch = await Promise.all(windows.slice(start, start + 8).map(([fromBlock, toBlock]) => provider.getLogs({ ...filter, fromBlock, toBlock })));
        for (const logs of batch) found.push(...logs);
        done += batch.length;
        progress(`report: ${label} logs ${Math.min(to, from + done * window - 1)}/${to} (${found.length} events)`);
    }
    return found;
}

async function collectEvents(provider: JsonRpcProvider, options: CollectOptions, range: ReportRange, progress: (message: string) => void): Promise<ChainEvent[]> {
    const window = options.logWindow ?? DEFAULT_LOG_WINDOW;
    const { contracts } = options;
    const sources = new Map<string, "hub" | "token" | "bridge">([
        [getAddress(contracts.hub), "hub"],
        [range.rlc, "token"],
        ...(contracts.homeBridge ? ([[getAddress(contracts.homeBridge), "bridge"]] as const) : []),
    ]);
    const topics = [...new Set([...topicsOf("hub"), ...topicsOf("token"), ...(contracts.homeBridge ? topicsOf("bridge") : [])])];
    const logs = await logsIn(provider, { address: [...sources.keys()], topics: [topics] }, range.fromBlock, range.toBlock, window, "hub, RLC and bridge", progress);
    const registries = new Map(Object.entries(contracts.registries).map(([kind, address]) => [getAddress(address), kind as "apps" | "datasets" | "workerpools"]));
    // Ownership at the end needs the registries' whole history, from PoCo's deployment.
    const registryLogs = await logsIn(provider, { address: [...registries.keys()], topics: [topicsOf("registry")] }, Math.min(contracts.pocoDeploymentBlock, range.fromBlock), range.toBlock, window, "registries", progress);
    const events: ChainEvent[] = [];
    for (const log of logs) {
        const event = decodeLog(sources.get(getAddress(log.address))!, log);
        if (event) events.push(event);
    }
    for (const log of registryLogs) {
        const event = decodeLog("registry", log, registries.get(getAddress(log.address)));
        if (event) events.push(event);
    }
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
    await inChunks([...taskIds], async (taskid) => {
        const task = await hub.viewTask(taskid);
        if (BigInt(task.dealid) !== 0n) {
            taskDeals[taskid] = task.dealid;
            dealIds.add(task.dealid);
        }
    });
    const categories = new Map<string, number>();
    const deals: Record<string, DealView> = {};
    await inChunks([...dealIds], async (dealid) => {
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
    return { deals, taskDeals };
}

/** Every block's author, and its transactions' senders and gas (eth_getBlockReceipts, for blocks with transactions). */
async function collectBlocks(provider: JsonRpcProvider, range: ReportRange, progress: (message: string) => void) {
    const senders: Record<string, { transactions: number; gasUsed: bigint }> = {};
    const sealers: Record<string, number> = {};
    const numbers = Array.from({ length: range.toBlock - range.fromBlock + 1 }, (_, index) => range.fromBlock + index);
    for (let start = 0; start < numbers.length; start += CONCURRENCY * 5) {
        const slice = numbers.slice(start, start + CONCURRENCY * 5);
        const blocks = await inChunks(slice, (number) => block(provider, number));
        const busy = blocks.filter((raw): raw is RawBlock => raw !== null && raw.transactions.length > 0);
        const receipts = await inChunks(busy, (raw) => provider.send("eth_getBlockReceipts", [raw.number]) as Promise<{ from: string; gasUsed: string }[]>);
        for (const raw of blocks) if (raw) sealers[getAddress(raw.miner)] = (sealers[getAddress(raw.miner)] ?? 0) + 1;
        for (const receipt of receipts.flat()) {
            const sender = getAddress(receipt.from);
            const entry = (senders[sender] ??= { transactions: 0, gasUsed: 0n });
            entry.transactions += 1;
            entry.gasUsed += BigInt(receipt.gasUsed);
        }
        progress(`report: blocks ${slice[slice.length - 1]}/${range.toBlock}`);
    }
    return {
        senders: Object.fromEntries(Object.entries(senders).map(([address, entry]) => [address, { transactions: entry.transactions, gasUsed: entry.gasUsed.toString() }])),
        sealers,
    };
}

/** Balances of the accounts at a block; undefined when the node has no state there (a pruned node). */
async function balancesAt(provider: JsonRpcProvider, hub: Contract, token: Contract, accounts: readonly string[], blockTag: number): Promise<Record<string, AccountBalances> | undefined> {
    try {
        // Before PoCo and RLC existed, every balance was zero.
        const [hubCode, tokenCode] = await Promise.all([provider.getCode(hub.target as string, blockTag), provider.getCode(token.target as string, blockTag)]);
        const entries = await inChunks(accounts, async (address) => {
            const [account, held] = await Promise.all([
                hubCode === "0x" ? { stake: 0n, locked: 0n } : hub.viewAccount(address, { blockTag }),
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
        const events = await collectEvents(provider, options, range, progress);
        const { deals, taskDeals } = await collectDeals(hub, events);
        const { senders, sealers } = await collectBlocks(provider, range, progress);
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
