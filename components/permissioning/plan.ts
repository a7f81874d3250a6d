import { ROLE_KEYS, type PermissioningConfig, type RoleKey } from "./config";
import { ROLES } from "./contract";
import type { PermissionsState } from "./sync";

/** Accounts of the stack itself that must be able to transact for `pulumi up` to finish. */
export interface SystemAccounts {
    /** Holds the admin role from genesis and sends every role change. */
    readonly operator: string;
    /** Deploys PoCo and RLC (creates contracts). */
    readonly pocoAdmin?: string;
    /** Runs the bridge contracts job (creates contracts). */
    readonly bridgeDeployer?: string;
    /** Sign and relay bridge transfers (call the home bridge). */
    readonly bridgeValidators: readonly string[];
    /** The workerpool's scheduler and workers (call the hub: initialize, finalize, contribute, reveal, orders). */
    readonly workerpoolAccounts?: readonly string[];
}

/** The on-chain permissions the config asks for: each listed account's roles, plus what the stack's own accounts need. */
export function desiredPermissions(config: PermissioningConfig, system: SystemAccounts): PermissionsState {
    const roles: Record<string, number> = {};
    const grant = (account: string, bit: number) => (roles[account] = (roles[account] ?? 0) | bit);
    for (const key of Object.keys(ROLE_KEYS) as RoleKey[]) for (const account of config.roles[key]) grant(account, ROLES[ROLE_KEYS[key]]);
    grant(system.operator, ROLES.admin);
    if (system.pocoAdmin) grant(system.pocoAdmin, ROLES.deployer);
    if (system.bridgeDeployer) grant(system.bridgeDeployer, ROLES.deployer);
    for (const validator of system.bridgeValidators) grant(validator, ROLES.transactor);
    for (const account of system.workerpoolAccounts ?? []) grant(account, ROLES.transactor);
    // Sorted, so that the same config always yields the same resource inputs (no spurious diff).
    return { open: config.open, roles: Object.fromEntries(Object.keys(roles).sort().map((account) => [account, roles[account]])) };
}

/**
 * The accounts whose home-to-foreign transfers the bridge validators relay (the oracle's allowance
 * list): `bridgeUsers`, or else every account the config gives a role. None on an open chain.
 */
export function bridgeAllowanceList(config: PermissioningConfig): readonly string[] | undefined {
    if (config.open) return undefined;
    return config.bridgeUsers ?? [...new Set(Object.values(config.roles).flat())].sort();
}
