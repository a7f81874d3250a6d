import { ZeroAddress, getAddress, keccak256, solidityPacked } from "ethers";
import { checksummed, type ChainEvent } from "./events";
import {
    REPORT_VERSION,
    UNATTRIBUTED,
    type OrganisationUsage,
    type PartyAccount,
    type Reconciliation,
    type ReportRange,
    type Settlement,
    type TimelineSlice,
    type UsageReport,
} from "./model";

/**
 * The report from what the chain holds, as a pure function (iExec's PoCo-subgraph mappings as the model, reference
 * §7): the events of the range, the deals and tasks they name (immutable once matched or initialised), per-account
 * transaction counts and sealed blocks, and balances at both ends.
 */

/** PoCo's kitty: where a claimed task's pool stake goes (FacetBase.v8.sol KITTY_ADDRESS). */
export const KITTY = getAddress("0x99c2268479b93fDe36232351229815DF80837e23");

export interface DealView {
    readonly app: { readonly pointer: string; readonly owner: string; readonly price: string };
    readonly dataset: { readonly pointer: string; readonly owner: string; readonly price: string };
    readonly workerpool: { readonly pointer: string; readonly owner: string; readonly price: string };
    readonly requester: string;
    readonly sponsor: string;
    readonly botFirst: number;
    readonly botSize: number;
    readonly startTime: number;
    /** The category's workClockTimeRef: the final deadline is startTime + 10 × it. */
    readonly workClockTimeRef: number;
}

export interface AccountBalances {
    readonly hub: string;
    readonly locked: string;
    readonly token: string;
}

export interface ChainData {
    readonly range: ReportRange;
    /** Every event of the range, and the registries' Transfers since PoCo's deployment (ownership at the end). */
    readonly events: readonly ChainEvent[];
    readonly deals: Readonly<Record<string, DealView>>;
    /** Task id to its deal, for every task an event of the range names. */
    readonly taskDeals: Readonly<Record<string, string>>;
    /** Per sender (checksummed): transactions and gas used in the range. */
    readonly senders: Readonly<Record<string, { readonly transactions: number; readonly gasUsed: string }>>;
    /** Per block author: blocks sealed in the range. */
    readonly sealers: Readonly<Record<string, number>>;
    /** Balances of every reported account at the block before the range and at its end; absent without the state. */
    readonly balances?: { readonly before: Readonly<Record<string, AccountBalances>>; readonly after: Readonly<Record<string, AccountBalances>> };
}

const FINAL_DEADLINE_RATIO = 10;
const TIMELINE_SLICES = 12;

const sum = (values: Iterable<bigint>) => [...values].reduce((total, value) => total + value, 0n);

class Ledger {
    private readonly values = new Map<string, bigint>();
    add(key: string, amount: bigint | number): void {
        this.values.set(key, (this.values.get(key) ?? 0n) + BigInt(amount));
    }
    of(key: string): bigint {
        return this.values.get(key) ?? 0n;
    }
}

/** Accounts the events name, besides the parties': the report lists them as unattributed. */
function seenAccounts(data: Omit<ChainData, "balances">): Set<string> {
    const seen = new Set<string>();
    const skip = new Set([ZeroAddress, data.range.hub]);
    const note = (address: string | undefined) => {
        if (address && address.length === 42 && address.startsWith("0x")) {
            const account = checksummed(address);
            if (!skip.has(account)) seen.add(account);
        }
    };
    for (const event of data.events) {
        if (event.source === "registry") {
            note(event.args.from);
            note(event.args.to);
        } else for (const key of ["from", "to", "owner", "worker", "recipient", "account"]) note(event.args[key]);
    }
    for (const deal of Object.values(data.deals)) for (const address of [deal.requester, deal.sponsor, deal.app.owner, deal.dataset.owner, deal.workerpool.owner]) note(address);
    for (const address of [...Object.keys(data.senders), ...Object.keys(data.sealers)]) note(address);
    return seen;
}

/** Every account the report is about: the parties', then the unattributed ones it saw. */
export function reportedAccounts(data: Omit<ChainData, "balances">, parties: readonly PartyAccount[]): PartyAccount[] {
    const known = new Map(parties.map((party) => [checksummed(party.address), { ...party, address: checksummed(party.address) }]));
    for (const address of seenAccounts(data)) {
        if (!known.has(address)) known.set(address, { address, organisation: UNATTRIBUTED, roles: address === KITTY ? ["PoCo kitty"] : ["seen on chain"] });
    }
    return [...known.values()];
}

