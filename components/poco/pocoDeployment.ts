import * as pulumi from "@pulumi/pulumi";
import type { RpcCredentials } from "../chain/rpc";
import { PREVIEW_UNKNOWN } from "../previewUnknown";
import { loadProjectModule } from "../projectModule";
import type { PocoConfig } from "./config";
import { layout, type PocoAddresses, type PocoPlanInput } from "./plan";

/**
 * RLC and PoCo on the home chain as part of `pulumi up`. A dynamic resource runs the deployment
 * engine (`deploy.ts`) against the chain's RPC endpoint: on create and on every update whose plan
 * changed. The engine itself is idempotent, so a re-run after an interruption completes what is
 * missing. Contracts cannot be deleted; deleting the resource leaves them on chain.
 */

export interface PocoContractsInputs {
    readonly rpcUrl: string;
    /** The program's RPC gateway credentials (secret), when RPC is behind the gateway. */
    readonly rpcCredentials?: RpcCredentials;
    readonly plan: PocoPlanInput;
    /** 0x-prefixed private key of plan.admin (secret). */
    readonly adminKey: string;
    readonly readinessTimeoutSeconds: number;
}

interface PocoContractsOutputs {
    readonly rpcUrl: string;
    readonly plan: PocoPlanInput;
    readonly readinessTimeoutSeconds: number;
    readonly addresses: PocoAddresses;
    readonly deploymentBlock: number;
}

/** Why the inputs cannot be deployed; checked in previews too, where the secret key is available to the provider. */
export function pocoInputFailures(inputs: PocoContractsInputs): { property: string; reason: string }[] {
    if (typeof inputs.adminKey !== "string" || inputs.adminKey === PREVIEW_UNKNOWN) return [];
    let address: string;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Wallet } = require("ethers") as typeof import("ethers");
        address = new Wallet(inputs.adminKey).address;
    } catch {
        return [{ property: "adminKey", reason: "consortium:pocoAdminKey is not a 32-byte hex private key" }];
    }
    if (address.toLowerCase() !== String(inputs.plan.admin).toLowerCase()) {
        return [{ property: "adminKey", reason: `consortium:pocoAdminKey is the key of ${address}, but poco.admin is ${inputs.plan.admin}` }];
    }
    return [];
}

/** The deployment engine, loaded when the provider runs (see loadProjectModule). */
function loadEngine(): typeof import("./deploy") {
    return loadProjectModule<typeof import("./deploy")>("components/poco/deploy");
}

async function apply(inputs: PocoContractsInputs): Promise<PocoContractsOutputs> {
    const result = await loadEngine().deployPoco({
        rpcUrl: inputs.rpcUrl,
        ...(inputs.rpcCredentials ? { rpcCredentials: inputs.rpcCredentials } : {}),
        adminKey: inputs.adminKey,
        plan: inputs.plan,
        readinessTimeoutMs: inputs.readinessTimeoutSeconds * 1000,
        log: (message) => console.log(message),
    });
    return { rpcUrl: inputs.rpcUrl, plan: inputs.plan, readinessTimeoutSeconds: inputs.readinessTimeoutSeconds, addresses: result.addresses, deploymentBlock: result.deploymentBlock };
}

export const POCO_CONTRACTS_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async check(_olds: PocoContractsInputs, news: PocoContractsInputs) {
        return { inputs: news, failures: pocoInputFailures(news) };
    },
    async diff(_id: string, olds: PocoContractsOutputs, news: PocoContractsInputs) {
        // The endpoint may move (a new ingress, a port-forward) without anything to deploy.
        return { changes: JSON.stringify(olds.plan) !== JSON.stringify(news.plan), replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: PocoContractsInputs) {
        const outs = await apply(inputs);
        return { id: outs.addresses.diamond, outs };
    },
    async update(_id: string, _olds: PocoContractsOutputs, news: PocoContractsInputs) {
        return { outs: await apply(news) };
    },
    async delete() {
        // Contracts cannot be removed from a chain; they stay, unowned by this stack.
    },
};

/** The deployment plan's inputs from the stack's `poco` config and the admin's address (configured or generated). */
export function pocoPlanInput(poco: PocoConfig, chainId: number, admin: string): PocoPlanInput {
    const uri = (kind: string) => `${poco.metadataBaseURI}/${kind}/${chainId}/`;
    return {
        admin,
        chainId,
        salt: poco.salt,
        rlc: poco.rlcAddress ? { deploy: false, address: poco.rlcAddress } : { deploy: true },
        categories: poco.categories,
        baseURIs: { apps: uri("app"), datasets: uri("dataset"), workerpools: uri("workerpool") },
    };
}

export interface PocoDeploymentArgs {
    readonly rpcUrl: pulumi.Input<string>;
    readonly rpcCredentials?: pulumi.Input<RpcCredentials>;
    /** An input: a generated admin's address is known once its key exists. */
    readonly plan: pulumi.Input<PocoPlanInput>;
    readonly adminKey: pulumi.Input<string>;
    readonly readinessTimeoutSeconds: number;
}

class PocoContracts extends pulumi.dynamic.Resource {
    declare public readonly addresses: pulumi.Output<PocoAddresses>;
    declare public readonly deploymentBlock: pulumi.Output<number>;

    constructor(name: string, args: PocoDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            POCO_CONTRACTS_PROVIDER,
            name,
            {
                rpcUrl: args.rpcUrl,
                rpcCredentials: args.rpcCredentials ? pulumi.secret(args.rpcCredentials) : undefined,
                plan: args.plan,
                adminKey: pulumi.secret(args.adminKey),
                readinessTimeoutSeconds: args.readinessTimeoutSeconds,
                addresses: undefined,
                deploymentBlock: undefined,
            },
            { ...opts, additionalSecretOutputs: ["adminKey", "rpcCredentials"] },
        );
    }
}

/** RLC and iExec PoCo deployed on the home chain; its addresses are known from the plan before anything is sent. */
export class PocoDeployment extends pulumi.ComponentResource {
    public readonly addresses: pulumi.Output<PocoAddresses>;
    public readonly deploymentBlock: pulumi.Output<number>;

    constructor(name: string, args: PocoDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("consortium:poco:Deployment", name, {}, opts);
        const contracts = new PocoContracts(`${name}-contracts`, args, { parent: this });
        // Deterministic: the same as what the deployment reports, and already known in a preview.
        this.addresses = pulumi.output(args.plan).apply((plan) => layout(plan as PocoPlanInput).addresses);
        this.deploymentBlock = contracts.deploymentBlock;
        this.registerOutputs({ addresses: this.addresses, deploymentBlock: this.deploymentBlock });
    }
}
