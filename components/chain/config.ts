import { CIDR_PATTERN, ENODE_PATTERN, HOST_PATTERN, IPV4_PATTERN, NAME_PATTERN, describe, nameRule, type Checker } from "../config/checker";
import { placeholderFor, quotable } from "../config/redact";
import type { PlatformKind } from "../platform/config";

/** The chain's configuration: this stack's and external authorities, the chain (ids, gas limit, accounts, validator sets) and its client. */

export const CLIENT_KINDS = ["nethermind", "openethereum", "parity"] as const;

export type ClientKind = (typeof CLIENT_KINDS)[number];

/** Pinned images; each is the last or current release of that client line (see README, "Clients"). */
export const DEFAULT_IMAGES: Record<ClientKind, string> = {
    nethermind: "nethermind/nethermind:1.36.1",
    openethereum: "openethereum/openethereum:v3.3.5",
    parity: "parity/parity:v2.4.5",
};

export const DEFAULT_GAS_LIMIT = 40_000_000n; // the seed's 0x2625A00
export const MIN_GAS_LIMIT = 5_000n; // the spec's minGasLimit (0x1388): a block must hold at least one transfer
export const MAX_GAS_LIMIT = 2n ** 63n - 1n; // Nethermind stores the gas limit as a signed 64-bit integer
export const MAX_CHAIN_ID = 4_503_599_627_370_476; // largest chain id that EIP-155 signatures keep safe (EIP-2294)
const MAX_NAME_LENGTH = 40; // leaves room for suffixes such as "-pods" and "-0" within Kubernetes' 63
const MAX_UINT256 = 2n ** 256n - 1n;
const CHAIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface AuthorityConfig {
    /** Stable name: container name, DNS name and Kubernetes object name of the node. */
    readonly name: string;
    /** The consortium member that runs this authority. */
    readonly org?: string;
    /** Where other members reach this authority's p2p port; absent: only this stack's own nodes reach it. */
    readonly p2p?: AdvertisedP2p;
}

/**
 * An authority's p2p port as other members reach it: the host in its exported enode, and how it is published (a
 * LoadBalancer or NodePort Service on Kubernetes, a host port bound to an address on Docker).
 */
export interface AdvertisedP2p {
    /** DNS name or IPv4 address other members' nodes dial. */
    readonly host: string;
    /** The port in the enode: 30303 behind a LoadBalancer, the nodePort, or the Docker host port. */
    readonly port: number;
    readonly kubernetes: { readonly serviceType: "LoadBalancer" | "NodePort"; readonly nodePort?: number };
    readonly docker: { readonly bindAddress: string; readonly hostPort: number };
}

export interface ExternalAuthorityConfig {
    readonly name: string;
    /** EIP-55 checksummed signer address. */
    readonly address: string;
    readonly enode: string;
    /** IPv4 CIDR blocks its node connects from: the only sources (besides own pods) the p2p NetworkPolicy admits. */
    readonly allowFrom: readonly string[];
}

export interface ValidatorSetConfig {
    readonly fromBlock: number;
    /** Authority names (own or external). */
    readonly validators: readonly string[];
}

export interface ChainConfig {
    readonly name: string;
    readonly networkId: number;
    readonly chainId: number;
    readonly stepDuration: number;
    readonly gasLimit: bigint;
    /** EIP-55 address to balance in wei (decimal string). */
    readonly accounts: Readonly<Record<string, string>>;
    /** Validator sets by activation block; the first starts at block 0. */
    readonly validatorSets: readonly ValidatorSetConfig[];
    /** Whether BLAKE2F (EIP-152) and the EIP-1108/EIP-2565 precompile prices apply from genesis (0) or never. */
    readonly precompilesFromBlock: 0 | "never";
}

export interface ClientConfig {
    readonly kind: ClientKind;
    readonly image: string;
    readonly extraArgs: readonly string[];
}

/**
 * Chain ids of public networks, which a consortium chain never takes by accident: a transaction
 * signed for one chain is valid on every chain with its id (EIP-155), and wallets and explorers take
 * one for the other. The same numbers are these networks' devp2p network ids.
 */
export const PUBLIC_CHAIN_IDS: Readonly<Record<number, string>> = {
    1: "Ethereum mainnet",
    3: "Ropsten",
    4: "Rinkeby",
    5: "Goerli",
    42: "Kovan",
    134: "iExec Bellecour",
    17000: "Holesky",
    42161: "Arbitrum One",
    421614: "Arbitrum Sepolia",
    560048: "Hoodi",
    11155111: "Sepolia",
};

