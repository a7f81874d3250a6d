/**
 * The split of Consortium moved nothing the engine tracks, except PoCo and permissions, which left it aliased to it.
 * tests/fixtures/registrations-before-split.json holds every registration of the program just before the split
 * (commit dd8fec8), for four stack configurations, as tests/helpers/registrationLog.ts records them under mocks.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { LOGGED_STACKS, logRegistrations, parseLog, type LoggedRegistration } from "../helpers/registrationLog";

/**
 * The default-deny policies, made by the chains' platforms before the split, came with this same unreleased change
 * and left for the stack's isolation (created last) after it: no deployed state ever held them there.
 */
const UNRELEASED = (resource: string) => /^kubernetes:networking\.k8s\.io\/v1:NetworkPolicy::.*-default-deny$/.test(resource);
/**
 * Renamed by a deliberate later change, not by the split: the oracle image pinned to 2.7.0-rc2 (issue 14) is a new image
 * resource, pulled before the agents are replaced.
 */
const repinned = (resource: string) => resource.replace(/-image-poanetwork-tokenbridge-oracle-2-7-0-rc0$/, "-image-poanetwork-tokenbridge-oracle-2-7-0-rc2");
/**
 * Waits added by a deliberate later change, not by the split: the bridge's preparation and contracts resources take what
 * this stack's bridge must be initialised with (issue 14), so they wait for the validators' keys and the foreign RLC.
 */
const LATER_DEPENDENCIES: Record<string, readonly string[]> = {
    "pulumi-nodejs:dynamic:Resource::bridge-contracts": ["random:index/randomBytes:RandomBytes::bridge-keys-dev-key", "random:index/randomBytes:RandomBytes::poco-admin-key"],
    "pulumi-nodejs:dynamic:Resource::bridge-preparation": ["random:index/randomBytes:RandomBytes::bridge-keys-dev-key", "random:index/randomBytes:RandomBytes::poco-admin-key"],
};
const withoutUnreleased = (registrations: LoggedRegistration[]) =>
    registrations
        .filter(({ resource }) => !UNRELEASED(resource))
        .map((registration) => ({ ...registration, resource: repinned(registration.resource), dependsOn: registration.dependsOn.filter((dependency) => !UNRELEASED(dependency)).map(repinned) }));
const BEFORE = Object.fromEntries(
    Object.entries(parseLog(readFileSync(path.join(__dirname, "..", "fixtures", "registrations-before-split.json"), "utf8"))).map(([label, registrations]) => [label, withoutUnreleased(registrations)]),
);
const ROOT = "pulumi:pulumi:Stack::consortium-test";

/** What left Consortium, by chain: the resources themselves; their children followed them. */
const MOVED: Record<string, string> = {
    "consortium:poco:Deployment::consortium-poco": "consortium:index:Consortium::consortium",
    "pulumi-nodejs:dynamic:Resource::consortium-permissions": "consortium:index:Consortium::consortium",
    "consortium:poco:Deployment::foreign-chain-poco": "consortium:index:Consortium::foreign-chain",
};

const typeOf = (resource: string) => resource.slice(0, resource.indexOf("::"));
const nameOf = (resource: string) => resource.slice(resource.indexOf("::") + 2);

/** The engine's URN: the root stack's children carry no parent type, the others their parent's qualified type. */
function engineUrns(registrations: readonly LoggedRegistration[]): Map<string, string> {
    const byResource = new Map(registrations.map((registration) => [registration.resource, registration]));
    const qualifiedType = (resource: string): string => {
        const parent = byResource.get(resource)!.parent;
        return parent === "" || parent === ROOT ? typeOf(resource) : `${qualifiedType(parent)}$${typeOf(resource)}`;
    };
    return new Map(registrations.map(({ resource }) => [resource, `urn:pulumi:test::consortium::${qualifiedType(resource)}::${nameOf(resource)}`]));
}

/**
 * Which old resource each new registration takes the state of: its URN, else its aliases, else one inherited from a
 * parent that was found by an alias; as the engine's step generator does it (generateAliases, collapseAliasToUrn,
 * inheritedChildAlias and getOldResource in pulumi/pkg/resource/deploy/step_generator.go, v3.248.0).
 */
