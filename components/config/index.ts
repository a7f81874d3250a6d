import * as pulumi from "@pulumi/pulumi";
import { FOREIGN_DEPLOYER_KEY, parseBridge, parseForeign, type BridgeConfig, type ForeignConfig } from "../bridge/config";
import { checkAuthorityLists, parseAuthorities, parseChain, parseClient, parseExternalAuthorities, type AuthorityConfig, type ChainConfig, type ClientConfig, type ExternalAuthorityConfig } from "../chain/config";
import { checkValidatorRoles, parsePermissioning, type PermissioningConfig } from "../permissioning/config";
import { PLATFORMS, parseDocker, parseKubernetes, type DockerConfig, type KubernetesConfig, type PlatformKind } from "../platform/config";
import { peerHost } from "../platform/naming";
import { POCO_ADMIN_KEY, parsePoco, type PocoConfig } from "../poco/config";
import { parseWorkerpool, type WorkerpoolConfig } from "../workerpool/config";
import { parseMembers, type MembersConfig } from "../report/parties";
import { GATEWAY_WORKLOAD, foreignRpcNodeName, parseRpc, type RpcConfig } from "../rpcGateway/config";
import { CONFIG_NAMESPACE, Checker, ConfigError, ENODE_PATTERN } from "./checker";
import { PULUMI_SERVICE_NAME, derivedNames, kubernetesNameProblem, madeFromUnknownStack, nameCollisions, type DerivedName, type NameOwner, type NamingInput } from "./names";
import { quotable } from "./redact";
import { suggestion } from "./suggest";

/**
 * The one place that reads and validates the stack configuration (namespace `consortium`).
 * `parseConfig` is pure (raw values in, a validated, defaulted `ConsortiumConfig` out) so that every
 * error message is unit-tested; `loadConfig` reads the Pulumi config and calls it.
 */

export { BRIDGE_IMAGES, BRIDGE_NAME_PREFIX, FOREIGN_DEPLOYER_KEY } from "../bridge/config";
export type { BridgeConfig, BridgeSideConfig, BridgeUiConfig, BridgeValidatorConfig, ForeignConfig, ForeignExternalConfig, ForeignLocalConfig } from "../bridge/config";
export { CLIENT_KINDS, DEFAULT_GAS_LIMIT, DEFAULT_IMAGES, MAX_CHAIN_ID, MAX_GAS_LIMIT, MIN_GAS_LIMIT, enodeNodeId } from "../chain/config";
export { PUBLIC_CHAIN_IDS, PUBLIC_CHAIN_ID_ACKNOWLEDGED } from "../chain/config";
export type { AdvertisedP2p, AuthorityConfig, ChainConfig, ClientConfig, ClientKind, ExternalAuthorityConfig, ValidatorSetConfig } from "../chain/config";
export { ROLE_KEYS } from "../permissioning/config";
export type { PermissioningConfig, RoleKey } from "../permissioning/config";
export { PLATFORMS, SERVICE_TYPES } from "../platform/config";
export type { DockerConfig, IngressConfig, KubernetesConfig, PlatformKind, ServiceType } from "../platform/config";
export { GENERATED_ADMIN, POCO_ADMIN_KEY } from "../poco/config";
export type { PocoCategoryConfig, PocoConfig } from "../poco/config";
export { DEFAULT_RPC_NODES, GATEWAY_IMAGE, GATEWAY_WORKLOAD, MAX_RPC_NODES, OPERATOR_READER, RPC_ACCESS, foreignRpcNodeName, rpcNodeNames } from "../rpcGateway/config";
export type { RpcAccess, RpcConfig } from "../rpcGateway/config";
export { CONFIG_NAMESPACE, ConfigError } from "./checker";
export { WORKERPOOL_IMAGES, WORKER_DOCKER_MODES } from "../workerpool/config";
export type { WorkerConfig, WorkerpoolConfig, WorkerpoolOrderConfig } from "../workerpool/config";

export const DEFAULT_PASSWORD_LENGTH = 24; // the seed's pwdgen.sh -l 24

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
    /** The iExec workerpool (scheduler, workers and their services) and its orders on chain; absent: none. */
    readonly workerpool?: WorkerpoolConfig;
    /** For the usage report: each organisation's further addresses; absent: only what the stack knows. */
    readonly members?: MembersConfig;
}

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
    "workerpool",
    "members",
] as const;

/** The secret keys of the namespace (pulumi config set --secret): known keys, never values of RawConfig. */
export const SECRET_KEYS = [POCO_ADMIN_KEY, FOREIGN_DEPLOYER_KEY] as const;

