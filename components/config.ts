import * as pulumi from "@pulumi/pulumi";
import { ZeroAddress, getAddress, isHexString, parseUnits } from "ethers";
import { PULUMI_SERVICE_NAME, derivedNames, kubernetesNameProblem, madeFromUnknownStack, nameCollisions, type DerivedName, type NameOwner, type NamingInput } from "./config/names";
import { placeholderFor, quotable, scrubMessage } from "./config/redact";
import { suggestion } from "./config/suggest";
import { peerHost } from "./platform/naming";
import { DEFAULT_CATEGORIES, type Category } from "./poco/plan";
import { DEFAULT_METHODS, KNOWN_METHODS, REFUSED_METHOD_PREFIXES } from "./rpcGateway/methods";
import { CORS_ORIGIN, DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from "./rpcGateway/nginx";

/**
 * The one place that reads and validates the stack configuration (namespace `consortium`).
 * `parseConfig` is pure (raw values in, a validated, defaulted `ConsortiumConfig` out) so that every
 * error message is unit-tested; `loadConfig` reads the Pulumi config and calls it.
 */

export const CONFIG_NAMESPACE = "consortium";
export const PLATFORMS = ["docker", "kubernetes"] as const;
export const CLIENT_KINDS = ["nethermind", "openethereum", "parity"] as const;
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;

export type PlatformKind = (typeof PLATFORMS)[number];
export type ClientKind = (typeof CLIENT_KINDS)[number];
export type ServiceType = (typeof SERVICE_TYPES)[number];

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
export const DEFAULT_PASSWORD_LENGTH = 24; // the seed's pwdgen.sh -l 24
const MAX_NAME_LENGTH = 40; // leaves room for suffixes such as "-pods" and "-0" within Kubernetes' 63
const MAX_UINT256 = 2n ** 256n - 1n;

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
}

export interface ClientConfig {
    readonly kind: ClientKind;
    readonly image: string;
    readonly extraArgs: readonly string[];
}

export interface IngressConfig {
    readonly host: string;
    readonly className?: string;
    readonly tlsSecretName?: string;
}

export interface RpcConfig {
    /**
     * Names of the non-validator full nodes that serve JSON-RPC and WebSocket to users, the gateway, `pulumi up`
     * and every service; authorities serve JSON-RPC on loopback only.
     */
    readonly nodes: readonly string[];
    /** The JSON-RPC methods members may call (components/rpcGateway/methods.ts); the nodes enable only their modules. */
    readonly methods: readonly string[];
    readonly corsOrigins: readonly string[];
    readonly docker: { readonly bindAddress: string; readonly hostPort: number; readonly wsHostPort: number };
    readonly kubernetes: { readonly serviceType: ServiceType; readonly ingress?: IngressConfig };
}

export interface KubernetesConfig {
    readonly namespace: string;
    /** Create (and protect) the namespace; false when a platform team provides it. */
    readonly createNamespace: boolean;
    readonly context?: string;
    readonly storageClassName?: string;
    readonly storageSize: string;
    readonly cpu?: string;
    readonly memory?: string;
    /**
     * Write every object as YAML into this folder instead of applying it to a cluster (the provider's render mode,
     * for GitOps and for reviewing manifests); secrets are written in plain text there.
     */
    readonly renderYamlToDirectory?: string;
}

export type PocoCategoryConfig = Category;

export interface PocoConfig {
    /**
     * The consortium admin: deploys PoCo and owns it; its key is the secret `pocoAdminKey`. Absent when the config
     * says `admin: generated`: the program then makes the key like every other key (kept, secret, in state) and
     * funds the address in genesis.
     */
    readonly admin?: string;
    /** An existing ERC-20 to use as RLC; the faucet RLC is deployed when absent. */
    readonly rlcAddress?: string;
    /** CREATE2 salt, 32 bytes. */
    readonly salt: string;
    readonly categories: readonly PocoCategoryConfig[];
    /** Prefix of the registries' NFT metadata URIs. */
    readonly metadataBaseURI: string;
    /** How `pulumi up` reaches the chain, when the platform's RPC URL is not reachable from where it runs. */
    readonly rpcUrl?: string;
    readonly readinessTimeoutSeconds: number;
}

/** The foreign chain the bridge connects the home chain to. */
export type ForeignConfig = ForeignLocalConfig | ForeignExternalConfig;

/** A second small chain run by this stack (the seed's FOREIGN-CHAIN), with its own RLC and PoCo. */
export interface ForeignLocalConfig {
    readonly kind: "local";
    readonly chainId: number;
    readonly stepDuration: number;
    /** Name of its single authority node; must not clash with the home chain's names. */
    readonly authority: string;
    readonly docker: { readonly hostPort: number; readonly wsHostPort: number };
    /** How `pulumi up` reaches this chain when the platform's URL is not reachable from where it runs. */
    readonly rpcUrl?: string;
}

/** An existing chain (Ethereum mainnet in production) with an existing ERC-20 (RLC). */
export interface ForeignExternalConfig {
    readonly kind: "external";
    readonly rpcUrl: string;
    readonly chainId: number;
    /** The ERC-20 bridged to the home chain. */
    readonly token: string;
}

export interface BridgeSideConfig {
    /** Limits of transfers leaving this side, in the token's smallest unit. */
    readonly dailyLimit: bigint;
    readonly maxPerTx: bigint;
    readonly minPerTx: bigint;
    /** In wei. */
    readonly gasPrice: bigint;
    readonly confirmations: number;
    readonly pollingIntervalMs: number;
}

export interface BridgeValidatorConfig {
    readonly name: string;
    /** Set for a validator run by another member (its agents run elsewhere); absent: this stack generates its key and runs its agents. */
    readonly address?: string;
}

export interface BridgeUiConfig {
    readonly image: string;
    readonly hostPort: number;
    readonly ingressHost?: string;
    readonly title: string;
}

export interface BridgeConfig {
    readonly validators: readonly BridgeValidatorConfig[];
    readonly requiredSignatures: number;
    readonly home: BridgeSideConfig;
    readonly foreign: BridgeSideConfig;
    readonly token: { readonly name: string; readonly symbol: string; readonly decimals: number };
    /** Owner of the bridges and validator contracts and admin of their proxies; the deployer when absent. */
    readonly owner?: string;
    readonly images: { readonly contracts: string; readonly oracle: string; readonly rabbitmq: string; readonly redis: string };
    /** Wei each generated validator (and the deployer) receives: in genesis on the home chain, as a top-up on a local foreign chain. */
    readonly funding: { readonly home: bigint; readonly foreign: bigint };
    readonly ui?: BridgeUiConfig;
    readonly readinessTimeoutSeconds: number;
}

/** How users read the chain over JSON-RPC. */
export const RPC_ACCESS = ["gateway", "none", "open"] as const;
export type RpcAccess = (typeof RPC_ACCESS)[number];

/** The role lists of `permissioning`, and the role each grants. */
export const ROLE_KEYS = { admins: "admin", deployers: "deployer", transactors: "transactor", senders: "sender" } as const;
export type RoleKey = keyof typeof ROLE_KEYS;

/** The gateway's username for `pulumi up`'s own calls; no reader may take it. */
export const OPERATOR_READER = "operator";

export interface PermissioningConfig {
    /** Everyone may send anything (development); the roles are recorded but not enforced. */
    readonly open: boolean;
    /** EIP-55 addresses per role list; an address may appear in several. */
    readonly roles: Readonly<Record<RoleKey, readonly string[]>>;
    /** Accounts whose home-to-foreign bridge transfers the validators relay; absent: every account with a role. */
    readonly bridgeUsers?: readonly string[];
    /** Authorities accept connections only from the consortium's authorities. */
    readonly onlyStaticPeers: boolean;
    readonly rpc: {
        /** gateway: authenticated per reader; none: only `pulumi up` itself, through the gateway; open: no authentication (development). */
        readonly access: RpcAccess;
        /** One credential per consortium member that reads the chain. */
        readonly readers: readonly string[];
        readonly image: string;
        readonly limits: GatewayLimits;
    };
    readonly readinessTimeoutSeconds: number;
}

/** The RPC gateway's workload name (container, Service). */
export const GATEWAY_WORKLOAD = "rpc-gateway";

/** nginx, the RPC gateway's reverse proxy; Debian packages the same software for the tests. */
export const GATEWAY_IMAGE = "nginx:1.27.3-alpine";

export interface DockerConfig {
    readonly host?: string;
}

