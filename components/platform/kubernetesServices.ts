import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesConfig } from "./config";
import { checksum, configMapData, secretData } from "./kubernetes";
import { dnsEgress, reachRule } from "./kubernetesPolicies";
import { PART_OF_LABEL, workloadLabels, workloadSelector } from "./naming";
import type { JobArgs, JobResult, ServicesArgs } from "./services";
import { DIND_SOCKET_DIR, HOST_DOCKER_SOCKET, POD_HARDENING, containerHardening, podUser, scratchVolumes, type DockerDaemonAccess, type JobSpec, type Reach, type ServiceSpec, type WorkloadFile } from "./workload";

export interface KubernetesServicesArgs extends ServicesArgs {
    readonly kubernetes: KubernetesConfig;
}

/** Pods of one group carry this label; a group's NetworkPolicy admits only its own pods. */
export const GROUP_LABEL = "consortium.iex.ec/group";

const toEnv = (env: ServiceSpec["env"]) => pulumi.output(env).apply((values) => Object.entries(values as Record<string, string>).map(([name, value]) => ({ name, value })));

function fileMounts(files: readonly WorkloadFile[]) {
    return files.map((file) => ({ name: file.kind === "secret" ? "keys" : "config", mountPath: file.path, subPath: file.key, readOnly: true }));
}

const groupSelector = (prefix: string, group: string) => ({ matchLabels: { [GROUP_LABEL]: group, [PART_OF_LABEL]: prefix } });

/**
 * What one service's or job's pods may connect to, under the chain's default deny: name resolution, its own group's
 * pods and what it declares it reaches (`reaches`), nothing else.
 */
function egressPolicy(
    parent: pulumi.Resource,
    resourceName: string,
    metadata: k8s.types.input.meta.v1.ObjectMeta,
    prefix: string,
    dns: KubernetesConfig["dns"],
    workload: { readonly name: string; readonly reaches?: readonly Reach[]; readonly group?: string; readonly narrowGroupEgress?: boolean },
): k8s.networking.v1.NetworkPolicy {
    const group = workload.group && !workload.narrowGroupEgress ? [{ to: [{ podSelector: groupSelector(prefix, workload.group) }] }] : [];
    return new k8s.networking.v1.NetworkPolicy(
        `${resourceName}-egress`,
        { metadata, spec: { podSelector: { matchLabels: workloadSelector(prefix, workload.name) }, policyTypes: ["Egress"], egress: [dnsEgress(dns), ...group, ...(workload.reaches ?? []).map((reach) => reachRule(reach, prefix))] } },
        { parent },
    );
}

/**
 * A workload's files as a ConfigMap (`<name>-config`) and a Secret (`<name>-keys`), and the pod
 * volumes that mount them; `secretOptions` decides, from whether it holds keys, how the Secret is kept.
 */
function fileObjects(
    parent: pulumi.Resource,
    resourceName: string,
    metadata: (objectName: string) => k8s.types.input.meta.v1.ObjectMeta,
    workload: { readonly name: string; readonly files: readonly WorkloadFile[] },
    secretOptions: (hasKeys: boolean) => pulumi.CustomResourceOptions,
) {
    const configFiles = workload.files.filter((file) => file.kind !== "secret");
    const secretFiles = workload.files.filter((file) => file.kind === "secret");
    const configMap = new k8s.core.v1.ConfigMap(`${resourceName}-config`, { metadata: metadata(`${workload.name}-config`), ...configMapData(configFiles) }, { parent });
    const secret = new k8s.core.v1.Secret(
        `${resourceName}-keys`,
        { metadata: metadata(`${workload.name}-keys`), type: "Opaque", ...secretData(secretFiles) },
        secretOptions(secretFiles.length > 0),
    );
    return {
        configFiles,
        volumes: [
            { name: "config", configMap: { name: configMap.metadata.name } },
            { name: "keys", secret: { secretName: secret.metadata.name, defaultMode: 0o440 } },
        ],
    };
}

/** A service's pod security context: its user (runAs), and the group an image whose user is unknown is given (fileGroup). */
function podSecurity(service: ServiceSpec) {
    const user = podUser(service.runAs).securityContext;
    if (service.fileGroup === undefined) return user ? { securityContext: user } : {};
    return { securityContext: { ...user, fsGroup: service.fileGroup, fsGroupChangePolicy: "OnRootMismatch" } };
}

