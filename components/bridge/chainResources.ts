import * as pulumi from "@pulumi/pulumi";
import type { RpcCredentials } from "../chain/rpc";
import { PREVIEW_UNKNOWN } from "../previewUnknown";
import { loadProjectModule } from "../projectModule";

/**
 * The two chain-side steps around the bridge contracts job, as dynamic resources running the engine
 * (`engine.ts`): the preparation (readiness, funds, top-ups, the deployer's nonces before the job)
 * and the bridge contracts themselves (found and verified on chain after the job).
 */

type Engine = typeof import("./engine");
type Results = typeof import("./results");

export interface Endpoint {
    readonly rpcUrl: string;
    readonly chainId: number;
    /** The program's RPC gateway credentials (secret). */
    readonly credentials?: RpcCredentials;
}

export interface PreparationInputs {
    readonly home: Endpoint;
    readonly foreign: Endpoint;
    /** 0x-prefixed (secret). */
    readonly deployerKey: string;
    /** Wei as decimal strings. */
    readonly foreignTopUps: readonly { readonly address: string; readonly amount: string }[];
    readonly readinessTimeoutSeconds: number;
}

interface PreparationOutputs extends PreparationInputs {
    readonly deployer: string;
    readonly homeNonce: number;
    readonly foreignNonce: number;
}

async function prepare(inputs: PreparationInputs) {
    const engine = loadProjectModule<Engine>("components/bridge/engine");
    return engine.prepareBridgeDeployment({
        home: inputs.home,
        foreign: inputs.foreign,
        deployerKey: inputs.deployerKey,
        foreignTopUps: inputs.foreignTopUps.map((topUp) => ({ address: topUp.address, amount: BigInt(topUp.amount) })),
        readinessTimeoutMs: inputs.readinessTimeoutSeconds * 1000,
        log: (message) => console.log(message),
    });
}

export const BRIDGE_PREPARATION_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: PreparationOutputs, news: PreparationInputs) {
        // New validators are topped up; the recorded nonces never move once the job has run from them.
        return { changes: JSON.stringify(olds.foreignTopUps) !== JSON.stringify(news.foreignTopUps), replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: PreparationInputs) {
        const preparation = await prepare(inputs);
        return { id: preparation.deployer, outs: { ...inputs, ...preparation } };
    },
    async update(_id: string, olds: PreparationOutputs, news: PreparationInputs) {
        await prepare(news);
        return { outs: { ...news, deployer: olds.deployer, homeNonce: olds.homeNonce, foreignNonce: olds.foreignNonce } };
    },
    async delete() {
        // Nothing to undo on chain.
    },
};

export class BridgePreparation extends pulumi.dynamic.Resource {
    declare public readonly deployer: pulumi.Output<string>;
    declare public readonly homeNonce: pulumi.Output<number>;
    declare public readonly foreignNonce: pulumi.Output<number>;

    constructor(name: string, args: { [K in keyof PreparationInputs]: pulumi.Input<PreparationInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(
            BRIDGE_PREPARATION_PROVIDER,
            name,
            { ...args, deployerKey: pulumi.secret(args.deployerKey), deployer: undefined, homeNonce: undefined, foreignNonce: undefined },
            { ...opts, additionalSecretOutputs: ["deployerKey"] },
        );
    }
}

export interface BridgeContractsInputs {
    readonly home: Endpoint;
    readonly foreign: Endpoint;
    readonly deployer: string;
    readonly homeNonceFrom: number;
    readonly foreignNonceFrom: number;
    readonly foreignToken: string;
    /** The job's output where the platform returns it (Docker); empty on Kubernetes. */
    readonly jobOutput: string;
}


export const BRIDGE_CONTRACTS_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async check(_olds: BridgeContractsInputs, news: BridgeContractsInputs) {
        if (!news.jobOutput || news.jobOutput === PREVIEW_UNKNOWN) return { inputs: news };
        try {
            loadProjectModule<Results>("components/bridge/results").parseBridgeDeploymentResults(news.jobOutput);
            return { inputs: news };
        } catch (error) {
            const tail = news.jobOutput.split("\n").slice(-30).join("\n");
            return { inputs: news, failures: [{ property: "jobOutput", reason: `${(error as Error).message}; the job's last lines:\n${tail}` }] };
        }
    },
    async diff() {
        // Found once; the bridge stays where it was deployed.
        return { changes: false };
    },
    async create(inputs: BridgeContractsInputs) {
        const reported = inputs.jobOutput ? loadProjectModule<Results>("components/bridge/results").parseBridgeDeploymentResults(inputs.jobOutput) : undefined;
        const found = await loadProjectModule<Engine>("components/bridge/engine").findBridgeContracts({ ...inputs, ...(reported ? { reported } : {}) });
        return { id: `${found.homeBridge}-${found.foreignBridge}`, outs: { ...inputs, ...found } };
    },
    async delete() {
        // Contracts cannot be removed from a chain; they stay, unowned by this stack.
    },
};

export class BridgeContracts extends pulumi.dynamic.Resource {
    declare public readonly homeBridge: pulumi.Output<string>;
    declare public readonly homeDeployedBlock: pulumi.Output<number>;
    declare public readonly erc677Token: pulumi.Output<string>;
    declare public readonly foreignBridge: pulumi.Output<string>;
    declare public readonly foreignDeployedBlock: pulumi.Output<number>;

    constructor(name: string, args: { [K in keyof BridgeContractsInputs]: pulumi.Input<BridgeContractsInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
        super(
            BRIDGE_CONTRACTS_PROVIDER,
            name,
            { ...args, homeBridge: undefined, homeDeployedBlock: undefined, erc677Token: undefined, foreignBridge: undefined, foreignDeployedBlock: undefined },
            opts,
        );
    }
}
