import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { KubernetesConfig } from "./config";
import { createChainPolicies, type ChainPolicyArgs } from "./kubernetesPolicies";
import { AUTHORITY_COMPONENT, RPC_NODE_COMPONENT, componentSelector, majority, workloadLabels, workloadSelector } from "./naming";
import type { Platform, PlatformArgs } from "./platform";
import { RPC_PORT, WS_PORT, POD_HARDENING, containerHardening, podUser, scratchVolumes, type FileKind, type WorkloadFile, type WorkloadSpec } from "./workload";

export interface KubernetesPlatformArgs extends PlatformArgs {
    readonly kubernetes: KubernetesConfig;
    /** Where authorities run by other members dial in from and are dialled at (`externalAuthorities[].allowFrom`, their enodes' ports). */
    readonly externalPeers: ChainPolicyArgs["externalPeers"];
}

const VOLUME_FOR_KIND: Record<FileKind, string> = { shared: "chain", config: "config", secret: "keys" };

/**
 * Realises workloads in one namespace: per workload a StatefulSet (its data from a
 * volumeClaimTemplate), its own ConfigMap and key Secret, a ClusterIP Service (the stable peer
 * address) and a headless governing Service; for the consortium the shared chain spec ConfigMap,
 * PodDisruptionBudgets keeping a majority of authorities and all but one RPC node up, NetworkPolicies that open
 * p2p between the chain's nodes and RPC only on the RPC nodes (or the gateway), and the RPC Service (and Ingress)
 * for users, which selects the RPC nodes or the gateway.
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

        const gateway = args.rpcGateway;
        const userSelector = gateway ? workloadSelector(prefix, gateway.name) : componentSelector(prefix, RPC_NODE_COMPONENT);
        // Before the nodes: under the default deny a node reaches only what these allow.
        const policies = createChainPolicies(this, name, metadata, {
            prefix,
            workloads: args.workloads,
            externalPeers: args.externalPeers,
            dns: args.kubernetes.dns,
            ...(gateway ? { gateway: { selector: userSelector, port: gateway.port } } : {}),
        });

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
            // Other members' nodes dial this Service's address (authorities[].p2p): p2p and discovery only.
            const published = workload.p2pPublished?.kubernetes;
            if (published) {
                new k8s.core.v1.Service(
                    `${name}-${workload.name}-p2p`,
                    {
                        metadata: metadata(`${workload.name}-p2p`, labels),
                        spec: {
                            type: published.serviceType,
                            // Keep the peer's own address, which the p2p NetworkPolicy's allowFrom blocks match; the
                            // default (Cluster) would replace it with a node's.
                            externalTrafficPolicy: "Local",
                            publishNotReadyAddresses: true,
                            selector: workloadSelector(prefix, workload.name),
                            ports: workload.ports
                                .filter((port) => port.role === "p2p")
                                .map((port) => ({ name: port.name, port: port.port, targetPort: port.port, protocol: port.protocol, ...(published.nodePort ? { nodePort: published.nodePort } : {}) })),
                        },
                    },
                    { parent: this },
                );
            }
            // The peer address routes to the pod before it is ready: a node becomes ready only once it has peers and
            // blocks advance, which needs the others to reach it first.
            new k8s.core.v1.Service(
                `${name}-${workload.name}`,
                {
                    metadata: metadata(workload.name, labels),
                    spec: { type: "ClusterIP", publishNotReadyAddresses: true, selector: workloadSelector(prefix, workload.name), ports },
                },
                { parent: this },
            );
        }

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

            new k8s.apps.v1.StatefulSet(
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
                            spec: podSpec(workload, prefix, sharedConfigMap.metadata.name, configMap.metadata.name, keySecret.metadata.name, args.kubernetes),
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
                // Created together: a node is ready only when it has peers and blocks advance (its readiness probe),
                // so a new chain's first node could never be ready alone. Pulumi waits for each rollout to be ready.
                { parent: this, dependsOn: policies },
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
        const rpcNodes = args.workloads.filter((workload) => workload.component === RPC_NODE_COMPONENT);
        // One RPC node at a time may be drained (with rpc.nodes 1 that is the only one: Kubernetes' default is two).
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-rpc-nodes`,
            {
                metadata: metadata(`${prefix}-rpc-nodes`),
                spec: { maxUnavailable: 1, selector: { matchLabels: componentSelector(prefix, RPC_NODE_COMPONENT) } },
            },
            { parent: this },
        );

        if (rpcNodes.length === 0) throw new Error("a chain needs at least one RPC node");
        // What users reach: the gateway's one port (JSON-RPC and WebSocket), or every RPC node's RPC and WS ports.
        const userPorts = gateway
            ? [{ name: "rpc", port: RPC_PORT, targetPort: gateway.port, protocol: "TCP" as const }]
            : rpcNodes[0].ports.filter((port) => port.role === "rpc").map((port) => ({ name: port.name, port: port.port, targetPort: port.port, protocol: port.protocol }));

        const rpcServiceName = `${prefix}-rpc`;
        const rpcService = new k8s.core.v1.Service(
            `${name}-rpc`,
            {
                metadata: metadata(rpcServiceName),
                // A client keeps to one RPC node: filters (eth_newFilter, eth_getFilterChanges) live on the node that made them.
                spec: { type: args.rpc.kubernetes.serviceType, selector: userSelector, ports: userPorts, ...(gateway ? {} : { sessionAffinity: "ClientIP" }) },
            },
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
    prefix: string,
    sharedConfigMapName: pulumi.Input<string>,
    configMapName: pulumi.Input<string>,
    secretName: pulumi.Input<string>,
    kubernetes: KubernetesConfig,
): k8s.types.input.core.v1.PodSpec {
    const fileMounts = workload.files.map((file) => ({ name: VOLUME_FOR_KIND[file.kind], mountPath: file.path, subPath: file.key, readOnly: true }));
    const runAs = (kubernetes.nonRootNodes ? workload.kubernetesRunAs : undefined) ?? workload.runAs;
    const scratch = scratchVolumes(workload.scratchPaths);
    const probe = { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 8 };
    const cpu = kubernetes.cpu ?? workload.resources.cpu;
    const memory = kubernetes.memory ?? workload.resources.memory;
    return {
        ...podUser(runAs),
        terminationGracePeriodSeconds: 60,
        enableServiceLinks: false,
        affinity: spreadOf(workload, prefix, kubernetes.authoritySpread),
        ...POD_HARDENING,
        containers: [
            {
                name: "node",
                ...containerHardening(runAs, workload.scratchPaths),
                image: workload.image,
                command: [...workload.entrypoint],
                args: [...workload.args],
                ports: workload.ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: port.protocol })),
                volumeMounts: [{ name: "data", mountPath: workload.dataPath }, ...scratch.mounts, ...fileMounts],
                // Readiness over loopback, where an authority's JSON-RPC listens; liveness: the p2p port, which every node opens.
                readinessProbe: { exec: { command: [...workload.healthCheck.readiness] }, initialDelaySeconds: 10, ...probe },
                livenessProbe: { tcpSocket: { port: workload.healthCheck.livenessTcpPort }, initialDelaySeconds: 60, ...probe },
                resources: { requests: { cpu, memory }, limits: { memory } },
            },
        ],
        volumes: [
            { name: "chain", configMap: { name: sharedConfigMapName } },
            { name: "config", configMap: { name: configMapName } },
            // Group-readable so that images running as a non-root user (with fsGroup) can read their keys.
            { name: "keys", secret: { secretName, defaultMode: 0o440 } },
            ...scratch.volumes,
        ],
    };
}

/**
 * Authorities never share a cluster node (or, with `preferred`, as rarely as the scheduler can): a node lost takes
 * at most one of them. RPC nodes prefer distinct nodes, so that a drained node leaves one serving.
 */
function spreadOf(workload: WorkloadSpec, prefix: string, authoritySpread: KubernetesConfig["authoritySpread"]): k8s.types.input.core.v1.Affinity {
    const term = { labelSelector: { matchLabels: componentSelector(prefix, workload.component) }, topologyKey: "kubernetes.io/hostname" };
    if (workload.component === AUTHORITY_COMPONENT && authoritySpread === "required") return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

function uniqueByKey(files: readonly WorkloadFile[]): WorkloadFile[] {
    const byKey = new Map<string, WorkloadFile>();
    for (const file of files) if (!byKey.has(file.key)) byKey.set(file.key, file);
    return [...byKey.values()];
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
