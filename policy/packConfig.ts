import type { EnforcementLevel, Policies } from "@pulumi/policy";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import type { GenesisLockInputs } from "../components/chain/genesisLock";

/** A policy pack config as `pulumi preview --policy-pack-config` reads it: per policy, a level or settings. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const GENESIS_POLICY = "genesis-unchanged";

/** The stack's own policy settings (`policy/stacks/<stack>.json`), checked against the pack's policies and schemas. */
export function checkStackSettings(file: string, settings: unknown, policies: Policies): PackConfig {
    if (settings === null || typeof settings !== "object" || Array.isArray(settings)) throw new Error(`${file}: must be a JSON object keyed by policy name`);
    const names = policies.map((policy) => policy.name);
    for (const [name, value] of Object.entries(settings)) {
        const policy = policies.find((candidate) => candidate.name === name);
        if (!policy && name !== "all") throw new Error(`${file}: '${name}' is not a policy of the pack; policies: ${names.join(", ")}`);
        if (typeof value === "string") {
            if (!ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) throw new Error(`${file}: ${name} must be one of ${ENFORCEMENT_LEVELS.join(", ")}, or an object of settings`);
            continue;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${file}: ${name} must be an enforcement level or an object of settings`);
        const allowed = ["enforcementLevel", ...Object.keys(policy?.configSchema?.properties ?? {})];
        for (const key of Object.keys(value)) {
            if (!allowed.includes(key)) throw new Error(`${file}: ${name}.${key} is not a setting of ${name}; settings: ${allowed.join(", ")}`);
        }
        if (name === GENESIS_POLICY && "launched" in value) throw new Error(`${file}: ${name}.launched comes from the stack's state, never from a file`);
    }
    return settings as PackConfig;
}

/** A stack's settings from `policy/stacks/<stack>.json`, checked; none (production defaults) when the file is absent. */
export function readStackSettings(stack: string, policies: Policies): PackConfig {
    const file = path.join(__dirname, "stacks", `${stack}.json`);
    if (!existsSync(file)) return {};
    return checkStackSettings(path.join("policy", "stacks", `${stack}.json`), JSON.parse(readFileSync(file, "utf8")), policies);
}

/** The genesis of every chain the stack has launched, from `pulumi stack export`, keyed by GenesisLock name. */
export function launchedGenesis(exported: unknown): Record<string, GenesisLockInputs> {
    const resources: any[] = (exported as any)?.deployment?.resources ?? [];
    const launched: Record<string, GenesisLockInputs> = {};
    for (const resource of resources) {
        const outputs = resource?.outputs;
        if (resource?.type !== "pulumi-nodejs:dynamic:Resource" || typeof outputs?.genesisHash !== "string" || !Array.isArray(outputs?.validatorSets)) continue;
        const name = String(resource.urn).slice(String(resource.urn).lastIndexOf("::") + 2);
        launched[name] = { genesisHash: outputs.genesisHash, validatorSets: outputs.validatorSets };
    }
    return launched;
}

/** The pack config of one preview: the stack's settings, plus the genesis each launched chain must keep. */
export function packConfigFor(settings: PackConfig, exported: unknown): PackConfig {
    const launched = launchedGenesis(exported);
    const genesis = settings[GENESIS_POLICY];
    const genesisSettings = typeof genesis === "string" ? { enforcementLevel: genesis } : (genesis ?? {});
    return { ...settings, [GENESIS_POLICY]: { ...genesisSettings, launched } };
}
