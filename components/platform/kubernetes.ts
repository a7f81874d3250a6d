import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { KubernetesConfig } from "../config";
import { AUTHORITY_COMPONENT, componentSelector, majority, workloadLabels, workloadSelector } from "./naming";
import type { Platform, PlatformArgs } from "./platform";
import { RPC_PORT, WS_PORT, type FileKind, type WorkloadFile, type WorkloadSpec } from "./workload";

export interface KubernetesPlatformArgs extends PlatformArgs {
    readonly kubernetes: KubernetesConfig;
    /** Authorities run by other members dial in from outside the cluster, so p2p is open to any source. */
    readonly externalPeers: boolean;
}

const VOLUME_FOR_KIND: Record<FileKind, string> = { shared: "chain", config: "config", secret: "keys" };

/**
 * Realises workloads in one namespace: per workload a StatefulSet (its data from a
 * volumeClaimTemplate), its own ConfigMap and key Secret, a ClusterIP Service (the stable peer
 * address) and a headless governing Service; for the consortium the shared chain spec ConfigMap,
 * a PodDisruptionBudget keeping a majority of authorities up, NetworkPolicies that open p2p between
 * authorities and RPC only on the endpoint, and the RPC Service (and Ingress) for users.
 */
export class KubernetesPlatform extends pulumi.ComponentResource implements Platform {
    public readonly rpcUrl: pulumi.Output<string>;
    public readonly wsUrl: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:Kubernetes", name, {}, opts);
        const { prefix, protect } = args;
        const { namespace: namespaceName, createNamespace, storageClassName, storageSize } = args.kubernetes;
        const keep = { parent: this, protect, retainOnDelete: protect };
        const baseLabels = { "app.kubernetes.io/part-of": prefix, "app.kubernetes.io/managed-by": "pulumi" };

