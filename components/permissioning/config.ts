import type { BridgeConfig, ForeignConfig } from "../bridge/config";
import type { AuthorityConfig, ExternalAuthorityConfig } from "../chain/config";
import { NAME_PATTERN, describe, isUnset, nameRule, type Checker } from "../config/checker";
import type { PocoConfig } from "../poco/config";
import { GATEWAY_IMAGE, OPERATOR_READER, RPC_ACCESS, parseGatewayLimits, type RpcAccess } from "../rpcGateway/config";
import type { GatewayLimits } from "../rpcGateway/nginx";

/** The permissioning configuration: who may transact, read and bridge, and which roles a validator may not hold. */

/** The role lists of `permissioning`, and the role each grants. */
export const ROLE_KEYS = { admins: "admin", deployers: "deployer", transactors: "transactor", senders: "sender" } as const;
export type RoleKey = keyof typeof ROLE_KEYS;

export interface PermissioningConfig {
    /** Everyone may send anything (development); the roles are recorded but not enforced. */
    readonly open: boolean;
    /** EIP-55 addresses per role list; an address may appear in several. */
    readonly roles: Readonly<Record<RoleKey, readonly string[]>>;
    /** Accounts whose home-to-foreign bridge transfers the validators relay; absent: every account with a role. */
    readonly bridgeUsers?: readonly string[];
    /** Authorities accept connections only from the consortium's authorities. */
    readonly onlyStaticPeers: boolean;
    readonly rpc: {
        /** gateway: authenticated per reader; none: only `pulumi up` itself, through the gateway; open: no authentication (development). */
        readonly access: RpcAccess;
        /** One credential per consortium member that reads the chain. */
        readonly readers: readonly string[];
        readonly image: string;
        readonly limits: GatewayLimits;
    };
    readonly readinessTimeoutSeconds: number;
}

export function parsePermissioning(check: Checker, raw: unknown, authorities: readonly AuthorityConfig[]): PermissioningConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.object("permissioning", raw, ["open", ...Object.keys(ROLE_KEYS), "bridgeUsers", "onlyStaticPeers", "rpc", "readinessTimeoutSeconds"]);
    if (!record) return undefined;
    const open = record.open === undefined ? false : check.boolean("permissioning.open", record.open);
    const addressList = (key: string, value: unknown): string[] | undefined => {
        if (value === undefined || value === null) return [];
        if (!Array.isArray(value)) return check.fail(key, `must be a list of addresses (got ${describe(value)})`);
        const addresses = value.map((item, index) => check.address(`${key}[${index}]`, item));
        if (addresses.some((address) => address === undefined)) return undefined;
        const unique = new Set(addresses);
        if (unique.size !== addresses.length) check.fail(key, "lists an address twice");
        return [...unique] as string[];
    };
    const roles = Object.fromEntries((Object.keys(ROLE_KEYS) as RoleKey[]).map((key) => [key, addressList(`permissioning.${key}`, record[key])])) as Record<RoleKey, string[] | undefined>;
    const bridgeUsers = record.bridgeUsers === undefined ? undefined : addressList("permissioning.bridgeUsers", record.bridgeUsers);
    const onlyStaticPeers = record.onlyStaticPeers === undefined ? true : check.boolean("permissioning.onlyStaticPeers", record.onlyStaticPeers);

    const rpcRecord = check.object("permissioning.rpc", record.rpc, ["access", "readers", "image", "limits"]);
    const access = rpcRecord?.access === undefined ? "gateway" : check.oneOf("permissioning.rpc.access", rpcRecord.access, RPC_ACCESS);
    const members = [...new Set(authorities.map((authority) => authority.org ?? authority.name))];
    let readers: string[] | undefined = access === "gateway" ? members : [];
    if (rpcRecord?.readers !== undefined) {
        readers = check.stringList("permissioning.rpc.readers", rpcRecord.readers);
        if (access !== "gateway") check.fail("permissioning.rpc.readers", `applies to access gateway only; with access ${access} nobody gets credentials`);
        for (const reader of readers ?? []) {
            if (!NAME_PATTERN.test(reader)) check.fail("permissioning.rpc.readers", `${describe(reader)} ${nameRule()}`);
            if (reader === OPERATOR_READER) check.fail("permissioning.rpc.readers", `'${OPERATOR_READER}' is the name of pulumi up's own credential; choose another name`);
        }
        if (readers && new Set(readers).size !== readers.length) check.fail("permissioning.rpc.readers", "names a reader twice");
    }
    const image = rpcRecord?.image === undefined ? GATEWAY_IMAGE : check.pinnedImage("permissioning.rpc.image", rpcRecord.image, GATEWAY_IMAGE);
    const limits = parseGatewayLimits(check, rpcRecord?.limits);
    const readinessTimeoutSeconds =
        record.readinessTimeoutSeconds === undefined ? 600 : check.integer("permissioning.readinessTimeoutSeconds", record.readinessTimeoutSeconds, 1, 86_400, "a number of seconds from 1 to 86400");

    if (open === undefined || onlyStaticPeers === undefined || !access || !readers || !image || !limits || !readinessTimeoutSeconds) return undefined;
    if (Object.values(roles).some((list) => list === undefined) || (record.bridgeUsers !== undefined && !bridgeUsers)) return undefined;
    return {
        open,
        roles: roles as Record<RoleKey, string[]>,
        ...(bridgeUsers ? { bridgeUsers } : {}),
        onlyStaticPeers,
        rpc: { access, readers, image, limits },
        readinessTimeoutSeconds,
    };
}

