/**
 * The audit and usage report, as plain data: what every member computes from its own view of the chain and can compare
 * byte for byte (canonical JSON). Amounts are decimal strings of the token's smallest unit (nRLC for RLC and the hub's
 * SRLC, units for gas), so that no figure loses precision in JSON, CSV or a spreadsheet.
 */

export const REPORT_VERSION = 1;

/** The organisation accounts no party claims are reported under, listed one by one, never dropped. */
export const UNATTRIBUTED = "unattributed";

/** Who an account belongs to, and why the report says so. */
export interface PartyAccount {
    readonly address: string;
    readonly organisation: string;
    /** What the stack knows it as: authority, scheduler, worker, bridge validator, PoCo admin, member, ... */
    readonly roles: readonly string[];
}

export interface ReportRange {
    readonly chainId: number;
    readonly hub: string;
    readonly rlc: string;
    readonly fromBlock: number;
    readonly toBlock: number;
    readonly fromBlockHash: string;
    readonly toBlockHash: string;
    /** Block timestamps, ISO-8601 UTC. */
    readonly fromTime: string;
    readonly toTime: string;
}

export interface AssetUsage {
    /** Addresses this organisation owns at the end of the range. */
    readonly apps: readonly string[];
    readonly datasets: readonly string[];
    readonly workerpools: readonly string[];
    /** Created in the range (minted to one of its accounts). */
    readonly created: number;
    /** Ownership changes in the range, to and from another organisation's accounts. */
    readonly transfersIn: number;
    readonly transfersOut: number;
}

export interface DealUsage {
    /** Deals whose requester is one of its accounts. */
    readonly requested: number;
    /** Deals using its apps, datasets or workerpools. */
    readonly servedAsApp: number;
    readonly servedAsDataset: number;
    readonly servedAsWorkerpool: number;
}

export interface TaskUsage {
    /** Tasks of the deals it requested: finalized (COMPLETED) in the range. */
    readonly completed: number;
    /** Claimed in the range (FAILED, the requester refunded). */
    readonly claimed: number;
    /** Past their final deadline at the end of the range, neither finalized nor claimed: failed, claimable. */
    readonly failed: number;
    /** Tasks its workers contributed to, and of those, finalized with their contribution proved. */
    readonly contributed: number;
}

/** RLC flows, nRLC, over the range. */
export interface RlcUsage {
    /** Into the hub (minted SRLC) and out of it (burnt). */
    readonly deposited: string;
    readonly withdrawn: string;
    /** Frozen for deals and contributions, and released. */
    readonly locked: string;
    readonly unlocked: string;
    /** Seized from it as the sponsor of completed tasks: what it paid. */
    readonly paid: string;
    /** Rewards, as app, dataset or workerpool owner or worker. */
    readonly earned: string;
    /** Seized from it as a penalty (a claimed task's pool stake, a faulty contribution's stake). */
    readonly seized: string;
    /** SRLC sent to and received from other accounts directly (ERC-20 transfers on the hub). */
    readonly transferredIn: string;
    readonly transferredOut: string;
}

export interface BridgeUsage {
    /** RLC arriving from the foreign chain (AffirmationCompleted to its accounts): count and nRLC. */
    readonly deposits: number;
    readonly deposited: string;
    /** RLC leaving to the foreign chain (UserRequestForSignature from its accounts). */
    readonly withdrawals: number;
    readonly withdrawn: string;
}

export interface ChainUsage {
    readonly transactions: number;
    /** Gas (units) used by its transactions. */
    readonly gasUsed: string;
    /** Blocks whose author is one of its accounts (its authorities). */
    readonly blocksSealed: number;
}

/** One organisation's balances at the range's two ends, and whether their change is what the flows say. */
export interface Reconciliation {
    /** Its SRLC balances on the hub (free stake) at the block before the range and at its end, nRLC. */
    readonly hubBefore: string;
    readonly hubAfter: string;
    /** deposited − withdrawn − locked + unlocked + earned + transferredIn − transferredOut. */
    readonly hubFlows: string;
    /** Its frozen SRLC before and after; locked − unlocked − paid − seized. */
    readonly lockedBefore: string;
    readonly lockedAfter: string;
    readonly lockedFlows: string;
    /** Its RLC token balances; the RLC transfers to and from its accounts. */
    readonly tokenBefore: string;
    readonly tokenAfter: string;
    readonly tokenFlows: string;
    readonly holds: boolean;
}

export interface OrganisationUsage {
    readonly name: string;
    readonly accounts: readonly PartyAccount[];
    readonly assets: AssetUsage;
    readonly deals: DealUsage;
    readonly tasks: TaskUsage;
    readonly rlc: RlcUsage;
    readonly bridge: BridgeUsage;
    readonly chain: ChainUsage;
    /** Absent when the node has no state at the range's ends (a pruned node): the report says it could not check. */
    readonly reconciliation?: Reconciliation;
}

/** What one organisation owes another for the range: the part of its tasks' prices that went to the other's assets and workers. */
export interface Settlement {
    readonly payer: string;
    readonly payee: string;
    /** nRLC. */
    readonly amount: string;
    readonly tasks: number;
    /** Per role of the payee: app, dataset, workerpool, worker. */
    readonly byRole: Readonly<Record<string, string>>;
}

/** Tasks completed per organisation (as requester) in one slice of the range, for the usage chart. */
export interface TimelineSlice {
    readonly fromBlock: number;
    readonly toBlock: number;
    readonly completed: Readonly<Record<string, number>>;
}

export interface UsageReport {
    readonly version: typeof REPORT_VERSION;
    readonly range: ReportRange;
    /** Sorted by name; the unattributed accounts last, under UNATTRIBUTED, when there are any. */
    readonly organisations: readonly OrganisationUsage[];
    readonly settlement: readonly Settlement[];
    readonly timeline: readonly TimelineSlice[];
    /** Every check the report made, and the overall verdict: each organisation's balances agree with its flows. */
    readonly reconciled: boolean | "unavailable";
}
