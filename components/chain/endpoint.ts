import type * as pulumi from "@pulumi/pulumi";
import type { Reach } from "../platform/workload";
import type { RpcCredentials } from "./rpc";

/**
 * One chain as its consumers reach it (PoCo, permissions, the bridge and every later service): the home chain, a local
 * foreign chain and an external foreign chain each produce one.
 */
export interface ChainEndpoint {
    readonly chainId: number;
    /** Where `pulumi up`'s own calls go, with the gateway credential they authenticate with (secret) when there is one. */
    readonly program: { readonly url: pulumi.Input<string>; readonly credentials?: pulumi.Input<RpcCredentials> };
    /** Where workloads inside the platform reach it: an RPC node, admitted by the platform's network rules, no credential. */
    readonly internalUrl: string;
    /** What users and browsers are given. */
    readonly publicUrl: pulumi.Input<string>;
    /** The Docker network its RPC nodes are on, which a consumer on Docker joins. */
    readonly dockerNetwork?: pulumi.Input<string>;
    /** What a workload inside the platform connects to for `internalUrl` (its Kubernetes egress rule). */
    readonly reach: Reach;
}

/** A chain this stack does not run (Ethereum mainnet): one URL for everyone. */
export function externalChainEndpoint(chainId: number, rpcUrl: string): ChainEndpoint {
    const url = new URL(rpcUrl);
    const port = url.port ? Number(url.port) : url.protocol === "https:" || url.protocol === "wss:" ? 443 : 80;
    return { chainId, program: { url: rpcUrl }, internalUrl: rpcUrl, publicUrl: rpcUrl, reach: { external: { host: url.hostname, port } } };
}