/** The key, in chain and in foreign.local, that accepts a public network's chain id anyway. */
export const PUBLIC_CHAIN_ID_ACKNOWLEDGED = "publicChainIdAcknowledged";

function parseAdvertisedP2p(check: Checker, key: string, raw: unknown, platform: PlatformKind | undefined): AdvertisedP2p | undefined {
    const record = check.object(key, raw, ["host", "serviceType", "nodePort", "bindAddress", "hostPort"]);
    if (!record) return undefined;
    const host = check.string(`${key}.host`, record.host);
    if (host && !HOST_PATTERN.test(host) && !IPV4_PATTERN.test(host)) {
        check.fail(`${key}.host`, `must be a DNS host name (lowercase) or an IPv4 address that other members' nodes dial (got ${describe(host)})`);
    }
    const serviceType = record.serviceType === undefined ? "LoadBalancer" : check.oneOf(`${key}.serviceType`, record.serviceType, ["LoadBalancer", "NodePort"] as const);
    const nodePort = record.nodePort === undefined ? undefined : check.integer(`${key}.nodePort`, record.nodePort, 30000, 32767, "a Kubernetes node port (30000 to 32767)");
    if (platform === "kubernetes" && serviceType === "NodePort" && record.nodePort === undefined) check.fail(`${key}.nodePort`, "is required with serviceType NodePort: the port in this authority's enode");
    const bindAddress = record.bindAddress === undefined ? "0.0.0.0" : check.string(`${key}.bindAddress`, record.bindAddress, IPV4_PATTERN, "must be an IPv4 address of the Docker host");
    const hostPort = record.hostPort === undefined ? 30303 : check.integer(`${key}.hostPort`, record.hostPort, 1, 65535, "a TCP and UDP port (1 to 65535)");
    if (!host || !serviceType || !bindAddress || !hostPort) return undefined;
    const port = platform === "docker" ? hostPort : serviceType === "NodePort" ? (nodePort ?? 0) : 30303;
    return { host, port, kubernetes: { serviceType, ...(nodePort !== undefined ? { nodePort } : {}) }, docker: { bindAddress, hostPort } };
}

export function parseAuthorities(check: Checker, raw: unknown, platform: PlatformKind | undefined): AuthorityConfig[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
        check.fail("authorities", `must be a list of { name, org? } (got ${describe(raw)})`);
        return [];
    }
    const result: AuthorityConfig[] = [];
    raw.forEach((item, index) => {
        const key = `authorities[${index}]`;
        const record = check.object(key, item, ["name", "org", "p2p"]);
        if (!record) return;
        const name = check.string(`${key}.name`, record.name, NAME_PATTERN, nameRule());
        const org = record.org === undefined ? undefined : check.string(`${key}.org`, record.org);
        const p2p = record.p2p === undefined ? undefined : parseAdvertisedP2p(check, `${key}.p2p`, record.p2p, platform);
        if (name && name.length > MAX_NAME_LENGTH) check.fail(`${key}.name`, `must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`);
        if (name && (record.p2p === undefined || p2p)) {
            const authority = { name, ...(org ? { org } : {}), ...(p2p ? { p2p } : {}) };
            check.positions.set(authority, key);
            result.push(authority);
        }
    });
    return result;
}

function parseAllowFrom(check: Checker, key: string, raw: unknown, platform: PlatformKind | undefined): string[] | undefined {
    if (raw === undefined || raw === null) {
        // On Kubernetes the p2p NetworkPolicy admits an external authority only from where it connects.
        return platform === "kubernetes"
            ? check.fail(key, "is required on Kubernetes: the IPv4 CIDR blocks this member's node connects from (p2p port 30303 is admitted from them only, never from 0.0.0.0/0)")
            : [];
    }
    const blocks = check.stringList(key, raw);
    if (!blocks) return undefined;
    let valid = blocks.length > 0 || platform !== "kubernetes";
    if (!valid) check.fail(key, "must list at least one IPv4 CIDR block");
    for (const block of blocks) {
        if (!CIDR_PATTERN.test(block)) {
            valid = false;
            check.fail(key, `must list IPv4 CIDR blocks such as 203.0.113.7/32 (got ${describe(block)})`);
        } else if (Number(block.split("/")[1]) < 8) {
            valid = false;
            check.fail(key, `must not admit ${describe(block)}: a block wider than /8 admits most of the internet to the chain's p2p port`);
        }
    }
    return valid ? blocks : undefined;
}

