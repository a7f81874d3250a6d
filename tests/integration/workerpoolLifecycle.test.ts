import { Contract, JsonRpcProvider, Wallet, ZeroAddress, ZeroHash, getAddress, hexlify, keccak256, toUtf8Bytes, toUtf8String, type TransactionReceipt } from "ethers";
import { deployPoco } from "../../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import { setUpWorkerpool, type WorkerpoolSetupOptions, type WorkerpoolSetupResult } from "../../components/workerpool/engine";
import { STANDARD_TAG, orderHash, pocoDomain, type Eip712Domain } from "../../components/workerpool/orders";
import { startGenesisNode, type AnvilNode } from "../helpers/anvil";
import {
    KITTY_ADDRESS,
    NO_DATASET_ORDER,
    TASK_STATUS,
    appOrder,
    authorizeWorker,
    claim,
    commitment,
    contribute,
    createApp,
    dealIdOf,
    depositRlc,
    describeHubEvents,
    findBroadcastWorkerpoolOrders,
    finalize,
    fundAccount,
    hubAccountOf,
    hubAt,
    hubEvents,
    initializeTask,
    isLiveOwnerPresigned,
    matchOrders,
    mined,
    registryAt,
    requestOrder,
    resultLink,
    reveal,
    signAppOrder,
    signRequestOrder,
    testKey,
    workerpoolAt,
    type AppOrder,
    type HubAccount,
    type MatchedDeal,
    type Signed,
} from "../helpers/iexecActors";
import { ADMIN, ADMIN_KEY, CHAIN_ID, OTHER_KEY, plan, rpc } from "./pocoChain";

/**
 * The workerpool the program sets up, used as iExec's Java services would use it (they cannot run here): a requester
 * finds its broadcast order and matches it, the scheduler and a worker take the task to COMPLETED, a task nobody
 * finishes is claimed, and RLC moves exactly as PoCo 6.1.0 says (reference §5.2, §6).
 */

const SCHEDULER = new Wallet(testKey("workerpool scheduler"));
const WORKERS = [new Wallet(testKey("workerpool worker 1")), new Wallet(testKey("workerpool worker 2"))];
const REQUESTER_KEY = testKey("requester");
const APP_OWNER_KEY = testKey("app owner");

const POOL_PRICE = 10n;
const APP_PRICE = 5n;
const CATEGORY = 0n;
const TRUST = 1n;
/** FacetBase.v8.sol WORKERPOOL_STAKE_RATIO: the pool owner's stake per task, in % of the pool price. */
const WORKERPOOL_STAKE_RATIO = 30n;
const ETHER = 10n ** 18n;

type Role = "requester" | "app owner" | "scheduler" | "worker" | "kitty";
type Accounts = Record<Role, HubAccount>;

