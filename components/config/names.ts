import type { BridgeConfig } from "../bridge/config";
import { bridgeContractsJob, bridgeUi, validatorAgents } from "../bridge/workloads";
import type { PlatformKind } from "../platform/config";
import type { JobSpec, ServiceSpec } from "../platform/workload";
import type { WorkerpoolConfig } from "../workerpool/config";
import { workerName, workerpoolServices } from "../workerpool/workloads";

/**
 * Every platform object name the stack derives from its config, so that two config entries that
 * would make one object (an authority `acme-1-pods` and the headless Service `acme-1-pods` of the
 * authority `acme-1`) are refused before any resource is registered.
 *
 * What each workload is named, and which workloads exist, comes from the functions the program
 * itself calls (the bridge's `validatorAgents`, `bridgeUi`, `bridgeContractsJob`). How the
 * platforms turn a workload into objects is written inline in components/platform/kubernetes.ts,
 * kubernetesServices.ts, docker.ts and dockerServices.ts (they export no naming function), so it is
 * mirrored once here; tests/unit/config.names.test.ts checks this mirror against the names the real
 * platforms register, for both platforms and every kind of workload.
 */

/** A config entry that makes platform objects. */
export interface NameOwner {
    /** The config key an issue is reported under, without the namespace (e.g. `authorities[1].name`). */
    readonly key: string;
    /** How a message names it, e.g. `authorities[1].name 'acme-1'`. */
    readonly label: string;
    /** Entries with the same base are duplicates, which other rules already refuse. */
    readonly base: string;
}

export interface DerivedName {
    /** What the object is, e.g. "Kubernetes Service": names are unique per kind. */
    readonly kind: string;
    readonly name: string;
    /** The object's part in its workload, e.g. "headless Service". */
    readonly role: string;
    readonly owner: NameOwner;
}

/** A node of a chain (authority or RPC node) and the config entry it comes from. */
export interface ChainNodeName {
    readonly name: string;
    readonly owner: NameOwner;
    /** Published for other members (authorities[].p2p), which makes a Service of its own on Kubernetes. */
    readonly p2p?: boolean;
}

export interface NamingInput {
    readonly platform: PlatformKind;
    /**
     * The stack name, which prefixes the chains' own objects (and, on Docker, every container and volume).
     * Absent: a placeholder that no config name can contain, so that only collisions between config entries are found.
     */
    readonly stack?: string;
    readonly authorities: readonly ChainNodeName[];
    /** The home chain's RPC nodes, which the platforms realise like authorities. */
    readonly rpcNodes: readonly ChainNodeName[];
    readonly rpcIngress: boolean;
    readonly foreignAuthority?: ChainNodeName;
    /** The local foreign chain's RPC node. */
    readonly foreignRpcNode?: ChainNodeName;
    /** The RPC gateway of a permissioned consortium (access gateway or none). */
    readonly gateway?: { readonly name: string; readonly owner: NameOwner };
    readonly bridge?: {
        readonly config: BridgeConfig;
        /** The validators this stack runs the agents of (those without an address). */
        readonly validators: readonly { readonly name: string; readonly owner: NameOwner }[];
        /** The bridge's services also join the local foreign chain's Docker network. */
        readonly foreignNetwork: boolean;
    };
    readonly workerpool?: WorkerpoolConfig;
}

/** The kind of a Kubernetes Service's Pulumi resource name: two Services of one platform component may not share it either. */
export const PULUMI_SERVICE_NAME = "Pulumi resource name of a Kubernetes Service";

/** The program's component names (components/program.ts), and the platform component each one creates (components/consortium.ts). */
const HOME_COMPONENT = "consortium";
const FOREIGN_COMPONENT = "foreign-chain";
const platformComponent = (chainComponent: string, platform: PlatformKind) => `${chainComponent}-${platform}`;
/** The local foreign chain's prefix (components/program.ts). */
export const foreignPrefix = (prefix: string) => `${prefix}-foreign`;
/** Stands in for the stack name when it is not known: no config name can contain '<'. */
const UNKNOWN_STACK = "<stack>";

type ServiceShape = Pick<ServiceSpec, "name" | "ports" | "dataPath" | "expose" | "group" | "groupOnly" | "replicas" | "privateTo">;