export function parseExternalAuthorities(check: Checker, raw: unknown, platform: PlatformKind | undefined): ExternalAuthorityConfig[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
        check.fail("externalAuthorities", `must be a list of { name, address, enode, allowFrom? } (got ${describe(raw)})`);
        return [];
    }
    const result: ExternalAuthorityConfig[] = [];
    raw.forEach((item, index) => {
        const key = `externalAuthorities[${index}]`;
        const record = check.object(key, item, ["name", "address", "enode", "allowFrom"]);
        if (!record) return;
        const name = check.string(`${key}.name`, record.name, NAME_PATTERN, nameRule());
        const address = check.address(`${key}.address`, record.address);
        const enode = check.string(
            `${key}.enode`,
            record.enode,
            ENODE_PATTERN,
            "must be enode://<128 hex characters>@<host>:<port>",
        );
        if (enode) {
            const port = Number(ENODE_PATTERN.exec(enode)![3]);
            if (port < 1 || port > 65535) check.fail(`${key}.enode`, `has port ${port}; a port is between 1 and 65535`);
        }
        const allowFrom = parseAllowFrom(check, `${key}.allowFrom`, record.allowFrom, platform);
        if (name && address && enode && allowFrom) {
            const external = { name, address, enode, allowFrom };
            check.positions.set(external, key);
            result.push(external);
        }
    });
    return result;
}

export function checkAuthorityLists(
    check: Checker,
    authorities: readonly AuthorityConfig[],
    externalAuthorities: readonly ExternalAuthorityConfig[],
    allNames: readonly string[],
): void {
    if (authorities.length + externalAuthorities.length === 0 && !check.issues.some((issue) => issue.includes(":authorities"))) {
        check.fail("authorities", "must list at least one authority (this stack's authorities and externalAuthorities together)");
    }
    if (authorities.length === 0 && externalAuthorities.length > 0) {
        check.fail("authorities", "must list at least one authority run by this stack; external authorities alone leave nothing to deploy");
    }
    const seenNames = new Set<string>();
    for (const name of allNames) {
        if (seenNames.has(name)) check.fail("authorities", `names '${name}' twice; names are unique across authorities and externalAuthorities`);
        seenNames.add(name);
    }
    const seenAddresses = new Set<string>();
    for (const external of externalAuthorities) {
        if (seenAddresses.has(external.address)) check.fail("externalAuthorities", `lists address ${external.address} twice`);
        seenAddresses.add(external.address);
    }
    const enodeOwners = new Map<string, ExternalAuthorityConfig>();
    for (const external of externalAuthorities) {
        const id = enodeNodeId(external.enode);
        const first = enodeOwners.get(id);
        if (first) {
            check.fail(
                `${check.positions.get(external)}.enode`,
                `has node id ${id.slice(0, 16)}..., which ${check.positions.get(first)} '${first.name}' has too: every node has its own key, so one of the two enodes was copied from the other`,
            );
        } else enodeOwners.set(id, external);
    }
}

function parseGasLimit(check: Checker, raw: unknown): bigint | undefined {
    if (raw === undefined || raw === null) return DEFAULT_GAS_LIMIT;
    let value: bigint | undefined;
    if (typeof raw === "number" && Number.isSafeInteger(raw)) value = BigInt(raw);
    else if (typeof raw === "string" && /^\d+$/.test(raw)) value = BigInt(raw);
    if (value === undefined || value < MIN_GAS_LIMIT || value > MAX_GAS_LIMIT) {
        return check.fail("chain.gasLimit", `must be an integer between ${MIN_GAS_LIMIT} and ${MAX_GAS_LIMIT} (got ${describe(raw)})`);
    }
    return value;
}

function parseAccounts(check: Checker, raw: unknown): Record<string, string> {
    const record = check.map("chain.accounts", raw);
    const accounts: Record<string, string> = {};
    if (!record) return accounts;
    for (const [rawAddress, rawBalance] of Object.entries(record)) {
        const key = `chain.accounts.${quotable(rawAddress)}`;
        const address = check.address(key, rawAddress);
        const balance = typeof rawBalance === "number" && Number.isSafeInteger(rawBalance) ? String(rawBalance) : rawBalance;
        if (typeof balance !== "string" || !/^\d+$/.test(balance) || BigInt(balance) > MAX_UINT256) {
            check.fail(key, `must be a balance in wei as a decimal string below 2^256 (got ${describe(rawBalance)})`);
            continue;
        }
        if (address) {
            if (accounts[address] !== undefined) check.fail(key, `funds ${address} a second time`);
            accounts[address] = BigInt(balance).toString();
        }
    }
    return accounts;
}

