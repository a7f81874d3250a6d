import { Interface, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { parseConfig, type RawConfig } from "../../components/config";
import { artifacts } from "../../components/poco/artifacts";
import { pocoInputFailures, pocoPlanInput } from "../../components/poco/pocoDeployment";
import {
    DEFAULT_CATEGORIES,
    EMPTY_CHAIN_STATE,
    FAUCET_RLC_SUPPLY,
    blocksFor,
    layout,
    planDeployment,
    type Category,
    type ChainState,
    type PocoPlanInput,
    type Step,
} from "../../components/poco/plan";
import { evaluate, installMocks, isSecretValue, ofType, promiseOf, settle, unwrapSecrets, useStackConfig } from "../helpers/pulumiMocks";

const ADMIN_KEY = keccak256(toUtf8Bytes("consortium unit tests: PoCo admin"));
const ADMIN = new Wallet(ADMIN_KEY).address;
const BASE: RawConfig = {
    platform: "docker",
    chain: { name: "home", networkId: 17, stepDuration: 2, accounts: { [ADMIN]: "1000000000000000000000" } },
    authorities: [{ name: "a1" }],
};

describe("poco configuration", () => {
    test("defaults: faucet RLC, zero salt, iExec's five categories, iExec's metadata URIs", () => {
        const config = parseConfig({ ...BASE, poco: { admin: ADMIN } }, { pocoAdminKey: true });
        expect(config.poco).toEqual({ admin: ADMIN, salt: `0x${"00".repeat(32)}`, categories: DEFAULT_CATEGORIES, metadataBaseURI: "https://nfts-metadata.iex.ec", readinessTimeoutSeconds: 600 });
        expect(pocoPlanInput(config.poco!, 17, config.poco!.admin!).baseURIs.apps).toBe("https://nfts-metadata.iex.ec/app/17/");
        expect(pocoPlanInput(config.poco!, 17, config.poco!.admin!).rlc).toEqual({ deploy: true });
    });

    test("PoCo is refused on the parity profile's Petersburg chain, which lacks CHAINID", () => {
        expect(() => parseConfig({ ...BASE, client: { kind: "parity" }, poco: { admin: ADMIN } }, { pocoAdminKey: true })).toThrow(
            "consortium:poco needs the Istanbul EVM (CHAINID), which the parity profile's chain (Petersburg) lacks",
        );
        expect(parseConfig({ ...BASE, client: { kind: "openethereum" }, poco: { admin: ADMIN } }, { pocoAdminKey: true }).poco?.admin).toBe(ADMIN);
    });

    test("an empty poco object deploys nothing", () => {
        expect(parseConfig({ ...BASE, poco: {} }).poco).toBeUndefined();
    });

    test.each<[string, Record<string, unknown>, boolean, string]>([
        ["admin not an address", { admin: "0x12" }, true, "consortium:poco.admin must be a 20-byte hex address"],
        ["admin not funded", { admin: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb" }, true, "consortium:poco.admin 0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb must be funded in chain.accounts"],
        ["admin key not set", { admin: ADMIN }, false, "consortium:pocoAdminKey is required when poco is set: pulumi config set --secret pocoAdminKey"],
        ["salt", { admin: ADMIN, salt: "0x1234" }, true, "consortium:poco.salt must be 32 bytes of hex starting with 0x"],
        ["rlc address", { admin: ADMIN, rlcAddress: "rlc" }, true, "consortium:poco.rlcAddress must be a 20-byte hex address"],
        ["categories", { admin: ADMIN, categories: [] }, true, "consortium:poco.categories must be a non-empty list"],
        ["category time", { admin: ADMIN, categories: [{ name: "XS", workClockTimeRef: 0 }] }, true, "consortium:poco.categories[0].workClockTimeRef must be a positive number of seconds"],
        ["rpc URL", { admin: ADMIN, rpcUrl: "localhost:8545" }, true, "consortium:poco.rpcUrl must be an http(s) or ws(s) URL"],
        ["unknown key", { admin: ADMIN, owner: ADMIN }, true, "consortium:poco.owner is not a known key"],
    ])("%s is refused with a clear message", (_label, poco, keySet, message) => {
        expect(() => parseConfig({ ...BASE, poco }, { pocoAdminKey: keySet })).toThrow(message);
    });
});

describe("the admin key check a preview runs", () => {
    const plan = pocoPlanInput(parseConfig({ ...BASE, poco: { admin: ADMIN } }, { pocoAdminKey: true }).poco!, 17, ADMIN);
    test("accepts the admin's own key", () => {
        expect(pocoInputFailures({ rpcUrl: "http://x", plan, adminKey: ADMIN_KEY, readinessTimeoutSeconds: 1 })).toEqual([]);
    });
    test("refuses another key, naming both addresses", () => {
        const other = keccak256(toUtf8Bytes("other"));
        expect(pocoInputFailures({ rpcUrl: "http://x", plan, adminKey: other, readinessTimeoutSeconds: 1 })[0].reason).toBe(
            `consortium:pocoAdminKey is the key of ${new Wallet(other).address}, but poco.admin is ${ADMIN}`,
        );
    });
    test("refuses what is not a key", () => {
        expect(pocoInputFailures({ rpcUrl: "http://x", plan, adminKey: "0x1234", readinessTimeoutSeconds: 1 })[0].reason).toContain("is not a 32-byte hex private key");
    });
});

describe("the deployment plan", () => {
    const plan = pocoPlanInput(parseConfig({ ...BASE, poco: { admin: ADMIN } }, { pocoAdminKey: true }).poco!, 17, ADMIN);
    const empty = EMPTY_CHAIN_STATE;

    test("on an empty chain: RLC, diamond, library, 16 facets, 3 registries, then the cut, settings and categories", () => {
        const ids = planDeployment(plan, empty).map((step) => step.id);
        expect(ids.filter((id) => id.startsWith("facet-"))).toHaveLength(16);
        expect(ids.indexOf("diamond-cut")).toBeGreaterThan(ids.indexOf("facet-IexecRelayFacet"));
        expect(ids.indexOf("configure")).toBeGreaterThan(ids.indexOf("diamond-cut"));
        expect(ids.slice(-5)).toEqual(["category-0-XS", "category-1-S", "category-2-M", "category-3-L", "category-4-XL"]);
        expect(ids.length).toBe(38);
    });

    test("cuts every PoCo selector once, leaving selectors the diamond's own facets route", () => {
        const cut = planDeployment(plan, empty).find((step) => step.id === "diamond-cut")!;
        expect(cut.gasLimit).toBeGreaterThan(150_000n);
        expect(cut.gasLimit).toBeLessThan(40_000_000n);
    });

    test("addresses depend on the admin and the salt, not on anything else", () => {
        const same = layout({ ...plan, categories: [] }).addresses;
        expect(same).toEqual(layout(plan).addresses);
        expect(layout({ ...plan, salt: `0x${"01".repeat(32)}` }).addresses.diamond).not.toBe(layout(plan).addresses.diamond);
        expect(layout({ ...plan, admin: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb" }).addresses.diamond).not.toBe(layout(plan).addresses.diamond);
    });

    test("a category already on chain is never created again, whatever the count", () => {
        const custom = { name: "GPU", description: "{}", workClockTimeRef: 7200 };
        const state = { ...empty, categories: [DEFAULT_CATEGORIES[1], custom, DEFAULT_CATEGORIES[3]] };
        const ids = planDeployment(plan, state).map((step) => step.id).filter((id) => id.startsWith("category-"));
        expect(ids).toEqual(["category-3-XS", "category-4-M", "category-5-XL"]);
        // Same name, other content: a different category.
        const renamed = { ...empty, categories: [{ ...DEFAULT_CATEGORIES[0], workClockTimeRef: 1 }] };
        expect(planDeployment(plan, renamed).filter((step) => step.id.startsWith("category-"))).toHaveLength(5);
        expect(planDeployment(plan, { ...empty, categories: [...DEFAULT_CATEGORIES, custom] }).some((step) => step.id.startsWith("category-"))).toBe(false);
    });

    test("planning is prefix-consistent: once any first steps of a plan are mined, the new plan is the rest", () => {
        for (const input of [plan, { ...plan, rlc: { deploy: false as const, address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb" } }]) {
            const steps = planDeployment(input, empty);
            let state: ChainState = empty;
            for (let mined = 0; mined <= steps.length; mined++) {
                expect(planDeployment(input, state)).toEqual(steps.slice(mined));
                if (mined < steps.length) state = applyStep(input, state, steps[mined]);
            }
            expect(planDeployment(input, state)).toEqual([]);
        }
    });

    test("the budgets in a snapshot: each step's gas limit and expected use", () => {
        expect(planDeployment(plan, empty).map((step) => `${step.id}: limit ${step.gasLimit}, expected ${step.expectedGas}`)).toMatchSnapshot();
    });

    test("a gas limit is the expected use, 1/64 for the 63/64 call rule and 2 %", () => {
        for (const step of planDeployment(plan, empty)) {
            const ratio = Number(step.gasLimit) / Number(step.expectedGas);
            expect(ratio).toBeGreaterThanOrEqual((64 / 63) * 1.02);
            expect(ratio).toBeLessThan((64 / 63) * 1.02 + 1e-4);
        }
    });

    test("budgets grow with what a step stores: long base URIs and category texts", () => {
        const long = "x".repeat(200);
        const limits = (input: PocoPlanInput) => Object.fromEntries(planDeployment(input, empty).map((step) => [step.id, step.gasLimit]));
        const base = limits(plan);
        const grown = limits({ ...plan, baseURIs: { ...plan.baseURIs, apps: `https://${long}/` }, categories: [{ name: "XS", description: long, workClockTimeRef: 300 }] });
        // A fresh storage word costs 22,100 gas: 36 bytes take 2 words and 209 bytes 7; "{}" fits in the
        // length slot, 200 bytes take 7 words more.
        expect(grown["registry-apps-base-uri"] - base["registry-apps-base-uri"]).toBeGreaterThan(5n * 22_100n);
        expect(grown["category-0-XS"] - base["category-0-XS"]).toBeGreaterThan(7n * 22_100n);
        expect(grown["registry-datasets-base-uri"]).toBe(base["registry-datasets-base-uri"]);
    });

    test("blocks: the whole deployment fits one block of 40 M gas, two of 25 M, none of them beyond the gas limit", () => {
        const steps = planDeployment(plan, empty);
        const expected = steps.reduce((sum, step) => sum + step.expectedGas, 0n);
        expect(expected).toBeLessThan(40_000_000n);
        expect(blocksFor(steps, 40_000_000n)).toBe(1);
        expect(blocksFor(steps, 25_000_000n)).toBe(2);
        expect(blocksFor(steps, 40_000_000n)).toBeLessThanOrEqual(Math.ceil(Number(steps.reduce((sum, step) => sum + step.gasLimit, 0n)) / 40e6));
        expect(() => blocksFor(steps, 3_000_000n)).toThrow(/needs up to \d+ gas, more than a block holds \(3000000\)/);
        // A block ends at the first step whose limit does not fit beside what the block already uses.
        const step = (id: string, gasLimit: bigint, expectedGas: bigint) => ({ ...steps[0], id, gasLimit, expectedGas }) as Step;
        expect(blocksFor([step("a", 60n, 50n), step("b", 50n, 40n)], 100n)).toBe(1);
        expect(blocksFor([step("a", 60n, 50n), step("b", 51n, 40n)], 100n)).toBe(2);
        expect(blocksFor([], 100n)).toBe(0);
    });

    test("with an existing token, no RLC is deployed and PoCo is configured with it", () => {
        const withToken = { ...plan, rlc: { deploy: false as const, address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb" } };
        const ids = planDeployment(withToken, empty).map((step) => step.id);
        expect(ids).not.toContain("rlc");
        expect(ids.some((id) => id.startsWith("rlc-release"))).toBe(false);
        expect(layout(withToken).addresses.rlc).toBe("0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb");
    });
});

describe("PoCo in the program", () => {
    test("the dev stack as committed: a generated admin, funded in genesis, deploys after the nodes with its key secret", async () => {
        const registrations = await installMocks();
        useStackConfig("dev");
        const { runProgram } = await import("../../components/program");
        const outputs = await evaluate(runProgram);
        const poco = await promiseOf(outputs.poco);
        const spec = JSON.parse(await promiseOf(outputs.chainSpec));
        await settle();
        const [deployment] = ofType(registrations, "consortium:poco:Deployment");
        expect(deployment.opts.dependsOn).toHaveLength(1);
        const contracts = registrations.find((registration) => registration.type === "pulumi-nodejs:dynamic:Resource" && registration.name === "consortium-poco-contracts")!;
        expect(contracts.inputs.rpcUrl).toBe("http://127.0.0.1:8545");
        expect(poco!.admin).toMatch(/^0x[0-9a-fA-F]{40}$/);
        expect(contracts.inputs.plan.admin).toBe(poco!.admin);
        expect(BigInt(spec.accounts[poco!.admin].balance)).toBeGreaterThan(10n ** 21n);
        expect(isSecretValue(contracts.rawInputs.adminKey)).toBe(true);
        const adminKey = registrations.find((registration) => registration.name === "poco-admin-key")!;
        expect(adminKey.type).toBe("random:index/randomBytes:RandomBytes");
        expect(poco!.addresses).toEqual(layout(pocoPlanInput({ salt: `0x${"00".repeat(32)}`, categories: DEFAULT_CATEGORIES, metadataBaseURI: "https://nfts-metadata.iex.ec", readinessTimeoutSeconds: 600 }, 65535, poco!.admin)).addresses);
        expect(JSON.stringify(poco)).not.toContain(String(unwrapSecrets(contracts.rawInputs.adminKey)).slice(2));
        // The provider's code is stored in the state: it stays small because it loads the engine when it runs.
        expect(String(contracts.inputs.__provider).length).toBeLessThan(20_000);
    });
});

/** What a mined step changes in the state the plan reads: a model of the contracts, for planning properties. */
function applyStep(input: PocoPlanInput, state: ChainState, step: Step): ChainState {
    const { addresses } = layout(input);
    if (step.kind === "create") {
        return { ...state, deployed: new Set([...state.deployed, step.address.toLowerCase()]), ...(step.id === "rlc" ? { factoryRlcBalance: FAUCET_RLC_SUPPLY } : {}) };
    }
    const rlc = new Interface(artifacts.rlc().abi as never[]);
    const iexec = new Interface(artifacts.iexecToken().abi as never[]);
    const cut = new Interface(["function diamondCut((address facetAddress, uint8 action, bytes4[] functionSelectors)[] cuts, address init, bytes data)"]);
    const registry = /^registry-(apps|datasets|workerpools)-(initialize|base-uri)$/.exec(step.id);
    if (registry) {
        const kind = registry[1] as keyof ChainState["registriesInitialized"];
        return registry[2] === "initialize"
            ? { ...state, registriesInitialized: { ...state.registriesInitialized, [kind]: true } }
            : { ...state, registryBaseURIs: { ...state.registryBaseURIs, [kind]: input.baseURIs[kind] } };
    }
    switch (step.id) {
        case "rlc-release-approve":
            return { ...state, factoryRlcAllowance: rlc.decodeFunctionData("forceApprove", step.data)[2] };
        case "rlc-release-transfer":
            return { ...state, factoryRlcBalance: 0n, factoryRlcAllowance: 0n };
        case "diamond-cut": {
            const [cuts] = cut.decodeFunctionData("diamondCut", step.data);
            const selectors = (cuts as { functionSelectors: string[] }[]).flatMap((facet) => [...facet.functionSelectors]);
            return { ...state, diamondSelectors: new Set([...state.diamondSelectors, ...selectors]) };
        }
        case "configure":
            return { ...state, configuredToken: addresses.rlc };
        default: {
            const [name, description, workClockTimeRef] = iexec.decodeFunctionData("createCategory", step.data);
            const category: Category = { name, description, workClockTimeRef: Number(workClockTimeRef) };
            return { ...state, categories: [...state.categories, category] };
        }
    }
}