/** Neither resolves nor fails: the workload builders get it for every value that only reaches an Output. */
const pending = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The bridge's services and job, built by the functions the Bridge component calls, with placeholders for what only exists after deployment. */
function bridgeWorkloads(bridge: NonNullable<NamingInput["bridge"]>): { services: { spec: ServiceShape; owner: NameOwner }[]; job: { spec: JobSpec; owner: NameOwner } } {
    const { config } = bridge;
    const services: { spec: ServiceShape; owner: NameOwner }[] = [];
    for (const validator of bridge.validators) {
        const agents = validatorAgents({ validator: validator.name, address: pending(), key: pending(), queuePassword: pending(), redisPassword: pending(), images: config.images, settings: pending(), chains: [] });
        for (const spec of agents) services.push({ spec, owner: validator.owner });
    }
    if (config.ui) {
        const spec = bridgeUi({
            image: config.ui.image,
            title: config.ui.title,
            hostPort: config.ui.hostPort,
            bindAddress: "127.0.0.1",
            ...(config.ui.ingressHost ? { ingressHost: config.ui.ingressHost } : {}),
            tokenSymbol: config.token.symbol,
            homeName: "home",
            foreignName: "foreign",
            homeRpcUrl: pending(),
            foreignRpcUrl: pending(),
            homeBridge: pending(),
            foreignBridge: pending(),
            homeGas: config.home,
            foreignGas: config.foreign,
        });
        services.push({ spec, owner: { key: "bridge.ui", label: `bridge.ui (the bridge UI '${spec.name}')`, base: `bridge:${spec.name}` } });
    }
    const job = bridgeContractsJob(config.images.contracts, {}, pending(), [], config.deployment);
    return { services, job: { spec: job, owner: { key: "bridge", label: `bridge (its contracts job '${job.name}')`, base: `bridge:${job.name}` } } };
}

/** The workerpool's services, built by the function the Workerpool component calls; a worker's names are its entry's. */
function workerpoolWorkloads(config: WorkerpoolConfig, prefix: string): { spec: ServiceShape; owner: NameOwner }[] {
    const wallet = { keystoreJson: pending<string>(), password: pending<string>() };
    const specs = workerpoolServices({
        config,
        prefix,
        chainId: 0,
        stepDuration: 1,
        chainNodeUrl: "",
        chainReach: { chainNodes: prefix },
        hub: pending(),
        workerpool: pending(),
        startBlock: pending(),
        scheduler: wallet,
        workers: config.workers.map((worker) => ({ config: worker, address: pending<string>(), wallet })),
        adapterPassword: pending(),
    });
    return specs.map((spec) => {
        const index = config.workers.findIndex((worker) => workerName(worker.name) === spec.name);
        const owner: NameOwner =
            index >= 0
                ? { key: `workerpool.workers[${index}].name`, label: `workerpool.workers[${index}].name '${config.workers[index].name}' (its worker '${spec.name}')`, base: `workerpool:${spec.name}` }
                : { key: "workerpool", label: `workerpool (its service '${spec.name}')`, base: `workerpool:${spec.name}` };
        return { spec, owner };
    });
}

