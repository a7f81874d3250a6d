import * as pulumi from "@pulumi/pulumi";
import type { RpcCredentials } from "../chain/rpc";
import { loadProjectModule } from "../projectModule";
import type { PermissionsState, SyncOptions } from "./sync";

/**
 * The consortium's transaction permissions as a dynamic resource: a change of roles in the config is
 * an update in the preview, and `pulumi up` sends the operator's transactions (`sync.ts`). The on-chain
 * state is read before anything is sent, so an update with nothing left to change sends nothing.
 */

/** The engine's options as resource inputs: plain values, the timeout in seconds. */
export interface TxPermissionsInputs extends Omit<SyncOptions, "readinessTimeoutMs" | "log"> {
    readonly readinessTimeoutSeconds: number;
}

interface TxPermissionsOutputs extends TxPermissionsInputs {
    /** The roles on chain after the last run. */
    readonly onChain: PermissionsState;
    readonly transactionsSent: number;
}

async function apply(inputs: TxPermissionsInputs): Promise<TxPermissionsOutputs> {
    const engine = loadProjectModule<typeof import("./sync")>("components/permissioning/sync");
    const { readinessTimeoutSeconds, ...options } = inputs;
    const result = await engine.syncPermissions({ ...options, readinessTimeoutMs: readinessTimeoutSeconds * 1000, log: (message) => console.log(message) });
    return { ...inputs, onChain: result.state, transactionsSent: result.transactions };
}

export const TX_PERMISSIONS_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: TxPermissionsOutputs, news: TxPermissionsInputs) {
        // Only the wanted permissions matter; a moved endpoint has nothing to send.
        return { changes: JSON.stringify(olds.desired) !== JSON.stringify(news.desired), replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: TxPermissionsInputs) {
        return { id: inputs.contract, outs: await apply(inputs) };
    },
    async update(_id: string, _olds: TxPermissionsOutputs, news: TxPermissionsInputs) {
        return { outs: await apply(news) };
    },
    async delete() {
        // The contract is part of genesis; roles stay as they are when the stack stops managing them.
    },
};

export interface TxPermissionsArgs {
    readonly rpcUrl: pulumi.Input<string>;
    readonly rpcCredentials?: pulumi.Input<RpcCredentials>;
    readonly chainId: number;
    readonly contract: string;
    readonly operatorKey: pulumi.Input<string>;
    readonly desired: pulumi.Input<PermissionsState>;
    readonly readinessTimeoutSeconds: number;
}

/** The roles and the open flag of the genesis transaction-permission contract, kept equal to the config. */
export class TxPermissions extends pulumi.dynamic.Resource {
    declare public readonly onChain: pulumi.Output<PermissionsState>;
    declare public readonly transactionsSent: pulumi.Output<number>;

    constructor(name: string, args: TxPermissionsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            TX_PERMISSIONS_PROVIDER,
            name,
            {
                rpcUrl: args.rpcUrl,
                rpcCredentials: args.rpcCredentials ? pulumi.secret(args.rpcCredentials) : undefined,
                chainId: args.chainId,
                contract: args.contract,
                operatorKey: pulumi.secret(args.operatorKey),
                desired: args.desired,
                readinessTimeoutSeconds: args.readinessTimeoutSeconds,
                onChain: undefined,
                transactionsSent: undefined,
            },
            { ...opts, additionalSecretOutputs: ["operatorKey", "rpcCredentials"] },
        );
    }
}
