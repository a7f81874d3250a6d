import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { loadConfig, type ConsortiumConfig } from "./config";
import { Consortium } from "./consortium";

/** Explicit providers: Pulumi.yaml disables default providers, so nothing reaches an ambient cluster or socket. */
export function createProviders(config: ConsortiumConfig): pulumi.ProviderResource[] {
    const randomProvider = new random.Provider("random");
    if (config.platform === "docker") {
        return [randomProvider, new docker.Provider("docker", config.docker.host ? { host: config.docker.host } : {})];
    }
    const kubernetes = config.kubernetes!;
    return [
        randomProvider,
        new k8s.Provider("kubernetes", {
            ...(kubernetes.context ? { context: kubernetes.context } : {}),
            namespace: kubernetes.namespace,
            // Replace the provider (and so every object) only when this changes, never on a kubeconfig detail.
            clusterIdentifier: kubernetes.context ?? "default-context",
        }),
    ];
}

/** The whole program: config is read and validated before the first resource is registered. */
export function runProgram() {
    const config = loadConfig();
    const consortium = new Consortium("consortium", { config, prefix: pulumi.getStack(), secrets: config.secrets }, { providers: createProviders(config) });
    return {
        chainId: consortium.chainId,
        networkId: consortium.networkId,
        specHash: consortium.specHash,
        genesisHash: consortium.genesisHash,
        authorities: consortium.authorities,
        validators: consortium.authorities.apply((authorities) => authorities.map((authority) => authority.address)),
        enodes: consortium.authorities.apply((authorities) => authorities.map((authority) => authority.enode)),
        rpcUrl: consortium.rpcUrl,
        wsUrl: consortium.wsUrl,
        chainSpec: consortium.specJson,
        keystores: consortium.keystores,
        /** Every RLC and PoCo contract address, and the block PoCo was deployed in (when `poco` is set). */
        poco: consortium.poco ? pulumi.output({ addresses: consortium.poco.addresses, deploymentBlock: consortium.poco.deploymentBlock }) : pulumi.output(undefined),
    };
}
