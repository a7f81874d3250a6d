import { CIDR_PATTERN, NAME_PATTERN, QUANTITY_PATTERN, describe, nameRule, type Checker } from "../config/checker";

/** The platform's configuration: Docker or Kubernetes, the Docker host, the Kubernetes namespace and storage, Service types and Ingress. */

export const PLATFORMS = ["docker", "kubernetes"] as const;
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
/** How authorities are spread over the cluster's nodes: one per node at most, or as far as the scheduler can. */
export const AUTHORITY_SPREADS = ["required", "preferred"] as const;
export type AuthoritySpread = (typeof AUTHORITY_SPREADS)[number];

export type PlatformKind = (typeof PLATFORMS)[number];
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface IngressConfig {
    readonly host: string;
    readonly className?: string;
    readonly tlsSecretName?: string;
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
     * `required` (the default): no two authorities on one cluster node, so losing a node never stops a majority.
     * `preferred`: spread where possible, for clusters with fewer nodes than authorities (development).
     */
    readonly authoritySpread: AuthoritySpread;
    /**
     * `true` (the default): a node whose image runs as root (Nethermind) runs as a non-root user, which fsGroup gives its
     * volume. `false`: as the image's user, for storage that ignores fsGroup (hostPath, local-path, many NFS drivers),
     * where a volume made by root stays root's.
     */
    readonly nonRootNodes: boolean;
    /** Where pods resolve names, besides the cluster's DNS pods on port 53: host-network caches' addresses, other ports (OpenShift's 5353). */
    readonly dns: { readonly addresses: readonly string[]; readonly ports: readonly number[] };
    /**
     * Write every object as YAML into this folder instead of applying it to a cluster (the provider's render mode,
     * for GitOps and for reviewing manifests); secrets are written in plain text there.
     */
    readonly renderYamlToDirectory?: string;
}

export interface DockerConfig {
    readonly host?: string;
}

export function parseDocker(check: Checker, raw: unknown): DockerConfig {
    const dockerRecord = check.object("docker", raw, ["host"]);
    const dockerHost = dockerRecord?.host === undefined ? undefined : check.string("docker.host", dockerRecord.host, /^(unix|tcp|ssh|npipe):\/\//, "must be a Docker host URL such as unix:///var/run/docker.sock or ssh://user@host");
    return dockerHost ? { host: dockerHost } : {};
}

function parseDns(check: Checker, raw: unknown): KubernetesConfig["dns"] | undefined {
    const record = check.object("kubernetes.dns", raw, ["addresses", "ports"]);
    if (!record) return undefined;
    const addresses = check.stringList("kubernetes.dns.addresses", record.addresses);
    for (const [index, address] of (addresses ?? []).entries()) {
        if (!CIDR_PATTERN.test(address)) check.fail(`kubernetes.dns.addresses[${index}]`, `must be an IPv4 CIDR block such as 169.254.20.10/32 (got ${describe(address)})`);
    }
    const ports =
        record.ports === undefined
            ? [53]
            : Array.isArray(record.ports)
              ? record.ports.map((port, index) => check.integer(`kubernetes.dns.ports[${index}]`, port, 1, 65535, "a port from 1 to 65535"))
              : [check.fail("kubernetes.dns.ports", `must be a list of ports (got ${describe(record.ports)})`)];
    if (!addresses || ports.some((port) => port === undefined)) return undefined;
    return { addresses, ports: ports as number[] };
}

export function parseKubernetes(check: Checker, raw: unknown): KubernetesConfig | undefined {
    if (raw === undefined || raw === null) {
        return check.fail("kubernetes", "is required when platform is kubernetes: { namespace, context?, storageClassName?, storageSize?, cpu?, memory? }");
    }
    const record = check.object("kubernetes", raw, ["namespace", "createNamespace", "context", "storageClassName", "storageSize", "cpu", "memory", "authoritySpread", "nonRootNodes", "dns", "renderYamlToDirectory"]);
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
    const authoritySpread = record.authoritySpread === undefined ? "required" : check.oneOf("kubernetes.authoritySpread", record.authoritySpread, AUTHORITY_SPREADS);
    const nonRootNodes = record.nonRootNodes === undefined ? true : check.boolean("kubernetes.nonRootNodes", record.nonRootNodes);
    const dns = parseDns(check, record.dns);
    const renderYamlToDirectory =
        record.renderYamlToDirectory === undefined ? undefined : check.string("kubernetes.renderYamlToDirectory", record.renderYamlToDirectory, /^\//, "must be an absolute folder path");
    if (!namespace || !storageSize || createNamespace === undefined || !authoritySpread || nonRootNodes === undefined || !dns) return undefined;
    return {
        namespace,
        createNamespace,
        storageSize,
        authoritySpread,
        nonRootNodes,
        dns,
        ...(context ? { context } : {}),
        ...(storageClassName ? { storageClassName } : {}),
        ...(cpu ? { cpu } : {}),
        ...(memory ? { memory } : {}),
        ...(renderYamlToDirectory ? { renderYamlToDirectory } : {}),
    };
}
