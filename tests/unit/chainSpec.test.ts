import fc from "fast-check";
import { readFileSync } from "fs";
import * as path from "path";
import { FORK_TRANSITIONS } from "../../components/chain/forks";
import { buildChainSpec, serializeChainSpec, specHash, type ChainSpecInput } from "../../components/chain/spec";
import { CLIENT_KINDS } from "../../components/config";

const seed = JSON.parse(readFileSync(path.join(__dirname, "..", "fixtures", "seed-spec-3-validators.json"), "utf8"));
const SEED_VALIDATORS = seed.engine.authorityRound.params.validators.list as string[];

const seedShaped = (client: ChainSpecInput["client"]): ChainSpecInput => ({
    name: "HOME-CHAIN",
    networkId: 0x11,
    chainId: 0x11,
    stepDuration: 2,
    gasLimit: 40_000_000n,
    accounts: { "0x00Ea169ce7e0992960D3BdE6F5D539C955316432": (2n ** 200n).toString() },
    validatorSets: [{ fromBlock: 0, addresses: SEED_VALIDATORS }],
    client,
});

describe("golden: the seed-shaped 3-validator spec (parity-deploy v1.0.4 for Parity 2.4.5)", () => {
    const spec = buildChainSpec(seedShaped("parity")) as any;

    test("name, validators, genesis and accounts are the seed's, value for value", () => {
        expect(spec.name).toBe(seed.name);
        expect(spec.engine.authorityRound.params.validators).toEqual(seed.engine.authorityRound.params.validators);
        expect(String(spec.engine.authorityRound.params.stepDuration)).toBe(seed.engine.authorityRound.params.stepDuration);
        expect({ ...spec.genesis, gasLimit: spec.genesis.gasLimit.toLowerCase() }).toEqual({ ...seed.genesis, gasLimit: seed.genesis.gasLimit.toLowerCase() });
        expect(spec.accounts).toEqual(seed.accounts);
    });

    test("every seed parameter is kept except the Wasm-only ones and EIP-1283, which Petersburg disables", () => {
        const dropped = ["wasmActivationTransition", "kip4Transition", "kip6Transition"];
        for (const [key, value] of Object.entries(seed.params)) {
            if (dropped.includes(key)) expect(spec.params[key]).toBeUndefined();
            else expect([key, spec.params[key]]).toEqual([key, value]);
        }
        expect(spec.params.eip1283DisableTransition).toBe("0x0");
    });

    test("the extensions: explicit chainID and the EIP-170 code size limit", () => {
        expect(spec.params.chainID).toBe("0x11");
        expect(spec.params.maxCodeSize).toBe("0x6000");
        expect(spec.params.maxCodeSizeTransition).toBe("0x0");
    });
});

describe.each(CLIENT_KINDS)("the %s profile's spec", (client) => {
    test("matches its snapshot", () => {
        expect(serializeChainSpec(buildChainSpec(seedShaped(client)))).toMatchSnapshot();
    });

    test("enables exactly the profile's fork transitions", () => {
        const params = (buildChainSpec(seedShaped(client)) as any).params;
        const transitions = Object.keys(params).filter((key) => /Transition/.test(key) && key !== "maxCodeSizeTransition");
        const precompiles = client === "nethermind" ? ["eip152Transition", "eip1108Transition", "eip2565Transition"] : [];
        expect(transitions.sort()).toEqual([...Object.keys(FORK_TRANSITIONS[client]), ...precompiles].sort());
    });
});

/** What Nethermind infers from builtins when its params are absent (ChainSpecLoader.LoadParameters, per the research in the README's "Clients"). */
function inferredByNethermind(accounts: Record<string, any>): Record<string, number | undefined> {
    const byName = (name: string) => Object.values(accounts).find((account) => account.builtin?.name === name)?.builtin.pricing ?? {};
    const firstKey = (pricing: Record<string, any>, matches: (price: any) => boolean) => {
        const key = Object.keys(pricing).find((candidate) => pricing[candidate]?.price && matches(pricing[candidate].price));
        return key === undefined ? undefined : Number(key);
    };
    return {
        eip152: firstKey(byName("blake2_f"), (price) => price.blake2_f?.gas_per_round === 1),
        eip1108: firstKey(byName("alt_bn128_add"), (price) => price.alt_bn128_const_operations?.price === 150),
        eip2565: firstKey(byName("modexp"), (price) => price.modexp2565 !== undefined),
    };
}