export interface ConsortiumConfig {
    readonly platform: PlatformKind;
    readonly docker: DockerConfig;
    readonly kubernetes?: KubernetesConfig;
    readonly chain: ChainConfig;
    readonly authorities: readonly AuthorityConfig[];
    readonly externalAuthorities: readonly ExternalAuthorityConfig[];
    readonly client: ClientConfig;
    readonly rpc: RpcConfig;
    readonly keystore: { readonly passwordLength: number };
    /** Protect keys, chain data and the namespace from deletion (`pulumi destroy` included). */
    readonly protect: boolean;
    /** RLC and iExec PoCo on the home chain; absent: not deployed. */
    readonly poco?: PocoConfig;
    /** The chain RLC is bridged from; required by `bridge`. */
    readonly foreign?: ForeignConfig;
    /** The ERC-20 to ERC-20 bridge between the foreign and the home chain; absent: no bridge. */
    readonly bridge?: BridgeConfig;
    /** Who may transact, read and bridge; absent: an open chain, as before permissioning existed. */
    readonly permissioning?: PermissioningConfig;
}

/** The secret config key holding the PoCo admin's private key. */
export const POCO_ADMIN_KEY = "pocoAdminKey";
/** `poco.admin: generated`: the program generates the PoCo admin's key. */
export const GENERATED_ADMIN = "generated";
/** The secret config key holding the bridge deployer's key on an external foreign chain. */
export const FOREIGN_DEPLOYER_KEY = "foreignDeployerKey";

/** Pinned bridge images: the last TokenBridge releases with ERC_TO_ERC, and current RabbitMQ and Redis. */
export const BRIDGE_IMAGES = {
    contracts: "poanetwork/tokenbridge-contracts:5.6.0",
    oracle: "poanetwork/tokenbridge-oracle:2.7.0-rc0",
    rabbitmq: "rabbitmq:3.13.7-management-alpine",
    redis: "redis:7.4.1-alpine",
} as const;

export type TopLevelKey = (typeof TOP_LEVEL_KEYS)[number];

/**
 * The raw, unvalidated values of the keys of the `consortium` namespace, as read from the stack:
 * every key present, unknown ones included (they are refused). Secrets are not read into it; a
 * secret key present here only counts as set.
 */
export type RawConfig = Partial<Record<TopLevelKey, unknown>> & { [key: string]: unknown };

export const TOP_LEVEL_KEYS = [
    "platform",
    "docker",
    "kubernetes",
    "chain",
    "authorities",
    "externalAuthorities",
    "client",
    "rpc",
    "keystore",
    "protect",
    "poco",
    "foreign",
    "bridge",
    "permissioning",
] as const;

/** The secret keys of the namespace (pulumi config set --secret): known keys, never values of RawConfig. */
export const SECRET_KEYS = [POCO_ADMIN_KEY, FOREIGN_DEPLOYER_KEY] as const;

/** Every key the `consortium` namespace may hold. */
export const KNOWN_KEYS: readonly string[] = [...TOP_LEVEL_KEYS, ...SECRET_KEYS];

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

/** A RunError: the engine shows its message alone, without a stack trace, as the answer to a config mistake. */
export class ConfigError extends pulumi.RunError {
    readonly issues: readonly string[];

    constructor(issues: readonly string[]) {
        // Checker already scrubs its issues; this covers a ConfigError built anywhere else.
        const scrubbed = issues.map(scrubMessage);
        super(`Invalid stack configuration:\n${scrubbed.map((issue) => `  - ${issue}`).join("\n")}`);
        this.issues = scrubbed;
        this.name = "ConfigError";
    }
}

const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const CHAIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ENODE_PATTERN = /^enode:\/\/([0-9a-fA-F]{128})@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(\?discport=\d{1,5})?$/;
const QUANTITY_PATTERN = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Collects every issue so that one run reports all of them. */
class Checker {
    readonly issues: string[] = [];
    /** Where a parsed entry (an authority, a bridge validator) sits in the config, e.g. `authorities[1]`. */
    readonly positions = new WeakMap<object, string>();

    fail(key: string, message: string): undefined {
        return this.issue(`${CONFIG_NAMESPACE}:${key} ${message}`);
    }

    /** An issue that is not about one key (the stack name). Nothing that looks like a private key is ever printed. */
    issue(text: string): undefined {
        this.issues.push(scrubMessage(text));
        return undefined;
    }

    object(key: string, value: unknown, allowed: readonly string[]): Record<string, unknown> | undefined {
        if (value === undefined || value === null) return {};
        if (typeof value !== "object" || Array.isArray(value)) {
            return this.fail(key, `must be an object (got ${describe(value)})`);
        }
        const record = value as Record<string, unknown>;
        for (const field of Object.keys(record)) {
            if (!allowed.includes(field)) {
                this.fail(`${key}.${quotable(field)}`, `is not a known key; allowed keys of ${key}: ${allowed.join(", ")}${suggestion(field, allowed)}`);
            }
        }
        return record;
    }

    /** An object whose keys are data (such as addresses), not a fixed schema. */
    map(key: string, value: unknown): Record<string, unknown> | undefined {
        if (value === undefined || value === null) return {};
        if (typeof value !== "object" || Array.isArray(value)) return this.fail(key, `must be a map (got ${describe(value)})`);
        return value as Record<string, unknown>;
    }

    string(key: string, value: unknown, pattern?: RegExp, rule?: string): string | undefined {
        if (typeof value !== "string" || value.length === 0) {
            return this.fail(key, `must be a non-empty string (got ${describe(value)})`);
        }
        if (pattern && !pattern.test(value)) return this.fail(key, `${rule} (got ${describe(value)})`);
        return value;
    }

    oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
        if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
        return this.fail(key, `must be one of ${allowed.join(", ")} (got ${describe(value)})`);
    }

    integer(key: string, value: unknown, min: number, max: number, what: string): number | undefined {
        const parsed = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof parsed !== "number" || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
            return this.fail(key, `must be ${what} (got ${describe(value)})`);
        }
        return parsed;
    }

    boolean(key: string, value: unknown): boolean | undefined {
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        return this.fail(key, `must be true or false (got ${describe(value)})`);
    }

    address(key: string, value: unknown): string | undefined {
        if (typeof value !== "string" || !isHexString(value, 20)) {
            return this.fail(key, `must be a 20-byte hex address starting with 0x (got ${describe(value)})`);
        }
        let address: string;
        try {
            address = getAddress(value);
        } catch {
            return this.fail(key, `has an invalid EIP-55 checksum; use the checksummed or the all-lowercase form (got ${describe(value)})`);
        }
        if (address === ZeroAddress) {
            return this.fail(key, `must not be the zero address ${ZeroAddress}: nobody holds its key and no contract lives there`);
        }
        return address;
    }

    stringList(key: string, value: unknown): string[] | undefined {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
            return this.fail(key, `must be a list of strings (got ${describe(value)})`);
        }
        return value as string[];
    }
}

/** Absent, or the empty object Pulumi.yaml's schema defaults an optional section to. */
function isUnset(raw: unknown): boolean {
    return raw === undefined || raw === null || (typeof raw === "object" && !Array.isArray(raw) && Object.keys(raw).length === 0);
}

/** A configured value as a message quotes it: shortened, and never a value that looks like a private key or a mnemonic. */
function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    const placeholder = placeholderFor(value);
    if (placeholder) return placeholder;
    const text = typeof value === "string" ? `'${value}'` : typeof value === "bigint" ? value.toString() : (JSON.stringify(value) ?? String(value));
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const HOST_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4_PATTERN = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

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

