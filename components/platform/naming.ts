import type { PlatformKind } from "./config";

/** The DNS name under which the other workloads of the consortium reach `workloadName`. */
export function peerHost(platform: PlatformKind, namespace: string | undefined, workloadName: string): string {
    // Docker: the workload's alias on the consortium's own network. Kubernetes: its ClusterIP Service,
    // whose name resolves as soon as the Service exists, before the pod is scheduled.
    return platform === "docker" ? workloadName : `${workloadName}.${namespace}.svc`;
}

/** The recommended labels the platforms put on every workload; the policy pack recognises workloads by them. */
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
/** The component of an authority node. */
export const AUTHORITY_COMPONENT = "authority";
/** The component of a non-validator node that serves JSON-RPC. */
export const RPC_NODE_COMPONENT = "rpc-node";

/** Kubernetes recommended labels of a workload. */
export function workloadLabels(partOf: string, workload: { name: string; component: string }): Record<string, string> {
    return {
        "app.kubernetes.io/name": workload.name,
        [COMPONENT_LABEL]: workload.component,
        [PART_OF_LABEL]: partOf,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** Selects every workload of a component (e.g. all authorities) of one consortium. */
export function componentSelector(partOf: string, component: string): Record<string, string> {
    return { [COMPONENT_LABEL]: component, [PART_OF_LABEL]: partOf };
}

/** Selects one workload. */
export function workloadSelector(partOf: string, workloadName: string): Record<string, string> {
    return { "app.kubernetes.io/name": workloadName, [PART_OF_LABEL]: partOf };
}

/** A majority of `count`: what a PodDisruptionBudget keeps running. */
export function majority(count: number): number {
    return Math.floor(count / 2) + 1;
}
