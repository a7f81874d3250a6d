import * as pulumi from "@pulumi/pulumi";
import type { EnforcementLevel, Policy, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PackConfig } from "../../policy/packConfig";
import { CONSORTIUM_POLICIES } from "../../policy/policies";
import { promiseOf, type Registration } from "./pulumiMocks";

/**
 * Runs policies the way the engine's analyzer does, without the engine: a resource policy gets one
 * resource's inputs and options, a stack policy every resource; each policy reads its own section
 * of the pack config. Violations are collected, not thrown, so a test sees all of them.
 */

export interface Resource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, any>;
    readonly urn?: string;
    readonly protect?: boolean;
}

const options = (protect: boolean) => ({ protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] });
const urnOf = (resource: Resource) => resource.urn ?? `urn:pulumi:test::consortium::${resource.type}::${resource.name}`;

function configOf(policy: Policy, config: PackConfig): Record<string, unknown> {
    const section = config[policy.name];
    return typeof section === "object" ? section : {};
}

export function resourceArgs(resource: Resource, config: PackConfig = {}, policy?: Policy): ResourceValidationArgs {
    return {
        type: resource.type,
        name: resource.name,
        props: resource.props,
        urn: urnOf(resource),
        opts: options(resource.protect ?? false),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (policy ? configOf(policy, config) : {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(reason ?? "not applicable");
        },
    };
}

export function policyResource(resource: Resource): PolicyResource {
    return { type: resource.type, name: resource.name, props: resource.props, urn: urnOf(resource), opts: options(resource.protect ?? false), dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined };
}

/** The messages a resource policy reports for one resource. */
export function resourceViolations(policy: ResourceValidationPolicy, resource: Resource, config: PackConfig = {}): string[] {
    const messages: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) void validate?.(resourceArgs(resource, config, policy), (message) => messages.push(message));
    return messages;
}

/** The messages a stack policy reports for a whole stack. */
export function stackViolations(policy: StackValidationPolicy, resources: readonly Resource[], config: PackConfig = {}): string[] {
    const messages: string[] = [];
    void policy.validateStack(
        {
            resources: resources.map(policyResource),
            stackTags: new Map(),
            getConfig: <T extends object>() => configOf(policy, config) as T,
            notApplicable: (reason?: string): never => {
                throw new Error(reason ?? "not applicable");
            },
        },
        (message) => messages.push(message),
    );
    return messages;
}

export interface PackResult {
    /** `policy-name: message` of every violation that fails a preview. */
    readonly mandatory: string[];
    readonly advisory: string[];
}

/** Runs the whole consortium pack over a stack's resources with one stack's pack config. */
export function runPack(resources: readonly Resource[], config: PackConfig = {}): PackResult {
    const result: PackResult = { mandatory: [], advisory: [] };
    for (const policy of CONSORTIUM_POLICIES) {
        const section = config[policy.name] ?? config.all;
        const level: EnforcementLevel = (typeof section === "string" ? section : section?.enforcementLevel) ?? policy.enforcementLevel ?? "mandatory";
        if (level === "disabled") continue;
        const messages =
            "validateStack" in policy
                ? stackViolations(policy, resources, config)
                : resources.flatMap((resource) => resourceViolations(policy as ResourceValidationPolicy, resource, config));
        (level === "advisory" ? result.advisory : result.mandatory).push(...messages.map((message) => `${policy.name}: ${message}`));
    }
    return result;
}

/** The resources a program registered under mocks, as the analyzer sees them: inputs, URN (with parent types), protect. */
export async function resourcesOf(registrations: readonly Registration[]): Promise<Resource[]> {
    const resources: Resource[] = [];
    for (const registration of registrations) {
        if (registration.type.startsWith("pulumi:")) continue;
        const parent = registration.opts.parent as pulumi.Resource | undefined;
        const parentUrn = parent ? await promiseOf(parent.urn) : undefined;
        const parentType = parentUrn?.split("::")[2];
        const qualifiedType = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${registration.type}` : registration.type;
        resources.push({
            type: registration.type,
            name: registration.name,
            props: registration.inputs,
            urn: `urn:pulumi:test::consortium::${qualifiedType}::${registration.name}`,
            protect: Boolean(registration.opts.protect),
        });
    }
    return resources;
}