/**
 * A validator (an external authority's signer address) must not hold another role in this config.
 * Its key seals blocks and lives only on its member's node; a role below needs the key elsewhere or
 * belongs to another party, so sharing it joins two trusts in one key:
 * - poco.admin: its key is this stack's secret pocoAdminKey, and it owns PoCo;
 * - bridge.owner: owns and upgrades the bridge contracts, a cold key;
 * - bridge.validators[].address: its key signs bridge transfers inside an internet-facing oracle;
 * - permissioning role lists (admins, deployers, transactors, senders) and bridgeUsers: accounts that
 *   send transactions from a wallet, which a sealing key never does (authorities need no role);
 * - poco.rlcAddress and foreign.external.token: contracts, whose addresses nobody holds a key for.
 * Funding a validator in chain.accounts is fine: a balance is no role.
 */
export function checkValidatorRoles(
    check: Checker,
    externals: readonly ExternalAuthorityConfig[],
    poco: PocoConfig | undefined,
    foreign: ForeignConfig | undefined,
    bridge: BridgeConfig | undefined,
    permissioning: PermissioningConfig | undefined,
): void {
    const roles: { key: string; address: string }[] = [
        ...(poco?.admin ? [{ key: "poco.admin", address: poco.admin }] : []),
        ...(poco?.rlcAddress ? [{ key: "poco.rlcAddress", address: poco.rlcAddress }] : []),
        ...(foreign?.kind === "external" ? [{ key: "foreign.external.token", address: foreign.token }] : []),
        ...(bridge?.owner ? [{ key: "bridge.owner", address: bridge.owner }] : []),
        ...(bridge?.validators ?? []).flatMap((validator) => (validator.address ? [{ key: `${check.positions.get(validator) ?? "bridge.validators"}.address`, address: validator.address }] : [])),
        ...(permissioning
            ? [
                  ...(Object.keys(ROLE_KEYS) as RoleKey[]).flatMap((role) => permissioning.roles[role].map((address) => ({ key: `permissioning.${role}`, address }))),
                  ...(permissioning.bridgeUsers ?? []).map((address) => ({ key: "permissioning.bridgeUsers", address })),
              ]
            : []),
    ];
    for (const external of externals) {
        const taken = [...new Set(roles.filter((role) => role.address === external.address).map((role) => role.key))];
        if (taken.length === 0) continue;
        check.fail(
            `${check.positions.get(external)}.address`,
            `${external.address} is a validator and also ${taken.join(", ")}: a validator's key seals blocks and lives only on its member's node; ` +
                "give that role its own account (funding a validator in chain.accounts is fine)",
        );
    }
}