function parseValidatorSets(check: Checker, raw: unknown, allNames: readonly string[]): ValidatorSetConfig[] {
    if (raw === undefined || raw === null) return [{ fromBlock: 0, validators: [...allNames] }];
    if (!Array.isArray(raw) || raw.length === 0) {
        check.fail("chain.validatorSets", `must be a non-empty list of { fromBlock, validators } (got ${describe(raw)})`);
        return [];
    }
    const sets: ValidatorSetConfig[] = [];
    raw.forEach((item, index) => {
        const key = `chain.validatorSets[${index}]`;
        const record = check.object(key, item, ["fromBlock", "validators"]);
        if (!record) return;
        const fromBlock = check.integer(`${key}.fromBlock`, record.fromBlock, 0, Number.MAX_SAFE_INTEGER, "a block number (a non-negative integer)");
        const validators = check.stringList(`${key}.validators`, record.validators);
        if (fromBlock === undefined || validators === undefined) return;
        if (index === 0 && fromBlock !== 0) check.fail(`${key}.fromBlock`, `must be 0: the first validator set starts at genesis (got ${fromBlock})`);
        const previous = sets[sets.length - 1];
        if (previous && fromBlock <= previous.fromBlock) {
            check.fail(`${key}.fromBlock`, `must be greater than the previous set's fromBlock ${previous.fromBlock} (got ${fromBlock})`);
        }
        if (validators.length === 0) check.fail(`${key}.validators`, "must name at least one authority");
        for (const name of validators) {
            if (!allNames.includes(name)) check.fail(`${key}.validators`, `names ${describe(name)}, which is not in authorities or externalAuthorities`);
        }
        if (new Set(validators).size !== validators.length) check.fail(`${key}.validators`, "names an authority twice");
        sets.push({ fromBlock, validators });
    });
    for (const name of allNames) {
        if (!sets.some((set) => set.validators.includes(name))) {
            check.fail("chain.validatorSets", `must include authority '${name}' in at least one set: every authority is a validator`);
        }
    }
    return sets;
}

