import { createHash } from "crypto";
import type { ChainConfig, ClientKind } from "./config";
import { FORK_TRANSITIONS } from "./forks";

/**
 * The AuRa chain spec in the Parity/OpenEthereum/Nethermind format, as a pure function of the chain
 * settings and the validator addresses. Shape and constants follow parity-deploy's aura template
 * (the seed), extended with an explicit chainID, per-client fork transitions and the EIP-170 limit.
 */

export interface ValidatorSet {
    readonly fromBlock: number;
    /** EIP-55 signer addresses, in the order the consortium listed them. */
    readonly addresses: readonly string[];
}

/** The chain settings of the stack config, with validator names resolved to addresses. */
export interface ChainSpecInput extends Omit<ChainConfig, "validatorSets" | "precompilesFromBlock"> {
    readonly validatorSets: readonly ValidatorSet[];
    readonly client: ClientKind;
    /** Contracts present from genesis: address to runtime code (system contracts such as the CREATE2 factory). */
    readonly contracts?: Readonly<Record<string, string>>;
    /** The transaction-permission contract, active from block 0; absent: every sender may send anything. */
    readonly txPermissions?: GenesisContract;
    /**
     * The block from which BLAKE2F (EIP-152) exists and bn128 (EIP-1108) and modexp (EIP-2565) cost what Istanbul and
     * Berlin made them cost; "never": the rules of a chain launched before this project set them (the default, 0,
     * is genesis). Parity 2.4.5 implements none of them: its spec never has them.
     */
    readonly precompilesFromBlock?: number | "never";
}

/** A contract with its storage, as genesis holds it. */
export interface GenesisContract {
    readonly address: string;
    readonly code: string;
    /** 32-byte slot to 32-byte value, both 0x-prefixed hex. */
    readonly storage: Readonly<Record<string, string>>;
}

export interface ChainSpec {
    readonly name: string;
    readonly engine: { readonly authorityRound: { readonly params: { readonly stepDuration: number; readonly validators: object } } };
    readonly params: Readonly<Record<string, string>>;
    readonly genesis: object;
    readonly accounts: Readonly<Record<string, object>>;
}

const toHex = (value: number | bigint) => `0x${value.toString(16)}`;

/** Precompiles 1-8 exactly as the seed's spec has them; every client reads this legacy builtin format. */
const SEED_BUILTINS: Record<string, object> = {
    "0x0000000000000000000000000000000000000001": { balance: "1", builtin: { name: "ecrecover", pricing: { linear: { base: 3000, word: 0 } } } },
    "0x0000000000000000000000000000000000000002": { balance: "1", builtin: { name: "sha256", pricing: { linear: { base: 60, word: 12 } } } },
    "0x0000000000000000000000000000000000000003": { balance: "1", builtin: { name: "ripemd160", pricing: { linear: { base: 600, word: 120 } } } },
    "0x0000000000000000000000000000000000000004": { balance: "1", builtin: { name: "identity", pricing: { linear: { base: 15, word: 3 } } } },
    "0x0000000000000000000000000000000000000005": { builtin: { name: "modexp", activate_at: "0x0", pricing: { modexp: { divisor: 20 } } } },
    "0x0000000000000000000000000000000000000006": { builtin: { name: "alt_bn128_add", activate_at: "0x0", pricing: { linear: { base: 500, word: 0 } } } },
    "0x0000000000000000000000000000000000000007": { builtin: { name: "alt_bn128_mul", activate_at: "0x0", pricing: { linear: { base: 40000, word: 0 } } } },
    "0x0000000000000000000000000000000000000008": {
        builtin: { name: "alt_bn128_pairing", activate_at: "0x0", pricing: { alt_bn128_pairing: { base: 100000, pair: 80000 } } },
    },
};

const precompile = (index: number) => `0x${index.toString(16).padStart(40, "0")}`;

/**
 * Precompiles 5-9 in the pricing-by-block format (OpenEthereum 3.3.5 `ethjson/src/spec/builtin.rs` PricingCompat::Multi,
 * the layout of its bundled foundation.json, ewc.json and xdai.json): Byzantium prices from genesis, EIP-2565's modexp,
 * EIP-1108's bn128 prices and EIP-152's BLAKE2F from `from`. Nethermind reads the same transitions from its params
 * (eip152/1108/2565Transition, which win over what ChainSpecLoader infers from these entries: both say `from`).
 * BLAKE2F has no balance, so it is not in the genesis state (OE pod_state.rs skips empty accounts; Nethermind's
 * LoadAllocations skips a builtin without balance): the state root is the seed's.
 */
