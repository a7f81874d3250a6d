import * as pulumi from "@pulumi/pulumi";
import type { ConsortiumConfig, PermissioningConfig, PocoConfig } from "./config";
import type { Consortium } from "./consortium";
import { TX_PERMISSIONS_ADDRESS, roleNames } from "./permissioning/contract";
import { bridgeAllowanceList, desiredPermissions } from "./permissioning/plan";
import { TxPermissions } from "./permissioning/txPermissions";
import type { PocoAddresses } from "./poco/plan";
import { PocoDeployment, pocoPlanInput } from "./poco/pocoDeployment";

export interface PermissioningSummary {
    readonly contract: string;
    readonly operator: string;
    readonly open: boolean;
    /** Address to role names, as the next `pulumi up` leaves them on chain. */
    readonly roles: Record<string, string[]>;
    readonly rpcAccess: string;
}

export interface ChainServicesArgs {
    /** The chain's config, as its Consortium got it. */
    readonly config: ConsortiumConfig;
    /** The PoCo admin, when `poco` is set: `poco.admin` with the secret key, or the key the program generated. */
    readonly pocoAdmin?: { readonly address: pulumi.Input<string>; readonly key: pulumi.Input<string> };
    /** The bridge's accounts on this chain, which a permissioned chain lets transact. */
    readonly bridgeAccounts?: { readonly deployer: pulumi.Input<string>; readonly validators: readonly pulumi.Input<string>[] };
    /** The workerpool's scheduler and workers, which a permissioned chain lets transact. */
    readonly workerpoolAccounts?: pulumi.Input<string[]>;
}

export interface ChainServices {
    /** Who may do what, when `permissioning` is configured. */
    readonly permissioning?: pulumi.Output<PermissioningSummary>;
    /** Accounts whose home-to-foreign bridge transfers are relayed; undefined: everyone's. */
    readonly bridgeAllowanceList?: readonly string[];
    /** RLC and PoCo on the chain, when `poco` is configured. */
    readonly poco?: { readonly addresses: pulumi.Output<PocoAddresses>; readonly deploymentBlock: pulumi.Output<number> };
    /** What a later consumer of the chain (the bridge) waits for besides the chain. */
    readonly resources: readonly pulumi.Resource[];
}

/**
 * The services that use a chain this stack runs, beside it rather than inside it: the role sync of its transaction
 * permissions, then PoCo. Named from the chain's name, as when they were its children.
 */
export function chainServices(chainName: string, chain: Consortium, args: ChainServicesArgs): ChainServices {
    const { config } = args;
    const permissions = config.permissioning && chain.permissionsOperator ? syncPermissions(chainName, chain, config.permissioning, args) : undefined;
    const poco = config.poco && args.pocoAdmin ? deployPoco(chainName, chain, config.poco, args.pocoAdmin, permissions?.resource) : undefined;
    return {
        ...(permissions ? { permissioning: permissions.summary } : {}),
        ...(config.permissioning ? { bridgeAllowanceList: bridgeAllowanceList(config.permissioning) } : {}),
        ...(poco ? { poco } : {}),
        resources: [...(permissions ? [permissions.resource] : []), ...(poco ? [poco] : [])],
    };
}

/** Until the split, Consortium's children: aliased to it, they keep their state. */
function movedOutOf(chain: Consortium): pulumi.Alias[] {
    // Their children, named from them, inherit the alias: @pulumi/pulumi resource.ts allAliases/inheritedChildAlias (with alias specs, the engine's step_generator.go generateAliases).
    return [{ parent: chain }];
}

function syncPermissions(chainName: string, chain: Consortium, permissioning: PermissioningConfig, args: ChainServicesArgs) {
    const operator = chain.permissionsOperator!;
    const { bridgeAccounts, pocoAdmin } = args;
    const desired = pulumi
        .all([operator.address, bridgeAccounts?.deployer, pulumi.all([...(bridgeAccounts?.validators ?? [])]), pocoAdmin?.address, args.workerpoolAccounts ?? []])
        .apply(([operatorAccount, bridgeDeployer, bridgeValidators, pocoAdminAccount, workerpoolAccounts]) =>
            desiredPermissions(permissioning, {
                operator: operatorAccount,
                ...(pocoAdminAccount ? { pocoAdmin: pocoAdminAccount } : {}),
                ...(bridgeDeployer ? { bridgeDeployer } : {}),
                bridgeValidators,
                ...(workerpoolAccounts.length > 0 ? { workerpoolAccounts } : {}),
            }),
        );
    const { program, chainId } = chain.endpoint;
    const resource = new TxPermissions(
        `${chainName}-permissions`,
        {
            rpcUrl: program.url,
            ...(program.credentials ? { rpcCredentials: program.credentials } : {}),
            chainId,
            contract: TX_PERMISSIONS_ADDRESS,
            operatorKey: operator.privateKey,
            desired,
            readinessTimeoutSeconds: permissioning.readinessTimeoutSeconds,
        },
        { dependsOn: [...chain.ready], aliases: movedOutOf(chain) },
    );
    const summary = pulumi.all([operator.address, desired]).apply(([operatorAccount, state]) => ({
        contract: TX_PERMISSIONS_ADDRESS,
        operator: operatorAccount,
        open: state.open,
        roles: Object.fromEntries(Object.entries(state.roles).map(([account, bits]) => [account, roleNames(bits)])),
        rpcAccess: permissioning.rpc.access,
    }));
    return { resource, summary };
}

function deployPoco(chainName: string, chain: Consortium, poco: PocoConfig, admin: NonNullable<ChainServicesArgs["pocoAdmin"]>, permissions: TxPermissions | undefined): PocoDeployment {
    const { program, chainId } = chain.endpoint;
    // The chain must be up and sealing before anything is deployed: the deployment waits for it.
    return new PocoDeployment(
        `${chainName}-poco`,
        {
            rpcUrl: program.url,
            ...(program.credentials ? { rpcCredentials: program.credentials } : {}),
            plan: pulumi.output(admin.address).apply((address) => pocoPlanInput(poco, chainId, address)),
            adminKey: admin.key,
            readinessTimeoutSeconds: poco.readinessTimeoutSeconds,
        },
        // On a permissioned chain the admin may deploy once the operator has granted it the role.
        { dependsOn: [...chain.ready, ...(permissions ? [permissions] : [])], aliases: movedOutOf(chain) },
    );
}
