import * as pulumi from "@pulumi/pulumi";
import type { RpcCredentials } from "../chain/rpc";
import { loadProjectModule } from "../projectModule";
import type { OrderTerms } from "./orders";

/**
 * The workerpool on chain as part of `pulumi up`: a dynamic resource running the set-up engine (`engine.ts`) on create
 * and on every update whose terms changed. The engine reads the chain first, so a re-run after an interruption sends
 * only what is missing. A workerpool cannot be deleted: deleting the resource leaves it, and its orders, on chain.
 */

type Engine = typeof import("./engine");
type PublishedOrder = import("./engine").PublishedOrder;

/** What the engine is given as it is: the contracts, the keys (secrets), the accounts and the orders' terms. */
type SetupTerms = Pick<
    import("./engine").WorkerpoolSetupOptions,
    "hub" | "workerpoolRegistry" | "pocoDeploymentBlock" | "adminKey" | "ownerKey" | "description" | "workers" | "funding" | "stakes" | "orders"
>;

export interface WorkerpoolSetupInputs extends SetupTerms {
    /** The scheduler's address (ownerKey's, in plain): another scheduler is another workerpool. */
    readonly scheduler: string;
    readonly rpcUrl: string;
    readonly chainId: number;
    /** The program's RPC gateway credentials (secret). */
    readonly rpcCredentials?: RpcCredentials;
    readonly readinessTimeoutSeconds: number;
}

export interface WorkerpoolSetupOutputs extends WorkerpoolSetupInputs {
    readonly workerpool: string;
    readonly owner: string;
    readonly creationBlock: number;
    readonly published: PublishedOrder[];
}

/** What, changed, makes the set-up run again (the endpoint and the keys' encryption in state do not). */
const TERMS: readonly (keyof WorkerpoolSetupInputs)[] = ["hub", "workerpoolRegistry", "scheduler", "description", "workers", "funding", "stakes", "orders"];

async function apply(inputs: WorkerpoolSetupInputs, previous: readonly PublishedOrder[] | undefined): Promise<WorkerpoolSetupOutputs> {
    const engine = loadProjectModule<Engine>("components/workerpool/engine");
    const { rpcUrl, chainId, rpcCredentials, readinessTimeoutSeconds, scheduler: _scheduler, ...terms } = inputs;
    const result = await engine.setUpWorkerpool({
        ...terms,
        chain: { rpcUrl, chainId, ...(rpcCredentials ? { credentials: rpcCredentials } : {}) },
        ...(previous ? { previous } : {}),
        readinessTimeoutMs: readinessTimeoutSeconds * 1000,
        log: (message) => console.log(message),
    });
    return { ...inputs, workerpool: result.workerpool, owner: result.owner, creationBlock: result.creationBlock, published: result.orders };
}

export const WORKERPOOL_SETUP_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: WorkerpoolSetupOutputs, news: WorkerpoolSetupInputs) {
        // Another description is another workerpool (its address comes from owner and description), still an update: the
        // update closes the previous workerpool's orders, which a replacement would not know.
        return { changes: TERMS.some((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key])), replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: WorkerpoolSetupInputs) {
        const outs = await apply(inputs, undefined);
        return { id: outs.workerpool, outs };
    },
    async update(_id: string, olds: WorkerpoolSetupOutputs, news: WorkerpoolSetupInputs) {
        return { outs: await apply(news, olds.published) };
    },
    async delete() {
        // A workerpool cannot be removed from the chain; it stays, with its orders, unowned by this stack.
    },
};

export interface WorkerpoolSetupArgs {
    readonly rpcUrl: pulumi.Input<string>;
    readonly chainId: number;
    readonly rpcCredentials?: pulumi.Input<RpcCredentials>;
    readonly hub: pulumi.Input<string>;
    readonly workerpoolRegistry: pulumi.Input<string>;
    readonly pocoDeploymentBlock: pulumi.Input<number>;
    readonly adminKey: pulumi.Input<string>;
    readonly ownerKey: pulumi.Input<string>;
    readonly scheduler: pulumi.Input<string>;
    readonly description: string;
    readonly workers: pulumi.Input<pulumi.Input<string>[]>;
    readonly funding: string;
    readonly stakes: { readonly scheduler: string; readonly worker: string };
    readonly orders: readonly OrderTerms[];
    readonly readinessTimeoutSeconds: number;
}

/** The workerpool registered, funded and its orders published (a `pulumi-nodejs:dynamic:Resource`). */
export class WorkerpoolSetup extends pulumi.dynamic.Resource {
    declare public readonly workerpool: pulumi.Output<string>;
    declare public readonly owner: pulumi.Output<string>;
    declare public readonly creationBlock: pulumi.Output<number>;
    declare public readonly published: pulumi.Output<PublishedOrder[]>;

    constructor(name: string, args: WorkerpoolSetupArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            WORKERPOOL_SETUP_PROVIDER,
            name,
            {
                ...args,
                rpcCredentials: args.rpcCredentials ? pulumi.secret(args.rpcCredentials) : undefined,
                adminKey: pulumi.secret(args.adminKey),
                ownerKey: pulumi.secret(args.ownerKey),
                orders: args.orders.map((terms) => ({ ...terms })),
                workerpool: undefined,
                owner: undefined,
                creationBlock: undefined,
                published: undefined,
            },
            { ...opts, additionalSecretOutputs: ["adminKey", "ownerKey", "rpcCredentials"] },
        );
    }
}