/**
 * How a pod reaches a Docker daemon (DockerDaemonAccess): the service's extra environment and mounts, the sidecar, the
 * volumes. The dind sidecar is the only privileged container of the consortium (Docker-in-Docker needs it: it mounts
 * cgroups and runs the tasks' containers); it serves a unix socket on an emptyDir shared with the service, no TCP.
 */
export function dockerDaemonParts(access: DockerDaemonAccess) {
    const work = { name: "docker-work", mountPath: access.workDir };
    if (access.kubernetes.mode === "node-socket") {
        return {
            env: [{ name: "DOCKER_HOST", value: `unix://${HOST_DOCKER_SOCKET}` }],
            serviceMounts: [{ name: "docker-socket", mountPath: HOST_DOCKER_SOCKET }, work],
            sidecars: [],
            volumes: [
                { name: "docker-socket", hostPath: { path: HOST_DOCKER_SOCKET, type: "Socket" } },
                // The node's daemon resolves the tasks' bind mounts on the node: the same path there.
                { name: "docker-work", hostPath: { path: access.workDir, type: "DirectoryOrCreate" } },
            ],
        };
    }
    const socket = { name: "docker-socket", mountPath: DIND_SOCKET_DIR };
    return {
        env: [{ name: "DOCKER_HOST", value: `unix://${DIND_SOCKET_DIR}/docker.sock` }],
        serviceMounts: [socket, work],
        sidecars: [
            {
                name: "dind",
                image: access.kubernetes.image,
                // dockerd first: the entrypoint then adds none of its default listeners (tcp://0.0.0.0:2375 without TLS),
                // docker-library/docker 27 dind/dockerd-entrypoint.sh; its dind wrapper still runs.
                command: ["dockerd-entrypoint.sh", "dockerd", `--host=unix://${DIND_SOCKET_DIR}/docker.sock`],
                env: [{ name: "DOCKER_TLS_CERTDIR", value: "" }],
                securityContext: { privileged: true },
                readinessProbe: { exec: { command: ["docker", "-H", `unix://${DIND_SOCKET_DIR}/docker.sock`, "info"] }, initialDelaySeconds: 5, periodSeconds: 15, timeoutSeconds: 10 },
                volumeMounts: [socket, work, { name: "docker-data", mountPath: "/var/lib/docker" }],
                resources: { requests: { cpu: "250m", memory: "512Mi" } },
            },
        ],
        volumes: [
            { name: "docker-socket", emptyDir: {} },
            { name: "docker-work", emptyDir: {} },
            { name: "docker-data", emptyDir: {} },
        ],
    };
}

/**
 * Services in the consortium's namespace: a StatefulSet with a volume claim for those that keep
 * data (queues, databases), a Deployment for the others; their files in a ConfigMap and a Secret;
 * a ClusterIP Service for their ports; exec probes; per group a NetworkPolicy that admits only the
 * group's own pods; for an exposed service a Service and, with a host, an Ingress.
 */
