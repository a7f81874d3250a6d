import { GENESIS_LOCK_PROVIDER, genesisChangeFailures, genesisHash, genesisLockInputs } from "../../components/chain/genesisLock";
import { buildChainSpec, type ChainSpecInput } from "../../components/chain/spec";
import { evaluate, installMocks, ofType, promiseOf, settle, useDevStack } from "../helpers/pulumiMocks";

const A = "0x1111111111111111111111111111111111111111";
const B = "0x2222222222222222222222222222222222222222";
const C = "0x3333333333333333333333333333333333333333";
const base: ChainSpecInput = {
    name: "home",
    networkId: 17,
    chainId: 17,
    stepDuration: 2,
    gasLimit: 40_000_000n,
    accounts: {},
    validatorSets: [{ fromBlock: 0, addresses: [A, B] }],
    client: "nethermind",
};
const lockOf = (input: ChainSpecInput) => ({ genesisHash: genesisHash(buildChainSpec(input), input.validatorSets), validatorSets: input.validatorSets });

describe("the precompile rules (chain.precompilesFromBlock) on a chain the lock already recorded", () => {
    // What the previous release recorded for `base` (computed by its code, before the precompile rules existed).
    const PREVIOUS_RELEASE = {
        nethermind: "sha256:82379ec9a90a13b412a8c055f6ed290d78b4cd053a8d859aef4e484b773f0d46",
        openethereum: "sha256:7dcc6755312f6a575e10790a7237beb737a22d46548a7eac55abbbcaba54f43a",
    };

    test.each(["nethermind", "openethereum"] as const)("%s: never is the launched chain; the default is refused, naming the key and both ways out", async (client) => {
        const recorded = { genesisHash: PREVIOUS_RELEASE[client], validatorSets: base.validatorSets };
        const input = { ...base, client };
        expect(genesisLockInputs(input, "never").genesisHash).toBe(PREVIOUS_RELEASE[client]);
        expect((await GENESIS_LOCK_PROVIDER.check!(recorded, genesisLockInputs(input, "never"))).failures).toEqual([]);
        const [failure] = (await GENESIS_LOCK_PROVIDER.check!(recorded, genesisLockInputs(input, 0))).failures!;
        expect(failure.property).toBe("genesisHash");
        expect(failure.reason).toContain("launched without the BLAKE2F precompile");
        expect(failure.reason).toContain("chain.precompilesFromBlock to never");
    });

    test("a chain launched with them at genesis cannot drop them", async () => {
        const launched = genesisLockInputs(base, 0);
        expect(launched.genesisHash).not.toBe(PREVIOUS_RELEASE.nethermind);
        const [failure] = (await GENESIS_LOCK_PROVIDER.check!(launched, genesisLockInputs(base, "never"))).failures!;
        expect(failure.reason).toContain("from genesis");
        expect((await GENESIS_LOCK_PROVIDER.check!(launched, genesisLockInputs(base, 0))).failures).toEqual([]);
    });
});

describe("the genesis lock", () => {
    const launched = lockOf(base);

    test("accepts the first deployment and an unchanged spec", async () => {
        expect(genesisChangeFailures({}, launched)).toEqual([]);
        expect((await GENESIS_LOCK_PROVIDER.check!(launched, lockOf(base))).failures).toEqual([]);
    });

    test.each<[string, Partial<ChainSpecInput>]>([
        ["stepDuration", { stepDuration: 5 }],
        ["networkId", { networkId: 18 }],
        ["chainId", { chainId: 18 }],
        ["gasLimit", { gasLimit: 30_000_000n }],
        ["funded accounts", { accounts: { [C]: "1" } }],
        ["the client's fork rules", { client: "parity" }],
        ["the genesis validator set", { validatorSets: [{ fromBlock: 0, addresses: [A, B, C] }] }],
    ])("refuses a change of %s on a launched chain, with an explanation", async (_label, change) => {
        const result = await GENESIS_LOCK_PROVIDER.check!(launched, lockOf({ ...base, ...change }));
        const genesisFailure = result.failures!.find((failure) => failure.property === "genesisHash");
        expect(genesisFailure?.reason).toContain("nodes given the new spec would fork off or fail to start");
    });

    test("accepts a validator set added at a future block, and shows it as an update", async () => {
        const next = lockOf({ ...base, validatorSets: [...base.validatorSets, { fromBlock: 50_000, addresses: [A, B, C] }] });
        expect(next.genesisHash).toBe(launched.genesisHash);
        expect((await GENESIS_LOCK_PROVIDER.check!(launched, next)).failures).toEqual([]);
        expect((await GENESIS_LOCK_PROVIDER.diff!("id", launched, next)).changes).toBe(true);
    });

    test("refuses editing or removing a validator set already in the spec", () => {
        const withChange = lockOf({ ...base, validatorSets: [...base.validatorSets, { fromBlock: 50_000, addresses: [A, B, C] }] });
        const edited = lockOf({ ...base, validatorSets: [...base.validatorSets, { fromBlock: 60_000, addresses: [A, B, C] }] });
        expect(genesisChangeFailures(withChange, edited).map((failure) => failure.property)).toEqual(["validatorSets"]);
        expect(genesisChangeFailures(withChange, launched)[0].reason).toContain("from block 50000 would be edited or removed");
    });

    test("does not judge values a preview does not know yet", () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(genesisChangeFailures(launched, { genesisHash: unknown, validatorSets: launched.validatorSets })).toEqual([]);
    });

    test("reports no change when nothing changed", async () => {
        expect((await GENESIS_LOCK_PROVIDER.diff!("id", launched, lockOf(base))).changes).toBe(false);
    });
});

describe("the program records its genesis", () => {
    test("the lock carries the genesis hash and validator sets, and nodes wait for it", async () => {
        const registrations = await installMocks();
        useDevStack();
        const { runProgram } = await import("../../components/program");
        const outputs = await evaluate(runProgram);
        const validators = await promiseOf(outputs.validators);
        await settle();
        const [lock] = ofType(registrations, "pulumi-nodejs:dynamic:Resource");
        expect(lock.inputs.genesisHash).toBe(await promiseOf(outputs.genesisHash));
        expect(lock.inputs.validatorSets).toEqual([{ fromBlock: 0, addresses: validators }]);
        const [platform] = ofType(registrations, "consortium:platform:Docker");
        expect(platform.opts.dependsOn).toHaveLength(1);
    });
});
