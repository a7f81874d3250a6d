import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { PREVIEW_UNKNOWN } from "../previewUnknown";
import { buildChainSpec, type ChainSpec, type ChainSpecInput, type ValidatorSet } from "./spec";

/**
 * Freezes a launched chain's genesis. The lock records the hash of everything in the spec that the
 * running chain cannot change (genesis block, engine, fork rules, first validator set) and the
 * validator sets. On the next preview or update, Pulumi calls `check` with the recorded and the new
 * inputs: a different genesis, or a validator set edited or removed rather than appended, fails
 * there, with an explanation, before any node receives the new spec.
 */

export interface GenesisLockInputs {
    readonly genesisHash: string;
    readonly validatorSets: readonly ValidatorSet[];
    /**
     * The genesis hash of this spec without the precompile rules, and with them at genesis: how the lock recognises a
     * chain launched before this project set them, or one launched with them, when the hashes differ.
     */
    readonly hashesByPrecompiles?: { readonly never: string; readonly genesis: string };
}

/** The hash of the spec with later validator sets left out: it changes only when the chain would fork. */
export function genesisHash(spec: ChainSpec, validatorSets: readonly ValidatorSet[]): string {
    const frozen = JSON.parse(JSON.stringify(spec));
    frozen.engine.authorityRound.params.validators = { list: validatorSets[0].addresses };
    return `sha256:${createHash("sha256").update(JSON.stringify(frozen)).digest("hex")}`;
}

/** What the lock records for a spec, with the hashes it tells a chain launched without the precompile rules by. */
export function genesisLockInputs(input: ChainSpecInput, precompilesFromBlock: 0 | "never"): GenesisLockInputs {
    const hashWith = (from: 0 | "never") => genesisHash(buildChainSpec({ ...input, precompilesFromBlock: from }), input.validatorSets);
    const hashesByPrecompiles = { never: hashWith("never"), genesis: hashWith(0) };
    return {
        genesisHash: precompilesFromBlock === "never" ? hashesByPrecompiles.never : hashesByPrecompiles.genesis,
        validatorSets: input.validatorSets.map((set) => ({ fromBlock: set.fromBlock, addresses: [...set.addresses] })),
        hashesByPrecompiles,
    };
}

/** Why `next` cannot replace `recorded` on a running chain; empty when it can. It runs in the provider, so it uses nothing but plain values. */
export function genesisChangeFailures(recorded: Partial<GenesisLockInputs>, next: GenesisLockInputs): { property: string; reason: string }[] {
    if (!recorded.genesisHash || next.genesisHash === PREVIEW_UNKNOWN || JSON.stringify(next.validatorSets ?? PREVIEW_UNKNOWN).includes(PREVIEW_UNKNOWN)) return [];
    const failures: { property: string; reason: string }[] = [];
    if (recorded.genesisHash !== next.genesisHash && recorded.genesisHash === next.hashesByPrecompiles?.never) {
        failures.push({
            property: "genesisHash",
            reason:
                "this chain was launched without the BLAKE2F precompile (EIP-152) and the bn128 and modexp prices of EIP-1108 and " +
                "EIP-2565, which a new chain gets at genesis; giving them to its past blocks would fork it. Set " +
                "chain.precompilesFromBlock to never to keep the rules it was launched with.",
        });
    } else if (recorded.genesisHash !== next.genesisHash && recorded.genesisHash === next.hashesByPrecompiles?.genesis) {
        failures.push({
            property: "genesisHash",
            reason: "this chain has the EIP-152, EIP-1108 and EIP-2565 precompile rules from genesis; chain.precompilesFromBlock cannot take them away. Remove it.",
        });
    } else if (recorded.genesisHash !== next.genesisHash) {
        failures.push({
            property: "genesisHash",
            reason:
                `the chain spec's genesis would change from ${recorded.genesisHash} to ${next.genesisHash}. ` +
                "The running chain cannot follow it: nodes given the new spec would fork off or fail to start. " +
                "Undo the change to chain.name, networkId, chainId, stepDuration, gasLimit, accounts, precompilesFromBlock, the client kind " +
                "or the first validator set. To start a new chain instead, destroy this stack's nodes and data first.",
        });
    }
    const before = recorded.validatorSets ?? [];
    const same = (a: ValidatorSet, b: ValidatorSet) => a.fromBlock === b.fromBlock && JSON.stringify(a.addresses) === JSON.stringify(b.addresses);
    before.forEach((set, index) => {
        if (!next.validatorSets[index] || !same(set, next.validatorSets[index])) {
            failures.push({
                property: "validatorSets",
                reason:
                    `the validator set from block ${set.fromBlock} would be edited or removed. Sets already in the spec ` +
                    "may be past or pending on chain; add a new set at a future block instead (chain.validatorSets).",
            });
        }
    });
    return failures;
}

export const GENESIS_LOCK_PROVIDER: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<GenesisLockInputs>, news: GenesisLockInputs) {
        return { inputs: news, failures: genesisChangeFailures(olds, news) };
    },
    async diff(_id: string, olds: GenesisLockInputs, news: GenesisLockInputs) {
        return { changes: JSON.stringify(olds) !== JSON.stringify(news), replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: GenesisLockInputs) {
        return { id: inputs.genesisHash, outs: inputs };
    },
    async update(_id: string, _olds: GenesisLockInputs, news: GenesisLockInputs) {
        return { outs: news };
    },
};

export interface GenesisLockArgs {
    /** genesisLockInputs of the spec. */
    readonly inputs: pulumi.Output<GenesisLockInputs>;
}

/** The record of a launched chain's genesis (a dynamic resource, `pulumi-nodejs:dynamic:Resource`). */
export class GenesisLock extends pulumi.dynamic.Resource {
    declare public readonly genesisHash: pulumi.Output<string>;
    declare public readonly validatorSets: pulumi.Output<ValidatorSet[]>;

    constructor(name: string, args: GenesisLockArgs, opts?: pulumi.CustomResourceOptions) {
        const { inputs } = args;
        super(
            GENESIS_LOCK_PROVIDER,
            name,
            {
                genesisHash: inputs.genesisHash,
                validatorSets: inputs.validatorSets,
                hashesByPrecompiles: inputs.hashesByPrecompiles,
            },
            opts,
        );
    }
}