function repricedBuiltins(from: number): Record<string, object> {
    const at = (before: object, after: object) => (from === 0 ? { "0": { price: after } } : { "0": { price: before }, [String(from)]: { price: after } });
    return {
        [precompile(5)]: { builtin: { name: "modexp", pricing: at({ modexp: { divisor: 20 } }, { modexp2565: {} }) } },
        [precompile(6)]: { builtin: { name: "alt_bn128_add", pricing: at({ alt_bn128_const_operations: { price: 500 } }, { alt_bn128_const_operations: { price: 150 } }) } },
        [precompile(7)]: { builtin: { name: "alt_bn128_mul", pricing: at({ alt_bn128_const_operations: { price: 40000 } }, { alt_bn128_const_operations: { price: 6000 } }) } },
        [precompile(8)]: {
            builtin: { name: "alt_bn128_pairing", pricing: at({ alt_bn128_pairing: { base: 100000, pair: 80000 } }, { alt_bn128_pairing: { base: 45000, pair: 34000 } }) },
        },
        [precompile(9)]: { builtin: { name: "blake2_f", pricing: { [String(from)]: { price: { blake2_f: { gas_per_round: 1 } } } } } },
    };
}

/** The precompiles of a spec: the seed's, with 5-9 repriced and BLAKE2F added from `from` unless never (or Parity). */
function builtins(client: ClientKind, from: number | "never"): Record<string, object> {
    if (client === "parity" || from === "never") return SEED_BUILTINS;
    return { ...SEED_BUILTINS, ...repricedBuiltins(from) };
}

/** Nethermind's switches for the same precompile rules (ChainSpecParamsJson Eip152/1108/2565Transition); OpenEthereum's params refuse these keys. */
function precompileTransitions(client: ClientKind, from: number | "never"): Record<string, string> {
    if (client !== "nethermind" || from === "never") return {};
    return { eip152Transition: toHex(from), eip1108Transition: toHex(from), eip2565Transition: toHex(from) };
}

/** EIP-170: 24,576 bytes. The seed's spec left it unset, which means no limit in Parity and Nethermind. */
const MAX_CODE_SIZE = 0x6000;

function validators(sets: readonly ValidatorSet[]): object {
    const list = (set: ValidatorSet) => ({ list: [...set.addresses] });
    if (sets.length === 1) return list(sets[0]);
    return { multi: Object.fromEntries(sets.map((set) => [String(set.fromBlock), list(set)])) };
}

export function buildChainSpec(input: ChainSpecInput): ChainSpec {
    if (input.validatorSets.length === 0 || input.validatorSets[0].fromBlock !== 0) {
        throw new Error("the first validator set must start at block 0");
    }
    const precompilesFrom = input.precompilesFromBlock ?? 0;
    const accounts: Record<string, object> = { ...builtins(input.client, precompilesFrom) };
    for (const [address, balance] of Object.entries(input.accounts)) {
        const builtin = accounts[address.toLowerCase()];
        accounts[address] = builtin ? { ...builtin, balance } : { balance };
    }
    for (const [address, code] of Object.entries(input.contracts ?? {})) {
        const funded = accounts[address] as { balance?: string } | undefined;
        accounts[address] = { balance: funded?.balance ?? "0", code };
    }
    const permissions = input.txPermissions;
    if (permissions) accounts[permissions.address] = { balance: "0", code: permissions.code, storage: permissions.storage };
    return {
        name: input.name,
        engine: {
            authorityRound: {
                params: {
                    stepDuration: input.stepDuration,
                    validators: validators(input.validatorSets),
                },
            },
        },
        params: {
            maximumExtraDataSize: "0x20",
            minGasLimit: "0x1388",
            gasLimitBoundDivisor: "0x400",
            networkID: toHex(input.networkId),
            chainID: toHex(input.chainId),
            maxCodeSize: toHex(MAX_CODE_SIZE),
            maxCodeSizeTransition: "0x0",
            ...FORK_TRANSITIONS[input.client],
            ...precompileTransitions(input.client, precompilesFrom),
            ...(permissions ? { transactionPermissionContract: permissions.address, transactionPermissionContractTransition: "0x0" } : {}),
        },
        genesis: {
            seal: { authorityRound: { step: "0x0", signature: `0x${"0".repeat(130)}` } },
            difficulty: "0x20000",
            gasLimit: toHex(input.gasLimit),
        },
        accounts,
    };
}

/** The exact bytes every node reads. */
export function serializeChainSpec(spec: ChainSpec): string {
    return `${JSON.stringify(spec, null, 2)}\n`;
}

export function specHash(specJson: string): string {
    return `sha256:${createHash("sha256").update(specJson).digest("hex")}`;
}
