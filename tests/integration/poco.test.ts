import { execFileSync } from "child_process";
import * as path from "path";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { artifacts } from "../../components/poco/artifacts";
import { PocoDeploymentError, deployPoco, transactionOf } from "../../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import { EMPTY_CHAIN_STATE, GENERIC_FACTORY_ADDRESS, blocksFor, layout, planDeployment } from "../../components/poco/plan";
import { ORDER_TYPES, STANDARD_TAG, pocoDomain } from "../../components/workerpool/orders";
import { startGenesisNode, type AnvilNode } from "../helpers/anvil";
import { ADMIN, ADMIN_KEY, CHAIN_ID, OTHER_KEY, consortiumNode, plan } from "./pocoChain";

describe("RLC and PoCo on a real local node (anvil)", () => {
    let node: AnvilNode;
    let provider: JsonRpcProvider;
    let first: Awaited<ReturnType<typeof deployPoco>>;
    const messages: string[] = [];

    beforeAll(async () => {
        node = await consortiumNode(1);
        provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
        first = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan(), log: (message) => messages.push(message) });
    }, 120_000);

    afterAll(async () => {
        provider?.destroy();
        await node?.stop();
    });

    test("deploys everything at the predicted CREATE2 addresses, pipelined into the one 40 M gas block its budgets imply", async () => {
        expect(first.addresses).toEqual(layout(plan()).addresses);
        expect(first.transactionsSent).toBeGreaterThan(20);
        expect(first.blocksUsed).toBe(blocksFor(planDeployment(plan(), EMPTY_CHAIN_STATE), 40_000_000n));
        expect(first.blocksUsed).toBe(1);
        expect(first.deploymentBlock).toBeGreaterThan(0);
        expect(messages.some((message) => message.startsWith("PoCo: sent"))).toBe(true);
    });

    test("the hub is configured in token mode with the RLC, the registries and iExec's five categories", async () => {
        const hub = new Contract(first.addresses.diamond, artifacts.iexecToken().abi as never[], provider);
        expect(await hub.token()).toBe(first.addresses.rlc);
        expect(await hub.name()).toBe("Staked RLC");
        expect(await hub.symbol()).toBe("SRLC");
        expect(Number(await hub.countCategory())).toBe(5);
        expect((await hub.viewCategory(4)).name).toBe("XL");
        expect(await hub.owner()).toBe(ADMIN);
        expect(await hub.appregistry()).toBe(first.addresses.registries.apps);
    });

    test("registries are initialised, carry their base URI and belong to the admin", async () => {
        for (const kind of ["apps", "datasets", "workerpools"] as const) {
            const registry = new Contract(first.addresses.registries[kind], artifacts.registry(kind).abi as never[], provider);
            expect(await registry.initialized()).toBe(true);
            expect(await registry.baseURI()).toBe(plan().baseURIs[kind]);
            expect(await registry.owner()).toBe(ADMIN);
        }
    });

    test("the faucet RLC's supply belongs to the admin, who owns the token", async () => {
        const rlc = new Contract(first.addresses.rlc, artifacts.rlc().abi as never[], provider);
        expect(await rlc.balanceOf(ADMIN)).toBe(87_000_000n * 10n ** 9n);
        expect(await rlc.balanceOf(GENERIC_FACTORY_ADDRESS)).toBe(0n);
        expect(await rlc.owner()).toBe(ADMIN);
    });

    test("the iExec SDK uses it as a user would: deposit, deploy app, dataset and workerpool, match orders into a deal", () => {
        // The orders are signed with ethers from ORDER_TYPES, not by the SDK: iexec@9 ORs the TDX tag 0x…09 into every
        // order it creates or signs (commit 813050e4 "feat!: set TDX as default tag for all order creation") and its
        // matchOrders refuses any deal that is not TEE+TDX, which a standard workerpool cannot execute. The two SDK
        // assertions below record that behaviour, so that an SDK release that stops forcing TDX is noticed.
        const script = path.join(__dirname, "sdk", "marketplace.mjs");
        const output = execFileSync("node", [script, node.rpcUrl, first.addresses.diamond, JSON.stringify(ORDER_TYPES), STANDARD_TAG], {
            env: { ...process.env, IEXEC_TEST_KEY: ADMIN_KEY },
            encoding: "utf8",
            timeout: 120_000,
        });
        const observed = JSON.parse(output.trim().split("\n").pop()!);
        expect(observed.categoryCount).toBe(5);
        expect(observed.stake).toBe("1000000");
        expect(observed.dealid).toMatch(/^0x[0-9a-f]{64}$/);
        expect(observed.deal).toEqual({
            app: observed.app,
            dataset: observed.dataset,
            workerpool: observed.workerpool,
            requester: ADMIN,
            category: 0,
            botSize: 1,
            appPrice: 5,
            tag: STANDARD_TAG,
        });
        expect(observed.deal.tag).toBe(`0x${"00".repeat(32)}`);
        expect(observed.domain).toEqual(pocoDomain(CHAIN_ID, first.addresses.diamond));
        expect(observed.sdkApporderTag).toBe(`0x${"00".repeat(31)}09`);
        expect(observed.sdkMatchRefusal).toMatch(/must have both \[tee\] and \[tdx\] tags active/);
    }, 150_000);

    test("a second run sends no transaction and reports the same addresses and block", async () => {
        const nonce = await provider.getTransactionCount(ADMIN);
        const again = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
        expect(again.transactionsSent).toBe(0);
        expect(again.addresses).toEqual(first.addresses);
        expect(again.deploymentBlock).toBe(first.deploymentBlock);
        expect(await provider.getTransactionCount(ADMIN)).toBe(nonce);
    });

    test("a failed transaction is reported with its step, its contract and the revert reason", async () => {
        // Someone hands the dataset registry to another account by hand; a new base URI then cannot be set.
        const admin = new Wallet(ADMIN_KEY, provider);
        const registry = new Contract(first.addresses.registries.datasets, artifacts.registry("datasets").abi as never[], admin);
        await (await registry.transferOwnership(new Wallet(OTHER_KEY).address)).wait();
        const changed = plan({ baseURIs: { ...plan().baseURIs, datasets: "https://metadata.consortium.example/dataset/" } });
        await expect(deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: changed })).rejects.toThrow(
            /step registry-datasets-base-uri \(DatasetRegistry\) failed in block \d+: .*Ownable: caller is not the owner/,
        );
    }, 60_000);

    test("the Pulumi resource's provider runs the same engine: an update with nothing missing sends nothing", async () => {
        const nonce = await provider.getTransactionCount(ADMIN);
        const { POCO_CONTRACTS_PROVIDER } = await import("../../components/poco/pocoDeployment");
        const created = await POCO_CONTRACTS_PROVIDER.create!({ rpcUrl: node.rpcUrl, plan: plan(), adminKey: ADMIN_KEY, readinessTimeoutSeconds: 30 });
        expect(created.id).toBe(first.addresses.diamond);
        expect(created.outs.addresses).toEqual(first.addresses);
        expect(created.outs.deploymentBlock).toBe(first.deploymentBlock);
        expect(JSON.stringify(created.outs)).not.toContain(ADMIN_KEY.slice(2));
        expect(await provider.getTransactionCount(ADMIN)).toBe(nonce);
    }, 60_000);

    test("another admin key than the configured admin is refused before anything is sent", async () => {
        await expect(deployPoco({ rpcUrl: node.rpcUrl, adminKey: OTHER_KEY, plan: plan() })).rejects.toThrow(
            `the admin key is the key of ${new Wallet(OTHER_KEY).address}, but the PoCo admin is ${ADMIN}`,
        );
    });

    test("a node serving another chain id is refused", async () => {
        await expect(deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan({ chainId: 17 }) })).rejects.toThrow("serves chain id 65535, but the configured chain id is 17");
    });
});

