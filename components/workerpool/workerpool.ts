import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ChainEndpoint } from "../chain/endpoint";
import type { ConsortiumConfig } from "../config";
import { AccountKey } from "../identity/accountKey";
import { encryptKeystoreV3 } from "../identity/keys";
import { createServices } from "../platform";
import type { PocoAddresses } from "../poco/plan";
import type { WorkerpoolConfig } from "./config";
import type { PublishedOrder } from "./engine";
import { pocoDomain, type Eip712Domain } from "./orders";
import { WorkerpoolSetup } from "./workerpoolSetup";
import { CORE, IPFS, PORTS, RESULT_PROXY, workerpoolServices, type Wallet } from "./workloads";

/** A wallet the middleware loads: the account's key, and its V3 keystore encrypted with a generated password (secrets). */
class MiddlewareWallet extends pulumi.ComponentResource {
    public readonly address: pulumi.Output<string>;
    public readonly privateKey: pulumi.Output<string>;
    public readonly wallet: Wallet;

    constructor(name: string, args: { readonly passwordLength: number; readonly protect: boolean }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:workerpool:Wallet", name, {}, opts);
        const key = new AccountKey(`${name}-account`, { protect: args.protect }, { parent: this });
        // Alphanumeric: it is written into a Spring YAML file as it is.
        const password = pulumi.secret(new random.RandomPassword(`${name}-keystore-password`, { length: args.passwordLength, special: false }, { parent: this }).result);
        this.address = key.address;
        this.privateKey = key.privateKey;
        this.wallet = { keystoreJson: pulumi.secret(pulumi.all([key.privateKey, password]).apply(([privateKey, text]) => encryptKeystoreV3(privateKey, text))), password };
        this.registerOutputs({ address: this.address });
    }
}

/**
 * The workerpool's accounts, made before the chain's services so that the permissions give them the transactor role:
 * the scheduler (the workerpool's owner) and one account per worker.
 */
export class WorkerpoolKeys extends pulumi.ComponentResource {
    public readonly scheduler: MiddlewareWallet;
    public readonly workers: readonly { readonly name: string; readonly key: MiddlewareWallet }[];
    /** Every account that sends transactions: the scheduler, then the workers. */
    public readonly addresses: pulumi.Output<string[]>;

    constructor(name: string, args: { readonly workerpool: WorkerpoolConfig; readonly passwordLength: number; readonly protect: boolean }, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:workerpool:Keys", name, {}, opts);
        const keyArgs = { passwordLength: args.passwordLength, protect: args.protect };
        this.scheduler = new MiddlewareWallet(`${name}-scheduler`, keyArgs, { parent: this });
        this.workers = args.workerpool.workers.map((worker) => ({ name: worker.name, key: new MiddlewareWallet(`${name}-${worker.name}`, keyArgs, { parent: this }) }));
        this.addresses = pulumi.all([this.scheduler.address, ...this.workers.map((worker) => worker.key.address)]);
        this.registerOutputs({ addresses: this.addresses });
    }
}

export interface WorkerpoolArgs {
    readonly config: ConsortiumConfig;
    readonly workerpool: WorkerpoolConfig;
    readonly prefix: string;
    readonly keys: WorkerpoolKeys;
    readonly chain: ChainEndpoint;
    readonly poco: { readonly addresses: pulumi.Output<PocoAddresses>; readonly deploymentBlock: pulumi.Output<number> };
    /** The PoCo admin's key: it funds the accounts and creates the workerpool. */
    readonly adminKey: pulumi.Input<string>;
    /** What must exist first: PoCo, and the permissions that let the accounts transact. */
    readonly after: readonly pulumi.Resource[];
}

/** The chain entry a member pastes into the iExec SDK's chain.json (SDK 9 schema: id, host, hub, ...). */
export interface SdkChain {
    readonly id: string;
    readonly host: string;
    readonly hub: string;
}

/**
 * The iExec workerpool: registered on chain at its predicted address, owned by the scheduler, its accounts funded and
 * its orders presigned and broadcast; then its services on the stack's platform, reaching the chain through its
 * internal endpoint (the middleware's web3j sends no credentials).
 */
export class Workerpool extends pulumi.ComponentResource {
    public readonly address: pulumi.Output<string>;
    public readonly scheduler: pulumi.Output<string>;
    public readonly workers: pulumi.Output<{ name: string; address: string; org?: string }[]>;
    public readonly orders: pulumi.Output<PublishedOrder[]>;
    public readonly coreUrl: string;
    public readonly resultProxyUrl: string;
    public readonly ipfsGatewayUrl: string;
    /** The typed-data domain requesters sign their orders under. */
    public readonly domain: pulumi.Output<Eip712Domain>;
    public readonly sdkChain: pulumi.Output<SdkChain>;