export function parseChain(check: Checker, raw: unknown, allNames: readonly string[]): ChainConfig | undefined {
    if (raw === undefined || raw === null) return check.fail("chain", "is required: { name, networkId, chainId?, stepDuration, gasLimit?, accounts? }");
    const record = check.object("chain", raw, ["name", "networkId", "chainId", "stepDuration", "gasLimit", "accounts", "validatorSets", "precompilesFromBlock", PUBLIC_CHAIN_ID_ACKNOWLEDGED]);
    if (!record) return undefined;
    const name = check.string("chain.name", record.name, CHAIN_NAME_PATTERN, "must be 1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
    const networkId = check.integer("chain.networkId", record.networkId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
    const chainId =
        record.chainId === undefined
            ? networkId
            : check.integer("chain.chainId", record.chainId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
    const stepDuration = check.integer("chain.stepDuration", record.stepDuration, 1, 3600, "a positive integer number of seconds, at most 3600");
    const gasLimit = parseGasLimit(check, record.gasLimit);
    const accounts = parseAccounts(check, record.accounts);
    const validatorSets = parseValidatorSets(check, record.validatorSets, allNames);
    // A later block is not offered: the genesis lock cannot see the chain's height, and a block already passed would fork
    // every node that replays the blocks after it under the new prices.
    const precompilesFromBlock =
        record.precompilesFromBlock === undefined || record.precompilesFromBlock === 0 || record.precompilesFromBlock === "0" || record.precompilesFromBlock === "never"
            ? record.precompilesFromBlock === "never" ? ("never" as const) : 0
            : check.fail(
                  "chain.precompilesFromBlock",
                  `must be 0 (the default: from genesis) or never (keeps a chain launched without these precompile rules as it is); a later block is not offered, because the genesis lock cannot see the chain's height and a block already passed would fork it (got ${describe(record.precompilesFromBlock)})`,
              );
    checkPublicIds(check, "chain", record[PUBLIC_CHAIN_ID_ACKNOWLEDGED], [
        { key: "chain.networkId", id: networkId, what: "network id", note: record.chainId === undefined ? " (chain.chainId defaults to it)" : "" },
        ...(record.chainId === undefined ? [] : [{ key: "chain.chainId", id: chainId, what: "chain id", note: "" }]),
    ]);
    if (name === undefined || networkId === undefined || chainId === undefined || stepDuration === undefined || gasLimit === undefined || precompilesFromBlock === undefined) {
        return undefined;
    }
    return { name, networkId, chainId, stepDuration, gasLimit, accounts, validatorSets, precompilesFromBlock };
}

/**
 * Refuses a public network's chain or network id (PUBLIC_CHAIN_IDS) unless `<section>.publicChainIdAcknowledged`
 * is true, and that acknowledgement when no id needs it: left over, it would let a later change to a
 * public id through unnoticed.
 */
export function checkPublicIds(
    check: Checker,
    section: string,
    rawAcknowledged: unknown,
    ids: readonly { readonly key: string; readonly id: number | undefined; readonly what: string; readonly note: string }[],
): void {
    const ackKey = `${section}.${PUBLIC_CHAIN_ID_ACKNOWLEDGED}`;
    const acknowledged = rawAcknowledged === undefined ? false : check.boolean(ackKey, rawAcknowledged);
    if (acknowledged === undefined) return;
    const publicIds = ids.filter(({ id }) => id !== undefined && PUBLIC_CHAIN_IDS[id] !== undefined);
    if (!acknowledged) {
        for (const { key, id, what, note } of publicIds) {
            check.fail(
                key,
                `${id} is the ${what} of ${PUBLIC_CHAIN_IDS[id!]}${note}, a public network: transactions signed for one chain are valid on the other (EIP-155) and wallets take one for the other; ` +
                    `choose an id no public network uses (public ids: ${Object.keys(PUBLIC_CHAIN_IDS).join(", ")}), or set ${ackKey}: true if this is deliberate`,
            );
        }
    } else if (publicIds.length === 0 && ids.every(({ id }) => id !== undefined)) {
        check.fail(ackKey, `is true, but ${ids.map(({ key, id }) => `${key} ${id}`).join(" and ")} is no public network's id: remove it, so that a later change to a public id is refused`);
    }
}

/**
 * Client flags that open JSON-RPC, choose its modules or hosts, or unlock accounts: Nethermind's JsonRpc.*, KeyStore.*,
 * Init.WebSockets* and Init.EnableUnsecuredDevWallet settings (given as --Section.Key), OpenEthereum's and Parity's --jsonrpc-*, --ws-*, --ipc-*,
 * --rpc*, --unlock, --password, --unsafe-expose, --engine-signer and --config.
 */
const SERVING_FLAGS = /^--?(jsonrpc[.-]|keystore\.|init\.(websockets|enableunsecureddevwallet)|ws-|ipc-|rpc|unlock|password|unsafe-expose|engine-signer|config\b|mining\.|aura\.)/i;

export function parseClient(check: Checker, raw: unknown): ClientConfig | undefined {
    const record = check.object("client", raw, ["kind", "image", "extraArgs"]);
    if (!record) return undefined;
    const kind = record.kind === undefined ? "nethermind" : check.oneOf("client.kind", record.kind, CLIENT_KINDS);
    const image = record.image === undefined ? undefined : check.pinnedImage("client.image", record.image, "nethermind/nethermind:1.36.1");
    const extraArgs = check.stringList("client.extraArgs", record.extraArgs);
    let argsValid = true;
    for (const arg of extraArgs ?? []) {
        if (placeholderFor(arg)) {
            argsValid = false;
            check.fail("client.extraArgs", `must not hold key material (got ${describe(arg)}): arguments are visible in the process list and in the platform's object specs; keys are generated into secret files`);
        } else if (SERVING_FLAGS.test(arg)) {
            argsValid = false;
            check.fail(
                "client.extraArgs",
                `must not include ${describe(arg.split("=")[0])}: JSON-RPC interfaces, modules and accounts are set by the program (rpc.methods chooses what the nodes serve), and this flag could re-enable what the method allowlist removes or unlock an account`,
            );
        }
    }
    if (!kind || extraArgs === undefined || !argsValid) return undefined;
    return { kind, image: image ?? DEFAULT_IMAGES[kind], extraArgs };
}

/** The node id (128 hex characters) of an enode URL validated by parseConfig. */
export function enodeNodeId(enode: string): string {
    return ENODE_PATTERN.exec(enode)![1].toLowerCase();
}

/** Where an enode validated by parseConfig is dialled: its host (an IPv6 one without brackets), TCP port and discovery (UDP) port. */
export function enodeAddress(enode: string): { readonly host: string; readonly port: number; readonly discoveryPort: number } {
    const url = new URL(enode);
    const port = Number(url.port);
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port, discoveryPort: Number(url.searchParams.get("discport") ?? port) };
}

/** Whether a host is an address rather than a name (a name is resolved, and waited for; an address is not). */
export function isIpAddress(host: string): boolean {
    return IPV4_PATTERN.test(host) || host.includes(":");
}