/** A deal's task id: keccak256(dealid, index) (IexecPoco2Facet initialize). */
export const taskIdOf = (dealid: string, index: number) => keccak256(solidityPacked(["bytes32", "uint256"], [dealid, index]));

/** Builds the report: `parties` map accounts to organisations; every other account seen is unattributed. */
export function buildReport(data: ChainData, parties: readonly PartyAccount[]): UsageReport {
    const accounts = reportedAccounts(data, parties);
    const orgOf = new Map(accounts.map((account) => [account.address, account.organisation]));
    const org = (address: string | undefined) => (address ? (orgOf.get(checksummed(address)) ?? UNATTRIBUTED) : UNATTRIBUTED);
    const names = [...new Set(accounts.map((account) => account.organisation))].sort((a, b) => (a === UNATTRIBUTED ? 1 : b === UNATTRIBUTED ? -1 : a < b ? -1 : a > b ? 1 : 0));
    const counts = new Ledger();
    const amounts = new Ledger();
    const inRange = (event: ChainEvent) => event.blockNumber >= data.range.fromBlock && event.blockNumber <= data.range.toBlock;
    const finalizedTxs = new Map<string, string>();
    const settlement = new Map<string, { amount: bigint; tasks: number; byRole: Ledger }>();
    const completedAt: { block: number; org: string }[] = [];
    const closed = new Set<string>();

    // Ownership of apps, datasets and workerpools: the registries' Transfers from their beginning.
    const owners = new Map<string, { kind: "apps" | "datasets" | "workerpools"; owner: string }>();
    for (const event of data.events.filter((candidate) => candidate.source === "registry")) {
        const asset = checksummed(`0x${BigInt(event.args.tokenId).toString(16).padStart(40, "0")}`);
        owners.set(asset, { kind: event.registry!, owner: event.args.to });
        if (!inRange(event)) continue;
        if (event.args.from === ZeroAddress) counts.add(`${org(event.args.to)}:created`, 1);
        else if (org(event.args.from) !== org(event.args.to)) {
            counts.add(`${org(event.args.to)}:transfersIn`, 1);
            counts.add(`${org(event.args.from)}:transfersOut`, 1);
        }
    }

    const notAnAccount = new Set([ZeroAddress, data.range.hub]);
    const events = data.events.filter((event) => event.source !== "registry" && inRange(event));
    for (const event of events) if (event.source === "hub" && event.name === "TaskFinalize") finalizedTxs.set(event.transactionHash, event.args.taskid);
    for (const event of events) {
        const { args } = event;
        if (event.source === "token" && event.name === "Transfer") {
            // The hub's own RLC (everyone's deposits) and mints and burns are nobody's.
            if (!notAnAccount.has(args.to)) amounts.add(`${org(args.to)}:tokenIn`, BigInt(args.value));
            if (!notAnAccount.has(args.from)) amounts.add(`${org(args.from)}:tokenOut`, BigInt(args.value));
            continue;
        }
        if (event.source === "bridge") {
            const key = event.name === "AffirmationCompleted" ? "bridgeIn" : "bridgeOut";
            counts.add(`${org(args.recipient)}:${key}`, 1);
            amounts.add(`${org(args.recipient)}:${key}`, BigInt(args.value));
            continue;
        }
        switch (event.name) {
            case "Transfer": {
                const value = BigInt(args.value);
                if (args.from === ZeroAddress) amounts.add(`${org(args.to)}:deposited`, value);
                else if (args.to === ZeroAddress) amounts.add(`${org(args.from)}:withdrawn`, value);
                else if (args.from !== data.range.hub && args.to !== data.range.hub) {
                    amounts.add(`${org(args.to)}:transferredIn`, value);
                    amounts.add(`${org(args.from)}:transferredOut`, value);
                }
                break;
            }
            case "Lock":
                amounts.add(`${org(args.owner)}:locked`, BigInt(args.amount));
                break;
            case "Unlock":
                amounts.add(`${org(args.owner)}:unlocked`, BigInt(args.amount));
                break;
            case "Reward":
                amounts.add(`${org(args.owner)}:earned`, BigInt(args.amount));
                break;
            case "Seize": {
                // The sponsor's Seize in its task's finalize is the price it paid; any other Seize is a penalty.
                const taskid = args.ref;
                const deal = data.deals[data.taskDeals[taskid] ?? ""];
                const payment = deal !== undefined && finalizedTxs.get(event.transactionHash) === taskid && checksummed(args.owner) === deal.sponsor;
                amounts.add(`${org(args.owner)}:${payment ? "paid" : "seized"}`, BigInt(args.amount));
                break;
            }
            case "OrdersMatched": {
                const deal = data.deals[args.dealid];
                if (!deal) break;
                counts.add(`${org(deal.requester)}:requested`, 1);
                counts.add(`${org(deal.app.owner)}:servedAsApp`, 1);
                if (deal.dataset.pointer !== ZeroAddress) counts.add(`${org(deal.dataset.owner)}:servedAsDataset`, 1);
                counts.add(`${org(deal.workerpool.owner)}:servedAsWorkerpool`, 1);
                break;
            }
            case "TaskContribute":
                counts.add(`${org(args.worker)}:contributed`, 1);
                break;
            case "TaskFinalize":
            case "TaskClaimed": {
                const taskid = args.taskid;
                closed.add(taskid);
                const deal = data.deals[data.taskDeals[taskid] ?? ""];
                if (!deal) break;
                const requester = org(deal.requester);
                if (event.name === "TaskClaimed") {
                    counts.add(`${requester}:claimed`, 1);
                    break;
                }
                counts.add(`${requester}:completed`, 1);
                completedAt.push({ block: event.blockNumber, org: requester });
                const payer = org(deal.sponsor);
                for (const [role, resource] of [["app", deal.app], ["dataset", deal.dataset], ["workerpool", deal.workerpool]] as const) {
                    const price = BigInt(resource.price);
                    const payee = org(resource.owner);
                    if (price === 0n || payee === payer) continue;
                    const key = `${payer}\u0000${payee}`;
                    const entry = settlement.get(key) ?? { amount: 0n, tasks: 0, byRole: new Ledger() };
                    entry.amount += price;
                    entry.byRole.add(role, price);
                    settlement.set(key, entry);
                }
                const pairs = new Set([deal.app, deal.dataset, deal.workerpool].filter((resource) => BigInt(resource.price) > 0n && org(resource.owner) !== payer).map((resource) => org(resource.owner)));
                for (const payee of pairs) settlement.get(`${payer}\u0000${payee}`)!.tasks += 1;
                break;
            }
        }
    }

    // Failed: tasks of the range's deals past their final deadline at its end, neither finalized nor claimed.
    const endTime = Date.parse(data.range.toTime) / 1000;
    for (const event of events.filter((candidate) => candidate.name === "OrdersMatched")) {
        const deal = data.deals[event.args.dealid];
        if (!deal || deal.startTime + FINAL_DEADLINE_RATIO * deal.workClockTimeRef > endTime) continue;
        for (let index = deal.botFirst; index < deal.botFirst + deal.botSize; index++) {
            if (!closed.has(taskIdOf(event.args.dealid, index))) counts.add(`${org(deal.requester)}:failed`, 1);
        }
    }

    for (const [address, usage] of Object.entries(data.senders)) {
        counts.add(`${org(address)}:transactions`, usage.transactions);
        amounts.add(`${org(address)}:gasUsed`, BigInt(usage.gasUsed));
    }
    for (const [address, blocks] of Object.entries(data.sealers)) counts.add(`${org(address)}:blocksSealed`, blocks);

    const organisations = names.map((name): OrganisationUsage => {
        const members = accounts.filter((account) => account.organisation === name).sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
        const owned = (kind: "apps" | "datasets" | "workerpools") =>
            [...owners.entries()].filter(([, entry]) => entry.kind === kind && org(entry.owner) === name).map(([asset]) => asset).sort();
        const n = (key: string) => counts.of(`${name}:${key}`);
        const a = (key: string) => amounts.of(`${name}:${key}`);
        const usage = {
            name,
            accounts: members.map((member) => ({ address: member.address, organisation: name, roles: [...member.roles].sort() })),
            assets: { apps: owned("apps"), datasets: owned("datasets"), workerpools: owned("workerpools"), created: Number(n("created")), transfersIn: Number(n("transfersIn")), transfersOut: Number(n("transfersOut")) },
            deals: { requested: Number(n("requested")), servedAsApp: Number(n("servedAsApp")), servedAsDataset: Number(n("servedAsDataset")), servedAsWorkerpool: Number(n("servedAsWorkerpool")) },
            tasks: { completed: Number(n("completed")), claimed: Number(n("claimed")), failed: Number(n("failed")), contributed: Number(n("contributed")) },
            rlc: {
                deposited: a("deposited").toString(),
                withdrawn: a("withdrawn").toString(),
                locked: a("locked").toString(),
                unlocked: a("unlocked").toString(),
                paid: a("paid").toString(),
                earned: a("earned").toString(),
                seized: a("seized").toString(),
                transferredIn: a("transferredIn").toString(),
                transferredOut: a("transferredOut").toString(),
            },
            bridge: { deposits: Number(n("bridgeIn")), deposited: a("bridgeIn").toString(), withdrawals: Number(n("bridgeOut")), withdrawn: a("bridgeOut").toString() },
            chain: { transactions: Number(n("transactions")), gasUsed: a("gasUsed").toString(), blocksSealed: Number(n("blocksSealed")) },
        };
        const reconciliation = data.balances ? reconcile(data.balances, members, (key) => a(key)) : undefined;
        return { ...usage, ...(reconciliation ? { reconciliation } : {}) };
    });

    return {
        version: REPORT_VERSION,
        range: data.range,
        organisations,
        settlement: settlementRows(settlement),
        timeline: timeline(data.range, completedAt, names),
        reconciled: data.balances ? organisations.every((usage) => usage.reconciliation!.holds) : "unavailable",
    };
}

