import * as pulumi from "@pulumi/pulumi";
import type { ConsortiumConfig } from "../config";
import { DockerPlatform } from "./docker";
import { KubernetesPlatform } from "./kubernetes";
import type { Platform, PlatformArgs } from "./platform";

export type { Platform, PlatformArgs } from "./platform";
export type { WorkloadFile, WorkloadPort, WorkloadSpec } from "./workload";
export { DockerPlatform } from "./docker";
export { KubernetesPlatform } from "./kubernetes";

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
            return new KubernetesPlatform(name, { ...args, kubernetes: config.kubernetes!, externalPeers: config.externalAuthorities.length > 0 }, opts);
    }
}
