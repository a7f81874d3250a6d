import * as pulumi from "@pulumi/pulumi";
import type { ChainEndpoint } from "../chain/endpoint";
import * as random from "@pulumi/random";
import { computeAddress } from "ethers";
import type { ConsortiumConfig } from "../config";
import { AccountKey } from "../identity/accountKey";
import { createJob, createServices } from "../platform";
import type { ServiceSpec } from "../platform/workload";
import { BridgeContracts, BridgePreparation } from "./chainResources";
import type { BridgeConfig, BridgeSideConfig, ForeignConfig } from "./config";
import { bridgeContractsEnvironment } from "./contractsEnv";
import { BRIDGE_UI, UI_PORT, bridgeContractsJob, bridgeUi, validatorAgents } from "./workloads";

/**
 * The accounts of the bridge, made before the chains so that genesis can fund them: one key per
 * validator this stack runs, and the deployer that runs the contracts job on both chains (generated
 * for a local foreign chain; the funded `foreignDeployerKey` for an external one).
 */
export class BridgeKeys extends pulumi.ComponentResource {
    public readonly deployerKey: pulumi.Output<string>;
    public readonly deployer: pulumi.Output<string>;
    /** Every validator in the bridge's order: generated ones carry their key. */
    public readonly validators: readonly { readonly name: string; readonly address: pulumi.Output<string>; readonly key?: pulumi.Output<string> }[];
    /** What the home chain's genesis funds: every validator and the deployer. */
    public readonly homeGenesisAccounts: pulumi.Output<Record<string, string>>;
    /** What a local foreign chain's genesis funds: the deployer, which tops the validators up. */
    public readonly foreignGenesisAccounts: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: { readonly bridge: BridgeConfig; readonly foreign: ForeignConfig; readonly foreignDeployerKey?: pulumi.Output<string>; readonly protect: boolean }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:bridge:Keys", name, {}, opts);
        const { bridge } = args;
        if (args.foreign.kind === "local") {
            const deployer = new AccountKey(`${name}-deployer`, { protect: args.protect }, { parent: this });
            this.deployerKey = deployer.privateKey;
            this.deployer = deployer.address;
        } else {
            this.deployerKey = pulumi.secret(args.foreignDeployerKey!);
            this.deployer = pulumi.unsecret(args.foreignDeployerKey!.apply((key) => computeAddress(key)));
        }
        this.validators = bridge.validators.map((validator) => {
            if (validator.address) return { name: validator.name, address: pulumi.output(validator.address) };
            const key = new AccountKey(`${name}-${validator.name}`, { protect: args.protect }, { parent: this });
            return { name: validator.name, address: key.address, key: key.privateKey };
        });
        const everyone = pulumi.all([this.deployer, ...this.validators.map((validator) => validator.address)]);
        this.homeGenesisAccounts = everyone.apply((addresses) => Object.fromEntries(addresses.map((address) => [address, bridge.funding.home.toString()])));
        const deployerFunds = bridge.funding.foreign * BigInt(bridge.validators.length + 1);
        this.foreignGenesisAccounts = this.deployer.apply((address) => ({ [address]: deployerFunds.toString() }));
        this.registerOutputs({ deployer: this.deployer });
    }
}

/** A chain the bridge joins: how it is reached, and its name in the UI. */
export interface BridgeChain extends ChainEndpoint {
    readonly displayName: string;
}

export interface BridgeArgs {
    readonly config: ConsortiumConfig;
    readonly bridge: BridgeConfig;
    readonly prefix: string;
    readonly keys: BridgeKeys;
    readonly home: BridgeChain;
    readonly foreign: BridgeChain & { readonly token: pulumi.Input<string>; readonly local: boolean };
    /** Accounts whose home-to-foreign transfers the validators relay (permissioning); absent: everyone's. */
    readonly allowanceList?: readonly string[];
    /** What must exist before the bridge is deployed: both chains' nodes and the foreign RLC. */
    readonly after: readonly pulumi.Resource[];
}

export interface BridgeAddresses {
    readonly homeBridge: string;
    readonly foreignBridge: string;
    readonly erc677Token: string;
    readonly homeDeployedBlock: number;
    readonly foreignDeployedBlock: number;
}

