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

/** What the bridge is initialised with (engine.ts); addresses checksummed. */
export type ExpectedBridgeInputs = import("./engine").ExpectedBridge;

export interface PreparationInputs {
    readonly home: Endpoint;
    readonly foreign: Endpoint;
    /** 0x-prefixed (secret). */
    readonly deployerKey: string;
    /** Wei as decimal strings. */
    readonly foreignTopUps: readonly { readonly address: string; readonly amount: string }[];
    readonly expected: ExpectedBridgeInputs;
    /** bridge.deployment.attempt: the run of the contracts job this preparation is for. */
    readonly attempt: number;
    readonly readinessTimeoutSeconds: number;
}

interface PreparationOutputs extends PreparationInputs {
    readonly deployer: string;
    readonly homeNonce: number;
    readonly foreignNonce: number;
    /** Accounts already topped up: each is topped up once, never refilled by a later update. */
    readonly toppedUp?: readonly string[];
}

async function prepare(inputs: PreparationInputs, alreadyToppedUp: readonly string[], beforeJob: boolean, rerunFrom?: { homeNonce: number; foreignNonce: number }) {
    const engine = loadProjectModule<Engine>("components/bridge/engine");
    const done = new Set(alreadyToppedUp.map((address) => address.toLowerCase()));
    const preparation = await engine.prepareBridgeDeployment({
        home: inputs.home,
        foreign: inputs.foreign,
        deployerKey: inputs.deployerKey,
        foreignTopUps: inputs.foreignTopUps.filter((topUp) => !done.has(topUp.address.toLowerCase())).map((topUp) => ({ address: topUp.address, amount: BigInt(topUp.amount) })),
        expected: inputs.expected,
        beforeJob,
        ...(rerunFrom ? { rerunFrom } : {}),
        readinessTimeoutMs: inputs.readinessTimeoutSeconds * 1000,
        log: (message) => console.log(message),
    });
    const toppedUp = [...new Set([...alreadyToppedUp, ...inputs.foreignTopUps.map((topUp) => topUp.address)])];
    return { ...preparation, toppedUp };
}

/** A lower attempt would name the first job again, which would run again with no check over a bridge in use. */
function loweredAttempt(before: number | undefined, after: number): string | undefined {
    if (before === undefined || after >= before) return undefined;
    return `consortium:bridge.deployment.attempt went from ${before} to ${after}: it only grows (each value is one run of the contracts job)`;
}

export const BRIDGE_PREPARATION_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<PreparationInputs> | undefined, news: PreparationInputs) {
        // Pulumi gives check the previous inputs; attempt is one (absent before it existed: the first run).
        const failure = loweredAttempt(olds?.attempt, news.attempt);
        return failure ? { inputs: news, failures: [{ property: "attempt", reason: failure }] } : { inputs: news };
    },
    async diff(_id: string, olds: PreparationOutputs, news: PreparationInputs) {
        // New validators are topped up; a raised attempt is checked before the job runs again; the recorded nonces never
        // move. What the bridge is expected to be matters only then, so a change of it alone is no update.
        const changes = JSON.stringify(olds.foreignTopUps) !== JSON.stringify(news.foreignTopUps) || (olds.attempt ?? 1) !== news.attempt;
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: PreparationInputs) {
        const preparation = await prepare(inputs, [], true);
        return { id: preparation.deployer, outs: { ...inputs, ...preparation } };
    },
    async update(_id: string, olds: PreparationOutputs, news: PreparationInputs) {
        const lowered = loweredAttempt(olds.attempt ?? 1, news.attempt);
        if (lowered) throw new Error(lowered);
        // A stack made before the record of top-ups: its validators were all topped up by its first run.
        const alreadyToppedUp = olds.toppedUp ?? olds.foreignTopUps.map((topUp) => topUp.address);
        const rerun = news.attempt > (olds.attempt ?? 1) ? { homeNonce: olds.homeNonce, foreignNonce: olds.foreignNonce } : undefined;
        const preparation = await prepare(news, alreadyToppedUp, rerun !== undefined, rerun);
        return { outs: { ...news, deployer: olds.deployer, homeNonce: olds.homeNonce, foreignNonce: olds.foreignNonce, toppedUp: preparation.toppedUp } };
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
            { ...args, deployerKey: pulumi.secret(args.deployerKey), deployer: undefined, homeNonce: undefined, foreignNonce: undefined, toppedUp: undefined },
            { ...opts, additionalSecretOutputs: ["deployerKey"] },
        );
    }
}

/** One run of the contracts job, as the platform returned it. */
export interface JobRun {
    /** The job's container or Job name. */
    readonly name: string;
    /** Its output where the platform returns it (Docker); empty on Kubernetes. */
    readonly output: string;
    /** Its exit code where the platform returns it (Docker). */
    readonly exitCode?: number;
}

export interface BridgeContractsInputs {
    readonly home: Endpoint;
    readonly foreign: Endpoint;
    readonly deployer: string;
    readonly homeNonceFrom: number;
    readonly foreignNonceFrom: number;
    readonly expected: ExpectedBridgeInputs;
    /** bridge.deployment.attempt: a raised one means the job ran again, and the bridge is found again. */
    readonly attempt: number;
    readonly job: JobRun;
}

type BridgeContractsOutputs = BridgeContractsInputs & Awaited<ReturnType<Engine["findBridgeContracts"]>>;

const TAIL_LINES = 30;

/** Why the job's run gives no bridge, or undefined: a non-zero exit code, or no results in its output. */
export function jobFailure(job: JobRun): string | undefined {
    if (job.output === PREVIEW_UNKNOWN) return undefined;
    const tail = () => job.output.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
    if (job.exitCode !== undefined && job.exitCode !== 0) return `the bridge contracts job ${job.name} exited with code ${job.exitCode}; its last lines:\n${tail()}`;
    if (!job.output) return undefined;
    try {
        loadProjectModule<Results>("components/bridge/results").parseBridgeDeploymentResults(job.output);
        return undefined;
    } catch (error) {
        return `${(error as Error).message}; the last lines of ${job.name}:\n${tail()}`;
    }
}

async function find(inputs: BridgeContractsInputs) {
    const reported = inputs.job.output ? loadProjectModule<Results>("components/bridge/results").parseBridgeDeploymentResults(inputs.job.output) : undefined;
    return loadProjectModule<Engine>("components/bridge/engine").findBridgeContracts({
        home: inputs.home,
        foreign: inputs.foreign,
        deployer: inputs.deployer,
        homeNonceFrom: inputs.homeNonceFrom,
        foreignNonceFrom: inputs.foreignNonceFrom,
        expected: inputs.expected,
        ...(reported ? { reported } : {}),
        log: (message) => console.log(message),
    });
}

export const BRIDGE_CONTRACTS_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async check(_olds: BridgeContractsInputs, news: BridgeContractsInputs) {
        const failure = jobFailure(news.job);
        return failure ? { inputs: news, failures: [{ property: "job", reason: failure }] } : { inputs: news };
    },
    async diff(_id: string, olds: BridgeContractsOutputs, news: BridgeContractsInputs) {
        // Found once; the bridge stays where it was deployed, until the job runs again (a raised attempt).
        return { changes: (olds.attempt ?? 1) !== news.attempt };
    },
    async create(inputs: BridgeContractsInputs) {
        const found = await find(inputs);
        return { id: `${found.homeBridge}-${found.foreignBridge}`, outs: { ...inputs, ...found } };
    },
    async update(_id: string, _olds: BridgeContractsOutputs, news: BridgeContractsInputs) {
        return { outs: { ...news, ...(await find(news)) } };
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
