import { Contract, Wallet, getAddress } from "ethers";
import { connectRpc, type RpcCredentials } from "../chain/rpc";
import { waitForChain } from "../poco/deploy";
import { ROLES, TX_PERMISSIONS_ABI, roleNames } from "./contract";

/**
 * Brings the on-chain permissions to what the stack config says, with transactions from the stack's
 * permissions operator (the admin genesis installs). It reads the contract first and sends only the
 * difference, so a second run sends nothing. Accounts holding a role that the config no longer lists
 * are revoked: the config is the record of who may do what.
 */

export interface PermissionsState {
    readonly open: boolean;
    /** EIP-55 address to role bits; accounts without a role are absent. */
    readonly roles: Readonly<Record<string, number>>;
}

export interface PermissionChanges {
    /** Accounts whose role bits change, in a stable order (grants and revocations alike). */
    readonly roles: readonly { readonly account: string; readonly from: number; readonly to: number }[];
    readonly open?: boolean;
}

export class PermissionsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PermissionsError";
    }
}

/** What must change on chain for `current` to become `desired`; the operator always stays an admin. */
export function planPermissionChanges(current: PermissionsState, desired: PermissionsState, operator: string): PermissionChanges {
    const target: Record<string, number> = { ...desired.roles, [operator]: (desired.roles[operator] ?? 0) | ROLES.admin };
    const accounts = [...new Set([...Object.keys(current.roles), ...Object.keys(target)])].sort();
    const roles = accounts
        .map((account) => ({ account, from: current.roles[account] ?? 0, to: target[account] ?? 0 }))
        .filter((change) => change.from !== change.to);
    return { roles, ...(current.open !== desired.open ? { open: desired.open } : {}) };
}

export async function readPermissions(contract: Contract): Promise<PermissionsState> {
    const [open, members] = await Promise.all([contract.open() as Promise<boolean>, contract.members() as Promise<string[]>]);
    const roles = await Promise.all(members.map(async (member) => [getAddress(member), Number(await contract.rolesOf(member))] as const));
    return { open, roles: Object.fromEntries(roles) };
}

export interface SyncOptions {
    readonly rpcUrl: string;
    readonly rpcCredentials?: RpcCredentials;
    readonly chainId: number;
    readonly contract: string;
    /** 0x-prefixed key of the permissions operator (secret). */
    readonly operatorKey: string;
    readonly desired: PermissionsState;
    readonly readinessTimeoutMs: number;
    readonly log?: (message: string) => void;
}

export interface SyncResult {
    readonly transactions: number;
    readonly state: PermissionsState;
}

const describeRoles = (bits: number) => (bits === 0 ? "none" : roleNames(bits).join("+"));

export async function syncPermissions(options: SyncOptions): Promise<SyncResult> {
    const log = options.log ?? (() => undefined);
    const provider = connectRpc(options.rpcUrl, options.rpcCredentials, options.chainId);
    try {
        await waitForChain(provider, options.chainId, options.rpcUrl, options.readinessTimeoutMs, log, "Permissions");
        if ((await provider.getCode(options.contract)) === "0x") {
            throw new PermissionsError(`no transaction-permission contract at ${options.contract}: the chain was not started from a spec with permissioning`);
        }
        const operator = new Wallet(options.operatorKey, provider);
        const contract = new Contract(options.contract, TX_PERMISSIONS_ABI, operator);
        const current = await readPermissions(contract);
        if (((current.roles[operator.address] ?? 0) & ROLES.admin) === 0) {
            throw new PermissionsError(`the permissions operator ${operator.address} is not an admin of ${options.contract}; another admin revoked it: grant it the admin role again`);
        }
        const changes = planPermissionChanges(current, options.desired, operator.address);
        let transactions = 0;
        if (changes.roles.length > 0) {
            for (const change of changes.roles) log(`Permissions: ${change.account} ${describeRoles(change.from)} -> ${describeRoles(change.to)}`);
            const tx = await contract.setRoles(
                changes.roles.map((change) => change.account),
                changes.roles.map((change) => change.to),
            );
            await tx.wait();
            transactions++;
        }
        if (changes.open !== undefined) {
            log(`Permissions: ${changes.open ? "opening the chain to every sender" : "restricting the chain to the configured roles"}`);
            await (await contract.setOpen(changes.open)).wait();
            transactions++;
        }
        if (transactions === 0) log("Permissions: on-chain roles already match the configuration; nothing to send");
        return { transactions, state: await readPermissions(contract) };
    } finally {
        provider.destroy();
    }
}