function reconcile(balances: NonNullable<ChainData["balances"]>, members: readonly PartyAccount[], flow: (key: string) => bigint): Reconciliation {
    const total = (side: "before" | "after", field: keyof AccountBalances) => sum(members.map((member) => BigInt(balances[side][member.address]?.[field] ?? "0")));
    const hubFlows = flow("deposited") - flow("withdrawn") - flow("locked") + flow("unlocked") + flow("earned") + flow("transferredIn") - flow("transferredOut");
    const lockedFlows = flow("locked") - flow("unlocked") - flow("paid") - flow("seized");
    const tokenFlows = flow("tokenIn") - flow("tokenOut");
    const figures = {
        hubBefore: total("before", "hub"),
        hubAfter: total("after", "hub"),
        lockedBefore: total("before", "locked"),
        lockedAfter: total("after", "locked"),
        tokenBefore: total("before", "token"),
        tokenAfter: total("after", "token"),
    };
    const holds =
        figures.hubAfter - figures.hubBefore === hubFlows && figures.lockedAfter - figures.lockedBefore === lockedFlows && figures.tokenAfter - figures.tokenBefore === tokenFlows;
    return {
        hubBefore: figures.hubBefore.toString(),
        hubAfter: figures.hubAfter.toString(),
        hubFlows: hubFlows.toString(),
        lockedBefore: figures.lockedBefore.toString(),
        lockedAfter: figures.lockedAfter.toString(),
        lockedFlows: lockedFlows.toString(),
        tokenBefore: figures.tokenBefore.toString(),
        tokenAfter: figures.tokenAfter.toString(),
        tokenFlows: tokenFlows.toString(),
        holds,
    };
}