/** Every key the `consortium` namespace may hold. */
export const KNOWN_KEYS: readonly string[] = [...TOP_LEVEL_KEYS, ...SECRET_KEYS];

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

    const docker = parseDocker(check, raw.docker);
    const kubernetes = platform === "kubernetes" ? parseKubernetes(check, raw.kubernetes) : undefined;

    const authorities = parseAuthorities(check, raw.authorities, platform);
    const externalAuthorities = parseExternalAuthorities(check, raw.externalAuthorities, platform);
    const ownNames = authorities.map((authority) => authority.name);
    const externalNames = externalAuthorities.map((authority) => authority.name);
    const allNames = [...ownNames, ...externalNames];
    checkAuthorityLists(check, authorities, externalAuthorities, allNames);

    const chain = parseChain(check, raw.chain, allNames);
    const client = parseClient(check, raw.client);
    const rpc = authorities.length > 0 ? parseRpc(check, raw.rpc, platform) : undefined;

    const passwordLength = parseKeystore(check, raw.keystore);
    const protect = raw.protect === undefined || raw.protect === null ? true : check.boolean("protect", raw.protect);
    const poco = parsePoco(check, raw.poco, chain?.accounts, secretsSet.pocoAdminKey ?? false);
    if (poco && client?.kind === "parity") {
        // PoCo 6 reads the chain id with the CHAINID opcode (EIP-1344, Istanbul) for its EIP-712 domain.
        check.fail("poco", "needs the Istanbul EVM (CHAINID), which the parity profile's chain (Petersburg) lacks: use client.kind nethermind or openethereum");
    }

    const foreign = parseForeign(check, raw.foreign, chain?.chainId, allNames, secretsSet.foreignDeployerKey ?? false);
    checkForeignLocal(check, platform, foreign, poco, rpc);
    const bridge = parseBridge(check, raw.bridge, authorities, foreign, [...allNames, ...(foreign?.kind === "local" ? [foreign.authority] : [])], chain?.stepDuration);
    checkDockerHostPorts(check, platform, authorities, rpc, foreign, bridge);
    if (foreign && !bridge) check.fail("foreign", "is only used by the bridge: set consortium:bridge too, or remove consortium:foreign");
    const permissioning = parsePermissioning(check, raw.permissioning, authorities);
    if (permissioning && ownNames.includes(GATEWAY_WORKLOAD)) check.fail("authorities", `'${GATEWAY_WORKLOAD}' names the RPC gateway of a permissioned consortium: rename the authority`);
    if (permissioning?.bridgeUsers && !bridge) check.fail("permissioning.bridgeUsers", "applies to the bridge: set consortium:bridge too, or remove permissioning.bridgeUsers");

    const workerpool = parseWorkerpool(check, raw.workerpool, poco, chain?.stepDuration);
    const members = parseMembers(check, raw.members);

    if (platform) checkExternalEnodeHosts(check, platform, kubernetes?.namespace, externalAuthorities, authorities, foreign?.kind === "local" ? foreign.authority : undefined);
    checkValidatorRoles(check, externalAuthorities, poco, foreign, bridge, permissioning);
    if (platform && (platform === "docker" || kubernetes)) {
        checkDerivedNames(check, namingInput({ platform, authorities, rpc, foreign, permissioning, bridge, workerpool }, context.stack, check.positions));
    }

    if (check.issues.length > 0) throw new ConfigError(check.issues);
    return {
        platform: platform!,
        docker,
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
        ...(workerpool ? { workerpool } : {}),
        ...(members ? { members } : {}),
    };
}

function parseKeystore(check: Checker, raw: unknown): number | undefined {
    const keystoreRecord = check.object("keystore", raw, ["passwordLength"]);
    return keystoreRecord?.passwordLength === undefined
        ? DEFAULT_PASSWORD_LENGTH
        : check.integer("keystore.passwordLength", keystoreRecord.passwordLength, 16, 128, "an integer from 16 to 128");
}

function checkForeignLocal(check: Checker, platform: PlatformKind | undefined, foreign: ForeignConfig | undefined, poco: PocoConfig | undefined, rpc: RpcConfig | undefined): void {
    if (foreign?.kind === "local") {
        if (!poco) check.fail("foreign.local", "deploys the foreign chain's own RLC with the PoCo admin: set consortium:poco.admin (an address with the secret consortium:pocoAdminKey, or 'generated')");
        if (platform === "docker" && rpc && [rpc.docker.hostPort, rpc.docker.wsHostPort].some((port) => port === foreign.docker.hostPort || port === foreign.docker.wsHostPort)) {
            check.fail("foreign.local.docker", `host ports ${foreign.docker.hostPort}/${foreign.docker.wsHostPort} must differ from the home chain's rpc.docker ports`);
        }
    }
}

function checkDockerHostPorts(
    check: Checker,
    platform: PlatformKind | undefined,
    authorities: readonly AuthorityConfig[],
    rpc: RpcConfig | undefined,
    foreign: ForeignConfig | undefined,
    bridge: BridgeConfig | undefined,
): void {
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
}

/** An entry's owner of names: `authorities[1].name 'acme-1'`. */
function entryOwner(positions: WeakMap<object, string>, entry: object, list: string, index: number, field: string, name: string): NameOwner {
    const key = `${positions.get(entry) ?? `${list}[${index}]`}.${field}`;
    return { key, label: `${key} '${name}'`, base: name };
}

type NamingParts = Pick<ConsortiumConfig, "platform" | "authorities"> & Partial<Pick<ConsortiumConfig, "rpc" | "foreign" | "permissioning" | "bridge" | "workerpool">>;

/** What decides the platform object names, from the parsed config. */
function namingInput(config: NamingParts, stack: string | undefined, positions: WeakMap<object, string>): NamingInput {
    const { platform, authorities, rpc, foreign, permissioning, bridge, workerpool } = config;
    return {
        ...(workerpool ? { workerpool } : {}),
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