    constructor(name: string, args: WorkerpoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:workerpool:Workerpool", name, {}, opts);
        const { workerpool, keys, chain, config } = args;
        const hub = args.poco.addresses.apply((addresses) => addresses.diamond);
        const setup = this.createSetup(name, args, hub);
        this.createServices(name, args, hub, setup);

        this.address = setup.workerpool;
        this.scheduler = keys.scheduler.address;
        this.workers = pulumi.all(
            keys.workers.map((worker) => {
                const org = workerpool.workers.find((entry) => entry.name === worker.name)?.org;
                return worker.key.address.apply((address) => ({ name: worker.name, address, ...(org ? { org } : {}) }));
            }),
        );
        this.orders = setup.published;
        const host = (service: string, port: number) => `http://${config.platform === "kubernetes" ? `${service}.${config.kubernetes!.namespace}.svc` : service}:${port}`;
        this.coreUrl = host(CORE, PORTS.core);
        this.resultProxyUrl = host(RESULT_PROXY, PORTS.resultProxy);
        this.ipfsGatewayUrl = host(IPFS, PORTS.ipfsGateway);
        this.domain = hub.apply((address) => pocoDomain(chain.chainId, address));
        this.sdkChain = pulumi.all([hub, chain.publicUrl]).apply(([address, publicUrl]) => ({ id: String(chain.chainId), host: publicUrl, hub: address }));
        this.registerOutputs({ address: this.address, scheduler: this.scheduler, workers: this.workers, orders: this.orders, sdkChain: this.sdkChain });
    }

    /** The workerpool on chain: created, funded, its orders published; after PoCo and the roles. */
    private createSetup(name: string, args: WorkerpoolArgs, hub: pulumi.Output<string>): WorkerpoolSetup {
        const { workerpool, keys, chain } = args;
        const { orders } = workerpool;
        return new WorkerpoolSetup(
            `${name}-setup`,
            {
                rpcUrl: chain.program.url,
                chainId: chain.chainId,
                ...(chain.program.credentials ? { rpcCredentials: chain.program.credentials } : {}),
                hub,
                workerpoolRegistry: args.poco.addresses.apply((addresses) => addresses.registries.workerpools),
                pocoDeploymentBlock: args.poco.deploymentBlock,
                adminKey: args.adminKey,
                ownerKey: keys.scheduler.privateKey,
                scheduler: keys.scheduler.address,
                description: workerpool.description,
                workers: keys.workers.map((worker) => worker.key.address),
                funding: workerpool.funding.toString(),
                stakes: { scheduler: workerpool.stakes.scheduler.toString(), worker: workerpool.stakes.worker.toString() },
                orders: orders.categories.map((category) => ({
                    category,
                    price: orders.price.toString(),
                    volume: String(orders.volume),
                    trust: orders.trust,
                    ...(orders.requesterRestrict ? { requesterRestrict: orders.requesterRestrict } : {}),
                })),
                readinessTimeoutSeconds: workerpool.readinessTimeoutSeconds,
            },
            { parent: this, dependsOn: [...args.after] },
        );
    }

    /** The middleware on the stack's platform, once the workerpool exists (the core and workers need its address). */
    private createServices(name: string, args: WorkerpoolArgs, hub: pulumi.Output<string>, setup: WorkerpoolSetup): void {
        const { workerpool, keys, chain, config } = args;
        const adapterPassword = pulumi.secret(new random.RandomPassword(`${name}-adapter-password`, { length: 32, special: false }, { parent: this }).result);
        const services = workerpoolServices({
            config: workerpool,
            prefix: args.prefix,
            chainId: chain.chainId,
            stepDuration: config.chain.stepDuration,
            chainNodeUrl: chain.internalUrl,
            chainReach: chain.reach,
            hub,
            workerpool: setup.workerpool,
            startBlock: setup.creationBlock,
            scheduler: keys.scheduler.wallet,
            workers: keys.workers.map((worker) => ({ config: workerpool.workers.find((entry) => entry.name === worker.name)!, address: worker.key.address, wallet: worker.key.wallet })),
            adapterPassword,
        });
        createServices(`${name}-services`, config, { prefix: args.prefix, services, protect: config.protect, dockerNetworks: chain.dockerNetwork ? [chain.dockerNetwork] : [] }, { parent: this, dependsOn: [setup] });
    }
}