/** What the oracle takes from one side's config. */
const oracleSide = (side: BridgeSideConfig) => ({
    pollingIntervalMs: side.pollingIntervalMs,
    gasPriceFallback: side.gasPrice,
    ...(side.blockRangeLimit ? { blockRangeLimit: side.blockRangeLimit } : {}),
    ...(side.gasPriceSupplier ? { gasPriceSupplier: side.gasPriceSupplier } : {}),
});

/**
 * The ERC_TO_ERC bridge: the deployer prepared on both chains, the official contracts job run once,
 * the contracts found and verified on chain, then each validator's agents and the UI.
 */
export class Bridge extends pulumi.ComponentResource {
    public readonly addresses: pulumi.Output<BridgeAddresses>;
    public readonly validators: pulumi.Output<{ name: string; address: string; runByThisStack: boolean }[]>;
    public readonly deployer: pulumi.Output<string>;
    public readonly uiUrl?: pulumi.Output<string>;

    constructor(name: string, args: BridgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:bridge:Bridge", name, {}, opts);
        const { bridge, config, keys, home, foreign } = args;
        const endpoint = (chain: BridgeChain) => {
            const value = pulumi
                .all([chain.program.url, chain.program.credentials])
                .apply(([rpcUrl, credentials]) => ({ rpcUrl, chainId: chain.chainId, ...(credentials ? { credentials } : {}) }));
            return chain.program.credentials ? pulumi.secret(value) : value;
        };
        const endpoints = { home: endpoint(home), foreign: endpoint(foreign) };
        const dockerNetworks = [home.dockerNetwork, foreign.dockerNetwork].filter((network): network is pulumi.Input<string> => network !== undefined);
        const { deployment } = bridge;
        const validatorAddresses = pulumi.all(keys.validators.map((validator) => validator.address));
        const expected = pulumi
            .all([pulumi.output(foreign.token), validatorAddresses])
            .apply(([foreignToken, validators]) => ({ validators, requiredSignatures: bridge.requiredSignatures, foreignToken, decimals: bridge.token.decimals }));

        const preparation = new BridgePreparation(
            `${name}-preparation`,
            {
                ...endpoints,
                deployerKey: keys.deployerKey,
                foreignTopUps: foreign.local
                    ? validatorAddresses.apply((addresses) => addresses.map((address) => ({ address, amount: bridge.funding.foreign.toString() })))
                    : [],
                expected,
                attempt: deployment.attempt,
                readinessTimeoutSeconds: bridge.readinessTimeoutSeconds,
            },
            { parent: this, dependsOn: [...args.after] },
        );

        const owner = bridge.owner ? pulumi.output(bridge.owner) : keys.deployer;
        const environment = pulumi
            .all([owner, pulumi.output(foreign.token), validatorAddresses])
            .apply(([ownerAddress, token, validators]) =>
                bridgeContractsEnvironment({
                    home: { rpcUrl: home.internalUrl, gasPrice: bridge.home.gasPrice, deploymentGasPrice: deployment.homeGasPrice, requiredBlockConfirmations: bridge.home.confirmations, limits: bridge.home, owner: ownerAddress },
                    foreign: { rpcUrl: foreign.internalUrl, gasPrice: bridge.foreign.gasPrice, deploymentGasPrice: deployment.foreignGasPrice, requiredBlockConfirmations: bridge.foreign.confirmations, limits: bridge.foreign, owner: ownerAddress },
                    foreignToken: token,
                    bridgeableToken: bridge.token,
                    validators,
                    requiredSignatures: bridge.requiredSignatures,
                    gasLimitExtra: deployment.gasLimitExtra,
                    receiptIntervalMs: deployment.receiptIntervalMs,
                }),
            );
        const jobSpec = bridgeContractsJob(bridge.images.contracts, environment, keys.deployerKey, [home.reach, foreign.reach], deployment);
        const job = createJob(
            `${name}-job`,
            config,
            // The platform's deadline comes a minute after the job's own `timeout`, which reports itself.
            { prefix: args.prefix, job: jobSpec, timeoutMinutes: Math.ceil(deployment.timeoutSeconds / 60) + 1, dockerNetworks },
            { parent: this, dependsOn: [preparation] },
        );

        const contracts = new BridgeContracts(
            `${name}-contracts`,
            {
                ...endpoints,
                deployer: preparation.deployer,
                homeNonceFrom: preparation.homeNonce,
                foreignNonceFrom: preparation.foreignNonce,
                expected,
                attempt: deployment.attempt,
                job: pulumi.all([job.output, job.exitCode]).apply(([output, exitCode]) => ({ name: job.objectName, output: output ?? "", ...(exitCode === undefined ? {} : { exitCode }) })),
            },
            { parent: this, dependsOn: [job.completed] },
        );
        this.addresses = pulumi
            .all([contracts.homeBridge, contracts.foreignBridge, contracts.erc677Token, contracts.homeDeployedBlock, contracts.foreignDeployedBlock])
            .apply(([homeBridge, foreignBridge, erc677Token, homeDeployedBlock, foreignDeployedBlock]) => ({ homeBridge, foreignBridge, erc677Token, homeDeployedBlock, foreignDeployedBlock }));

        const oracleSettings = this.addresses.apply((addresses) => ({
            home: { ...oracleSide(bridge.home), rpcUrl: home.internalUrl, bridge: addresses.homeBridge, startBlock: addresses.homeDeployedBlock },
            foreign: { ...oracleSide(bridge.foreign), rpcUrl: foreign.internalUrl, bridge: addresses.foreignBridge, startBlock: addresses.foreignDeployedBlock },
            logLevel: "info" as const,
        }));
        const services: ServiceSpec[] = keys.validators.flatMap((validator) =>
            validator.key
                ? validatorAgents({
                      validator: validator.name,
                      address: validator.address,
                      key: validator.key,
                      // Alphanumeric: they are placed in URLs and configuration files as they are.
                      queuePassword: new random.RandomPassword(`${name}-${validator.name}-queue-password`, { length: 32, special: false }, { parent: this }).result,
                      redisPassword: new random.RandomPassword(`${name}-${validator.name}-redis-password`, { length: 32, special: false }, { parent: this }).result,
                      images: bridge.images,
                      settings: oracleSettings,
                      chains: [home.reach, foreign.reach],
                      ...(args.allowanceList ? { allowanceList: args.allowanceList } : {}),
                  })
                : [],
        );
        if (bridge.ui) {
            services.push(
                bridgeUi({
                    image: bridge.ui.image,
                    title: bridge.ui.title,
                    hostPort: bridge.ui.hostPort,
                    bindAddress: config.rpc.docker.bindAddress,
                    ...(bridge.ui.ingressHost ? { ingressHost: bridge.ui.ingressHost } : {}),
                    tokenSymbol: bridge.token.symbol,
                    homeName: home.displayName,
                    foreignName: foreign.displayName,
                    homeRpcUrl: home.publicUrl,
                    foreignRpcUrl: foreign.publicUrl,
                    homeBridge: contracts.homeBridge,
                    foreignBridge: contracts.foreignBridge,
                    homeGas: bridge.home,
                    foreignGas: bridge.foreign,
                }),
            );
            const host = config.rpc.docker.bindAddress === "0.0.0.0" ? "localhost" : config.rpc.docker.bindAddress;
            this.uiUrl = pulumi.output(
                bridge.ui.ingressHost ? `https://${bridge.ui.ingressHost}` : config.platform === "docker" ? `http://${host}:${bridge.ui.hostPort}` : `http://${BRIDGE_UI}.${config.kubernetes!.namespace}.svc:${UI_PORT}`,
            );
        }
        createServices(`${name}-agents`, config, { prefix: args.prefix, services, protect: config.protect, dockerNetworks }, { parent: this, dependsOn: [contracts] });

        this.deployer = keys.deployer;
        this.validators = pulumi.all(
            keys.validators.map((validator) => validator.address.apply((address) => ({ name: validator.name, address, runByThisStack: validator.key !== undefined }))),
        );
        this.registerOutputs({ addresses: this.addresses, validators: this.validators, deployer: this.deployer, ...(this.uiUrl ? { uiUrl: this.uiUrl } : {}) });
    }
}