describe("resuming and failing", () => {
    test("a run stopped after some steps resumes to the same final addresses without redeploying", async () => {
        const node = await consortiumNode(1);
        const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
        try {
            const steps = planDeployment(plan(), EMPTY_CHAIN_STATE);
            const wallet = new Wallet(ADMIN_KEY, provider);
            const interruptedAfter = 8;
            for (const step of steps.slice(0, interruptedAfter)) await (await wallet.sendTransaction(transactionOf(step))).wait();
            const resumed = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
            expect(resumed.addresses).toEqual(layout(plan()).addresses);
            expect(resumed.transactionsSent).toBeLessThan(steps.length - interruptedAfter + 3);
            expect(await provider.getTransactionCount(ADMIN)).toBe(interruptedAfter + resumed.transactionsSent);
            const hub = new Contract(resumed.addresses.diamond, artifacts.iexecToken().abi as never[], provider);
            expect(Number(await hub.countCategory())).toBe(5);
        } finally {
            provider.destroy();
            await node.stop();
        }
    }, 120_000);

    test("an unreachable RPC gives a clear error after the readiness timeout", async () => {
        await expect(deployPoco({ rpcUrl: "http://127.0.0.1:9", adminKey: ADMIN_KEY, plan: plan(), readinessTimeoutMs: 1500 })).rejects.toThrow(
            /the chain at http:\/\/127\.0\.0\.1:9 is not ready after 2 s/,
        );
    });

    test("an unfunded admin is told so before anything is sent", async () => {
        const node = await startGenesisNode({ chainId: CHAIN_ID, blockTime: 1, accounts: {}, validator: ADMIN, contracts: GENESIS_CONTRACTS });
        try {
            await expect(deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() })).rejects.toThrow(PocoDeploymentError);
            await expect(deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() })).rejects.toThrow(`the PoCo admin ${ADMIN} holds 0 wei`);
        } finally {
            await node.stop();
        }
    }, 60_000);
});