export class KubernetesServices extends pulumi.ComponentResource {
    constructor(name: string, args: KubernetesServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:KubernetesServices", name, {}, opts);
        const { prefix, protect } = args;
        const { namespace, storageClassName } = args.kubernetes;
        const keep = { parent: this, protect, retainOnDelete: protect };

        for (const service of args.services) {
            const labels = { ...workloadLabels(prefix, service), ...(service.group ? { [GROUP_LABEL]: service.group } : {}) };
            const metadata = (objectName: string) => ({ name: objectName, namespace, labels });
            const { configFiles, volumes } = fileObjects(this, `${name}-${service.name}`, metadata, service, (hasKeys) => (hasKeys ? keep : { parent: this }));
            const ports = [...service.ports, ...(service.expose && !service.ports.some((port) => port.port === service.expose!.port) ? [{ name: "http", port: service.expose.port }] : [])];
            if (ports.length > 0) {
                new k8s.core.v1.Service(
                    `${name}-${service.name}`,
                    {
                        metadata: metadata(service.name),
                        spec: { type: "ClusterIP", selector: workloadSelector(prefix, service.name), ports: ports.map((port) => ({ name: port.name, port: port.port, targetPort: port.port, protocol: "TCP" })) },
                    },
                    { parent: this },
                );
            }
            // Before its pods start: under the chain's default deny they could reach nothing without it.
            const egress = egressPolicy(this, `${name}-${service.name}`, metadata(`${service.name}-egress`), prefix, args.kubernetes.dns, service);
            const scratch = scratchVolumes(service.scratchPaths);
            const probe = service.healthCheck
                ? { exec: { command: [...service.healthCheck] }, initialDelaySeconds: 20, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 6 }
                : undefined;
            const cpu = service.resources.cpu;
            const memory = service.resources.memory;
            if (service.privateTo) {
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${service.name}-private`,
                    {
                        metadata: metadata(`${service.name}-private`),
                        spec: {
                            podSelector: { matchLabels: workloadSelector(prefix, service.name) },
                            policyTypes: ["Ingress"],
                            ingress: [{ from: [{ podSelector: { matchLabels: workloadSelector(prefix, service.privateTo) } }], ports: service.ports.map((port) => ({ port: port.port, protocol: "TCP" })) }],
                        },
                    },
                    { parent: this },
                );
            }
            const daemon = service.dockerDaemon ? dockerDaemonParts(service.dockerDaemon) : undefined;
            const podTemplate = {
                metadata: { labels, annotations: { "consortium.iex.ec/config-checksum": checksum(configFiles) } },
                spec: {
                    ...podSecurity(service),
                    enableServiceLinks: false,
                    ...POD_HARDENING,
                    containers: [
                        {
                            name: service.component,
                            ...containerHardening(service.runAs, service.scratchPaths),
                            image: service.image,
                            command: [...service.command],
                            env: daemon ? pulumi.all([toEnv(service.env), daemon.env]).apply(([env, extra]) => [...env, ...extra]) : toEnv(service.env),
                            ports: ports.map((port) => ({ name: port.name, containerPort: port.port, protocol: "TCP" })),
                            volumeMounts: [
                                ...(service.dataPath ? [{ name: "data", mountPath: service.dataPath }] : []),
                                ...scratch.mounts,
                                ...fileMounts(service.files),
                                ...(daemon?.serviceMounts ?? []),
                            ],
                            ...(probe
                                ? {
                                      readinessProbe: probe,
                                      livenessProbe:
                                          service.livenessTcpPort !== undefined
                                              ? { tcpSocket: { port: service.livenessTcpPort }, initialDelaySeconds: 60, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 6 }
                                              : { ...probe, initialDelaySeconds: 60 },
                                  }
                                : {}),
                            resources: { requests: { cpu, memory }, limits: { memory } },
                        },
                        ...(daemon?.sidecars ?? []),
                    ],
                    volumes: [...volumes, ...scratch.volumes, ...(daemon?.volumes ?? [])],
                },
            };
            if (service.dataPath) {
                new k8s.apps.v1.StatefulSet(
                    `${name}-${service.name}`,
                    {
                        metadata: metadata(service.name),
                        spec: {
                            replicas: 1,
                            serviceName: service.name,
                            selector: { matchLabels: workloadSelector(prefix, service.name) },
                            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                            template: podTemplate,
                            volumeClaimTemplates: [
                                {
                                    metadata: { name: "data", labels },
                                    spec: {
                                        accessModes: ["ReadWriteOnce"],
                                        ...(storageClassName ? { storageClassName } : {}),
                                        resources: { requests: { storage: "5Gi" } },
                                    },
                                },
                            ],
                        },
                    },
                    { parent: this, dependsOn: [egress] },
                );
            } else {
                const replicas = service.replicas ?? 1;
                new k8s.apps.v1.Deployment(
                    `${name}-${service.name}`,
                    {
                        metadata: metadata(service.name),
                        // A single copy is recreated: two copies of a sender would sign and send the same transactions twice.
                        // A replicated service (the gateway) rolls one pod at a time.
                        spec: {
                            replicas,
                            strategy: replicas > 1 ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } : { type: "Recreate" },
                            selector: { matchLabels: workloadSelector(prefix, service.name) },
                            template: podTemplate,
                        },
                    },
                    { parent: this, dependsOn: [egress] },
                );
                if (replicas > 1) {
                    new k8s.policy.v1.PodDisruptionBudget(
                        `${name}-${service.name}`,
                        { metadata: metadata(service.name), spec: { minAvailable: replicas - 1, selector: { matchLabels: workloadSelector(prefix, service.name) } } },
                        { parent: this },
                    );
                }
            }
            if (service.expose) {
                // Users (through the cluster's ingress controller or the Service) reach its published port.
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${service.name}-expose`,
                    { metadata: metadata(`${service.name}-expose`), spec: { podSelector: { matchLabels: workloadSelector(prefix, service.name) }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: service.expose.port, protocol: "TCP" }] }] } },
                    { parent: this },
                );
            }
            if (service.expose?.ingressHost) {
                new k8s.networking.v1.Ingress(
                    `${name}-${service.name}`,
                    {
                        metadata: metadata(service.name),
                        spec: {
                            rules: [
                                {
                                    host: service.expose.ingressHost,
                                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.name, port: { number: service.expose.port } } } }] },
                                },
                            ],
                        },
                    },
                    { parent: this },
                );
            }
        }

        const groups = [...new Set(args.services.flatMap((service) => (service.group ? [service.group] : [])))];
        for (const group of groups) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${group}`,
                {
                    metadata: { name: `${group}-internal`, namespace, labels: { "app.kubernetes.io/part-of": prefix, "app.kubernetes.io/managed-by": "pulumi" } },
                    spec: { podSelector: groupSelector(prefix, group), policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: groupSelector(prefix, group) }] }] },
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}

/**
 * A job as a Kubernetes Job that Pulumi waits for. It is tried once (a retry would deploy twice)
 * and later updates ignore changes to it; its output stays in the pod's logs.
 */
export class KubernetesJob extends pulumi.ComponentResource implements JobResult {
    public readonly objectName: string;
    public readonly output: pulumi.Output<string | undefined>;
    public readonly exitCode: pulumi.Output<number | undefined>;
    public readonly completed: pulumi.Resource;

    constructor(name: string, args: JobArgs & { readonly kubernetes: KubernetesConfig }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:KubernetesJob", name, {}, opts);
        const job: JobSpec = args.job;
        this.objectName = `job/${job.name} in namespace ${args.kubernetes.namespace}`;
        const labels = workloadLabels(args.prefix, job);
        const metadata = (objectName: string) => ({ name: objectName, namespace: args.kubernetes.namespace, labels });
        const { volumes } = fileObjects(this, `${name}-${job.name}`, metadata, job, () => ({ parent: this }));
        const egress = egressPolicy(this, `${name}-${job.name}`, metadata(`${job.name}-egress`), args.prefix, args.kubernetes.dns, job);
        const kubernetesJob = new k8s.batch.v1.Job(
            `${name}-${job.name}`,
            {
                metadata: metadata(job.name),
                spec: {
                    backoffLimit: 0,
                    activeDeadlineSeconds: args.timeoutMinutes * 60,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            enableServiceLinks: false,
                            ...POD_HARDENING,
                            containers: [
                                {
                                    name: job.component,
                                    ...containerHardening(undefined),
                                    image: job.image,
                                    command: [...job.command],
                                    env: toEnv(job.env),
                                    volumeMounts: fileMounts(job.files),
                                    // The log's last lines become the container's termination message, which the provider
                                    // lists in a failed Job's error (pulumi-kubernetes 4.25.0 await/job.go, cloud-ready-checks pod/check.go).
                                    terminationMessagePolicy: "FallbackToLogsOnError",
                                    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
                                },
                            ],
                            volumes,
                        },
                    },
                },
            },
            { parent: this, dependsOn: [egress], ignoreChanges: ["spec", "metadata"], customTimeouts: { create: `${args.timeoutMinutes}m` } },
        );

        this.output = pulumi.output(undefined);
        this.exitCode = pulumi.output(undefined);
        this.completed = kubernetesJob;
        this.registerOutputs({});
    }
}