function parseAuthorities(check: Checker, raw: unknown, platform: PlatformKind | undefined): AuthorityConfig[] {
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

/** An IPv4 CIDR block, as a NetworkPolicy's ipBlock takes it. */
const CIDR_PATTERN = new RegExp(`${IPV4_PATTERN.source.slice(0, -1)}\\/([0-9]|[12]\\d|3[0-2])$`);

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

function parseExternalAuthorities(check: Checker, raw: unknown, platform: PlatformKind | undefined): ExternalAuthorityConfig[] {
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

function nameRule(): string {
    return "must be a DNS label: lowercase letters, digits and '-', starting with a letter and not ending with '-'";
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

function parseChain(check: Checker, raw: unknown, allNames: readonly string[]): ChainConfig | undefined {
    if (raw === undefined || raw === null) return check.fail("chain", "is required: { name, networkId, chainId?, stepDuration, gasLimit?, accounts? }");
    const record = check.object("chain", raw, ["name", "networkId", "chainId", "stepDuration", "gasLimit", "accounts", "validatorSets", PUBLIC_CHAIN_ID_ACKNOWLEDGED]);
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
    checkPublicIds(check, "chain", record[PUBLIC_CHAIN_ID_ACKNOWLEDGED], [
        { key: "chain.networkId", id: networkId, what: "network id", note: record.chainId === undefined ? " (chain.chainId defaults to it)" : "" },
        ...(record.chainId === undefined ? [] : [{ key: "chain.chainId", id: chainId, what: "chain id", note: "" }]),
    ]);
    if (name === undefined || networkId === undefined || chainId === undefined || stepDuration === undefined || gasLimit === undefined) {
        return undefined;
    }
    return { name, networkId, chainId, stepDuration, gasLimit, accounts, validatorSets };
}

/**
 * Refuses a public network's chain or network id (PUBLIC_CHAIN_IDS) unless `<section>.publicChainIdAcknowledged`
 * is true, and that acknowledgement when no id needs it: left over, it would let a later change to a
 * public id through unnoticed.
 */
function checkPublicIds(
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

function parseClient(check: Checker, raw: unknown): ClientConfig | undefined {
    const record = check.object("client", raw, ["kind", "image", "extraArgs"]);
    if (!record) return undefined;
    const kind = record.kind === undefined ? "nethermind" : check.oneOf("client.kind", record.kind, CLIENT_KINDS);
    const image = record.image === undefined ? undefined : check.string("client.image", record.image);
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

/** Default number of RPC nodes: one on a Docker host, two on Kubernetes (one may be drained while the other serves). */
export const DEFAULT_RPC_NODES: Record<PlatformKind, number> = { docker: 1, kubernetes: 2 };
export const MAX_RPC_NODES = 16;
/** The RPC nodes' names: `rpc-node-1`, `rpc-node-2`, ... */
export const rpcNodeNames = (count: number) => Array.from({ length: count }, (_, index) => `rpc-node-${index + 1}`);
/** The local foreign chain's one RPC node. */
export const foreignRpcNodeName = (authority: string) => `${authority}-rpc`;

function parseMethods(check: Checker, raw: unknown): string[] | undefined {
    if (raw === undefined || raw === null) return [...DEFAULT_METHODS];
    const methods = check.stringList("rpc.methods", raw);
    if (!methods) return undefined;
    let valid = true;
    for (const method of methods) {
        const refused = REFUSED_METHOD_PREFIXES.find(({ prefix }) => method.startsWith(prefix));
        if (refused) {
            valid = false;
            check.fail("rpc.methods", `must not include ${describe(method)}: ${refused.prefix}* ${refused.why}; no consortium node serves it`);
        } else if (!KNOWN_METHODS.includes(method)) {
            valid = false;
            const close = suggestion(method, KNOWN_METHODS);
            check.fail("rpc.methods", `names ${describe(method)}, not a method this program serves${close || `; known methods: ${KNOWN_METHODS.join(", ")}`}`);
        }
    }
    if (methods.length === 0) return check.fail("rpc.methods", "must name at least one method (absent: the safe default list)");
    if (new Set(methods).size !== methods.length) return check.fail("rpc.methods", "names a method twice");
    return valid ? methods : undefined;
}

function parseRpc(check: Checker, raw: unknown, platform: PlatformKind | undefined): RpcConfig | undefined {
    const record = check.object("rpc", raw, ["nodes", "methods", "corsOrigins", "docker", "kubernetes", "authority"]);
    if (!record) return undefined;
    if (record.authority !== undefined) {
        check.fail(
            "rpc.authority",
            "is no longer used: authorities serve JSON-RPC on loopback only, and rpc.nodes non-validator nodes (no signer key) serve users, the gateway and pulumi up; remove rpc.authority (rpc.nodes sets how many)",
        );
    }
    const nodeCount =
        record.nodes === undefined ? (platform ? DEFAULT_RPC_NODES[platform] : 1) : check.integer("rpc.nodes", record.nodes, 1, MAX_RPC_NODES, `a number of RPC nodes from 1 to ${MAX_RPC_NODES}`);
    const methods = parseMethods(check, record.methods);
    const corsOrigins = check.stringList("rpc.corsOrigins", record.corsOrigins);
    for (const origin of corsOrigins ?? []) {
        if (!CORS_ORIGIN.test(origin)) check.fail("rpc.corsOrigins", `must list browser origins such as https://app.example.org (scheme, host, optional port) or *; got ${describe(origin)}`);
    }

    const dockerRecord = check.object("rpc.docker", record.docker, ["bindAddress", "hostPort", "wsHostPort"]);
    const bindAddress =
        dockerRecord?.bindAddress === undefined
            ? "127.0.0.1"
            : check.string("rpc.docker.bindAddress", dockerRecord.bindAddress, /^(\d{1,3}\.){3}\d{1,3}$/, "must be an IPv4 address such as 127.0.0.1 or 0.0.0.0");
    const hostPort = dockerRecord?.hostPort === undefined ? 8545 : check.integer("rpc.docker.hostPort", dockerRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
    const wsHostPort =
        dockerRecord?.wsHostPort === undefined ? 8546 : check.integer("rpc.docker.wsHostPort", dockerRecord.wsHostPort, 1, 65535, "a TCP port (1 to 65535)");
    if (hostPort !== undefined && hostPort === wsHostPort) check.fail("rpc.docker.wsHostPort", `must differ from rpc.docker.hostPort (both ${hostPort})`);

    const k8sRecord = check.object("rpc.kubernetes", record.kubernetes, ["serviceType", "ingress"]);
    const serviceType =
        k8sRecord?.serviceType === undefined ? "ClusterIP" : check.oneOf("rpc.kubernetes.serviceType", k8sRecord.serviceType, SERVICE_TYPES);
    let ingress: IngressConfig | undefined;
    if (k8sRecord?.ingress !== undefined) {
        const ingressRecord = check.object("rpc.kubernetes.ingress", k8sRecord.ingress, ["host", "className", "tlsSecretName"]);
        const host = check.string("rpc.kubernetes.ingress.host", ingressRecord?.host, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a DNS host name");
        const className = ingressRecord?.className === undefined ? undefined : check.string("rpc.kubernetes.ingress.className", ingressRecord.className);
        const tlsSecretName =
            ingressRecord?.tlsSecretName === undefined ? undefined : check.string("rpc.kubernetes.ingress.tlsSecretName", ingressRecord.tlsSecretName);
        if (host) ingress = { host, ...(className ? { className } : {}), ...(tlsSecretName ? { tlsSecretName } : {}) };
    }
    if (!nodeCount || !methods || corsOrigins === undefined || !bindAddress || !hostPort || !wsHostPort || !serviceType) return undefined;
    return {
        nodes: rpcNodeNames(nodeCount),
        methods,
        corsOrigins,
        docker: { bindAddress, hostPort, wsHostPort },
        kubernetes: { serviceType, ...(ingress ? { ingress } : {}) },
    };
}

function parseKubernetes(check: Checker, raw: unknown): KubernetesConfig | undefined {
    if (raw === undefined || raw === null) {
        return check.fail("kubernetes", "is required when platform is kubernetes: { namespace, context?, storageClassName?, storageSize?, cpu?, memory? }");
    }
    const record = check.object("kubernetes", raw, ["namespace", "createNamespace", "context", "storageClassName", "storageSize", "cpu", "memory", "renderYamlToDirectory"]);
    if (!record) return undefined;
    const namespace = check.string("kubernetes.namespace", record.namespace, NAME_PATTERN, nameRule());
    const createNamespace = record.createNamespace === undefined ? true : check.boolean("kubernetes.createNamespace", record.createNamespace);
    const context = record.context === undefined ? undefined : check.string("kubernetes.context", record.context);
    const storageClassName = record.storageClassName === undefined ? undefined : check.string("kubernetes.storageClassName", record.storageClassName);
    const quantity = (key: string, value: unknown) =>
        value === undefined ? undefined : check.string(`kubernetes.${key}`, value, QUANTITY_PATTERN, "must be a Kubernetes quantity such as 500m, 2Gi or 100Gi");
    const storageSize = record.storageSize === undefined ? "100Gi" : quantity("storageSize", record.storageSize);
    const cpu = quantity("cpu", record.cpu);
    const memory = quantity("memory", record.memory);
    const renderYamlToDirectory =
        record.renderYamlToDirectory === undefined ? undefined : check.string("kubernetes.renderYamlToDirectory", record.renderYamlToDirectory, /^\//, "must be an absolute folder path");
    if (!namespace || !storageSize || createNamespace === undefined) return undefined;
    return {
        namespace,
        createNamespace,
        storageSize,
        ...(context ? { context } : {}),
        ...(storageClassName ? { storageClassName } : {}),
        ...(cpu ? { cpu } : {}),
        ...(memory ? { memory } : {}),
        ...(renderYamlToDirectory ? { renderYamlToDirectory } : {}),
    };
}


function parsePoco(check: Checker, raw: unknown, accounts: Readonly<Record<string, string>> | undefined, hasAdminKey: boolean): PocoConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("poco", raw, ["admin", "rlcAddress", "salt", "categories", "metadataBaseURI", "rpcUrl", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    const generated = record.admin === GENERATED_ADMIN;
    const admin = generated
        ? undefined
        : record.admin === undefined
          ? check.fail("poco.admin", `is required: the admin's address (funded in chain.accounts, its key the secret ${POCO_ADMIN_KEY}), or '${GENERATED_ADMIN}' for a key the program generates`)
          : check.address("poco.admin", record.admin);
    const rlcAddress = record.rlcAddress === undefined ? undefined : check.address("poco.rlcAddress", record.rlcAddress);
    const salt = record.salt === undefined ? `0x${"00".repeat(32)}` : check.string("poco.salt", record.salt, /^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex starting with 0x");
    const metadataBaseURI =
        record.metadataBaseURI === undefined ? "https://nfts-metadata.iex.ec" : check.string("poco.metadataBaseURI", record.metadataBaseURI, /^https?:\/\/\S+[^/]$/, "must be an http(s) URL without a trailing slash");
    const rpcUrl = record.rpcUrl === undefined ? undefined : check.string("poco.rpcUrl", record.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 600 : check.integer("poco.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");
    let categories: PocoCategoryConfig[] | undefined = [...DEFAULT_CATEGORIES];
    if (record.categories !== undefined) {
        if (!Array.isArray(record.categories) || record.categories.length === 0) {
            categories = check.fail("poco.categories", `must be a non-empty list of { name, description?, workClockTimeRef } (got ${describe(record.categories)})`);
        } else {
            categories = [];
            record.categories.forEach((item, index) => {
                const key = `poco.categories[${index}]`;
                const category = check.object(key, item, ["name", "description", "workClockTimeRef"]);
                const name = check.string(`${key}.name`, category?.name);
                const description = category?.description === undefined ? "{}" : check.string(`${key}.description`, category.description);
                const workClockTimeRef = check.integer(`${key}.workClockTimeRef`, category?.workClockTimeRef, 1, 31_536_000, "a positive number of seconds");
                if (name && description && workClockTimeRef) categories!.push({ name, description, workClockTimeRef });
            });
        }
    }
    if (admin && accounts && !accounts[admin]) {
        check.fail("poco.admin", `${admin} must be funded in chain.accounts: it pays for the deployment`);
    }
    if (generated && hasAdminKey) {
        check.fail(POCO_ADMIN_KEY, `is set, but poco.admin is '${GENERATED_ADMIN}': remove the secret, or set poco.admin to the address of its key`);
    }
    if (admin && !hasAdminKey) {
        check.fail(POCO_ADMIN_KEY, `is required when poco is set: pulumi config set --secret ${POCO_ADMIN_KEY} <the private key of ${admin}>`);
    }
    if ((!admin && !generated) || !salt || !metadataBaseURI || !readinessTimeoutSeconds || !categories) return undefined;
    return {
        ...(admin ? { admin } : {}),
        salt,
        categories,
        metadataBaseURI,
        readinessTimeoutSeconds,
        ...(rlcAddress ? { rlcAddress } : {}),
        ...(rpcUrl ? { rpcUrl } : {}),
    };
}

function parsePermissioning(check: Checker, raw: unknown, authorities: readonly AuthorityConfig[]): PermissioningConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("permissioning", raw, ["open", ...Object.keys(ROLE_KEYS), "bridgeUsers", "onlyStaticPeers", "rpc", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    const open = record.open === undefined ? false : check.boolean("permissioning.open", record.open);
    const addressList = (key: string, value: unknown): string[] | undefined => {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value)) return check.fail(key, `must be a list of addresses (got ${describe(value)})`);
        const addresses = value.map((item, index) => check.address(`${key}[${index}]`, item));
        if (addresses.some((address) => address === undefined)) return undefined;
        const unique = new Set(addresses);
        if (unique.size !== addresses.length) check.fail(key, "lists an address twice");
        return [...unique] as string[];
    };
    const roles = Object.fromEntries((Object.keys(ROLE_KEYS) as RoleKey[]).map((key) => [key, addressList(`permissioning.${key}`, record[key])])) as Record<RoleKey, string[] | undefined>;
    const bridgeUsers = record.bridgeUsers === undefined ? undefined : addressList("permissioning.bridgeUsers", record.bridgeUsers);
    const onlyStaticPeers = record.onlyStaticPeers === undefined ? true : check.boolean("permissioning.onlyStaticPeers", record.onlyStaticPeers);

    const rpcRecord = check.object("permissioning.rpc", record.rpc, ["access", "readers", "image", "limits"]);
    const access = rpcRecord?.access === undefined ? "gateway" : check.oneOf("permissioning.rpc.access", rpcRecord.access, RPC_ACCESS);
    const members = [...new Set(authorities.map((authority) => authority.org ?? authority.name))];
    let readers: string[] | undefined = access === "gateway" ? members : [];
    if (rpcRecord?.readers !== undefined) {
        readers = check.stringList("permissioning.rpc.readers", rpcRecord.readers);
        if (access !== "gateway") check.fail("permissioning.rpc.readers", `applies to access gateway only; with access ${access} nobody gets credentials`);
        for (const reader of readers ?? []) {
            if (!NAME_PATTERN.test(reader)) check.fail("permissioning.rpc.readers", `${describe(reader)} ${nameRule()}`);
            if (reader === OPERATOR_READER) check.fail("permissioning.rpc.readers", `'${OPERATOR_READER}' is the name of pulumi up's own credential; choose another name`);
        }
        if (readers && new Set(readers).size !== readers.length) check.fail("permissioning.rpc.readers", "names a reader twice");
    }
    const image = rpcRecord?.image === undefined ? GATEWAY_IMAGE : check.string("permissioning.rpc.image", rpcRecord.image, /^[^\s:]+(:[^\s:]+)?(@sha256:[0-9a-f]{64})?$/, "must be an nginx image reference such as nginx:1.27.3-alpine");
    if (image && (/:latest$/.test(image) || !/[:@]/.test(image))) check.fail("permissioning.rpc.image", "must be pinned to a version or digest, not latest");
    const limits = parseGatewayLimits(check, rpcRecord?.limits);
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 600 : check.integer("permissioning.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");

    if (open === undefined || onlyStaticPeers === undefined || !access || !readers || !image || !limits || !readinessTimeoutSeconds) return undefined;
    if (Object.values(roles).some((list) => list === undefined) || (record.bridgeUsers !== undefined && !bridgeUsers)) return undefined;
    return {
        open,
        roles: roles as Record<RoleKey, string[]>,
        ...(bridgeUsers ? { bridgeUsers } : {}),
        onlyStaticPeers,
        rpc: { access, readers, image, limits },
        readinessTimeoutSeconds,
    };
}

/** Bounds of each gateway limit: what nginx accepts, and no setting that turns a limit off. */
const GATEWAY_LIMIT_RANGES: Record<keyof GatewayLimits, readonly [number, number, string]> = {
    requestsPerSecond: [1, 100_000, "requests per second per member"],
    burst: [0, 1_000_000, "requests a member may send at once above its rate"],
    connectionsPerMember: [1, 10_000, "concurrent requests and WebSocket sessions per member"],
    addressRequestsPerSecond: [1, 100_000, "requests per second from one client address, before authentication"],
    addressBurst: [0, 1_000_000, "requests one address may send at once above its rate"],
    connectionsPerAddress: [1, 10_000, "concurrent connections from one client address"],
    maxBodyBytes: [1024, 64 * 1024 * 1024, "bytes of a request body"],
    maxBatch: [1, 10_000, "calls in one batch request"],
};

function parseGatewayLimits(check: Checker, raw: unknown): GatewayLimits | undefined {
    const keys = Object.keys(GATEWAY_LIMIT_RANGES) as (keyof GatewayLimits)[];
    const record = check.object("permissioning.rpc.limits", raw, keys);
    if (!record) return undefined;
    const limits: Partial<Record<keyof GatewayLimits, number>> = {};
    for (const key of keys) {
        const [min, max, what] = GATEWAY_LIMIT_RANGES[key];
        limits[key] = record[key] === undefined ? DEFAULT_GATEWAY_LIMITS[key] : check.integer(`permissioning.rpc.limits.${key}`, record[key], min, max, `a whole number from ${min} to ${max} (${what})`);
    }
    if (keys.some((key) => limits[key] === undefined)) return undefined;
    const parsed = limits as GatewayLimits;
    if (parsed.addressRequestsPerSecond < parsed.requestsPerSecond) {
        check.fail("permissioning.rpc.limits.addressRequestsPerSecond", `must be at least requestsPerSecond (${parsed.requestsPerSecond}): a member's calls come from one address too`);
    }
    return parsed;
}

function parseForeign(check: Checker, raw: unknown, homeChainId: number | undefined, takenNames: readonly string[], hasDeployerKey: boolean): ForeignConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("foreign", raw, ["local", "external"]);
    if (!record) return undefined;
    if ((record.local === undefined) === (record.external === undefined)) {
        return check.fail("foreign", "must set exactly one of local (a second chain run by this stack) or external (an existing chain: { rpcUrl, chainId, token })");
    }
    const differs = (key: string, chainId: number | undefined) => {
        if (chainId !== undefined && chainId === homeChainId) check.fail(key, `must differ from the home chain's chain id ${homeChainId}: the bridge's signatures name the chain they are for`);
    };
    if (record.local !== undefined) {
        const local = check.object("foreign.local", record.local, ["chainId", "stepDuration", "authority", "docker", "rpcUrl", PUBLIC_CHAIN_ID_ACKNOWLEDGED]);
        if (!local) return undefined;
        const chainId = check.integer("foreign.local.chainId", local.chainId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
        differs("foreign.local.chainId", chainId);
        // The local foreign chain stands in for mainnet: it must not take mainnet's id (or any public one).
        // foreign.external.chainId, on the contrary, is a public chain's id: the chain the bridge connects to.
        checkPublicIds(check, "foreign.local", local[PUBLIC_CHAIN_ID_ACKNOWLEDGED], [{ key: "foreign.local.chainId", id: chainId, what: "chain id", note: " (it is also its network id)" }]);
        const stepDuration = local.stepDuration === undefined ? 2 : check.integer("foreign.local.stepDuration", local.stepDuration, 1, 3600, "a positive integer number of seconds, at most 3600");
        const authority = local.authority === undefined ? "foreign-authority" : check.string("foreign.local.authority", local.authority, NAME_PATTERN, nameRule());
        if (authority && takenNames.includes(authority)) check.fail("foreign.local.authority", `'${authority}' is already the name of a home authority; names are unique`);
        const dockerRecord = check.object("foreign.local.docker", local.docker, ["hostPort", "wsHostPort"]);
        const hostPort = dockerRecord?.hostPort === undefined ? 9545 : check.integer("foreign.local.docker.hostPort", dockerRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
        const wsHostPort = dockerRecord?.wsHostPort === undefined ? 9546 : check.integer("foreign.local.docker.wsHostPort", dockerRecord.wsHostPort, 1, 65535, "a TCP port (1 to 65535)");
        if (hostPort !== undefined && hostPort === wsHostPort) check.fail("foreign.local.docker.wsHostPort", `must differ from foreign.local.docker.hostPort (both ${hostPort})`);
        const rpcUrl = local.rpcUrl === undefined ? undefined : check.string("foreign.local.rpcUrl", local.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
        if (chainId === undefined || stepDuration === undefined || !authority || !hostPort || !wsHostPort) return undefined;
        return { kind: "local", chainId, stepDuration, authority, docker: { hostPort, wsHostPort }, ...(rpcUrl ? { rpcUrl } : {}) };
    }
    const external = check.object("foreign.external", record.external, ["rpcUrl", "chainId", "token"]);
    if (!external) return undefined;
    const rpcUrl = check.string("foreign.external.rpcUrl", external.rpcUrl, /^(https?|wss?):\/\/\S+$/, "must be an http(s) or ws(s) URL");
    const chainId = check.integer("foreign.external.chainId", external.chainId, 1, MAX_CHAIN_ID, `a positive integer up to ${MAX_CHAIN_ID}`);
    differs("foreign.external.chainId", chainId);
    const token = check.address("foreign.external.token", external.token);
    if (!hasDeployerKey) {
        check.fail(FOREIGN_DEPLOYER_KEY, `is required with foreign.external: the bridge deployer's funded key on that chain (pulumi config set --secret ${FOREIGN_DEPLOYER_KEY} 0x...)`);
    }
    if (!rpcUrl || chainId === undefined || !token) return undefined;
    return { kind: "external", rpcUrl, chainId, token };
}

/** A token amount such as "1000" or "0.5", in the token's smallest unit. */
function tokenAmount(check: Checker, key: string, value: unknown, decimals: number): bigint | undefined {
    const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
    if (typeof text !== "string" || !/^\d+(\.\d+)?$/.test(text)) return check.fail(key, `must be a token amount such as "1000" or "0.5" (got ${describe(value)})`);
    try {
        return parseUnits(text, decimals);
    } catch {
        return check.fail(key, `has more than the token's ${decimals} decimals (got ${describe(value)})`);
    }
}

/** Every bridge workload's name starts with it (bridge-<validator>-<process>, bridge-ui, bridge-contracts). */
export const BRIDGE_NAME_PREFIX = "bridge";

const DEFAULT_BRIDGE_SIDE = { dailyLimit: "1000000", maxPerTx: "100000", minPerTx: "0.5", gasPriceGwei: "1", confirmations: 1, pollingIntervalMs: 2000 };

function parseBridgeSide(check: Checker, side: "home" | "foreign", raw: unknown, decimals: number): BridgeSideConfig | undefined {
    const key = `bridge.${side}`;
    const record = check.object(key, raw, ["dailyLimit", "maxPerTx", "minPerTx", "gasPriceGwei", "confirmations", "pollingIntervalMs"]);
    if (!record) return undefined;
    const pick = <K extends keyof typeof DEFAULT_BRIDGE_SIDE>(field: K) => (record[field] === undefined ? DEFAULT_BRIDGE_SIDE[field] : record[field]);
    const dailyLimit = tokenAmount(check, `${key}.dailyLimit`, pick("dailyLimit"), decimals);
    const maxPerTx = tokenAmount(check, `${key}.maxPerTx`, pick("maxPerTx"), decimals);
    const minPerTx = tokenAmount(check, `${key}.minPerTx`, pick("minPerTx"), decimals);
    const gasPrice = tokenAmount(check, `${key}.gasPriceGwei`, pick("gasPriceGwei"), 9);
    const confirmations = check.integer(`${key}.confirmations`, pick("confirmations"), 1, 1000, "a number of blocks from 1 to 1000");
    const pollingIntervalMs = check.integer(`${key}.pollingIntervalMs`, pick("pollingIntervalMs"), 100, 600_000, "milliseconds from 100 to 600000");
    if (dailyLimit === undefined || maxPerTx === undefined || minPerTx === undefined || gasPrice === undefined || !confirmations || !pollingIntervalMs) return undefined;
    if (!(minPerTx > 0n && minPerTx < maxPerTx && maxPerTx < dailyLimit)) {
        check.fail(key, `limits must satisfy 0 < minPerTx < maxPerTx < dailyLimit (got ${pick("minPerTx")} < ${pick("maxPerTx")} < ${pick("dailyLimit")})`);
    }
    if (gasPrice === 0n) check.fail(`${key}.gasPriceGwei`, "must be greater than zero: the bridge contracts refuse a zero gas price");
    return { dailyLimit, maxPerTx, minPerTx, gasPrice, confirmations, pollingIntervalMs };
}

function parseBridge(
    check: Checker,
    raw: unknown,
    authorities: readonly AuthorityConfig[],
    foreign: ForeignConfig | undefined,
    homeNames: readonly string[],
): BridgeConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("bridge", raw, ["validators", "requiredSignatures", "home", "foreign", "token", "owner", "images", "funding", "ui", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    if (!foreign) check.fail("bridge", "needs consortium:foreign: { local: { chainId } } for a development chain, or { external: { rpcUrl, chainId, token } }");

    // One validator per consortium member of this stack by default: authorities grouped by org.
    const members = [...new Set(authorities.map((authority) => authority.org ?? authority.name))];
    let validators: BridgeValidatorConfig[] = members.map((member) => ({ name: member }));
    if (record.validators !== undefined) {
        if (!Array.isArray(record.validators) || record.validators.length === 0) {
            check.fail("bridge.validators", `must be a non-empty list of { name, address? } (got ${describe(record.validators)})`);
            validators = [];
        } else {
            validators = [];
            record.validators.forEach((item, index) => {
                const key = `bridge.validators[${index}]`;
                const validator = check.object(key, item, ["name", "address"]);
                const name = check.string(`${key}.name`, validator?.name, NAME_PATTERN, nameRule());
                const address = validator?.address === undefined ? undefined : check.address(`${key}.address`, validator.address);
                if (name && name.length > 24) check.fail(`${key}.name`, `must be at most 24 characters: agent names append suffixes such as '-senderforeign' (got ${name.length})`);
                if (name) {
                    const entry = address ? { name, address } : { name };
                    check.positions.set(entry, key);
                    validators.push(entry);
                }
            });
        }
    }
    const seen = new Set<string>();
    for (const validator of validators) {
        if (seen.has(validator.name)) check.fail("bridge.validators", `names '${validator.name}' twice`);
        seen.add(validator.name);
    }
    for (const name of homeNames.filter((authorityName) => authorityName.startsWith(`${BRIDGE_NAME_PREFIX}-`))) {
        check.fail("authorities", `'${name}' starts with '${BRIDGE_NAME_PREFIX}-', which names the bridge's agents: rename the authority`);
    }
    const addresses = validators.flatMap((validator) => (validator.address ? [validator.address] : []));
    if (new Set(addresses).size !== addresses.length) check.fail("bridge.validators", "lists an address twice");
    if (validators.length > 0 && validators.every((validator) => validator.address)) {
        check.fail("bridge.validators", "must include at least one validator run by this stack (without address)");
    }
    const requiredSignatures =
        record.requiredSignatures === undefined
            ? Math.floor(validators.length / 2) + 1
            : check.integer("bridge.requiredSignatures", record.requiredSignatures, 1, Math.max(1, validators.length), `between 1 and the ${validators.length} bridge validators`);

    const tokenRecord = check.object("bridge.token", record.token, ["name", "symbol", "decimals"]);
    const tokenName = tokenRecord?.name === undefined ? "iEx.ec Network Sidechain Token" : check.string("bridge.token.name", tokenRecord.name);
    const tokenSymbol = tokenRecord?.symbol === undefined ? "xRLC" : check.string("bridge.token.symbol", tokenRecord.symbol, /^[A-Za-z0-9]{1,11}$/, "must be 1 to 11 letters or digits");
    const decimals = tokenRecord?.decimals === undefined ? 9 : check.integer("bridge.token.decimals", tokenRecord.decimals, 0, 36, "an integer from 0 to 36 (RLC has 9)");
    const home = decimals === undefined ? undefined : parseBridgeSide(check, "home", record.home, decimals);
    const foreignSide = decimals === undefined ? undefined : parseBridgeSide(check, "foreign", record.foreign, decimals);
    const owner = record.owner === undefined ? undefined : check.address("bridge.owner", record.owner);

    const imagesRecord = check.object("bridge.images", record.images, ["contracts", "oracle", "rabbitmq", "redis"]);
    const image = (name: keyof typeof BRIDGE_IMAGES) => {
        const value = imagesRecord?.[name] === undefined ? BRIDGE_IMAGES[name] : check.string(`bridge.images.${name}`, imagesRecord[name], /^[^\s:]+(:[^\s:]+)?(@sha256:[0-9a-f]{64})?$/, "must be an image reference such as repository:tag");
        if (value && /:latest$/.test(value)) check.fail(`bridge.images.${name}`, "must be pinned to a version or digest, not latest");
        return value;
    };
    const images = { contracts: image("contracts"), oracle: image("oracle"), rabbitmq: image("rabbitmq"), redis: image("redis") };

    const fundingRecord = check.object("bridge.funding", record.funding, ["home", "foreign"]);
    const fundingHome = tokenAmount(check, "bridge.funding.home", fundingRecord?.home ?? "100", 18);
    const fundingForeign = tokenAmount(check, "bridge.funding.foreign", fundingRecord?.foreign ?? "10", 18);
    if (foreign?.kind === "external" && fundingRecord?.foreign !== undefined) {
        check.fail("bridge.funding.foreign", "applies to a local foreign chain only: on an external chain, fund the validators yourself (see README, Bridge)");
    }

    let ui: BridgeUiConfig | undefined;
    if (record.ui !== undefined) {
        const uiRecord = check.object("bridge.ui", record.ui, ["image", "hostPort", "ingressHost", "title"]);
        const uiImage = check.string("bridge.ui.image", uiRecord?.image, /^[^\s]+:[^\s:]+$/, "must be an image reference with a tag: the UI image you built from the TokenBridge monorepo's ui/Dockerfile (see README, Bridge UI)");
        const hostPort = uiRecord?.hostPort === undefined ? 3000 : check.integer("bridge.ui.hostPort", uiRecord.hostPort, 1, 65535, "a TCP port (1 to 65535)");
        const ingressHost = uiRecord?.ingressHost === undefined ? undefined : check.string("bridge.ui.ingressHost", uiRecord.ingressHost, /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a DNS host name");
        const title = uiRecord?.title === undefined ? "iExec consortium bridge" : check.string("bridge.ui.title", uiRecord.title);
        if (uiImage && hostPort && title) ui = { image: uiImage, hostPort, title, ...(ingressHost ? { ingressHost } : {}) };
    }
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 900 : check.integer("bridge.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");

    if (!home || !foreignSide || requiredSignatures === undefined || !tokenName || !tokenSymbol || decimals === undefined || fundingHome === undefined || fundingForeign === undefined || !readinessTimeoutSeconds) return undefined;
    if (!images.contracts || !images.oracle || !images.rabbitmq || !images.redis) return undefined;
    return {
        validators,
        requiredSignatures,
        home,
        foreign: foreignSide,
        token: { name: tokenName, symbol: tokenSymbol, decimals },
        ...(owner ? { owner } : {}),
        images: { contracts: images.contracts, oracle: images.oracle, rabbitmq: images.rabbitmq, redis: images.redis },
        funding: { home: fundingHome, foreign: fundingForeign },
        ...(ui ? { ui } : {}),
        readinessTimeoutSeconds,
    };
}

/** What parseConfig knows besides the raw values. */
export interface ParseContext {
    /** The secret is set (its value is never parsed here). A secret key present in the raw config counts as set too. */
    readonly pocoAdminKey?: boolean;
    readonly foreignDeployerKey?: boolean;
    /** Secret keys whose value is stored in plain text in the stack file (set without --secret). */
    readonly plaintextSecrets?: readonly string[];
    /** The stack name, which prefixes platform object names; absent: the names made from it are not checked. */
    readonly stack?: string;
}

/** Refuses the keys of the namespace that nothing reads (a misspelt key would otherwise be silently ignored), and secrets kept in plain text. */
function checkKnownKeys(check: Checker, raw: RawConfig, plaintextSecrets: readonly string[]): void {
    for (const key of Object.keys(raw)) {
        if (KNOWN_KEYS.includes(key)) continue;
        const head = key.split(/[.[]/)[0];
        const path =
            head !== key && KNOWN_KEYS.includes(head)
                ? `; it looks like a path inside ${head}: set it with pulumi config set --path '${CONFIG_NAMESPACE}:${quotable(key)}' <value>`
                : suggestion(key, KNOWN_KEYS);
        check.fail(quotable(key), `is not a known key; allowed keys of ${CONFIG_NAMESPACE}: ${KNOWN_KEYS.join(", ")}${path}`);
    }
    for (const key of plaintextSecrets) {
        check.fail(key, `is stored in plain text in the stack file: pulumi config rm ${key}, then pulumi config set --secret ${key} <value> (and replace the key if the file left your machine)`);
    }
}

/** Validates raw stack values and applies defaults. Throws one ConfigError listing every issue. */
export function parseConfig(raw: RawConfig, context: ParseContext = {}): ConsortiumConfig {
    const check = new Checker();
    checkKnownKeys(check, raw, context.plaintextSecrets ?? []);
    const secretsSet = { pocoAdminKey: context.pocoAdminKey || raw[POCO_ADMIN_KEY] !== undefined, foreignDeployerKey: context.foreignDeployerKey || raw[FOREIGN_DEPLOYER_KEY] !== undefined };
    const platform = check.oneOf("platform", raw.platform, PLATFORMS);

    const dockerRecord = check.object("docker", raw.docker, ["host"]);
    const dockerHost = dockerRecord?.host === undefined ? undefined : check.string("docker.host", dockerRecord.host, /^(unix|tcp|ssh|npipe):\/\//, "must be a Docker host URL such as unix:///var/run/docker.sock or ssh://user@host");
    const kubernetes = platform === "kubernetes" ? parseKubernetes(check, raw.kubernetes) : undefined;

    const authorities = parseAuthorities(check, raw.authorities, platform);
    const externalAuthorities = parseExternalAuthorities(check, raw.externalAuthorities, platform);
    const ownNames = authorities.map((authority) => authority.name);
    const externalNames = externalAuthorities.map((authority) => authority.name);
    const allNames = [...ownNames, ...externalNames];
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

    const chain = parseChain(check, raw.chain, allNames);
    const client = parseClient(check, raw.client);
    const rpc = authorities.length > 0 ? parseRpc(check, raw.rpc, platform) : undefined;

    const keystoreRecord = check.object("keystore", raw.keystore, ["passwordLength"]);
    const passwordLength =
        keystoreRecord?.passwordLength === undefined
            ? DEFAULT_PASSWORD_LENGTH
            : check.integer("keystore.passwordLength", keystoreRecord.passwordLength, 16, 128, "an integer from 16 to 128");
    const protect = raw.protect === undefined || raw.protect === null ? true : check.boolean("protect", raw.protect);
    const poco = parsePoco(check, raw.poco, chain?.accounts, secretsSet.pocoAdminKey ?? false);
    if (poco && client?.kind === "parity") {
        // PoCo 6 reads the chain id with the CHAINID opcode (EIP-1344, Istanbul) for its EIP-712 domain.
        check.fail("poco", "needs the Istanbul EVM (CHAINID), which the parity profile's chain (Petersburg) lacks: use client.kind nethermind or openethereum");
    }

    const foreign = parseForeign(check, raw.foreign, chain?.chainId, allNames, secretsSet.foreignDeployerKey ?? false);
    if (foreign?.kind === "local") {
        if (!poco) check.fail("foreign.local", "deploys the foreign chain's own RLC with the PoCo admin: set consortium:poco.admin (an address with the secret consortium:pocoAdminKey, or 'generated')");
        if (platform === "docker" && rpc && [rpc.docker.hostPort, rpc.docker.wsHostPort].some((port) => port === foreign.docker.hostPort || port === foreign.docker.wsHostPort)) {
            check.fail("foreign.local.docker", `host ports ${foreign.docker.hostPort}/${foreign.docker.wsHostPort} must differ from the home chain's rpc.docker ports`);
        }
    }
    const bridge = parseBridge(check, raw.bridge, authorities, foreign, [...allNames, ...(foreign?.kind === "local" ? [foreign.authority] : [])]);
    if (bridge?.ui && platform === "docker" && rpc && [rpc.docker.hostPort, rpc.docker.wsHostPort, ...(foreign?.kind === "local" ? [foreign.docker.hostPort, foreign.docker.wsHostPort] : [])].includes(bridge.ui.hostPort)) {
        check.fail("bridge.ui.hostPort", `${bridge.ui.hostPort} is already used by an RPC endpoint`);
    }
    if (platform === "docker") {
        // Every published host port once: RPC, WebSocket, the foreign chain's, the UI's, and each authority's p2p.
        const taken = new Map<number, string>([
            ...(rpc ? ([[rpc.docker.hostPort, "rpc.docker.hostPort"], [rpc.docker.wsHostPort, "rpc.docker.wsHostPort"]] as const) : []),
            ...(foreign?.kind === "local" ? ([[foreign.docker.hostPort, "foreign.local.docker.hostPort"], [foreign.docker.wsHostPort, "foreign.local.docker.wsHostPort"]] as const) : []),
            ...(bridge?.ui ? ([[bridge.ui.hostPort, "bridge.ui.hostPort"]] as const) : []),
        ]);
        authorities.forEach((authority, index) => {
            if (!authority.p2p) return;
            const key = `authorities[${index}].p2p.hostPort`;
            const owner = taken.get(authority.p2p.docker.hostPort);
            if (owner) check.fail(key, `${authority.p2p.docker.hostPort} is already published by ${owner}: each authority's p2p needs its own host port`);
            else taken.set(authority.p2p.docker.hostPort, key);
        });
    }
    if (foreign && !bridge) check.fail("foreign", "is only used by the bridge: set consortium:bridge too, or remove consortium:foreign");
    const permissioning = parsePermissioning(check, raw.permissioning, authorities);
    if (permissioning && ownNames.includes(GATEWAY_WORKLOAD)) check.fail("authorities", `'${GATEWAY_WORKLOAD}' names the RPC gateway of a permissioned consortium: rename the authority`);
    if (permissioning?.bridgeUsers && !bridge) check.fail("permissioning.bridgeUsers", "applies to the bridge: set consortium:bridge too, or remove permissioning.bridgeUsers");

    if (platform) checkExternalEnodeHosts(check, platform, kubernetes?.namespace, externalAuthorities, authorities, foreign?.kind === "local" ? foreign.authority : undefined);
    checkValidatorRoles(check, externalAuthorities, poco, foreign, bridge, permissioning);
    if (platform && (platform === "docker" || kubernetes)) {
        checkDerivedNames(check, namingInput({ platform, authorities, rpc, foreign, permissioning, bridge }, context.stack, check.positions));
    }

    if (check.issues.length > 0) throw new ConfigError(check.issues);
    return {
        platform: platform!,
        docker: dockerHost ? { host: dockerHost } : {},
        ...(kubernetes ? { kubernetes } : {}),
        chain: chain!,
        authorities,
        externalAuthorities,
        client: client!,
        rpc: rpc!,
        keystore: { passwordLength: passwordLength! },
        protect: protect!,
        ...(poco ? { poco } : {}),
        ...(foreign ? { foreign } : {}),
        ...(bridge ? { bridge } : {}),
        ...(permissioning ? { permissioning } : {}),
    };
}

/** An entry's owner of names: `authorities[1].name 'acme-1'`. */
function entryOwner(positions: WeakMap<object, string>, entry: object, list: string, index: number, field: string, name: string): NameOwner {
    const key = `${positions.get(entry) ?? `${list}[${index}]`}.${field}`;
    return { key, label: `${key} '${name}'`, base: name };
}

type NamingParts = Pick<ConsortiumConfig, "platform" | "authorities"> & Partial<Pick<ConsortiumConfig, "rpc" | "foreign" | "permissioning" | "bridge">>;

/** What decides the platform object names, from the parsed config. */
function namingInput(config: NamingParts, stack: string | undefined, positions: WeakMap<object, string>): NamingInput {
    const { platform, authorities, rpc, foreign, permissioning, bridge } = config;
    return {
        platform,
        ...(stack !== undefined ? { stack } : {}),
        authorities: authorities.map((authority, index) => ({
            name: authority.name,
            owner: entryOwner(positions, authority, "authorities", index, "name", authority.name),
            ...(authority.p2p ? { p2p: true } : {}),
        })),
        rpcNodes: (rpc?.nodes ?? []).map((name) => ({ name, owner: { key: "rpc.nodes", label: `rpc.nodes (the RPC node '${name}')`, base: `rpc-node:${name}` } })),
        rpcIngress: rpc?.kubernetes.ingress !== undefined,
        ...(foreign?.kind === "local"
            ? {
                  foreignAuthority: { name: foreign.authority, owner: { key: "foreign.local.authority", label: `foreign.local.authority '${foreign.authority}'`, base: foreign.authority } },
                  foreignRpcNode: {
                      name: foreignRpcNodeName(foreign.authority),
                      owner: { key: "foreign.local.authority", label: `foreign.local.authority '${foreign.authority}' (its RPC node '${foreignRpcNodeName(foreign.authority)}')`, base: `rpc-node:${foreignRpcNodeName(foreign.authority)}` },
                  },
              }
            : {}),
        ...(permissioning && permissioning.rpc.access !== "open"
            ? { gateway: { name: GATEWAY_WORKLOAD, owner: { key: "permissioning.rpc.access", label: `permissioning's RPC gateway '${GATEWAY_WORKLOAD}' (permissioning.rpc.access ${permissioning.rpc.access})`, base: GATEWAY_WORKLOAD } } }
            : {}),
        ...(bridge
            ? {
                  bridge: {
                      config: bridge,
                      validators: bridge.validators.flatMap((validator, index) =>
                          validator.address
                              ? []
                              : [
                                    {
                                        name: validator.name,
                                        owner: positions.has(validator)
                                            ? { ...entryOwner(positions, validator, "bridge.validators", index, "name", validator.name), base: `bridge:${validator.name}` }
                                            : { key: "bridge.validators", label: `bridge validator '${validator.name}' (one per member of authorities by default)`, base: `bridge:${validator.name}` },
                                    },
                                ],
                      ),
                      foreignNetwork: foreign?.kind === "local",
                  },
              }
            : {}),
    };
}

/** Every platform object name a validated config makes under a stack name (what the collision rule checks). */
export function platformObjectNames(config: ConsortiumConfig, stack: string): DerivedName[] {
    return derivedNames(namingInput(config, stack, new WeakMap()));
}

/** Refuses two config entries that would make one platform object, and object names Kubernetes would refuse. */
function checkDerivedNames(check: Checker, input: NamingInput): void {
    const names = derivedNames(input);
    for (const { first, second, objects } of nameCollisions(names)) {
        // Reported under the config entry to rename: the later one, or the one that is not the stack name.
        const [reported, other, flip] = second.key ? [second, first, true] : [first, second, false];
        // The Pulumi name of a Service collides whenever its object name does: that one says more.
        const objectsNamed = objects.some(({ kind }) => kind !== PULUMI_SERVICE_NAME) ? objects.filter(({ kind }) => kind !== PULUMI_SERVICE_NAME) : objects;
        const what = objectsNamed
            .map(({ kind, name, roles }) => `the ${kind} '${name}' (${roles[0] === roles[1] ? `the ${roles[0]} of each` : `the first's ${flip ? roles[1] : roles[0]}, the second's ${flip ? roles[0] : roles[1]}`})`)
            .join(" and ");
        const subject = reported.key ? `${CONFIG_NAMESPACE}:${reported.label}` : reported.label;
        check.issue(`${subject} and ${other.label} both make ${what}; platform object names must be unique: rename one of them`);
    }
    if (input.stack === undefined) return;
    // Names made from the stack name may break Kubernetes' rules (config names are already DNS labels): one issue per owner.
    const problems = new Map<string, { owner: NameOwner; objects: string[]; rules: Set<string> }>();
    for (const { kind, name, owner } of names) {
        const problem = madeFromUnknownStack(name) ? undefined : kubernetesNameProblem(kind, name);
        if (!problem) continue;
        const entry = problems.get(owner.base) ?? { owner, objects: [], rules: new Set<string>() };
        if (!entry.objects.includes(`${kind.replace(/^Kubernetes /, "")} '${name}'`)) entry.objects.push(`${kind.replace(/^Kubernetes /, "")} '${name}'`);
        entry.rules.add(problem);
        problems.set(owner.base, entry);
    }
    for (const { owner, objects, rules } of problems.values()) {
        const subject = owner.key ? `${CONFIG_NAMESPACE}:${owner.label}` : owner.label;
        check.issue(`${subject} makes Kubernetes object names that Kubernetes refuses (${objects.join(", ")}): ${[...rules].join("; ")}`);
    }
}

/**
 * An external authority's enode must not point at one of this stack's own nodes (its enode pasted from
 * `pulumi stack output enodes`): the node would peer with itself and the validator set would count a
 * node twice. This stack's node ids are generated at deployment and unknown here; their hosts are
 * known, from the same function the program builds its enodes with.
 */
function checkExternalEnodeHosts(
    check: Checker,
    platform: PlatformKind,
    namespace: string | undefined,
    externals: readonly ExternalAuthorityConfig[],
    authorities: readonly AuthorityConfig[],
    foreignAuthority: string | undefined,
): void {
    if (platform === "kubernetes" && namespace === undefined) return;
    const own = [
        ...authorities.map((authority) => ({ host: peerHost(platform, namespace, authority.name).toLowerCase(), label: `${check.positions.get(authority)} '${authority.name}'` })),
        ...(foreignAuthority ? [{ host: peerHost(platform, namespace, foreignAuthority).toLowerCase(), label: `foreign.local.authority '${foreignAuthority}'` }] : []),
    ];
    for (const external of externals) {
        const host = ENODE_PATTERN.exec(external.enode)![2].toLowerCase();
        // On Kubernetes the short forms of a Service's name resolve inside the namespace too.
        const match = own.find((node) => host === node.host || (node.host.includes(".") && (node.host.startsWith(`${host}.`) || host.startsWith(`${node.host}.`))));
        if (match) {
            check.fail(
                `${check.positions.get(external)}.enode`,
                `points at ${host}, this stack's own ${match.label}: an external authority is a node another member runs; this stack's own nodes peer with each other without being listed`,
            );
        }
    }
}

/**
 * A validator (an external authority's signer address) must not hold another role in this config.
 * Its key seals blocks and lives only on its member's node; a role below needs the key elsewhere or
 * belongs to another party, so sharing it joins two trusts in one key:
 * - poco.admin: its key is this stack's secret pocoAdminKey, and it owns PoCo;
 * - bridge.owner: owns and upgrades the bridge contracts, a cold key;
 * - bridge.validators[].address: its key signs bridge transfers inside an internet-facing oracle;
 * - permissioning role lists (admins, deployers, transactors, senders) and bridgeUsers: accounts that
 *   send transactions from a wallet, which a sealing key never does (authorities need no role);
 * - poco.rlcAddress and foreign.external.token: contracts, whose addresses nobody holds a key for.
 * Funding a validator in chain.accounts is fine: a balance is no role.
 */
function checkValidatorRoles(
    check: Checker,
    externals: readonly ExternalAuthorityConfig[],
    poco: PocoConfig | undefined,
    foreign: ForeignConfig | undefined,
    bridge: BridgeConfig | undefined,
    permissioning: PermissioningConfig | undefined,
): void {
    const roles: { key: string; address: string }[] = [
        ...(poco?.admin ? [{ key: "poco.admin", address: poco.admin }] : []),
        ...(poco?.rlcAddress ? [{ key: "poco.rlcAddress", address: poco.rlcAddress }] : []),
        ...(foreign?.kind === "external" ? [{ key: "foreign.external.token", address: foreign.token }] : []),
        ...(bridge?.owner ? [{ key: "bridge.owner", address: bridge.owner }] : []),
        ...(bridge?.validators ?? []).flatMap((validator) => (validator.address ? [{ key: `${check.positions.get(validator) ?? "bridge.validators"}.address`, address: validator.address }] : [])),
        ...(permissioning
            ? [
                  ...(Object.keys(ROLE_KEYS) as RoleKey[]).flatMap((role) => permissioning.roles[role].map((address) => ({ key: `permissioning.${role}`, address }))),
                  ...(permissioning.bridgeUsers ?? []).map((address) => ({ key: "permissioning.bridgeUsers", address })),
              ]
            : []),
    ];
    for (const external of externals) {
        const taken = [...new Set(roles.filter((role) => role.address === external.address).map((role) => role.key))];
        if (taken.length === 0) continue;
        check.fail(
            `${check.positions.get(external)}.address`,
            `${external.address} is a validator and also ${taken.join(", ")}: a validator's key seals blocks and lives only on its member's node; ` +
                "give that role its own account (funding a validator in chain.accounts is fine)",
        );
    }
}

export interface ConsortiumSecrets {
    readonly pocoAdminKey?: pulumi.Output<string>;
    readonly foreignDeployerKey?: pulumi.Output<string>;
}

/**
 * Reads every key of the `consortium` namespace from the stack (the whole config map, so that an
 * unknown key is refused rather than ignored) and validates it. Other namespaces (kubernetes:,
 * pulumi:, ...) are not this program's.
 */
export function loadConfig(): ConsortiumConfig & { readonly secrets: ConsortiumSecrets } {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const pocoAdminKey = config.getSecret(POCO_ADMIN_KEY);
    const foreignDeployerKey = config.getSecret(FOREIGN_DEPLOYER_KEY);
    const raw: RawConfig = {};
    const namespacePrefix = `${CONFIG_NAMESPACE}:`;
    const plaintextSecrets: string[] = [];
    // Exported by @pulumi/pulumi's runtime (3.x) but not declared in its typings: used when present.
    const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith(namespacePrefix)) continue;
        const key = fullKey.slice(namespacePrefix.length);
        if ((SECRET_KEYS as readonly string[]).includes(key)) {
            // Read above with getSecret; the value never reaches parseConfig.
            if (isConfigSecret && !isConfigSecret(fullKey)) plaintextSecrets.push(key);
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            raw[key] = text; // plain strings such as `platform: docker`
        }
    }
    return {
        ...parseConfig(raw, { pocoAdminKey: pocoAdminKey !== undefined, foreignDeployerKey: foreignDeployerKey !== undefined, plaintextSecrets, stack: pulumi.getStack() }),
        secrets: { ...(pocoAdminKey ? { pocoAdminKey } : {}), ...(foreignDeployerKey ? { foreignDeployerKey } : {}) },
    };
}

/** The node id (128 hex characters) of an enode URL validated by parseConfig. */
export function enodeNodeId(enode: string): string {
    return ENODE_PATTERN.exec(enode)![1].toLowerCase();
}
