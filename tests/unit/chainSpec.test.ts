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
        expect(transitions.sort()).toEqual(Object.keys(FORK_TRANSITIONS[client]).sort());
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
