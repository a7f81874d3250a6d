import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { genesisChangeFailures, type GenesisLockInputs } from "../../components/chain/genesisLock";
import { chainOf, containersOf, isAuthorityWorkload, isGenesisLock, validatorSetsOf, whenKnown, type ResourceView } from "../resources";
import { settingsOf } from "../settings";

interface AuthorityCount {
    readonly chain: string;
    readonly count: number;
    /** `validators`: a validator set of the chain spec; `own nodes`: the stack's own authority nodes, while the set is unknown. */
    readonly counted: "validators" | "own nodes";
    readonly fromBlock?: number;
}

/** How many authorities seal each chain of the stack, and a GenesisLock whose validator sets are still unknown. */
function authorityCounts(resources: readonly ResourceView[]): { counts: AuthorityCount[]; unknownLock?: ResourceView } {
    const locks = resources.filter(isGenesisLock);
    const counts: AuthorityCount[] = [];
    let unknownLock: ResourceView | undefined;
    for (const lock of locks) {
        const sets = whenKnown(() => validatorSetsOf(lock).map((set) => ({ fromBlock: set.fromBlock, count: set.addresses.length })));
        if (!sets) unknownLock = lock;
        for (const set of sets ?? []) counts.push({ chain: lock.name, count: set.count, counted: "validators", fromBlock: set.fromBlock });
    }
    if (unknownLock || locks.length === 0) {
        // Before a chain's keys exist its validator addresses are unknown; its own nodes are a lower bound.
        const byChain = new Map<string, number>();
        for (const workload of resources.filter(isAuthorityWorkload)) byChain.set(chainOf(workload), (byChain.get(chainOf(workload)) ?? 0) + 1);
        for (const [chain, count] of byChain) counts.push({ chain, count, counted: "own nodes" });
    }
    return { counts, unknownLock };
}

const authorityCountSchema: PolicyConfigSchema = {
    properties: {
        minAuthorities: {
            type: "integer",
            minimum: 1,
            default: 3,
            description: "The fewest authorities a chain of this stack may have (3 for a production consortium; a dev stack may lower it).",
        },
    },
};

export const authorityCount: StackValidationPolicy = {
    name: "authority-count",
    description: "Every chain is sealed by enough authorities that one failing or misbehaving cannot stall or control it.",
    enforcementLevel: "mandatory",
    configSchema: authorityCountSchema,
    validateStack: (args, reportViolation) => {
        const { minAuthorities } = settingsOf<{ minAuthorities: number }>(args, authorityCountSchema);
        const { counts, unknownLock } = authorityCounts(args.resources);
        for (const { chain, count, counted, fromBlock } of counts) {
            if (count >= minAuthorities) continue;
            if (counted === "own nodes") {
                // Too few nodes of its own, but members' external authorities may make up the number: reading
                // the unknown validator sets lets the engine report that the policy can only run once they exist.
                if (unknownLock) validatorSetsOf(unknownLock).forEach((set) => set.addresses.length);
                reportViolation(`chain '${chain}' runs ${count} authority node(s); at least ${minAuthorities} are required (policy config authority-count.minAuthorities).`);
                continue;
            }
            reportViolation(
                `chain '${chain}' has ${count} authorit${count === 1 ? "y" : "ies"} in the validator set from block ${fromBlock}; at least ${minAuthorities} are required ` +
                    `(policy config authority-count.minAuthorities) so that one authority failing or misbehaving can neither stall nor control the chain. ` +
                    "Add authorities (authorities, externalAuthorities) before launch, or a validator set at a future block (chain.validatorSets).",
            );
        }
    },
};

export const authorityCountOdd: StackValidationPolicy = {
    name: "authority-count-odd",
    description: "Warns when a chain has an even number of authorities: one more tolerates no more failures, and a split vote is possible.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        for (const { chain, count, counted, fromBlock } of authorityCounts(args.resources).counts) {
            if (counted !== "validators" || count % 2 === 1) continue;
            reportViolation(
                `chain '${chain}' has ${count} authorities in the validator set from block ${fromBlock}, an even number: ` +
                    `it tolerates as many failures as ${count - 1} would, and a vote to change the validator set can tie. Prefer ${count + 1} (or ${count - 1}).`,
            );
        }
    },
};

const genesisSchema: PolicyConfigSchema = {
    properties: {
        launched: {
            type: "object",
            default: {},
            description:
                "The genesis of each chain as launched, keyed by the GenesisLock's name: { genesisHash, validatorSets }. " +
                "scripts/policy-config.ts fills it from the stack's state before every preview.",
            additionalProperties: {
                type: "object",
                required: ["genesisHash", "validatorSets"],
                properties: { genesisHash: { type: "string" }, validatorSets: { type: "array" } },
            },
        },
    },
};

export const genesisUnchanged: ResourceValidationPolicy = {
    name: "genesis-unchanged",
    description: "A launched chain's genesis and past validator sets never change: nodes given another genesis would fork off the chain.",
    enforcementLevel: "mandatory",
    configSchema: genesisSchema,
    validateResource: (args, reportViolation) => {
        if (!isGenesisLock(args)) return;
        const { launched } = settingsOf<{ launched: Record<string, GenesisLockInputs> }>(args, genesisSchema);
        const recorded = launched[args.name];
        if (!recorded) return;
        // Copied inside whenKnown so that an unknown address (a key not generated yet) skips the check here.
        const next = whenKnown(() => ({ genesisHash: args.props.genesisHash as string, validatorSets: validatorSetsOf(args).map((set) => ({ ...set, addresses: [...set.addresses] })) }));
        if (!next) return;
        for (const failure of genesisChangeFailures(recorded, next)) reportViolation(`chain '${args.name}' is launched: ${failure.reason}`);
    },
};

const bridgeSchema: PolicyConfigSchema = {
    properties: {
        requireMajority: {
            type: "boolean",
            default: true,
            description: "Required signatures must be more than half of the bridge validators (a dev stack may turn it off).",
        },
    },
};

export const bridgeSignaturesMajority: ResourceValidationPolicy = {
    name: "bridge-signatures-majority",
    description: "A bridge transfer needs signatures from more than half of the bridge validators, so no minority can move funds.",
    enforcementLevel: "mandatory",
    configSchema: bridgeSchema,
    validateResource: (args, reportViolation) => {
        const { requireMajority } = settingsOf<{ requireMajority: boolean }>(args, bridgeSchema);
        if (!requireMajority) return;
        for (const container of containersOf(args)) {
            const env = new Map(container.env.map((entry) => [entry.name, entry.value]));
            const required = env.get("REQUIRED_NUMBER_OF_VALIDATORS");
            const validators = env.get("VALIDATORS");
            if (typeof required !== "string" || typeof validators !== "string") continue;
            const count = validators.split(/\s+/).filter(Boolean).length;
            if (Number(required) * 2 > count) continue;
            reportViolation(
                `the bridge requires ${required} signature(s) of ${count} validators: it must require more than half (at least ${Math.floor(count / 2) + 1}) ` +
                    "so that no minority of validators can move funds. Raise bridge.requiredSignatures.",
            );
        }
    },
};
