import { Contract, JsonRpcProvider, Wallet, ZeroAddress } from "ethers";
import { TX_PERMISSIONS_ADDRESS, TX_TYPES, txPermissionsArtifact, txPermissionsGenesis } from "../../components/permissioning/contract";
import { desiredPermissions } from "../../components/permissioning/plan";
import { syncPermissions } from "../../components/permissioning/sync";
import { deployPoco } from "../../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import type { PublishedOrder } from "../../components/workerpool/engine";
import { orderHash, pocoDomain, workerpoolOrder } from "../../components/workerpool/orders";
import { WORKERPOOL_SETUP_PROVIDER, type WorkerpoolSetupInputs, type WorkerpoolSetupOutputs } from "../../components/workerpool/workerpoolSetup";
import { startGenesisNode, type AnvilNode } from "../helpers/anvil";
import { findBroadcastWorkerpoolOrders, hubAt, registryAt, testKey } from "../helpers/iexecActors";
import { ADMIN, ADMIN_KEY, CHAIN_ID, plan } from "./pocoChain";

/**
 * The workerpool's on-chain set-up through the Pulumi resource's provider, on a chain started from the stack's genesis
 * (the permission contract and the CREATE2 factory in it), with PoCo deployed by the program's engine.
 */

const SCHEDULER = new Wallet(testKey("setup scheduler"));
const WORKERS = [testKey("setup worker a"), testKey("setup worker b")].map((key) => new Wallet(key).address);
const FUNDING = 10n ** 19n;