        // Deleting a namespace deletes its volume claims, so it is protected like the data itself.
        const namespace: pulumi.Output<string> = createNamespace
            ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespaceName, labels: baseLabels } }, keep).metadata.name
            : pulumi.output(namespaceName);
        const metadata = (objectName: string, labels: Record<string, string> = baseLabels) => ({ name: objectName, namespace, labels });

        const sharedFiles = uniqueByKey(args.workloads.flatMap((workload) => workload.files.filter((file) => file.kind === "shared")));
        const sharedConfigMap = new k8s.core.v1.ConfigMap(`${name}-chain`, { metadata: metadata(`${prefix}-chain`), ...configMapData(sharedFiles) }, { parent: this });

        for (const workload of args.workloads) {
            const labels = workloadLabels(prefix, workload);
            const ports = workload.ports.map((port) => ({ name: port.name, port: port.port, targetPort: port.port, protocol: port.protocol }));
            new k8s.core.v1.Service(
                `${name}-${workload.name}-pods`,
                {
                    metadata: metadata(`${workload.name}-pods`, labels),
                    spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: workloadSelector(prefix, workload.name), ports },
                },
                { parent: this },
            );
            new k8s.core.v1.Service(
                `${name}-${workload.name}`,
                { metadata: metadata(workload.name, labels), spec: { type: "ClusterIP", selector: workloadSelector(prefix, workload.name), ports } },
                { parent: this },
            );
        }

        let previous: k8s.apps.v1.StatefulSet | undefined;
        for (const workload of args.workloads) {
            const labels = workloadLabels(prefix, workload);
            const configFiles = workload.files.filter((file) => file.kind === "config");
            const secretFiles = workload.files.filter((file) => file.kind === "secret");
            const configMap = new k8s.core.v1.ConfigMap(
                `${name}-${workload.name}-config`,
                { metadata: metadata(`${workload.name}-config`, labels), ...configMapData(configFiles) },
                { parent: this },
            );
            const keySecret = new k8s.core.v1.Secret(
                `${name}-${workload.name}-keys`,
                { metadata: metadata(`${workload.name}-keys`, labels), type: "Opaque", ...secretData(secretFiles) },
                keep,
            );

            previous = new k8s.apps.v1.StatefulSet(
                `${name}-${workload.name}`,
                {
                    metadata: metadata(workload.name, labels),
                    spec: {
                        replicas: 1,
                        serviceName: `${workload.name}-pods`,
                        selector: { matchLabels: workloadSelector(prefix, workload.name) },
                        updateStrategy: { type: "RollingUpdate" },
                        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                        template: {
                            metadata: {
                                labels,
                                // Files are mounted with subPath, which does not follow updates: a content
                                // change rolls the pod instead. Key material is left out of the checksum.
                                annotations: { "consortium.iex.ec/config-checksum": checksum([...sharedFiles, ...configFiles]) },
                            },
                            spec: podSpec(workload, sharedConfigMap.metadata.name, configMap.metadata.name, keySecret.metadata.name, args.kubernetes),
                        },
                        volumeClaimTemplates: [
                            {
                                metadata: { name: "data", labels },
                                spec: {
                                    accessModes: ["ReadWriteOnce"],
                                    ...(storageClassName ? { storageClassName } : {}),
                                    resources: { requests: { storage: storageSize } },
                                },
                            },
                        ],
                    },
                },
                // One authority at a time: each StatefulSet waits for the previous one's rollout to be ready.
                { parent: this, dependsOn: previous ? [previous] : [] },
            );
        }

        const authorities = args.workloads.filter((workload) => workload.component === AUTHORITY_COMPONENT);
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-authorities`,
            {
                metadata: metadata(`${prefix}-authorities`),
                spec: { minAvailable: majority(authorities.length), selector: { matchLabels: componentSelector(prefix, AUTHORITY_COMPONENT) } },
            },
            { parent: this },
        );

        const p2pPorts = uniquePorts(args.workloads, "p2p");
        new k8s.networking.v1.NetworkPolicy(
            `${name}-authority-p2p`,
            {
                metadata: metadata(`${prefix}-authority-p2p`),
                spec: {
                    podSelector: { matchLabels: componentSelector(prefix, AUTHORITY_COMPONENT) },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: args.externalPeers
                                ? [{ ipBlock: { cidr: "0.0.0.0/0" } }]
                                : [{ podSelector: { matchLabels: componentSelector(prefix, AUTHORITY_COMPONENT) } }],
                            ports: p2pPorts,
                        },
                    ],
                },
            },
            { parent: this },
        );

        const authorityRpcPorts = uniquePorts(args.workloads, "rpc");
        const gateway = args.rpcGateway;
        if (gateway) {
            // Behind the gateway, only the consortium's own pods (the gateway, bridge agents and jobs) reach the nodes' RPC.
            new k8s.networking.v1.NetworkPolicy(
                `${name}-authority-rpc`,
                {
                    metadata: metadata(`${prefix}-authority-rpc`),
                    spec: {
                        podSelector: { matchLabels: componentSelector(prefix, AUTHORITY_COMPONENT) },
                        policyTypes: ["Ingress"],
                        ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": prefix } } }], ports: authorityRpcPorts }],
                    },
                },
                { parent: this },
            );
        }
        const endpoint = args.workloads.find((workload) => workload.publicEndpoint);
        if (!endpoint && !gateway) throw new Error("one workload must be the public RPC endpoint");
        // What users reach: the gateway's one port (JSON-RPC and WebSocket), or the endpoint node's RPC and WS ports.
        const userPorts = gateway
            ? [{ name: "rpc", port: RPC_PORT, targetPort: gateway.port, protocol: "TCP" as const }]
            : endpoint!.ports.filter((port) => port.role === "rpc").map((port) => ({ name: port.name, port: port.port, targetPort: port.port, protocol: port.protocol }));
        const userSelector = workloadSelector(prefix, gateway ? gateway.name : endpoint!.name);
        new k8s.networking.v1.NetworkPolicy(
            `${name}-rpc-endpoint`,
            {
                metadata: metadata(`${prefix}-rpc-endpoint`),
                spec: {
                    podSelector: { matchLabels: userSelector },
                    policyTypes: ["Ingress"],
                    ingress: [{ ports: userPorts.map((port) => ({ port: port.targetPort, protocol: port.protocol })) }],
                },
            },
            { parent: this },
        );

        const rpcServiceName = `${prefix}-rpc`;
        const rpcService = new k8s.core.v1.Service(
            `${name}-rpc`,
            { metadata: metadata(rpcServiceName), spec: { type: args.rpc.kubernetes.serviceType, selector: userSelector, ports: userPorts } },
            { parent: this },
        );

        const rpcPort = RPC_PORT;
        const wsPort = gateway ? RPC_PORT : WS_PORT;
        const ingressConfig = args.rpc.kubernetes.ingress;
        if (ingressConfig) {
            new k8s.networking.v1.Ingress(
                `${name}-rpc`,
                {
                    metadata: metadata(rpcServiceName),
                    spec: {
                        ...(ingressConfig.className ? { ingressClassName: ingressConfig.className } : {}),
                        ...(ingressConfig.tlsSecretName ? { tls: [{ hosts: [ingressConfig.host], secretName: ingressConfig.tlsSecretName }] } : {}),
                        rules: [
                            {
                                host: ingressConfig.host,
                                http: {
                                    paths: [
                                        {
                                            path: "/",
                                            pathType: "Prefix",
                                            backend: { service: { name: rpcService.metadata.name, port: { number: rpcPort } } },
                                        },
                                    ],
                                },
                            },
                        ],
                    },
                },
                { parent: this },
            );
            const scheme = ingressConfig.tlsSecretName ? "https" : "http";
            this.rpcUrl = pulumi.output(`${scheme}://${ingressConfig.host}`);
            this.wsUrl = pulumi.output(`${scheme === "https" ? "wss" : "ws"}://${ingressConfig.host}`);
        } else {
            const host =
                args.rpc.kubernetes.serviceType === "LoadBalancer"
                    ? rpcService.status.apply((status) => {
                          const ingress = status?.loadBalancer?.ingress?.[0];
                          return ingress?.hostname ?? ingress?.ip ?? `${rpcServiceName}.${namespaceName}.svc.cluster.local`;
                      })
                    : pulumi.output(`${rpcServiceName}.${namespaceName}.svc.cluster.local`);
            this.rpcUrl = pulumi.interpolate`http://${host}:${rpcPort}`;
            this.wsUrl = pulumi.interpolate`ws://${host}:${wsPort}`;
        }

        this.namespace = namespace;
        this.registerOutputs({ rpcUrl: this.rpcUrl, wsUrl: this.wsUrl, namespace: this.namespace });
    }
}