/** OpenEthereum 3.3.5's builtin pricing, `deny_unknown_fields` (ethjson/src/spec/builtin.rs): each variant and its fields. */
const OE_PRICING_FIELDS: Record<string, string[]> = {
    linear: ["base", "word"],
    modexp: ["divisor"],
    modexp2565: [],
    alt_bn128_pairing: ["base", "pair"],
    alt_bn128_const_operations: ["price"],
    blake2_f: ["gas_per_round"],
};
function oePricingProblems(builtin: any): string[] {
    const single = (pricing: any) => {
        const variants = Object.keys(pricing);
        if (variants.length !== 1 || !OE_PRICING_FIELDS[variants[0]]) return [`unknown pricing ${JSON.stringify(pricing)}`];
        const unknown = Object.keys(pricing[variants[0]]).filter((field) => !OE_PRICING_FIELDS[variants[0]].includes(field));
        return unknown.length > 0 ? [`unknown fields ${unknown.join(", ")}`] : [];
    };
    const keys = Object.keys(builtin.pricing);
    if (keys.every((key) => OE_PRICING_FIELDS[key])) return single(builtin.pricing);
    // PricingCompat::Multi: block number to { price, info? }; activate_at would be ignored silently, so it must be absent.
    return [
        ...(builtin.activate_at !== undefined ? ["activate_at beside a pricing map is ignored"] : []),
        ...keys.flatMap((key) => [
            ...(/^\d+$/.test(key) ? [] : [`pricing key ${key} is not a block number`]),
            ...Object.keys(builtin.pricing[key]).filter((field) => field !== "price" && field !== "info").map((field) => `unknown field ${field}`),
            ...single(builtin.pricing[key].price),
        ]),
    ];
}

describe("precompiles: BLAKE2F (EIP-152), bn128 (EIP-1108) and modexp (EIP-2565) prices", () => {
    const precompile = (index: number) => `0x${index.toString(16).padStart(40, "0")}`;

    test.each([0, 1_000_000])("from block %d, Nethermind's params and its builtins say the same block, and every builtin is one OpenEthereum parses", (from) => {
        for (const client of ["nethermind", "openethereum"] as const) {
            const spec = buildChainSpec({ ...seedShaped(client), precompilesFromBlock: from }) as any;
            expect(inferredByNethermind(spec.accounts)).toEqual({ eip152: from, eip1108: from, eip2565: from });
            for (const account of Object.values(spec.accounts) as any[]) if (account.builtin) expect(oePricingProblems(account.builtin)).toEqual([]);
            // BLAKE2F is not in the genesis state: no balance, so the state root stays the seed's.
            expect(spec.accounts[precompile(9)]).toEqual({ builtin: { name: "blake2_f", pricing: { [String(from)]: { price: { blake2_f: { gas_per_round: 1 } } } } } });
        }
        const nethermind = buildChainSpec({ ...seedShaped("nethermind"), precompilesFromBlock: from }) as any;
        expect([nethermind.params.eip152Transition, nethermind.params.eip1108Transition, nethermind.params.eip2565Transition]).toEqual(Array(3).fill(`0x${from.toString(16)}`));
        // OpenEthereum's params refuse these keys (deny_unknown_fields): the builtins carry the rule there.
        expect(Object.keys((buildChainSpec({ ...seedShaped("openethereum"), precompilesFromBlock: from }) as any).params).filter((key) => /eip(152|1108|2565)/.test(key))).toEqual([]);
    });

    test("before the block the Byzantium prices hold, from it the new ones", () => {
        const pairing = (buildChainSpec({ ...seedShaped("openethereum"), precompilesFromBlock: 500 }) as any).accounts[precompile(8)].builtin.pricing;
        expect(pairing).toEqual({ "0": { price: { alt_bn128_pairing: { base: 100000, pair: 80000 } } }, "500": { price: { alt_bn128_pairing: { base: 45000, pair: 34000 } } } });
    });

    test("never, and every Parity spec, keep the seed's precompiles 1-8 and no precompile transition", () => {
        const seedBuiltins = Object.fromEntries(Object.entries(seed.accounts).filter(([, account]: [string, any]) => account.builtin));
        for (const input of [{ ...seedShaped("nethermind"), precompilesFromBlock: "never" as const }, { ...seedShaped("openethereum"), precompilesFromBlock: "never" as const }, seedShaped("parity"), { ...seedShaped("parity"), precompilesFromBlock: 7 }]) {
            const spec = buildChainSpec(input) as any;
            expect(Object.fromEntries(Object.entries(spec.accounts).filter(([, account]: [string, any]) => account.builtin))).toEqual(seedBuiltins);
            expect(Object.keys(spec.params).filter((key) => /eip(152|1108|2565)/.test(key))).toEqual([]);
        }
    });
});

