import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerImages, toDockerLabels, toUpload } from "./docker";
import type { JobArgs, JobResult, ServicesArgs } from "./services";
import { HOST_DOCKER_SOCKET, type ServiceSpec } from "./workload";

export interface DockerServicesArgs extends ServicesArgs {
    /** Docker networks the services join (the home chain's, and a local foreign chain's). */
    readonly networks: readonly pulumi.Input<string>[];
}

const toEnvs = (env: ServiceSpec["env"]): pulumi.Output<string[]> =>
    pulumi.output(env).apply((values) => Object.entries(values as Record<string, string>).map(([key, value]) => `${key}=${value}`));

/**
 * Services as containers on the consortium's networks (a group's queue and database on their group's network only),
 * each with a named data volume when it keeps data.
 */
export class DockerServices extends pulumi.ComponentResource {
    constructor(name: string, args: DockerServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:DockerServices", name, {}, opts);
        const imageFor = dockerImages(name, this);
        // Each group (a bridge validator's agents) gets a network of its own, internal (no route out): its queue and
        // database are on it alone; the group's other services also join the chains' networks.
        const groupNetworks = new Map<string, docker.Network>();
        for (const group of new Set(args.services.flatMap((service) => (service.group ? [service.group] : [])))) {
            groupNetworks.set(
                group,
                new docker.Network(
                    `${name}-${group}-network`,
                    { name: `${args.prefix}-${group}`, driver: "bridge", internal: true, labels: [{ label: "app.kubernetes.io/part-of", value: args.prefix }] },
                    { parent: this },
                ),
            );
        }
        // A service kept private to one client (its database) shares an internal network with that client alone.
        const privateNetworks = new Map<string, docker.Network>();
        for (const service of args.services.filter((candidate) => candidate.privateTo)) {
            privateNetworks.set(
                service.name,
                new docker.Network(
                    `${name}-${service.name}-network`,
                    { name: `${args.prefix}-${service.name}`, driver: "bridge", internal: true, labels: [{ label: "app.kubernetes.io/part-of", value: args.prefix }] },
                    { parent: this },
                ),
            );
        }
        for (const service of args.services) {
            const privateOnes = args.services.filter((other) => other.privateTo === service.name).map((other) => privateNetworks.get(other.name)!.name);
            const networks = service.privateTo
                ? [privateNetworks.get(service.name)!.name]
                : [...(service.group ? [groupNetworks.get(service.group)!.name] : []), ...privateOnes, ...(service.groupOnly ? [] : args.networks)];
            const volume = service.dataPath
                ? new docker.Volume(
                      `${name}-${service.name}-data`,
                      { name: `${args.prefix}-${service.name}-data`, labels: toDockerLabels(args.prefix, service) },
                      { parent: this, protect: args.protect, retainOnDelete: args.protect },
                  )
                : undefined;
            new docker.Container(
                `${name}-${service.name}`,
                {
                    name: `${args.prefix}-${service.name}`,
                    hostname: service.name,
                    image: imageFor(service.image).imageId,
                    entrypoints: [...service.command],
                    envs: toEnvs(service.env),
                    user: service.runAs ? `${service.runAs.uid}:${service.runAs.gid}` : undefined,
                    restart: "unless-stopped",
                    networksAdvanced: networks.map((network) => ({ name: network, aliases: [service.name] })),
                    volumes: [
                        ...(volume ? [{ volumeName: volume.name, containerPath: service.dataPath! }] : []),
                        // The host's daemon runs the tasks and resolves their bind mounts on the host: the same path here.
                        ...(service.dockerDaemon
                            ? [
                                  { hostPath: HOST_DOCKER_SOCKET, containerPath: HOST_DOCKER_SOCKET },
                                  { hostPath: service.dockerDaemon.workDir, containerPath: service.dockerDaemon.workDir },
                              ]
                            : []),
                    ],
                    uploads: service.files.map((file) => toUpload(file, service)),
                    ...(service.fileGroup !== undefined ? { groupAdds: [String(service.fileGroup)] } : {}),
                    ports: service.expose ? [{ internal: service.expose.port, external: service.expose.hostPort, ip: service.expose.bindAddress, protocol: "tcp" }] : [],
                    ...(service.healthCheck
                        ? { healthcheck: { tests: ["CMD", ...service.healthCheck], interval: "15s", timeout: "5s", retries: 5, startPeriod: "30s" } }
                        : {}),
                    labels: toDockerLabels(args.prefix, service),
                    logDriver: "json-file",
                    logOpts: { "max-size": "50m", "max-file": "5" },
                },
                { parent: this, deleteBeforeReplace: true },
            );
        }
        this.registerOutputs({});
    }
}

/**
 * A job as a container Pulumi attaches to: created once, waited for, its logs kept in the state.
 * Later updates ignore changes to what it was run with: running it again would deploy twice.
 */
export class DockerJob extends pulumi.ComponentResource implements JobResult {
    public readonly objectName: string;
    public readonly output: pulumi.Output<string | undefined>;
    public readonly exitCode: pulumi.Output<number | undefined>;
    public readonly completed: pulumi.Resource;

    constructor(name: string, args: JobArgs & { readonly networks: readonly pulumi.Input<string>[] }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:platform:DockerJob", name, {}, opts);
        const { job } = args;
        const image = dockerImages(name, this)(job.image);
        this.objectName = `${args.prefix}-${job.name}`;
        const container = new docker.Container(
            `${name}-${job.name}`,
            {
                name: this.objectName,
                image: image.imageId,
                entrypoints: [...job.command],
                envs: toEnvs(job.env),
                networksAdvanced: args.networks.map((network) => ({ name: network })),
                uploads: job.files.map((file) => toUpload(file, {})),
                attach: true,
                logs: true,
                mustRun: false,
                restart: "no",
                labels: toDockerLabels(args.prefix, job),
            },
            {
                parent: this,
                ignoreChanges: ["image", "entrypoints", "envs", "networksAdvanced", "uploads", "attach", "logs", "mustRun", "restart", "labels", "name"],
                customTimeouts: { create: `${args.timeoutMinutes}m` },
            },
        );
        // kreuzwerker/docker v4.5.0 (which @pulumi/docker 5 bridges): create waits for the exit and discards its status
        // (resource_docker_container_funcs.go:631-671); the Read that ends create records exit_code (:815-816).
        this.output = container.containerLogs;
        this.exitCode = container.exitCode;
        this.completed = container;
        this.registerOutputs({});
    }
}
