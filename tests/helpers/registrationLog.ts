import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { evaluate, installMocks, promiseOf, settle, useStackConfig } from "./pulumiMocks";

/**
 * What the engine knows a registration by, as the program sent it. Resources are named by `type::name` (unique in
 * this program): the mocks' URNs keep only the parent's type, so the engine's URNs are rebuilt from the parents.
 */
export interface LoggedRegistration {
    /** `type::name`. */
    readonly resource: string;
    /** The parent's `type::name`; "" for the root stack. */
    readonly parent: string;
    /** Alias specs; `parent` as `type::name`, "" for the resource's own parent. */
    readonly aliases: readonly LoggedAlias[];
    /** What it waits for (dependsOn and the resources its inputs come from), sorted. */
    readonly dependsOn: readonly string[];
}

export interface LoggedAlias {
    readonly name: string;
    readonly type: string;
    readonly parent: string;
    readonly noParent: boolean;
}

/** `type::name` of a URN: the last type of its qualified type, and its name. */
export function resourceOf(urn: string): string {
    if (urn === "") return "";
    const [, , qualifiedType, ...name] = urn.split("::");
    return `${qualifiedType.split("$").pop()}::${name.join("::")}`;
}

let log: LoggedRegistration[] | undefined;
let patched = false;

/** MockResourceArgs leaves out the parent, aliases and dependencies; the request to the mock monitor has them. */
function patchMonitor(): void {
    if (patched) return;
    patched = true;
    const monitor = MockMonitor.prototype as unknown as { registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> };
    const registerResource = monitor.registerResource;
    monitor.registerResource = function (this: unknown, req: any, callback: (err: any, resp: any) => void) {
        const recording = log;
        return registerResource.call(this, req, (err: any, resp: any) => {
            if (!err && recording) {
                recording.push({
                    resource: resourceOf(resp.getUrn()),
                    parent: resourceOf(req.getParent()),
                    aliases: req.getAliasesList().map((alias: any): LoggedAlias => {
                        const spec = alias.getSpec();
                        if (!spec) throw new Error(`alias by URN ${alias.getUrn()}: not expected from this program`);
                        return { name: spec.getName(), type: spec.getType(), parent: resourceOf(spec.getParenturn()), noParent: spec.getNoparent() };
                    }),
                    dependsOn: [...new Set<string>(req.getDependenciesList().map(resourceOf))].sort(),
                });
            }
            callback(err, resp);
        });
    };
}

/** The stack configurations tests/fixtures/registrations-before-split.json holds. */
export const LOGGED_STACKS: Record<string, { readonly stack: "dev" | "acme-prod"; readonly overrides: Record<string, unknown> }> = {
    // Both chains with their PoCo, and the bridge after them.
    dev: { stack: "dev", overrides: {} },
    // Permissions, behind the gateway, on Kubernetes.
    "acme-prod": { stack: "acme-prod", overrides: {} },
    // Everything at once: PoCo after the role changes, the bridge after both chains and their services.
    "dev-permissioned": { stack: "dev", overrides: { permissioning: { transactors: ["0x9858EfFD232B4033E47d90003D41EC34EcaEda94"], senders: ["0x8ba1f109551bD432803012645Ac136ddd64DBA72"] } } },
    "acme-prod-poco": { stack: "acme-prod", overrides: { poco: { admin: "generated" } } },
};

/** Every registration of the whole program for one stack configuration, sorted. */
export async function logRegistrations(stack: "dev" | "acme-prod", overrides: Record<string, unknown> = {}): Promise<LoggedRegistration[]> {
    patchMonitor();
    const recording: LoggedRegistration[] = [];
    log = recording;
    try {
        await installMocks();
        useStackConfig(stack, overrides);
        const { runProgram } = await import("../../components/program");
        const outputs = await evaluate(runProgram);
        await promiseOf(outputs.chainSpec);
        await settle();
    } finally {
        log = undefined;
    }
    return recording.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/** The fixture's form: one line per resource, dependencies as indices into the list (the bridge waits for nearly everything). */
export function serializeLog(logs: Record<string, readonly LoggedRegistration[]>): string {
    const stacks = Object.entries(logs).map(([label, registrations]) => {
        const index = new Map(registrations.map((registration, position) => [registration.resource, position]));
        const lines = registrations.map(({ dependsOn, aliases, ...rest }) =>
            JSON.stringify({ ...rest, dependsOn: dependsOn.map((resource) => index.get(resource)), ...(aliases.length > 0 ? { aliases } : {}) }),
        );
        return `${JSON.stringify(label)}: [\n    ${lines.join(",\n    ")}\n  ]`;
    });
    return `{\n  ${stacks.join(",\n  ")}\n}\n`;
}

export function parseLog(text: string): Record<string, LoggedRegistration[]> {
    const stacks = JSON.parse(text) as Record<string, (Omit<LoggedRegistration, "dependsOn" | "aliases"> & { dependsOn: number[]; aliases?: LoggedAlias[] })[]>;
    return Object.fromEntries(
        Object.entries(stacks).map(([label, entries]) => [
            label,
            entries.map((entry) => ({ ...entry, aliases: entry.aliases ?? [], dependsOn: entry.dependsOn.map((position) => entries[position].resource) })),
        ]),
    );
}
