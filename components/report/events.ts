import { Interface, getAddress, type Log } from "ethers";
import { artifacts } from "../poco/artifacts";

/**
 * The events the report reads, decoded into plain records: PoCo 6.1.0's hub (escrow, deals, tasks), the registries'
 * ERC-721 Transfer, the RLC token's Transfer and the home bridge's (TokenBridge 5.6.0 BasicHomeBridge.sol) transfers
 * (reference iexec-middleware.md §6.7, §7.1).
 */

export const HUB_EVENTS = [
    "Transfer",
    "Lock",
    "Unlock",
    "Reward",
    "Seize",
    "OrdersMatched",
    "TaskInitialize",
    "TaskContribute",
    "TaskFinalize",
    "TaskClaimed",
    "FaultyContribution",
] as const;

export const BRIDGE_ABI = ["event AffirmationCompleted(address recipient, uint256 value, bytes32 transactionHash)", "event UserRequestForSignature(address recipient, uint256 value)"];
const TOKEN_ABI = ["event Transfer(address indexed from, address indexed to, uint256 value)"];

export type Source = "hub" | "registry" | "token" | "bridge";

/** One decoded event: where and when, and its arguments as strings (addresses checksummed, numbers decimal). */
export interface ChainEvent {
    readonly source: Source;
    /** For a registry event: apps, datasets or workerpools. */
    readonly registry?: "apps" | "datasets" | "workerpools";
    readonly name: string;
    readonly blockNumber: number;
    readonly logIndex: number;
    readonly transactionHash: string;
    readonly args: Readonly<Record<string, string>>;
}

let parsers: Record<Source, Interface> | undefined;
const interfaces = (): Record<Source, Interface> =>
    (parsers ??= {
        hub: new Interface(artifacts.iexecToken().abi as never[]),
        registry: new Interface(artifacts.registry("apps").abi as never[]),
        token: new Interface(TOKEN_ABI),
        bridge: new Interface(BRIDGE_ABI),
    });

/** The topics the report asks the node for, per source. */
export function topicsOf(source: Source): string[] {
    const abi = interfaces()[source];
    const names = source === "hub" ? HUB_EVENTS : source === "bridge" ? ["AffirmationCompleted", "UserRequestForSignature"] : ["Transfer"];
    return names.map((name) => abi.getEvent(name)!.topicHash);
}

function plain(value: unknown): string {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return getAddress(value);
    return String(value);
}

/** Decodes a log of a known source; undefined for an event the report does not read. */
export function decodeLog(source: Source, log: Pick<Log, "topics" | "data" | "blockNumber" | "index" | "transactionHash">, registry?: ChainEvent["registry"]): ChainEvent | undefined {
    const abi = interfaces()[source];
    const parsed = abi.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) return undefined;
    const args: Record<string, string> = {};
    parsed.fragment.inputs.forEach((input, index) => (args[input.name] = plain(parsed.args[index])));
    return { source, ...(registry ? { registry } : {}), name: parsed.name, blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash, args };
}
