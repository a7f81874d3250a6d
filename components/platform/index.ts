import * as pulumi from "@pulumi/pulumi";
import { enodeAddress } from "../chain/config";
import type { ConsortiumConfig } from "../config";
import { DockerPlatform } from "./docker";
import { KubernetesPlatform } from "./kubernetes";
import { DefaultDeny } from "./kubernetesPolicies";
import type { Platform, PlatformArgs } from "./platform";
import { DockerJob, DockerServices } from "./dockerServices";
import { KubernetesJob, KubernetesServices } from "./kubernetesServices";
import type { JobArgs, JobResult, ServicesArgs } from "./services";

export type { Platform, PlatformArgs } from "./platform";
export type { WorkloadFile, WorkloadPort, WorkloadSpec } from "./workload";
export { DockerPlatform } from "./docker";
export { KubernetesPlatform } from "./kubernetes";

/** Where the external members' nodes connect from (`allowFrom`), and where their enodes say they are dialled. */
function externalPeersOf(config: ConsortiumConfig) {
    return {
        cidrs: [...new Set(config.externalAuthorities.flatMap((external) => external.allowFrom))],
        nodes: config.externalAuthorities.map((external) => enodeAddress(external.enode)),
    };
}

/** Chooses the realisation of the workloads from `platform` in the stack config. */
export function createPlatform(
    name: string,
    config: ConsortiumConfig,
    args: PlatformArgs,
    opts?: pulumi.ComponentResourceOptions,
): Platform & pulumi.ComponentResource {
    switch (config.platform) {
        case "docker":
            return new DockerPlatform(name, args, opts);
        case "kubernetes":
            return new KubernetesPlatform(name, { ...args, kubernetes: config.kubernetes!, externalPeers: externalPeersOf(config) }, opts);
    }
}

/**
 * The platform's isolation of the consortium's workloads, made once every workload's own rules exist (`after`): on
 * Kubernetes the default-deny NetworkPolicy; on Docker nothing (its networks are the isolation).
 */
export function createIsolation(name: string, config: ConsortiumConfig, args: { readonly prefix: string; readonly chains: readonly string[]; readonly after: readonly pulumi.Resource[] }, opts?: pulumi.ComponentResourceOptions) {
    if (config.platform !== "kubernetes") return undefined;
    const kubernetes = config.kubernetes!;
    return new DefaultDeny(name, { namespace: kubernetes.namespace, prefix: args.prefix, partOf: args.chains, ownsNamespace: kubernetes.createNamespace }, { ...opts, dependsOn: [...args.after] });
}

export type { JobArgs, JobResult, ServicesArgs } from "./services";
export type { JobSpec, ServiceSpec } from "./workload";

/** Realises services (bridge agents, queues, UI) on the stack's platform; `dockerNetworks` are the networks they join on Docker. */
export function createServices(
    name: string,
    config: ConsortiumConfig,
    args: ServicesArgs & { readonly dockerNetworks: readonly pulumi.Input<string>[] },
    opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResource {
    switch (config.platform) {
        case "docker":
            return new DockerServices(name, { ...args, networks: args.dockerNetworks }, opts);
        case "kubernetes":
            return new KubernetesServices(name, { ...args, kubernetes: config.kubernetes! }, opts);
    }
}

/** Runs a job once on the stack's platform and waits for it. */
export function createJob(
    name: string,
    config: ConsortiumConfig,
    args: JobArgs & { readonly dockerNetworks: readonly pulumi.Input<string>[] },
    opts?: pulumi.ComponentResourceOptions,
): JobResult & pulumi.ComponentResource {
    switch (config.platform) {
        case "docker":
            return new DockerJob(name, { ...args, networks: args.dockerNetworks }, opts);
        case "kubernetes":
            return new KubernetesJob(name, { ...args, kubernetes: config.kubernetes! }, opts);
    }
}
