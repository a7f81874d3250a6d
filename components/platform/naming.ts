import type { PlatformKind } from "../config";

/** The DNS name under which the other workloads of the consortium reach `workloadName`. */
export function peerHost(platform: PlatformKind, namespace: string | undefined, workloadName: string): string {
    // Docker: the workload's alias on the consortium's own network. Kubernetes: its ClusterIP Service,
    // whose name resolves as soon as the Service exists, before the pod is scheduled.
    return platform === "docker" ? workloadName : `${workloadName}.${namespace}.svc`;
}

/** Kubernetes recommended labels of a workload. */
export function workloadLabels(partOf: string, workload: { name: string; component: string }): Record<string, string> {
    return {
        "app.kubernetes.io/name": workload.name,
        "app.kubernetes.io/component": workload.component,
        "app.kubernetes.io/part-of": partOf,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** Selects every workload of a component (e.g. all authorities) of one consortium. */
export function componentSelector(partOf: string, component: string): Record<string, string> {
    return { "app.kubernetes.io/component": component, "app.kubernetes.io/part-of": partOf };
}

/** Selects one workload. */
export function workloadSelector(partOf: string, workloadName: string): Record<string, string> {
    return { "app.kubernetes.io/name": workloadName, "app.kubernetes.io/part-of": partOf };
}

/** A majority of `count`: what a PodDisruptionBudget keeps running. */
export function majority(count: number): number {
    return Math.floor(count / 2) + 1;
}
