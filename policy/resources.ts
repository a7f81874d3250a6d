import { UnknownValueError } from "@pulumi/policy";
import type { ValidatorSet } from "../components/chain/spec";
import { AUTHORITY_COMPONENT, COMPONENT_LABEL, PART_OF_LABEL, RPC_NODE_COMPONENT } from "../components/platform/naming";

/**
 * How the policies recognise the consortium's resources: by the labels the platform puts on every
 * workload (`app.kubernetes.io/component`, `part-of`), by the resource types the program registers,
 * and by the GenesisLock's inputs. What the policies see are the resources' inputs as the engine
 * received them; during a preview some are unknown, and reading one throws `UnknownValueError`.
 */

/** The part of a resource the policies read: a resource under validation and a stack's resource both fit. */
export interface ResourceView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, any>;
    readonly opts: { readonly protect: boolean };
}

export const TYPES = {
    dockerContainer: "docker:index/container:Container",
    dockerVolume: "docker:index/volume:Volume",
    dockerImage: "docker:index/remoteImage:RemoteImage",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    disruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
    randomBytes: "random:index/randomBytes:RandomBytes",
    dynamic: "pulumi-nodejs:dynamic:Resource",
} as const;

/** Kubernetes objects with a pod template, and where the template sits. */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
    "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
    "kubernetes:batch/v1:Job": ["spec", "template"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};

/** The pod template (metadata and spec) of a Kubernetes workload; a Pod is its own template. */
export function podTemplate(resource: ResourceView): { metadata?: any; spec?: any } | undefined {
    if (resource.type === "kubernetes:core/v1:Pod") return resource.props;
    const path = POD_TEMPLATE_PATHS[resource.type];
    if (!path) return undefined;
    let node: any = resource.props;
    for (const key of path) node = node?.[key];
    return node;
}

export interface ContainerView {
    readonly name: string;
    readonly image: unknown;
    /** Environment variable names and, when given inline, their values. */
    readonly env: readonly { name: string; value?: unknown; fromSecret: boolean }[];
}

/** Every container a resource starts: a Docker container, or the containers of a Kubernetes pod template. */
export function containersOf(resource: ResourceView): ContainerView[] {
    if (resource.type === TYPES.dockerContainer) {
        const env = ((resource.props.envs ?? []) as string[]).map((entry) => {
            const separator = entry.indexOf("=");
            return separator < 0 ? { name: entry, fromSecret: false } : { name: entry.slice(0, separator), value: entry.slice(separator + 1), fromSecret: false };
        });
        return [{ name: resource.props.name ?? resource.name, image: resource.props.image, env }];
    }
    const spec = podTemplate(resource)?.spec;
    if (!spec) return [];
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((container: any) => ({
        name: container.name,
        image: container.image,
        env: (container.env ?? []).map((entry: any) => ({ name: entry.name, value: entry.value, fromSecret: Boolean(entry.valueFrom?.secretKeyRef) })),
    }));
}

/** The labels of a resource: a Docker object's label list, or a Kubernetes workload's pod labels (else its own). */
export function labelsOf(resource: ResourceView): Record<string, string> {
    if (Array.isArray(resource.props.labels)) {
        return Object.fromEntries((resource.props.labels as { label: string; value: string }[]).map(({ label, value }) => [label, value]));
    }
    return podTemplate(resource)?.metadata?.labels ?? resource.props.metadata?.labels ?? {};
}

export const isAuthority = (resource: ResourceView): boolean => labelsOf(resource)[COMPONENT_LABEL] === AUTHORITY_COMPONENT;
/** A node of the chain that may serve JSON-RPC: an authority (on loopback, by this program) or an RPC node. */
export const isChainNode = (resource: ResourceView): boolean => [AUTHORITY_COMPONENT, RPC_NODE_COMPONENT].includes(labelsOf(resource)[COMPONENT_LABEL]);

/** Which chain a workload belongs to (the platform's `part-of` label: one per consortium on a platform). */
export const chainOf = (resource: ResourceView): string => labelsOf(resource)[PART_OF_LABEL] ?? "";

/** An authority node: a Docker container or a Kubernetes StatefulSet labelled as one. */
export function isAuthorityWorkload(resource: ResourceView): boolean {
    return (resource.type === TYPES.dockerContainer || resource.type === TYPES.statefulSet) && isAuthority(resource);
}

/** The GenesisLock of a chain (a dynamic resource, recognised by its inputs). */
export function isGenesisLock(resource: ResourceView): boolean {
    return resource.type === TYPES.dynamic && "genesisHash" in resource.props && "validatorSets" in resource.props;
}

export function validatorSetsOf(lock: ResourceView): readonly ValidatorSet[] {
    return lock.props.validatorSets as ValidatorSet[];
}

/** Whether `selector` (matchLabels) picks pods carrying `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** The value `read` returns, or `undefined` when it touches a value unknown until the update. */
export function whenKnown<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (error) {
        if (error instanceof UnknownValueError) return undefined;
        throw error;
    }
}