/** Every object name the stack's config makes, on its platform. */
export function derivedNames(input: NamingInput): DerivedName[] {
    const names: DerivedName[] = [];
    const add = (kind: string, name: string, role: string, owner: NameOwner) => names.push({ kind, name, role, owner });
    const prefix = input.stack ?? UNKNOWN_STACK;
    const stackOwner: NameOwner = { key: "", label: `the stack name '${prefix}'`, base: `stack:${prefix}` };
    const bridge = input.bridge ? bridgeWorkloads(input.bridge) : undefined;
    const chains = [
        { component: HOME_COMPONENT, prefix, nodes: [...input.authorities, ...input.rpcNodes], gateway: input.gateway !== undefined, ingress: input.rpcIngress, network: "the home chain's Docker network" },
        ...(input.foreignAuthority
            ? [
                  {
                      component: FOREIGN_COMPONENT,
                      prefix: foreignPrefix(prefix),
                      nodes: [input.foreignAuthority, ...(input.foreignRpcNode ? [input.foreignRpcNode] : [])],
                      gateway: false,
                      ingress: false,
                      network: "the foreign chain's Docker network",
                  },
              ]
            : []),
    ];
    const services: { spec: ServiceShape; owner: NameOwner; networks: string[] }[] = [
        ...(input.gateway
            ? // The gateway's spec (rpcGateway.ts): one port, no data; exposed through the platform's RPC Service on Kubernetes.
              [{ spec: { name: input.gateway.name, ports: [{ name: "http", port: 0 }], replicas: 2 }, owner: input.gateway.owner, networks: [chains[0].network] }]
            : []),
        ...(bridge?.services ?? []).map((service) => ({ ...service, networks: chains.slice(0, input.bridge!.foreignNetwork ? 2 : 1).map((chain) => chain.network) })),
        ...(input.workerpool ? workerpoolWorkloads(input.workerpool, prefix) : []).map((service) => ({ ...service, networks: [chains[0].network] })),
    ];

    if (input.platform === "kubernetes") {
        // kubernetes.ts: per workload, per chain; both chains share the namespace.
        for (const chain of chains) {
            const pulumiService = PULUMI_SERVICE_NAME;
            const component = platformComponent(chain.component, "kubernetes");
            for (const { name, owner, p2p } of chain.nodes) {
                if (p2p) {
                    add("Kubernetes Service", `${name}-p2p`, "published p2p Service", owner);
                    add(pulumiService, `${component}-${name}-p2p`, "published p2p Service", owner);
                }
                add("Kubernetes Service", `${name}-pods`, "headless governing Service", owner);
                add("Kubernetes Service", name, "peer Service", owner);
                add("Kubernetes ConfigMap", `${name}-config`, "configuration", owner);
                add("Kubernetes Secret", `${name}-keys`, "key Secret", owner);
                add("Kubernetes StatefulSet", name, "StatefulSet", owner);
                add(pulumiService, `${component}-${name}-pods`, "headless governing Service", owner);
                add(pulumiService, `${component}-${name}`, "peer Service", owner);
            }
            const chainOwner: NameOwner = chain.component === HOME_COMPONENT ? stackOwner : { ...stackOwner, label: `${stackOwner.label} (the local foreign chain's prefix '${chain.prefix}')` };
            add("Kubernetes ConfigMap", `${chain.prefix}-chain`, "shared chain spec", chainOwner);
            add("Kubernetes PodDisruptionBudget", `${chain.prefix}-authorities`, "authorities' disruption budget", chainOwner);
            add("Kubernetes PodDisruptionBudget", `${chain.prefix}-rpc-nodes`, "RPC nodes' disruption budget", chainOwner);
            add("Kubernetes NetworkPolicy", `${chain.prefix}-authority-p2p`, "p2p policy", chainOwner);
            add("Kubernetes NetworkPolicy", `${chain.prefix}-node-egress`, "nodes' egress policy", chainOwner);
            if (chain.gateway) add("Kubernetes NetworkPolicy", `${chain.prefix}-authority-rpc`, "RPC nodes' policy behind the gateway", chainOwner);
            add("Kubernetes NetworkPolicy", `${chain.prefix}-rpc-endpoint`, "RPC endpoint policy", chainOwner);
            add("Kubernetes Service", `${chain.prefix}-rpc`, "users' RPC Service", chainOwner);
            if (chain.ingress) add("Kubernetes Ingress", `${chain.prefix}-rpc`, "users' RPC Ingress", chainOwner);
            // Named after the platform component, not the stack: an authority named "rpc" takes it.
            const chainLabel = chain.component === HOME_COMPONENT ? "the home chain" : "the local foreign chain";
            add(pulumiService, `${component}-rpc`, "users' RPC Service", { key: "", label: `${chainLabel}'s RPC Service`, base: `platform:${component}-rpc` });
        }
        add("Kubernetes NetworkPolicy", `${prefix}-default-deny`, "default-deny policy", stackOwner);
        // kubernetesServices.ts: KubernetesServices and KubernetesJob.
        for (const { spec, owner } of services) {
            add("Kubernetes ConfigMap", `${spec.name}-config`, "configuration", owner);
            add("Kubernetes Secret", `${spec.name}-keys`, "key Secret", owner);
            const hasPorts = spec.ports.length > 0 || spec.expose !== undefined;
            if (hasPorts) add("Kubernetes Service", spec.name, "Service", owner);
            add(spec.dataPath ? "Kubernetes StatefulSet" : "Kubernetes Deployment", spec.name, spec.dataPath ? "StatefulSet" : "Deployment", owner);
            if (!spec.dataPath && (spec.replicas ?? 1) > 1) add("Kubernetes PodDisruptionBudget", spec.name, "disruption budget", owner);
            if (spec.expose?.ingressHost) add("Kubernetes Ingress", spec.name, "Ingress", owner);
            add("Kubernetes NetworkPolicy", `${spec.name}-egress`, "egress policy", owner);
            if (spec.expose) add("Kubernetes NetworkPolicy", `${spec.name}-expose`, "exposure policy", owner);
            if (spec.privateTo) add("Kubernetes NetworkPolicy", `${spec.name}-private`, "private ingress policy", owner);
        }
        const groups = new Map<string, NameOwner>();
        for (const { spec, owner } of services) if (spec.group && !groups.has(spec.group)) groups.set(spec.group, owner);
        for (const [group, owner] of groups) add("Kubernetes NetworkPolicy", `${group}-internal`, "group's NetworkPolicy", owner);
        if (bridge) {
            const { spec, owner } = bridge.job;
            add("Kubernetes ConfigMap", `${spec.name}-config`, "configuration", owner);
            add("Kubernetes Secret", `${spec.name}-keys`, "key Secret", owner);
            add("Kubernetes Job", spec.name, "Job", owner);
            add("Kubernetes NetworkPolicy", `${spec.name}-egress`, "egress policy", owner);
        }
    } else {
        // docker.ts: per chain, its own network; containers and volumes are named after the chain's prefix.
        for (const chain of chains) {
            const chainOwner: NameOwner = chain.component === HOME_COMPONENT ? stackOwner : { ...stackOwner, label: `${stackOwner.label} (the local foreign chain's prefix '${chain.prefix}')` };
            add("Docker network", `${chain.prefix}-consortium`, "network", chainOwner);
            for (const { name, owner } of chain.nodes) {
                add("Docker container", `${chain.prefix}-${name}`, "container", owner);
                add("Docker volume", `${chain.prefix}-${name}-data`, "data volume", owner);
                add(`alias on ${chain.network}`, name, "network alias", owner);
            }
        }
        // dockerServices.ts: services and the job are named after the home chain's prefix; each group has its own network.
        const groupNetworks = new Map<string, NameOwner>();
        for (const { spec, owner } of services) if (spec.group && !groupNetworks.has(spec.group)) groupNetworks.set(spec.group, owner);
        for (const [group, owner] of groupNetworks) add("Docker network", `${prefix}-${group}`, "group's network", owner);
        for (const { spec, owner } of services) if (spec.privateTo) add("Docker network", `${prefix}-${spec.name}`, "private network", owner);
        for (const { spec, owner, networks } of services) {
            add("Docker container", `${prefix}-${spec.name}`, "container", owner);
            if (spec.dataPath) add("Docker volume", `${prefix}-${spec.name}-data`, "data volume", owner);
            const privateOnes = services.filter((other) => other.spec.privateTo === spec.name).map((other) => `the private network '${prefix}-${other.spec.name}'`);
            const joined = spec.privateTo
                ? [`the private network '${prefix}-${spec.name}'`]
                : [...(spec.group ? [`the group network '${prefix}-${spec.group}'`] : []), ...privateOnes, ...(spec.groupOnly ? [] : networks)];
            for (const network of joined) add(`alias on ${network}`, spec.name, "network alias", owner);
        }
        if (bridge) add("Docker container", `${prefix}-${bridge.job.spec.name}`, "container", bridge.job.owner);
    }
    return names;
}

