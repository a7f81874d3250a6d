import * as pulumi from "@pulumi/pulumi";
import type { RpcConfig } from "../config";
import type { WorkloadSpec } from "./workload";

export interface PlatformArgs {
    /** Prefix of every platform object name; unique per consortium on a Docker host or namespace. */
    readonly prefix: string;
    readonly workloads: readonly WorkloadSpec[];
    readonly rpc: RpcConfig;
    /** Protect chain data, keys and the namespace from deletion. */
    readonly protect: boolean;
}

/** What every platform realisation offers to the rest of the program. */
export interface Platform {
    /** JSON-RPC URL of the consortium's RPC endpoint, as reachable by its users. */
    readonly rpcUrl: pulumi.Output<string>;
    readonly wsUrl: pulumi.Output<string>;
}
