import { getAddress } from "ethers";
import { NAME_PATTERN, describe, isUnset, nameRule, type Checker } from "../config/checker";
import { UNATTRIBUTED, type PartyAccount } from "./model";

/**
 * Who is who for the report: the organisations the stack knows (its authorities' orgs, the workerpool's scheduler and
 * workers, the bridge validators, its own system accounts) and `members`, the config's map of each organisation to
 * further addresses (the accounts its people and services transact with).
 */

/** `members`: organisation name to the addresses that are its own. */
export type MembersConfig = Readonly<Record<string, readonly string[]>>;

/** The organisation of the stack's own accounts (PoCo admin, permissions operator, bridge deployer). */
export const OPERATOR_ORGANISATION = "consortium";

export function parseMembers(check: Checker, raw: unknown): MembersConfig | undefined {
    if (isUnset(raw)) return undefined;
    const record = check.map("members", raw);
    if (!record) return undefined;
    const members: Record<string, string[]> = {};
    const owner = new Map<string, string>();
    for (const [organisation, list] of Object.entries(record)) {
        const key = `members.${organisation}`;
        if (!NAME_PATTERN.test(organisation) || organisation === UNATTRIBUTED) {
            check.fail(key, `names an organisation: ${nameRule()}, and not '${UNATTRIBUTED}' (got ${describe(organisation)})`);
            continue;
        }
        if (!Array.isArray(list) || list.length === 0) {
            check.fail(key, `must be a non-empty list of addresses (got ${describe(list)})`);
            continue;
        }
        members[organisation] = [];
        list.forEach((item, index) => {
            const address = check.address(`${key}[${index}]`, item);
            if (!address) return;
            const other = owner.get(address);
            if (other) check.fail(`${key}[${index}]`, `${address} is already one of ${other}'s addresses: an account belongs to one organisation`);
            else {
                owner.set(address, organisation);
                members[organisation].push(address);
            }
        });
    }
    return members;
}

/** What the report takes from `pulumi stack output --json`: public data only, which every member may be given. */
export interface StackOutputs {
    readonly chainId: number;
    readonly rpcUrl: string;
    readonly authorities: readonly { readonly name: string; readonly org?: string; readonly address: string }[];
    readonly poco: { readonly admin: string; readonly addresses: { readonly diamond: string; readonly registries: { readonly apps: string; readonly datasets: string; readonly workerpools: string } }; readonly deploymentBlock: number } | null;
    readonly bridge?: { readonly contracts: { readonly homeBridge: string }; readonly validators: readonly { readonly name: string; readonly address: string }[]; readonly deployer: string } | null;
    readonly permissioning?: { readonly operator: string; readonly roles: Readonly<Record<string, readonly string[]>> } | null;
    readonly workerpool?: { readonly org?: string; readonly scheduler: string; readonly workers: readonly { readonly name: string; readonly address: string; readonly org?: string }[] } | null;
}

/**
 * Every account the stack and the config attribute, with the roles that say why. `members` wins over what the stack
 * infers (an authority without an org is its own organisation, named as the authority; a bridge validator is the
 * member it is named after).
 */
export function partiesOf(outputs: StackOutputs, members: MembersConfig = {}): PartyAccount[] {
    const parties = new Map<string, { organisation: string; roles: Set<string> }>();
    const claim = (address: string, organisation: string, role: string) => {
        const key = getAddress(address);
        const entry = parties.get(key);
        if (entry) entry.roles.add(role);
        else parties.set(key, { organisation, roles: new Set([role]) });
    };
    for (const [organisation, addresses] of Object.entries(members)) for (const address of addresses) claim(address, organisation, "member");
    for (const authority of outputs.authorities) claim(authority.address, authority.org ?? authority.name, "authority");
    if (outputs.workerpool) {
        claim(outputs.workerpool.scheduler, outputs.workerpool.org ?? OPERATOR_ORGANISATION, "workerpool scheduler");
        for (const worker of outputs.workerpool.workers) claim(worker.address, worker.org ?? outputs.workerpool.org ?? OPERATOR_ORGANISATION, "worker");
    }
    for (const validator of outputs.bridge?.validators ?? []) claim(validator.address, validator.name, "bridge validator");
    if (outputs.poco) claim(outputs.poco.admin, OPERATOR_ORGANISATION, "PoCo admin");
    if (outputs.permissioning) claim(outputs.permissioning.operator, OPERATOR_ORGANISATION, "permissions operator");
    if (outputs.bridge) claim(outputs.bridge.deployer, OPERATOR_ORGANISATION, "bridge deployer");
    // Role members the stack does not attribute keep their roles, under the organisation of whoever claims them.
    for (const [address, roles] of Object.entries(outputs.permissioning?.roles ?? {})) {
        const entry = parties.get(getAddress(address));
        if (entry) for (const role of roles) entry.roles.add(`${role} role`);
    }
    return [...parties.entries()].map(([address, entry]) => ({ address, organisation: entry.organisation, roles: [...entry.roles].sort() }));
}
