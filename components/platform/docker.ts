import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { workloadLabels } from "./naming";
import type { Platform, PlatformArgs } from "./platform";
import type { WorkloadFile, WorkloadSpec } from "./workload";

/**
 * Realises workloads on one Docker engine: a user-defined network (stable DNS aliases), a named
 * volume per workload for its data, containers with their files uploaded (never in environment
 * variables), a restart policy and host ports only on the RPC endpoint (the first RPC node, when no gateway is
 * in front); authorities publish nothing.
 */
export class DockerPlatform extends pulumi.ComponentResource implements Platform {
    public readonly rpcUrl: pulumi.Output<string>;
    public readonly wsUrl: pulumi.Output<string>;
    public readonly networkName: pulumi.Output<string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:Docker", name, {}, opts);
        const network = new docker.Network(
            `${name}-network`,
            { name: `${args.prefix}-consortium`, driver: "bridge", labels: [{ label: "app.kubernetes.io/part-of", value: args.prefix }] },
            { parent: this },
        );

        const imageFor = dockerImages(name, this);

        const { bindAddress, hostPort, wsHostPort } = args.rpc.docker;
        let previous: docker.Container | undefined;
        for (const workload of args.workloads) {
            const volume = new docker.Volume(
                `${name}-${workload.name}-data`,
                { name: `${args.prefix}-${workload.name}-data`, labels: toDockerLabels(args.prefix, workload) },
                { parent: this, protect: args.protect, retainOnDelete: args.protect },
            );
            previous = new docker.Container(
                `${name}-${workload.name}`,
                {
                    name: `${args.prefix}-${workload.name}`,
                    hostname: workload.name,
                    image: imageFor(workload.image).imageId,
                    entrypoints: [...workload.entrypoint],
                    command: [...workload.args],
                    user: workload.runAs ? `${workload.runAs.uid}:${workload.runAs.gid}` : undefined,
                    restart: "unless-stopped",
                    networksAdvanced: [{ name: network.name, aliases: [workload.name] }],
                    volumes: [{ volumeName: volume.name, containerPath: workload.dockerVolumePath ?? workload.dataPath }],
                    uploads: workload.files.map((file) => toUpload(file, workload)),
                    ports: [
                        ...(workload.publicEndpoint
                            ? [
                                  { internal: portOf(workload, "rpc"), external: hostPort, ip: bindAddress, protocol: "tcp" },
                                  { internal: portOf(workload, "ws"), external: wsHostPort, ip: bindAddress, protocol: "tcp" },
                              ]
                            : []),
                        // Published for other members' nodes (authorities[].p2p): devp2p over TCP, discovery over UDP.
                        ...(workload.p2pPublished
                            ? (["tcp", "udp"] as const).map((protocol) => ({
                                  internal: portOf(workload, protocol === "tcp" ? "p2p" : "discovery"),
                                  external: workload.p2pPublished!.docker.hostPort,
                                  ip: workload.p2pPublished!.docker.bindAddress,
                                  protocol,
                              }))
                            : []),
                    ],
                    healthcheck: {
                        tests: ["CMD", ...workload.healthCheck.readiness],
                        interval: "15s",
                        timeout: "5s",
                        retries: 5,
                        startPeriod: "60s",
                    },
                    labels: toDockerLabels(args.prefix, workload),
                    logDriver: "json-file",
                    logOpts: { "max-size": "50m", "max-file": "5" },
                },
                // A fixed container name and one data volume per node: the old container must be gone
                // before its replacement starts. Containers are replaced one after another.
                { parent: this, deleteBeforeReplace: true, dependsOn: previous ? [previous] : [] },
            );
        }

        // The gateway serves JSON-RPC and WebSocket on one published port.
        const host = bindAddress === "0.0.0.0" ? "localhost" : bindAddress;
        this.rpcUrl = pulumi.output(`http://${host}:${hostPort}`);
        this.wsUrl = pulumi.output(`ws://${host}:${args.rpcGateway ? hostPort : wsHostPort}`);
        this.networkName = network.name;
        this.registerOutputs({ rpcUrl: this.rpcUrl, wsUrl: this.wsUrl, networkName: this.networkName });
    }
}

/** One RemoteImage per distinct image reference, kept locally when the stack is destroyed. */
export function dockerImages(name: string, parent: pulumi.Resource): (image: string) => docker.RemoteImage {
    const images = new Map<string, docker.RemoteImage>();
    return (image: string) => {
        if (!images.has(image)) {
            const slug = image.replace(/[^A-Za-z0-9]+/g, "-");
            images.set(image, new docker.RemoteImage(`${name}-image-${slug}`, { name: image, keepLocally: true }, { parent }));
        }
        return images.get(image)!;
    };
}

function portOf(workload: WorkloadSpec, portName: string): number {
    const port = workload.ports.find((candidate) => candidate.name === portName);
    if (!port) throw new Error(`workload ${workload.name} has no port named ${portName}`);
    return port.port;
}

export function toDockerLabels(prefix: string, workload: { name: string; component: string }): docker.types.input.ContainerLabel[] {
    return Object.entries(workloadLabels(prefix, workload)).map(([label, value]) => ({ label, value }));
}

export function toUpload(file: WorkloadFile, workload: { runAs?: { uid: number; gid: number }; fileGroup?: number }): docker.types.input.ContainerUpload {
    const owner = String(workload.runAs?.uid ?? 0);
    const group = String(workload.fileGroup ?? workload.runAs?.gid ?? 0);
    // A user known only by the group it is given reads its secrets through that group.
    const permissions = file.kind === "secret" ? (workload.fileGroup !== undefined ? "0440" : "0400") : "0444";
    const content = file.encoding === "base64" ? { contentBase64: file.content } : { content: file.content };
    return { file: file.path, ...content, owner, group, permissions };
}
