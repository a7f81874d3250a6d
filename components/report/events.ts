import { Interface, getAddress, type EventFragment, type Log } from "ethers";
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

const EVENT_NAMES: Record<Source, readonly string[]> = {
    hub: HUB_EVENTS,
    registry: ["Transfer"],
    token: ["Transfer"],
    bridge: ["AffirmationCompleted", "UserRequestForSignature"],
};

/** Per source, the events the report reads by their topic: a log is decoded without searching the ABI. */
let fragments: Record<Source, Map<string, EventFragment>> | undefined;
const fragmentsOf = (source: Source): Map<string, EventFragment> =>
    (fragments ??= Object.fromEntries(
        (Object.keys(EVENT_NAMES) as Source[]).map((each) => [each, new Map(EVENT_NAMES[each].map((name) => { const event = interfaces()[each].getEvent(name)!; return [event.topicHash, event] as const; }))]),
    ) as Record<Source, Map<string, EventFragment>>)[source];

/** The topics the report asks the node for, per source. */
export function topicsOf(source: Source): string[] {
    return [...fragmentsOf(source).keys()];
}

/** ethers decodes addresses checksummed and integers as bigints: all become strings. */
const plain = (value: unknown): string => (typeof value === "bigint" ? value.toString() : String(value));

/**
 * EIP-55 checksums, each computed once (a keccak per call): the logs name the same accounts thousands of times. Takes an
 * address or a 32-byte word holding one.
 */
const checksums = new Map<string, string>();
export function checksummed(word: string): string {
    const lower = `0x${word.slice(-40)}`.toLowerCase();
    let known = checksums.get(lower);
    if (known === undefined) {
        known = getAddress(lower);
        checksums.set(lower, known);
    }
    return known;
}

const STATIC_TYPES = new Set(["address", "uint256", "bytes32"]);

/** A 32-byte word (hex, without 0x) as the report's string for its type. */
function wordValue(type: string, word: string): string {
    if (type === "address") return checksummed(word);
    if (type === "uint256") return BigInt(`0x${word}`).toString();
    return `0x${word}`;
}

/**
 * The events whose arguments are all static (addresses, integers, hashes) are read word by word, which is what the ABI
 * says they are; ethers' general decoder builds objects per log that cost more than the report for a hundred thousand
 * logs (tests/unit/reportEvents.test.ts checks both agree). The others (TaskFinalize's results) go through ethers.
 */
export function decodeLog(source: Source, log: Pick<Log, "topics" | "data" | "blockNumber" | "index" | "transactionHash">, registry?: ChainEvent["registry"]): ChainEvent | undefined {
    const fragment = fragmentsOf(source).get(log.topics[0]);
    if (!fragment) return undefined;
    const args: Record<string, string> = {};
    if (fragment.inputs.every((input) => input.indexed || STATIC_TYPES.has(input.type))) {
        let topic = 1;
        let offset = 2;
        for (const input of fragment.inputs) {
            if (!STATIC_TYPES.has(input.type)) return undefined;
            const word = input.indexed ? log.topics[topic++].slice(2) : log.data.slice(offset, (offset += 64));
            args[input.name] = wordValue(input.type, word);
        }
    } else {
        const values = interfaces()[source].decodeEventLog(fragment, log.data, log.topics);
        fragment.inputs.forEach((input, index) => (args[input.name] = plain(values[index])));
    }
    return { source, ...(registry ? { registry } : {}), name: fragment.name, blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash, args };
}