function settlementRows(settlement: Map<string, { amount: bigint; tasks: number; byRole: Ledger }>): Settlement[] {
    return [...settlement.entries()]
        .map(([key, entry]) => {
            const [payer, payee] = key.split("\u0000");
            const byRole = Object.fromEntries((["app", "dataset", "workerpool"] as const).filter((role) => entry.byRole.of(role) > 0n).map((role) => [role, entry.byRole.of(role).toString()]));
            return { payer, payee, amount: entry.amount.toString(), tasks: entry.tasks, byRole };
        })
        .sort((a, b) => (a.payer === b.payer ? (a.payee < b.payee ? -1 : 1) : a.payer < b.payer ? -1 : 1));
}

/** The range in equal slices of blocks, with the tasks each organisation's deals completed in each. */
function timeline(range: ReportRange, completed: readonly { block: number; org: string }[], names: readonly string[]): TimelineSlice[] {
    const blocks = range.toBlock - range.fromBlock + 1;
    const slices = Math.min(TIMELINE_SLICES, blocks);
    const width = Math.ceil(blocks / slices);
    const result: TimelineSlice[] = [];
    for (let from = range.fromBlock; from <= range.toBlock; from += width) {
        const to = Math.min(range.toBlock, from + width - 1);
        const counts = Object.fromEntries(names.map((name) => [name, completed.filter((entry) => entry.org === name && entry.block >= from && entry.block <= to).length]));
        result.push({ fromBlock: from, toBlock: to, completed: counts });
    }
    return result;
}

/** JSON with every object's keys sorted, two-space indented, ending with a newline: the same report, the same bytes. */
export function canonicalJson(value: unknown): string {
    const sorted = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(sorted);
        if (node && typeof node === "object") return Object.fromEntries(Object.keys(node).sort().map((key) => [key, sorted((node as Record<string, unknown>)[key])]));
        return node;
    };
    return `${JSON.stringify(sorted(value), null, 2)}\n`;
}
