import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { parseConfig, type RawConfig } from "../../components/config";
import { pocoInputFailures, pocoPlanInput } from "../../components/poco/pocoDeployment";
import { DEFAULT_CATEGORIES, EMPTY_CHAIN_STATE, layout, planDeployment } from "../../components/poco/plan";
import { evaluate, installMocks, isSecretValue, ofType, promiseOf, settle, useStackConfig } from "../helpers/pulumiMocks";

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
        expect(pocoPlanInput(config.poco!, 17).baseURIs.apps).toBe("https://nfts-metadata.iex.ec/app/17/");
        expect(pocoPlanInput(config.poco!, 17).rlc).toEqual({ deploy: true });
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
    const plan = pocoPlanInput(parseConfig({ ...BASE, poco: { admin: ADMIN } }, { pocoAdminKey: true }).poco!, 17);
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
    const plan = pocoPlanInput(parseConfig({ ...BASE, poco: { admin: ADMIN } }, { pocoAdminKey: true }).poco!, 17);
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

    test("with an existing token, no RLC is deployed and PoCo is configured with it", () => {
        const withToken = { ...plan, rlc: { deploy: false as const, address: "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb" } };
        const ids = planDeployment(withToken, empty).map((step) => step.id);
        expect(ids).not.toContain("rlc");
        expect(ids.some((id) => id.startsWith("rlc-release"))).toBe(false);
        expect(layout(withToken).addresses.rlc).toBe("0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb");
    });
});

describe("PoCo in the program", () => {
    test("the dev stack with poco registers the deployment after the nodes, with the admin key secret", async () => {
        const registrations = await installMocks();
        const DEV_ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        const devKey = keccak256(toUtf8Bytes("dev admin"));
        useStackConfig("dev", { poco: { admin: DEV_ADMIN } }, { pocoAdminKey: devKey });
        const { runProgram } = await import("../../components/program");
        const outputs = await evaluate(runProgram);
        const poco = await promiseOf(outputs.poco);
        await settle();
        const [deployment] = ofType(registrations, "consortium:poco:Deployment");
        expect(deployment.opts.dependsOn).toHaveLength(1);
        const contracts = registrations.find((registration) => registration.type === "pulumi-nodejs:dynamic:Resource" && registration.name.endsWith("-poco-contracts"))!;
        expect(contracts.inputs.rpcUrl).toBe("http://127.0.0.1:8545");
        expect(contracts.inputs.plan.admin).toBe(DEV_ADMIN);
        expect(isSecretValue(contracts.rawInputs.adminKey)).toBe(true);
        expect(poco!.addresses).toEqual(layout(pocoPlanInput({ admin: DEV_ADMIN, salt: `0x${"00".repeat(32)}`, categories: DEFAULT_CATEGORIES, metadataBaseURI: "https://nfts-metadata.iex.ec", readinessTimeoutSeconds: 600 }, 65535)).addresses);
        expect(JSON.stringify(poco)).not.toContain(devKey.slice(2));
        // The provider's code is stored in the state: it stays small because it loads the engine when it runs.
        expect(String(contracts.inputs.__provider).length).toBeLessThan(20_000);
    });
});
