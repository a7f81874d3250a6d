import * as pulumi from "@pulumi/pulumi";
import type { RpcConfig } from "../rpcGateway/config";
import type { WorkloadSpec } from "./workload";

export interface PlatformArgs {
    /** Prefix of every platform object name; unique per consortium on a Docker host or namespace. */
    readonly prefix: string;
    readonly workloads: readonly WorkloadSpec[];
    readonly rpc: RpcConfig;
    /** Protect chain data, keys and the namespace from deletion. */
    readonly protect: boolean;
    /**
     * Users reach JSON-RPC only through this gateway workload (realised separately, as a service):
     * no node publishes RPC, and on Kubernetes the RPC Service and Ingress select the gateway.
     */
    readonly rpcGateway?: { readonly name: string; readonly port: number };
}

/** What every platform realisation offers to the rest of the program. */
export interface Platform {
    /** JSON-RPC URL of the consortium's RPC endpoint, as reachable by its users. */
    readonly rpcUrl: pulumi.Output<string>;
    readonly wsUrl: pulumi.Output<string>;
}