describe("fork levels", () => {
    test("Parity stops at Petersburg, OpenEthereum at Berlin, Nethermind adds London and Shanghai/Cancun opcodes", () => {
        expect(FORK_TRANSITIONS.parity.eip1344Transition).toBeUndefined();
        expect(FORK_TRANSITIONS.openethereum.eip2929Transition).toBe("0x0");
        expect(FORK_TRANSITIONS.openethereum.eip1559Transition).toBeUndefined();
        expect(FORK_TRANSITIONS.nethermind.eip1559Transition).toBe("0x0");
        expect(FORK_TRANSITIONS.nethermind.eip3855TransitionTimestamp).toBe("0x0");
        expect(Object.keys(FORK_TRANSITIONS.nethermind).some((key) => key.startsWith("eip4844") || key.startsWith("eip4895"))).toBe(false);
    });
});

describe("validator sets", () => {
    test("a validator change at a future block becomes multi transitions", () => {
        const spec = buildChainSpec({
            ...seedShaped("nethermind"),
            validatorSets: [
                { fromBlock: 0, addresses: SEED_VALIDATORS.slice(0, 2) },
                { fromBlock: 100_000, addresses: SEED_VALIDATORS },
            ],
        }) as any;
        expect(spec.engine.authorityRound.params.validators).toEqual({
            multi: { "0": { list: SEED_VALIDATORS.slice(0, 2) }, "100000": { list: SEED_VALIDATORS } },
        });
    });

    test("a first set after genesis is refused", () => {
        expect(() => buildChainSpec({ ...seedShaped("nethermind"), validatorSets: [{ fromBlock: 3, addresses: SEED_VALIDATORS }] })).toThrow("block 0");
    });

    test("property: the validator list is exactly the input addresses, in order", () => {
        fc.assert(
            fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 20, maxLength: 20 }), { minLength: 1, maxLength: 30 }), (raw) => {
                const addresses = raw.map((bytes) => `0x${Buffer.from(bytes).toString("hex")}`);
                const spec = buildChainSpec({ ...seedShaped("nethermind"), validatorSets: [{ fromBlock: 0, addresses }] }) as any;
                expect(spec.engine.authorityRound.params.validators.list).toEqual(addresses);
            }),
        );
    });
});

describe("accounts, ids and hashing", () => {
    test("chain id and network id are written in hex; funded accounts keep decimal balances", () => {
        const spec = buildChainSpec({ ...seedShaped("nethermind"), networkId: 4242, chainId: 65535, accounts: { "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb": "5" } }) as any;
        expect(spec.params.networkID).toBe("0x1092");
        expect(spec.params.chainID).toBe("0xffff");
        expect(spec.accounts["0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb"]).toEqual({ balance: "5" });
    });

    test("the spec hash changes with any byte of the spec and only then", () => {
        const json = serializeChainSpec(buildChainSpec(seedShaped("nethermind")));
        expect(specHash(json)).toBe(specHash(serializeChainSpec(buildChainSpec(seedShaped("nethermind")))));
        expect(specHash(json)).not.toBe(specHash(serializeChainSpec(buildChainSpec({ ...seedShaped("nethermind"), stepDuration: 3 }))));
    });
});