function podSpec(
    workload: WorkloadSpec,
    sharedConfigMapName: pulumi.Input<string>,
    configMapName: pulumi.Input<string>,
    secretName: pulumi.Input<string>,
    kubernetes: KubernetesConfig,
): k8s.types.input.core.v1.PodSpec {
    const fileMounts = workload.files.map((file) => ({ name: VOLUME_FOR_KIND[file.kind], mountPath: file.path, subPath: file.key, readOnly: true }));
    const tcpProbe = (port: number, initialDelaySeconds: number) => ({ tcpSocket: { port }, initialDelaySeconds, periodSeconds: 15, failureThreshold: 8 });
    const p2pPort = workload.ports.find((port) => port.role === "p2p" && port.protocol === "TCP")?.port ?? workload.healthCheck.tcpPort;
    const cpu = kubernetes.cpu ?? workload.resources.cpu;
    const memory = kubernetes.memory ?? workload.resources.memory;
    return {
        ...(workload.runAs
            ? { securityContext: { runAsUser: workload.runAs.uid, runAsGroup: workload.runAs.gid, fsGroup: workload.runAs.gid, runAsNonRoot: true } }
            : {}),
        terminationGracePeriodSeconds: 60,
        enableServiceLinks: false,
        containers: [
            {
                name: "node",
                image: workload.image,
                command: [...workload.entrypoint],
                args: [...workload.args],
                ports: workload.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol })),
                volumeMounts: [{ name: "data", mountPath: workload.dataPath }, ...fileMounts],
                readinessProbe: tcpProbe(workload.healthCheck.tcpPort, 10),
                livenessProbe: tcpProbe(p2pPort, 60),
                resources: { requests: { cpu, memory }, limits: { memory } },
            },
        ],
        volumes: [
            { name: "chain", configMap: { name: sharedConfigMapName } },
            { name: "config", configMap: { name: configMapName } },
            // Group-readable so that images running as a non-root user (with fsGroup) can read their keys.
            { name: "keys", secret: { secretName, defaultMode: 0o440 } },
        ],
    };
}

function uniqueByKey(files: readonly WorkloadFile[]): WorkloadFile[] {
    const byKey = new Map<string, WorkloadFile>();
    for (const file of files) if (!byKey.has(file.key)) byKey.set(file.key, file);
    return [...byKey.values()];
}

function uniquePorts(workloads: readonly WorkloadSpec[], role: "p2p" | "rpc") {
    const seen = new Map<string, { port: number; protocol: "TCP" | "UDP" }>();
    for (const port of workloads.flatMap((workload) => workload.ports.filter((candidate) => candidate.role === role))) {
        seen.set(`${port.port}/${port.protocol}`, { port: port.port, protocol: port.protocol });
    }
    return [...seen.values()];
}

export function configMapData(files: readonly WorkloadFile[]) {
    const data: Record<string, pulumi.Input<string>> = {};
    const binaryData: Record<string, pulumi.Input<string>> = {};
    for (const file of files) (file.encoding === "base64" ? binaryData : data)[file.key] = file.content;
    return { data, ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}) };
}

export function secretData(files: readonly WorkloadFile[]) {
    const stringData: Record<string, pulumi.Input<string>> = {};
    const data: Record<string, pulumi.Input<string>> = {};
    for (const file of files) (file.encoding === "base64" ? data : stringData)[file.key] = file.content;
    return { stringData, data };
}

export function checksum(files: readonly WorkloadFile[]): pulumi.Output<string> {
    return pulumi
        .all(files.map((file) => pulumi.output(file.content)))
        .apply((contents) => createHash("sha256").update(files.map((file, index) => `${file.key}\0${contents[index]}`).join("\0")).digest("hex"));
}