describe("a workerpool set up by the program runs standard tasks on PoCo (anvil)", () => {
    let node: AnvilNode;
    let provider: JsonRpcProvider;
    let hubAddress: string;
    let hub: Contract;
    let domain: Eip712Domain;
    let setUpOptions: WorkerpoolSetupOptions;
    let setUp: WorkerpoolSetupResult;
    let requester: Wallet;
    let appOwner: Wallet;
    let scheduler: Wallet;
    let worker: Wallet;
    let otherWorker: Wallet;
    let app: string;
    let signedAppOrder: Signed<AppOrder>;
    let firstDeal: MatchedDeal;
    const addresses = new Map<Role, string>();
    const labels = new Map<string, string>();

    const accounts = async (): Promise<Accounts> => {
        const entries = await Promise.all([...addresses].map(async ([role, address]) => [role, await hubAccountOf(hub, address)] as const));
        return Object.fromEntries(entries) as Accounts;
    };
    const changes = (before: Accounts, after: Accounts): Accounts =>
        Object.fromEntries(Object.entries(after).map(([role, account]) => [role, { stake: account.stake - before[role as Role].stake, locked: account.locked - before[role as Role].locked }])) as Accounts;
    const unchanged = { stake: 0n, locked: 0n };
    const events = (receipt: TransactionReceipt) => describeHubEvents(receipt, hubAddress, labels);

    /** A signed request for one task of the app on the workerpool; `salt` makes each request a new deal. */
    const signedRequest = (salt: string) =>
        signRequestOrder(
            requester,
            domain,
            requestOrder({ app, appMaxPrice: APP_PRICE, workerpool: setUp.workerpool, workerpoolMaxPrice: POOL_PRICE, requester: requester.address, volume: 1n, category: CATEGORY, trust: TRUST, salt }),
        );
    const publishedOrder = () => ({ ...setUp.orders[0].order, sign: "0x" });

    beforeAll(async () => {
        // Automine: each transaction gets its own block at once, so nothing waits on a block time.
        node = await startGenesisNode({
            chainId: CHAIN_ID,
            accounts: { [ADMIN]: (10n ** 24n).toString(), [new Wallet(OTHER_KEY).address]: (10n ** 24n).toString() },
            validator: ADMIN,
            contracts: GENESIS_CONTRACTS,
        });
        provider = new JsonRpcProvider(node.rpcUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
        const poco = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
        hubAddress = poco.addresses.diamond;
        hub = hubAt(hubAddress, provider);
        domain = pocoDomain(CHAIN_ID, hubAddress);
        requester = new Wallet(REQUESTER_KEY, provider);
        appOwner = new Wallet(APP_OWNER_KEY, provider);
        scheduler = SCHEDULER.connect(provider);
        [worker, otherWorker] = WORKERS.map((wallet) => wallet.connect(provider));

        const admin = new Wallet(ADMIN_KEY, provider);
        for (const account of [requester, appOwner]) await fundAccount(admin, poco.addresses.rlc, account.address, { wei: ETHER, nrlc: 1_000n });

        setUpOptions = {
            chain: { rpcUrl: node.rpcUrl, chainId: CHAIN_ID },
            hub: hubAddress,
            workerpoolRegistry: poco.addresses.registries.workerpools,
            pocoDeploymentBlock: poco.deploymentBlock,
            adminKey: ADMIN_KEY,
            ownerKey: SCHEDULER.privateKey,
            description: "consortium workerpool (lifecycle test)",
            workers: WORKERS.map((wallet) => wallet.address),
            funding: ETHER.toString(),
            stakes: { scheduler: "1000", worker: "100" },
            orders: [{ category: Number(CATEGORY), price: POOL_PRICE.toString(), volume: "10", trust: Number(TRUST) }],
            readinessTimeoutMs: 10_000,
        };
        setUp = await setUpWorkerpool(setUpOptions);

        for (const [role, address] of [
            ["requester", requester.address],
            ["app owner", appOwner.address],
            ["scheduler", scheduler.address],
            ["worker", worker.address],
            ["kitty", KITTY_ADDRESS],
        ] as const) {
            addresses.set(role, address);
            labels.set(address, role);
        }
        labels.set(otherWorker.address, "other worker");
    }, 120_000);

    afterAll(async () => {
        provider?.destroy();
        await node?.stop();
    });

    test("the set-up creates the workerpool for the scheduler, funds and stakes its accounts, presigns and broadcasts its order", async () => {
        const registry = registryAt("workerpools", setUpOptions.workerpoolRegistry, provider);
        expect(setUp.owner).toBe(scheduler.address);
        expect(getAddress(await registry.ownerOf(BigInt(setUp.workerpool)))).toBe(scheduler.address);
        expect(await hubAccountOf(hub, scheduler.address)).toEqual({ stake: 1_000n, locked: 0n });
        for (const each of [worker, otherWorker]) {
            expect(await hubAccountOf(hub, each.address)).toEqual({ stake: 100n, locked: 0n });
            expect(await provider.getBalance(each.address)).toBe(ETHER);
        }
        expect(setUp.orders).toHaveLength(1);
        const [published] = setUp.orders;
        expect(published.order).toMatchObject({ workerpool: setUp.workerpool, workerpoolprice: "10", volume: "10", tag: STANDARD_TAG, category: "0", trust: "1", requesterrestrict: ZeroAddress });
        expect(published.hash).toBe(orderHash("WorkerpoolOrder", domain, { ...published.order }));
        expect(getAddress(await hub.viewPresigned(published.hash))).toBe(scheduler.address);
        expect(published.broadcastBlock).toBeGreaterThanOrEqual(setUp.creationBlock);
    });

    test("a requester finds the order in the hub's logs, trusts only the owner's presignature, and matches it into a deal", async () => {
        // Anyone can broadcast: a stranger advertises a free order for the same workerpool, which its owner never signed.
        const stranger = new Wallet(OTHER_KEY, provider);
        const forgedOrder = { ...setUp.orders[0].order, workerpoolprice: "0", salt: keccak256(toUtf8Bytes("forged order")) };
        await mined(hubAt(hubAddress, stranger).broadcastWorkerpoolOrder({ ...forgedOrder, sign: "0x" }));

        const registry = registryAt("workerpools", setUpOptions.workerpoolRegistry, provider);
        const broadcasts = await findBroadcastWorkerpoolOrders(provider, hubAddress, domain, setUp.creationBlock);
        expect(broadcasts.map((broadcast) => broadcast.order.salt)).toEqual([setUp.orders[0].order.salt, forgedOrder.salt]);
        const live = [];
        for (const broadcast of broadcasts) if (await isLiveOwnerPresigned(hub, registry, broadcast)) live.push(broadcast);
        expect(live.map((broadcast) => broadcast.hash)).toEqual([setUp.orders[0].hash]);
        expect(live[0].order).toEqual(setUp.orders[0].order);

        ({ app } = await createApp(appOwner, (await hub.appregistry()) as string, {
            name: "hello-world",
            image: "registry.consortium.example/hello-world:1.0.0",
            checksum: keccak256(toUtf8Bytes("hello-world image")),
        }));
        signedAppOrder = await signAppOrder(appOwner, domain, appOrder(app, { price: APP_PRICE, volume: 10n, salt: keccak256(toUtf8Bytes("app order")) }));
        const request = await signedRequest(keccak256(toUtf8Bytes("request 1")));
        const rlc = (await hub.token()) as string;
        await depositRlc(requester, hubAddress, rlc, 100n);

        // PoCo refuses the stranger's order too: not presigned by the owner, its empty signature is then checked as ECDSA.
        await expect(hubAt(hubAddress, requester).matchOrders.staticCall(signedAppOrder, NO_DATASET_ORDER, { ...forgedOrder, sign: "0x" }, request)).rejects.toThrow("invalid-signature-format");

        const before = await accounts();
        firstDeal = await matchOrders(requester, hubAddress, { app: signedAppOrder, dataset: NO_DATASET_ORDER, workerpool: { ...live[0].order, sign: "0x" }, request });
        const requestHash = orderHash("RequestOrder", domain, { ...request });
        expect(firstDeal.dealid).toBe(dealIdOf(requestHash, 0n));
        expect(firstDeal.volume).toBe(1n);

        const deal = await hub.viewDeal(firstDeal.dealid);
        expect({
            app: [deal.app.pointer, deal.app.owner, deal.app.price],
            dataset: [deal.dataset.pointer, deal.dataset.price],
            workerpool: [deal.workerpool.pointer, deal.workerpool.owner, deal.workerpool.price],
            tag: deal.tag,
            category: deal.category,
            trust: deal.trust,
            requester: deal.requester,
            beneficiary: deal.beneficiary,
            sponsor: deal.sponsor,
            callback: deal.callback,
            params: deal.params,
            botFirst: deal.botFirst,
            botSize: deal.botSize,
        }).toEqual({
            app: [app, appOwner.address, APP_PRICE],
            dataset: [ZeroAddress, 0n],
            workerpool: [setUp.workerpool, scheduler.address, POOL_PRICE],
            tag: STANDARD_TAG,
            category: CATEGORY,
            trust: TRUST,
            requester: requester.address,
            beneficiary: requester.address,
            sponsor: requester.address,
            callback: ZeroAddress,
            params: '{"iexec_result_storage_provider":"ipfs"}',
            botFirst: 0n,
            botSize: 1n,
        });
        const pool = workerpoolAt(setUp.workerpool, provider);
        expect(deal.workerStake).toBe((POOL_PRICE * BigInt(await pool.m_workerStakeRatioPolicy())) / 100n);
        expect(deal.schedulerRewardRatio).toBe(BigInt(await pool.m_schedulerRewardRatioPolicy()));
        expect(BigInt(await hub.viewConsumed(setUp.orders[0].hash))).toBe(1n);

        const taskPrice = APP_PRICE + POOL_PRICE;
        const poolStake = (POOL_PRICE * WORKERPOOL_STAKE_RATIO) / 100n;
        expect(events(firstDeal.receipt)).toEqual([
            `Transfer requester→hub ${taskPrice}`,
            `Lock requester ${taskPrice}`,
            `Transfer scheduler→hub ${poolStake}`,
            `Lock scheduler ${poolStake}`,
            "SchedulerNotice",
            "OrdersMatched",
        ]);
        const notice = hubEvents(firstDeal.receipt, hubAddress).find((event) => event.name === "SchedulerNotice")!;
        expect([notice.args.workerpool, notice.args.dealid]).toEqual([setUp.workerpool, firstDeal.dealid]);
        expect(changes(before, await accounts())).toEqual({
            requester: { stake: -taskPrice, locked: taskPrice },
            "app owner": unchanged,
            scheduler: { stake: -poolStake, locked: poolStake },
            worker: unchanged,
            kitty: unchanged,
        });
    });

    test("the scheduler and a worker take the task to COMPLETED, and every party gets what the prices say", async () => {
        const deal = await hub.viewDeal(firstDeal.dealid);
        const before = await accounts();
        const taskPrice = APP_PRICE + POOL_PRICE;
        const poolStake = (POOL_PRICE * WORKERPOOL_STAKE_RATIO) / 100n;
        const workerStake = BigInt(deal.workerStake);
        // One contributor, who proves its result: the whole workers' share is its own.
        const workerReward = (POOL_PRICE * (100n - BigInt(deal.schedulerRewardRatio))) / 100n;
        const schedulerReward = POOL_PRICE - workerReward;
        expect([taskPrice, poolStake, workerStake, workerReward, schedulerReward]).toEqual([15n, 3n, 3n, 9n, 1n]);

        const { taskid, receipt: initialized } = await initializeTask(scheduler, hubAddress, firstDeal.dealid, 0n);
        expect(events(initialized)).toEqual(["TaskInitialize"]);
        expect(hubEvents(initialized, hubAddress)[0].args.taskid).toBe(taskid);
        expect(Number((await hub.viewTask(taskid)).status)).toBe(TASK_STATUS.ACTIVE);

        const resultDigest = keccak256(toUtf8Bytes("the result archive of the task"));
        const { resultHash } = commitment(worker.address, taskid, resultDigest);
        const contributed = await contribute(worker, hubAddress, taskid, resultDigest, await authorizeWorker(scheduler, worker.address, taskid));
        expect(events(contributed)).toEqual([`Transfer worker→hub ${workerStake}`, `Lock worker ${workerStake}`, "TaskContribute", "TaskConsensus"]);
        const [, , contribution, consensus] = hubEvents(contributed, hubAddress);
        expect([contribution.args.taskid, contribution.args.worker, contribution.args.hash]).toEqual([taskid, worker.address, resultHash]);
        expect(consensus.args.consensus).toBe(resultHash);
        expect(Number((await hub.viewTask(taskid)).status)).toBe(TASK_STATUS.REVEALING);
        expect(await hubAccountOf(hub, worker.address)).toEqual({ stake: before.worker.stake - workerStake, locked: before.worker.locked + workerStake });

        const revealed = await reveal(worker, hubAddress, taskid, resultDigest);
        expect(events(revealed)).toEqual(["TaskReveal"]);
        expect(hubEvents(revealed, hubAddress)[0].args.digest).toBe(resultDigest);

        const results = resultLink("ipfs", "/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");
        const finalized = await finalize(scheduler, hubAddress, taskid, results);
        expect(events(finalized)).toEqual([
            `Seize requester ${taskPrice}`,
            `Transfer hub→app owner ${APP_PRICE}`,
            `Reward app owner ${APP_PRICE}`,
            `Transfer hub→scheduler ${poolStake}`,
            `Unlock scheduler ${poolStake}`,
            `Transfer hub→worker ${workerStake}`,
            `Unlock worker ${workerStake}`,
            `Transfer hub→worker ${workerReward}`,
            `Reward worker ${workerReward}`,
            `Transfer hub→scheduler ${schedulerReward}`,
            `Reward scheduler ${schedulerReward}`,
            "TaskFinalize",
        ]);
        const finalizedEvents = hubEvents(finalized, hubAddress);
        for (const event of finalizedEvents.filter((each) => each.name === "Seize" || each.name === "Reward")) expect(event.args.ref).toBe(taskid);
        expect(finalizedEvents[finalizedEvents.length - 1].args.results).toBe(hexlify(results));

        const task = await hub.viewTask(taskid);
        expect(Number(task.status)).toBe(TASK_STATUS.COMPLETED);
        expect([task.dealid, task.consensusValue, task.resultDigest, [...task.contributors]]).toEqual([firstDeal.dealid, resultHash, resultDigest, [worker.address]]);
        expect(JSON.parse(toUtf8String(task.results))).toEqual({ storage: "ipfs", location: "/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi" });

        // From the match (before: after it) to the end: the requester paid both prices, each party got its share.
        expect(changes(before, await accounts())).toEqual({
            requester: { stake: 0n, locked: -taskPrice },
            "app owner": { stake: APP_PRICE, locked: 0n },
            scheduler: { stake: poolStake + schedulerReward, locked: -poolStake },
            worker: { stake: workerReward, locked: 0n },
            kitty: unchanged,
        });
    });

    test("running the set-up again with the same options sends nothing", async () => {
        const nonces = async () => Promise.all([ADMIN, scheduler.address].map((address) => provider.getTransactionCount(address)));
        const sentBefore = await nonces();
        const again = await setUpWorkerpool(setUpOptions);
        expect(again.transactionsSent).toBe(0);
        expect(again.workerpool).toBe(setUp.workerpool);
        expect(again.creationBlock).toBe(setUp.creationBlock);
        expect(again.orders.map((order) => [order.hash, order.broadcastBlock])).toEqual(setUp.orders.map((order) => [order.hash, order.broadcastBlock]));
        expect(await nonces()).toEqual(sentBefore);
    });

    describe("a second deal, which nobody finishes", () => {
        let secondDeal: MatchedDeal;
        let taskid: string;
        let beforeMatch: Accounts;

        test("a contribution authorized by anyone but the workerpool's owner is refused", async () => {
            beforeMatch = await accounts();
            secondDeal = await matchOrders(requester, hubAddress, { app: signedAppOrder, dataset: NO_DATASET_ORDER, workerpool: publishedOrder(), request: await signedRequest(keccak256(toUtf8Bytes("request 2"))) });
            ({ taskid } = await initializeTask(scheduler, hubAddress, secondDeal.dealid, 0n));
            const resultDigest = keccak256(toUtf8Bytes("a result nobody asked for"));

            const forgeries = {
                "signed by the worker itself": await authorizeWorker(otherWorker, otherWorker.address, taskid),
                "signed by the requester": await authorizeWorker(requester, otherWorker.address, taskid),
                "the scheduler's authorization of another worker": await authorizeWorker(scheduler, worker.address, taskid),
            };
            for (const [what, authorization] of Object.entries(forgeries)) {
                await expect(contribute(otherWorker, hubAddress, taskid, resultDigest, authorization).then(() => `${what}: accepted`)).rejects.toMatchObject({ code: "CALL_EXCEPTION" });
            }
            // The same contribution with the owner's authorization of this worker would go through (simulated only).
            const { resultHash, resultSeal } = commitment(otherWorker.address, taskid, resultDigest);
            const genuine = await authorizeWorker(scheduler, otherWorker.address, taskid);
            await expect(hubAt(hubAddress, otherWorker).contribute.staticCall(taskid, resultHash, resultSeal, ZeroAddress, ZeroHash, genuine)).resolves.toEqual([]);
            const task = await hub.viewTask(taskid);
            expect(Number(task.status)).toBe(TASK_STATUS.ACTIVE);
            expect([...task.contributors]).toEqual([]);
            expect(await hubAccountOf(hub, otherWorker.address)).toEqual({ stake: 100n, locked: 0n });
        });

        test("past its final deadline the task is claimed: FAILED, the requester refunded, the pool owner's stake seized into the kitty", async () => {
            const task = await hub.viewTask(taskid);
            expect(Number(task.status)).toBe(TASK_STATUS.ACTIVE);
            await expect(hubAt(hubAddress, requester).claim.staticCall(taskid)).rejects.toMatchObject({ code: "CALL_EXCEPTION" });

            const now = (await provider.getBlock("latest"))!.timestamp;
            await rpc(node.rpcUrl, "evm_increaseTime", [Number(task.finalDeadline) - now]);
            await rpc(node.rpcUrl, "evm_mine", []);
            const claimed = await claim(requester, hubAddress, taskid);

            const taskPrice = APP_PRICE + POOL_PRICE;
            const poolStake = (POOL_PRICE * WORKERPOOL_STAKE_RATIO) / 100n;
            expect(events(claimed)).toEqual([
                `Transfer hub→requester ${taskPrice}`,
                `Unlock requester ${taskPrice}`,
                `Seize scheduler ${poolStake}`,
                `Reward kitty ${poolStake}`,
                `Lock kitty ${poolStake}`,
                "TaskClaimed",
            ]);
            expect(Number((await hub.viewTask(taskid)).status)).toBe(TASK_STATUS.FAILED);
            // Since before the match: the requester has all its RLC back; the pool owner lost its stake, now frozen in the kitty.
            expect(changes(beforeMatch, await accounts())).toEqual({
                requester: unchanged,
                "app owner": unchanged,
                scheduler: { stake: -poolStake, locked: 0n },
                worker: unchanged,
                kitty: { stake: 0n, locked: poolStake },
            });
        });
    });
});