/** Whether a derived name holds the placeholder of an unknown stack name (and so cannot be checked as Kubernetes would). */
export const madeFromUnknownStack = (name: string) => name.includes(UNKNOWN_STACK);

export interface NameCollision {
    readonly first: NameOwner;
    readonly second: NameOwner;
    readonly objects: readonly { readonly kind: string; readonly name: string; readonly roles: readonly [string, string] }[];
}

/** Pairs of distinct config entries that make an object of the same kind and name, in config order. */
export function nameCollisions(names: readonly DerivedName[]): NameCollision[] {
    const byObject = new Map<string, DerivedName>();
    const byPair = new Map<string, { first: NameOwner; second: NameOwner; objects: { kind: string; name: string; roles: [string, string] }[] }>();
    for (const derived of names) {
        const id = `${derived.kind}\0${derived.name}`;
        const earlier = byObject.get(id);
        if (!earlier) {
            byObject.set(id, derived);
            continue;
        }
        if (earlier.owner.base === derived.owner.base) continue;
        const pair = `${earlier.owner.label}\0${derived.owner.label}`;
        const collision = byPair.get(pair) ?? { first: earlier.owner, second: derived.owner, objects: [] };
        collision.objects.push({ kind: derived.kind, name: derived.name, roles: [earlier.role, derived.role] });
        byPair.set(pair, collision);
    }
    return [...byPair.values()];
}

/** DNS-1035 label: what a Service name must be. */
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: what the other objects' names must be. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Why Kubernetes would refuse this object name, or undefined. */
export function kubernetesNameProblem(kind: string, name: string): string | undefined {
    if (!kind.startsWith("Kubernetes ")) return undefined;
    if (kind === "Kubernetes Service") {
        return DNS_LABEL.test(name) && name.length <= 63
            ? undefined
            : "a Service name is a DNS label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
    }
    return DNS_SUBDOMAIN.test(name) && name.length <= 253 ? undefined : "an object name is a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253";
}
