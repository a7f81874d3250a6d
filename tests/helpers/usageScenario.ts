import { ContractFactory, JsonRpcProvider, Wallet, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";
import { deployPoco } from "../../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import type { ReportContracts } from "../../components/report/collect";
import type { StackOutputs } from "../../components/report/parties";
import { setUpWorkerpool } from "../../components/workerpool/engine";
import { pocoDomain, type Eip712Domain } from "../../components/workerpool/orders";
import { ADMIN, ADMIN_KEY, CHAIN_ID, plan, rpc } from "../integration/pocoChain";
import { startGenesisNode, type AnvilNode } from "./anvil";
import {
    NO_DATASET_ORDER,
    appOrder,
    authorizeWorker,
    claim,
    contribute,
    createApp,
    depositRlc,
    finalize,
    fundAccount,
    hubAt,
    initializeTask,
    matchOrders,
    mined,
    registryAt,
    requestOrder,
    resultLink,
    reveal,
    signAppOrder,
    signOrder,
    signRequestOrder,
    testKey,
    type Signed,
    type DatasetOrder,
} from "./iexecActors";
import { compileFixture } from "./solidity";

/**
 * A consortium's usage on anvil with the stack's genesis and PoCo, for the report's tests and benchmark: three
 * organisations (acme runs the workerpool and an app; globex owns an app and a dataset and requests; initech requests),
 * an account nobody claims, deals whose tasks complete, one claimed after its deadline, one never run, and bridge
 * transfers from a double of the home bridge.
 */

export const PRICES = { acmeApp: 5n, globexApp: 3n, dataset: 2n, workerpool: 10n } as const;
const ETHER = 10n ** 18n;

export const wallet = (label: string, provider: JsonRpcProvider) => new Wallet(testKey(`usage: ${label}`), provider);

export interface Scenario {
    readonly node: AnvilNode;
    readonly provider: JsonRpcProvider;
    readonly contracts: ReportContracts;
    readonly outputs: StackOutputs;
    readonly members: Readonly<Record<string, string[]>>;
    readonly accounts: Readonly<Record<string, Wallet>>;
    readonly workerpool: string;
    readonly domain: Eip712Domain;
    /** Matches a one-task deal of the app (and dataset) on the workerpool's broadcast order; the deal's id. */
    readonly matchDeal: (requester: Wallet, app: string, salt: string, dataset?: boolean) => Promise<string>;
    /** The scheduler and the worker take the deal's task to COMPLETED; the task's id. */
    readonly runTask: (dealid: string) => Promise<string>;
    readonly apps: { readonly acme: string; readonly globex: string };
    readonly dataset: string;
}

/** The chain, PoCo, the workerpool and the parties, before any deal. */
export async function startScenario(): Promise<Scenario> {
    const node = await startGenesisNode({ chainId: CHAIN_ID, accounts: { [ADMIN]: (10n ** 24n).toString() }, validator: ADMIN, contracts: GENESIS_CONTRACTS });
    const provider = new JsonRpcProvider(node.rpcUrl, CHAIN_ID, { staticNetwork: true, cacheTimeout: -1 });
    // Every block from here on is sealed by acme's authority.
    await rpc(node.rpcUrl, "anvil_setCoinbase", [wallet("acme authority", provider).address]);
    const poco = await deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
    const hub = poco.addresses.diamond;
    const admin = new Wallet(ADMIN_KEY, provider);
    const accounts = {
        acmeAuthority: wallet("acme authority", provider),
        acmeScheduler: wallet("acme scheduler", provider),
        acmeWorker: wallet("acme worker", provider),
        acmeDev: wallet("acme app owner", provider),
        globex: wallet("globex", provider),
        initech: wallet("initech", provider),
        stranger: wallet("stranger", provider),
    };
    for (const account of [accounts.acmeDev, accounts.globex, accounts.initech, accounts.stranger]) await fundAccount(admin, poco.addresses.rlc, account.address, { wei: ETHER, nrlc: 10_000n });
    const setUp = await setUpWorkerpool({
        chain: { rpcUrl: node.rpcUrl, chainId: CHAIN_ID },
        hub,
        workerpoolRegistry: poco.addresses.registries.workerpools,
        pocoDeploymentBlock: poco.deploymentBlock,
        adminKey: ADMIN_KEY,
        ownerKey: accounts.acmeScheduler.privateKey,
        description: "acme workerpool",
        workers: [accounts.acmeWorker.address],
        funding: ETHER.toString(),
        stakes: { scheduler: "1000", worker: "100" },
        orders: [{ category: 0, price: PRICES.workerpool.toString(), volume: "100000", trust: 1 }],
    });
    const domain = pocoDomain(CHAIN_ID, hub);
    const appRegistry = poco.addresses.registries.apps;
    const { app: acmeApp } = await createApp(accounts.acmeDev, appRegistry, { name: "acme-app", image: "registry.acme.example/app:1.0.0", checksum: keccak256(toUtf8Bytes("acme")) });
    const { app: globexApp } = await createApp(accounts.globex, appRegistry, { name: "globex-app", image: "registry.globex.example/app:1.0.0", checksum: keccak256(toUtf8Bytes("globex")) });
    const datasets = registryAt("datasets", poco.addresses.registries.datasets, accounts.globex);
    const datasetName = "globex-data";
    const dataset = (await datasets.predictDataset(accounts.globex.address, datasetName, toUtf8Bytes("/ipfs/globex"), keccak256(toUtf8Bytes("data")))) as string;
    await mined(datasets.createDataset(accounts.globex.address, datasetName, toUtf8Bytes("/ipfs/globex"), keccak256(toUtf8Bytes("data"))));
    for (const requester of [accounts.globex, accounts.initech, accounts.stranger]) await depositRlc(requester, hub, poco.addresses.rlc, 5_000n);

    const scheduler = accounts.acmeScheduler;
    const worker = accounts.acmeWorker;
    const poolOrder = { ...setUp.orders[0].order, sign: "0x" };
    const matchDeal = async (requester: Wallet, app: string, salt: string, withDataset = false) => {
        const [appOwner, appPrice] = app === acmeApp ? [accounts.acmeDev, PRICES.acmeApp] : [accounts.globex, PRICES.globexApp];
        const signedApp = await signAppOrder(appOwner, domain, appOrder(app, { price: appPrice, volume: 1n, salt }));
        const datasetOrder: Signed<DatasetOrder> = withDataset
            ? await signOrder(accounts.globex, "DatasetOrder", domain, { dataset, datasetprice: PRICES.dataset, volume: 1n, tag: `0x${"00".repeat(32)}`, apprestrict: ZeroAddress, workerpoolrestrict: ZeroAddress, requesterrestrict: ZeroAddress, salt })
            : NO_DATASET_ORDER;
        const terms = requestOrder({ app, appMaxPrice: appPrice, workerpool: setUp.workerpool, workerpoolMaxPrice: PRICES.workerpool, requester: requester.address, volume: 1n, category: 0n, trust: 1n, salt });
        const request = await signRequestOrder(requester, domain, withDataset ? { ...terms, dataset, datasetmaxprice: PRICES.dataset } : terms);
        return (await matchOrders(requester, hub, { app: signedApp, dataset: datasetOrder, workerpool: poolOrder, request })).dealid;
    };
    const runTask = async (dealid: string) => {
        const { taskid } = await initializeTask(scheduler, hub, dealid, 0n);
        const digest = keccak256(toUtf8Bytes(`result of ${taskid}`));
        await contribute(worker, hub, taskid, digest, await authorizeWorker(scheduler, worker.address, taskid));
        await reveal(worker, hub, taskid, digest);
        await finalize(scheduler, hub, taskid, resultLink("ipfs", `/ipfs/${taskid.slice(2, 12)}`));
        return taskid;
    };

    const outputs: StackOutputs = {
        chainId: CHAIN_ID,
        rpcUrl: node.rpcUrl,
        authorities: [{ name: "acme-1", org: "acme", address: accounts.acmeAuthority.address }],
        poco: { admin: ADMIN, addresses: { diamond: hub, registries: poco.addresses.registries }, deploymentBlock: poco.deploymentBlock },
        workerpool: { org: "acme", scheduler: scheduler.address, workers: [{ name: "acme-w1", address: worker.address, org: "acme" }] },
        bridge: null,
        permissioning: null,
    };
    return {
        node,
        provider,
        contracts: { hub, registries: poco.addresses.registries, pocoDeploymentBlock: poco.deploymentBlock },
        outputs,
        members: { acme: [accounts.acmeDev.address], globex: [accounts.globex.address], initech: [accounts.initech.address] },
        accounts,
        workerpool: setUp.workerpool,
        domain,
        matchDeal,
        runTask,
        apps: { acme: acmeApp, globex: globexApp },
        dataset,
    };
}

/** A double of the home bridge emitting its transfer events; its address. */
export async function deployBridgeDouble(admin: Wallet): Promise<{ address: string; affirm: (recipient: string, value: bigint) => Promise<void>; request: (recipient: string, value: bigint) => Promise<void> }> {
    const { abi, bytecode } = compileFixture("HomeBridgeEvents.sol").HomeBridgeEvents;
    const contract = await (await new ContractFactory(abi as never[], bytecode, admin).deploy()).waitForDeployment();
    const address = await contract.getAddress();
    return {
        address,
        affirm: async (recipient, value) => void (await mined(contract.getFunction("affirm")(recipient, value, keccak256(toUtf8Bytes(`${recipient}/${value}`))))),
        request: async (recipient, value) => void (await mined(contract.getFunction("request")(recipient, value))),
    };
}

/** Moves the chain's clock past every deadline of the tasks made so far, and seals a block there. */
export async function passDeadlines(rpcUrl: string, seconds: number): Promise<void> {
    await rpc(rpcUrl, "evm_increaseTime", [seconds]);
    await rpc(rpcUrl, "evm_mine", []);
}

export { claim, hubAt, initializeTask };