describe("the workerpool set-up resource on a permissioned chain (anvil)", () => {
    let node: AnvilNode;
    let provider: JsonRpcProvider;
    let inputs: WorkerpoolSetupInputs;
    let created: WorkerpoolSetupOutputs;
    const messages: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((message: string) => void messages.push(message));

    beforeAll(async () => {
        node = await startGenesisNode({
            chainId: CHAIN_ID,
            accounts: { [ADMIN]: (10n ** 24n).toString() },
            validator: ADMIN,
            client: "nethermind",
            contracts: GENESIS_CONTRACTS,
            txPermissions: txPermissionsGenesis("nethermind", ADMIN),
        });
        provider = new JsonRpcProvider(node.rpcUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
        // What the program's permission sync does before the workerpool: the PoCo admin deploys, its accounts transact.
        const desired = desiredPermissions(
            { open: false, roles: { admins: [], deployers: [], transactors: [], senders: [] }, onlyStaticPeers: false, rpc: { access: "open", readers: [] } } as never,
            { operator: ADMIN, pocoAdmin: ADMIN, bridgeValidators: [], workerpoolAccounts: [SCHEDULER.address, ...WORKERS] },
        );
        await syncPermissions({ rpcUrl: node.rpcUrl, chainId: CHAIN_ID, contract: TX_PERMISSIONS_ADDRESS, operatorKey: ADMIN_KEY, desired, readinessTimeoutMs: 20_000 });
        const poco = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
        inputs = {
            rpcUrl: node.rpcUrl,
            chainId: CHAIN_ID,
            hub: poco.addresses.diamond,
            workerpoolRegistry: poco.addresses.registries.workerpools,
            pocoDeploymentBlock: poco.deploymentBlock,
            adminKey: ADMIN_KEY,
            ownerKey: SCHEDULER.privateKey,
            scheduler: SCHEDULER.address,
            description: "consortium test workerpool",
            workers: WORKERS,
            funding: FUNDING.toString(),
            stakes: { scheduler: "0", worker: "0" },
            orders: [
                { category: 0, price: "0", volume: "1000", trust: 1 },
                { category: 1, price: "0", volume: "1000", trust: 1 },
            ],
            readinessTimeoutSeconds: 30,
        };
        created = (await WORKERPOOL_SETUP_PROVIDER.create!(inputs)).outs;
    }, 120_000);

    afterAll(async () => {
        log.mockRestore();
        provider?.destroy();
        await node?.stop();
    });

    const hub = () => hubAt(inputs.hub, provider);
    const domain = () => pocoDomain(CHAIN_ID, inputs.hub);
    const nonces = async () => Promise.all([ADMIN, SCHEDULER.address].map((account) => provider.getTransactionCount(account)));

    test("the scheduler and the workers may call contracts: the permission contract gives them the transactor role", async () => {
        const permissions = new Contract(TX_PERMISSIONS_ADDRESS, txPermissionsArtifact().abi as never, provider);
        for (const account of [SCHEDULER.address, ...WORKERS]) {
            const [types] = await permissions.getFunction("allowedTxTypes(address,address,uint256,uint256,uint256,uint256,bytes)")(account, inputs.hub, 0n, 10n ** 9n, 10n ** 9n, 300_000n, "0x");
            expect(Number(types) & TX_TYPES.call).toBe(TX_TYPES.call);
            expect(Number(types) & TX_TYPES.create).toBe(0);
        }
    });

    test("the workerpool is created at its predicted address, owned by the scheduler, from the block the outputs name", async () => {
        const registry = registryAt("workerpools", inputs.workerpoolRegistry, provider);
        expect(created.workerpool).toBe(await registry.predictWorkerpool(SCHEDULER.address, inputs.description));
        expect(await registry.ownerOf(BigInt(created.workerpool))).toBe(SCHEDULER.address);
        expect(created.owner).toBe(SCHEDULER.address);
        const minted = await registry.queryFilter(registry.filters.Transfer(ZeroAddress, SCHEDULER.address), created.creationBlock, created.creationBlock);
        expect(minted).toHaveLength(1);
        for (const account of [SCHEDULER.address, ...WORKERS]) expect(await provider.getBalance(account)).toBeGreaterThanOrEqual(FUNDING / 2n);
    });

    test("one order per category is presigned by the scheduler and broadcast, with a standard tag; requesters find exactly these", async () => {
        expect(created.published.map((order) => order.category)).toEqual([0, 1]);
        for (const published of created.published) {
            expect(published.hash).toBe(orderHash("WorkerpoolOrder", domain(), published.order));
            expect(await hub().viewPresigned(published.hash)).toBe(SCHEDULER.address);
            expect(published.order).toMatchObject({ workerpool: created.workerpool, workerpoolprice: "0", volume: "1000", tag: `0x${"00".repeat(32)}`, trust: "1", requesterrestrict: ZeroAddress });
        }
        const found = await findBroadcastWorkerpoolOrders(provider, inputs.hub, domain(), created.creationBlock);
        expect(found.map((entry) => entry.hash).sort()).toEqual(created.published.map((order) => order.hash).sort());
        expect(found.map((entry) => entry.blockNumber).sort()).toEqual(created.published.map((order) => order.broadcastBlock).sort());
    });

    test("a second run sends nothing and reports the same workerpool and orders", async () => {
        const before = await nonces();
        expect((await WORKERPOOL_SETUP_PROVIDER.diff!("id", created, inputs)).changes).toBe(false);
        const again = (await WORKERPOOL_SETUP_PROVIDER.update!("id", created, inputs)).outs as WorkerpoolSetupOutputs;
        expect(await nonces()).toEqual(before);
        expect(again.workerpool).toBe(created.workerpool);
        expect(again.creationBlock).toBe(created.creationBlock);
        expect(again.published).toEqual(created.published);
        expect(messages.some((message) => message.includes("nothing sent"))).toBe(true);
    });

    test("the scheduler sends nothing itself: it signs the order operations, the admin sends them", async () => {
        // Its nonces are the blockchain adapter's, which sends initialize and finalize with the same key.
        expect(await provider.getTransactionCount(SCHEDULER.address)).toBe(0);
        const signed = await hubAt(inputs.hub, provider).queryFilter(hubAt(inputs.hub, provider).filters.SignedWorkerpoolOrder(), created.creationBlock);
        for (const event of signed) expect((await event.getTransaction()).from).toBe(ADMIN);
        expect(signed).toHaveLength(2);
    });

    test("another scheduler is another workerpool: the set-up runs again", async () => {
        const other = { ...inputs, scheduler: new Wallet(testKey("setup other scheduler")).address };
        expect((await WORKERPOOL_SETUP_PROVIDER.diff!("id", created, other)).changes).toBe(true);
    });

    test("a changed price closes the old orders and publishes new ones; the old ones can no longer be matched", async () => {
        const before = await nonces();
        const priced = { ...inputs, orders: inputs.orders.map((terms) => ({ ...terms, price: "7" })) };
        expect((await WORKERPOOL_SETUP_PROVIDER.diff!("id", created, priced)).changes).toBe(true);
        const updated = (await WORKERPOOL_SETUP_PROVIDER.update!("id", created, priced)).outs as WorkerpoolSetupOutputs;
        for (const old of created.published) expect(await hub().viewConsumed(old.hash)).toBe(1000n);
        // Two closes, two presignatures, two broadcasts, all from the admin.
        expect(await nonces()).toEqual([before[0] + 6, before[1]]);
        for (const published of updated.published) {
            expect(published.order.workerpoolprice).toBe("7");
            expect(await hub().viewPresigned(published.hash)).toBe(SCHEDULER.address);
            expect(await hub().viewConsumed(published.hash)).toBe(0n);
        }
        const live = (await findBroadcastWorkerpoolOrders(provider, inputs.hub, domain(), created.creationBlock)).filter((entry) => String(entry.order.workerpoolprice) === "7");
        expect(live.map((entry) => entry.hash).sort()).toEqual(updated.published.map((order) => order.hash).sort());
        created = updated;
        inputs = priced;
    }, 60_000);

    test("going back to earlier terms publishes a new generation: the closed order's hash is never reused", async () => {
        const free = { ...inputs, orders: inputs.orders.map((terms) => ({ ...terms, price: "0" })) };
        const updated = (await WORKERPOOL_SETUP_PROVIDER.update!("id", created, free)).outs as WorkerpoolSetupOutputs;
        expect(updated.published.map((order) => order.generation)).toEqual([1, 1]);
        for (const published of updated.published) expect(await hub().viewConsumed(published.hash)).toBe(0n);
        created = updated;
        inputs = free;
    }, 60_000);

    test("an order presigned by an interrupted run, but never broadcast, is broadcast and not signed again", async () => {
        const withNewCategory = { ...inputs, orders: [...inputs.orders, { category: 2, price: "0", volume: "1000", trust: 1 }] };
        const pending = workerpoolOrder(created.workerpool, withNewCategory.orders[2], 0);
        const scheduler = SCHEDULER.connect(provider);
        await (await hubAt(inputs.hub, scheduler).manageWorkerpoolOrder({ order: { ...pending, sign: "0x" }, operation: 0, sign: "0x" })).wait();
        const [adminNonce, schedulerNonce] = await nonces();
        const updated = (await WORKERPOOL_SETUP_PROVIDER.update!("id", created, withNewCategory)).outs as WorkerpoolSetupOutputs;
        // One transaction, the broadcast, sent by the admin.
        expect(await nonces()).toEqual([adminNonce + 1, schedulerNonce]);
        const latest: PublishedOrder = updated.published.find((order) => order.category === 2)!;
        expect(latest.hash).toBe(orderHash("WorkerpoolOrder", domain(), pending));
        expect(latest.broadcastBlock).toBeGreaterThan(0);
    }, 60_000);

    test("a workerpool handed to another owner is refused with who owns it now", async () => {
        const registry = registryAt("workerpools", inputs.workerpoolRegistry, SCHEDULER.connect(provider));
        const other = new Wallet(testKey("setup new owner")).address;
        await (await registry.transferFrom(SCHEDULER.address, other, BigInt(created.workerpool))).wait();
        await expect(WORKERPOOL_SETUP_PROVIDER.update!("id", created, inputs)).rejects.toThrow(`the workerpool ${created.workerpool} now belongs to ${other}, not to this stack's scheduler ${SCHEDULER.address}`);
    });
});
