import type { PolicyConfigSchema } from "@pulumi/policy";

/**
 * A policy's settings: its config from the stack's policy config (`policy/stacks/<stack>.json`,
 * merged by `scripts/policy-config.ts`) over the defaults of its config schema. The engine fills
 * the schema's defaults too; reading them here keeps a policy's behaviour the same when it is
 * called without the engine (the unit tests).
 */
export function settingsOf<T extends object>(args: { getConfig<C extends object>(): C }, schema: PolicyConfigSchema): T {
    const defaults = Object.fromEntries(
        Object.entries(schema.properties)
            .filter(([, property]) => typeof property === "object" && property !== null && "default" in property)
            .map(([key, property]) => [key, (property as { default: unknown }).default]),
    );
    return { ...defaults, ...(args.getConfig<Partial<T>>() ?? {}) } as T;
}
