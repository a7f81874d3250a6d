import { NAME_PATTERN, QUANTITY_PATTERN, nameRule, type Checker } from "../config/checker";

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

export function parseKubernetes(check: Checker, raw: unknown): KubernetesConfig | undefined {
    if (raw === undefined || raw === null) {
        return check.fail("kubernetes", "is required when platform is kubernetes: { namespace, context?, storageClassName?, storageSize?, cpu?, memory? }");
    }
    const record = check.object("kubernetes", raw, ["namespace", "createNamespace", "context", "storageClassName", "storageSize", "cpu", "memory", "authoritySpread", "nonRootNodes", "renderYamlToDirectory"]);
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
    const renderYamlToDirectory =
        record.renderYamlToDirectory === undefined ? undefined : check.string("kubernetes.renderYamlToDirectory", record.renderYamlToDirectory, /^\//, "must be an absolute folder path");
    if (!namespace || !storageSize || createNamespace === undefined || !authoritySpread || nonRootNodes === undefined) return undefined;
    return {
        namespace,
        createNamespace,
        storageSize,
        authoritySpread,
        nonRootNodes,
        ...(context ? { context } : {}),
        ...(storageClassName ? { storageClassName } : {}),
        ...(cpu ? { cpu } : {}),
        ...(memory ? { memory } : {}),
        ...(renderYamlToDirectory ? { renderYamlToDirectory } : {}),
    };
}