function matchOldState(before: readonly LoggedRegistration[], after: readonly LoggedRegistration[]): Map<string, string> {
    const olds = new Set(engineUrns(before).values());
    const urns = engineUrns(after);
    const byResource = new Map(after.map((registration) => [registration.resource, registration]));
    const matchedAlias = new Map<string, string>();
    const matched = new Map<string, string>();
    const urnIn = (parentUrn: string | undefined, type: string, name: string) => {
        const parentType = parentUrn === undefined || parentUrn.split("::")[2] === "pulumi:pulumi:Stack" ? undefined : parentUrn.split("::")[2];
        return `urn:pulumi:test::consortium::${parentType ? `${parentType}$` : ""}${type}::${name}`;
    };
    const visit = (resource: string): void => {
        if (matched.has(resource)) return;
        const registration = byResource.get(resource)!;
        if (registration.parent && byResource.has(registration.parent)) visit(registration.parent);
        const parentUrn = registration.parent ? urns.get(registration.parent) : undefined;
        const candidates = [urns.get(resource)!];
        for (const alias of registration.aliases) {
            const aliasParent = alias.noParent ? undefined : alias.parent ? (matchedAlias.get(alias.parent) ?? urns.get(alias.parent)) : parentUrn;
            candidates.push(urnIn(aliasParent, alias.type || typeOf(resource), alias.name || nameOf(resource)));
        }
        const parentAlias = registration.parent ? matchedAlias.get(registration.parent) : undefined;
        if (parentAlias) {
            const parentName = nameOf(registration.parent);
            const name = nameOf(resource).startsWith(parentName) ? nameOf(parentAlias.split("::").slice(2).join("::")) + nameOf(resource).slice(parentName.length) : nameOf(resource);
            candidates.push(urnIn(parentAlias, typeOf(resource), name));
        }
        const old = candidates.find((candidate) => olds.has(candidate));
        if (old === undefined) throw new Error(`${resource} (${candidates.join(", ")}) matches no resource of the previous program: it would be created`);
        if (old !== candidates[0]) matchedAlias.set(resource, old);
        matched.set(resource, old);
    };
    for (const { resource } of after) visit(resource);
    return matched;
}

describe.each(Object.keys(LOGGED_STACKS))("the %s stack, against the program before the split", (label) => {
    let after: LoggedRegistration[];
    const before = BEFORE[label];
    beforeAll(async () => {
        // Resources added by later changes are not judged here: only that nothing of the previous program moved.
        const known = new Set(before.map(({ resource }) => resource));
        after = (await logRegistrations(LOGGED_STACKS[label].stack, LOGGED_STACKS[label].overrides)).filter(({ resource }) => known.has(resource));
    });

    test("still registers every resource of the previous program, each with the parent it had, but PoCo and permissions, which left Consortium", () => {
        const expected = before.map(({ resource, parent }) => ({ resource, parent: MOVED[resource] === parent ? ROOT : parent }));
        expect(after.map(({ resource, parent }) => ({ resource, parent }))).toEqual(expected);
        expect(before.filter(({ resource }) => MOVED[resource]).length).toBeGreaterThan(0);
    });

    test("PoCo and permissions keep their names, aliased to the Consortium they left; nothing else gained an alias", () => {
        for (const registration of after) {
            const old = before.find(({ resource }) => resource === registration.resource)!;
            const aliases = MOVED[registration.resource] ? [...old.aliases, { name: "", type: "", parent: MOVED[registration.resource], noParent: false }] : old.aliases;
            expect({ resource: registration.resource, aliases: registration.aliases }).toEqual({ resource: registration.resource, aliases });
        }
    });

    test("every resource takes the state of the same resource as before: no key, volume or contract is made anew", () => {
        const olds = engineUrns(before);
        const matched = matchOldState(before, after);
        expect(Object.fromEntries(matched)).toEqual(Object.fromEntries(after.map(({ resource }) => [resource, olds.get(resource)])));
        // The moved resources' children change URN (their parent's type chain), and find their state by the inherited alias.
        const moved = after.filter(({ resource, parent }) => MOVED[resource] || MOVED[parent]).map(({ resource }) => resource);
        for (const resource of moved) expect(engineUrns(after).get(resource)).not.toBe(olds.get(resource));
    });

    test("everything waits for what it waited for, but the foreign chain, which no longer waits for the home chain's PoCo and permissions", () => {
        const homeServices = before.filter(({ resource, parent }) => MOVED[resource] === "consortium:index:Consortium::consortium" || MOVED[parent] === "consortium:index:Consortium::consortium");
        const known = new Set(before.map(({ resource }) => resource));
        const expected = before.map(({ resource, dependsOn }) => ({
            resource,
            dependsOn: resource === "consortium:index:Consortium::foreign-chain" ? dependsOn.filter((dependency) => !homeServices.some((service) => service.resource === dependency)) : dependsOn,
        }));
        const withLater = (resource: string, dependsOn: readonly string[]) => dependsOn.filter((dependency) => !(LATER_DEPENDENCIES[resource] ?? []).includes(dependency) || expected.find((entry) => entry.resource === resource)!.dependsOn.includes(dependency));
        const judged = after.map((registration) => ({ ...registration, dependsOn: withLater(registration.resource, registration.dependsOn) }));
        expect(judged.map(({ resource, dependsOn }) => ({ resource, dependsOn: dependsOn.filter((dependency) => known.has(dependency)) }))).toEqual(expected);
    });
});
