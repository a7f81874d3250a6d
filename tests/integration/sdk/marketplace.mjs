// Uses the deployed hub as an iExec user would, with the official iExec SDK (ESM only, hence a
// separate process): deposit RLC, deploy an app, a dataset and a workerpool, sign the four orders,
// match them into a standard (tag 0x0) deal and read the deal back. Prints one JSON line with what it observed.
//
// SDK 9 ORs the TDX tag 0x…09 into every order it creates or signs, whatever tag is asked for, and its matchOrders
// refuses any deal that is not TEE+TDX (iexec 9.0.1 src/common/market/order.js: signApporder and the other
// sign*order, createApporder and the other create*order, and the tag check in getMatchableVolume). A standard
// workerpool cannot run a TDX deal. So the orders are built with the caller's EIP-712 types
// (components/workerpool/orders.ts ORDER_TYPES, handed over as JSON), signed with ethers against the hub's own domain
// and matched on the SDK's hub contract; the SDK does the rest.
import { JsonRpcProvider, Wallet, ZeroAddress, hexlify, randomBytes } from "ethers";
import { IExec } from "iexec";

const [rpcUrl, hubAddress, orderTypesJson, tag] = process.argv.slice(2);
const privateKey = process.env.IEXEC_TEST_KEY;
if (!rpcUrl || !hubAddress || !orderTypesJson || !tag || !privateKey) {
    console.error("usage: IEXEC_TEST_KEY=0x... node marketplace.mjs <rpcUrl> <hubAddress> <orderTypesJson> <tag>");
    process.exit(2);
}
const orderTypes = JSON.parse(orderTypesJson);

// The SDK's own signer (utils.getSignerFromPrivateKey) keeps ethers' 250 ms cache of identical calls: when a block
// seals right after a transaction, the next transaction's pending-nonce query is answered from that cache with the
// nonce just used ("nonce too low"). A wallet whose provider caches nothing asks the node each time.
const signer = new Wallet(privateKey, new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 }));
const iexec = new IExec({ ethProvider: signer }, { hubAddress });
const hub = (await iexec.config.resolveContractsClient()).getIExecContract();
const owner = await iexec.wallet.getAddress();

const categoryCount = await iexec.hub.countCategory();
const deposit = await iexec.account.deposit(1_000_000);
const balance = await iexec.account.checkBalance(owner);

const app = await iexec.app.deployApp({
    owner,
    name: "consortium-test-app",
    type: "DOCKER",
    multiaddr: "registry.example.org/consortium/test-app:1.0.0",
    checksum: `0x${"11".repeat(32)}`,
});
const dataset = await iexec.dataset.deployDataset({
    owner,
    name: "consortium-test-dataset",
    multiaddr: "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ",
    checksum: `0x${"22".repeat(32)}`,
});
const workerpool = await iexec.workerpool.deployWorkerpool({ owner, description: "consortium test workerpool" });

// For the record: what SDK 9 makes of an app order asked for with the standard tag.
const sdkApporderTag = (await iexec.order.createApporder({ app: app.address, appprice: 5, volume: 10, tag })).tag;

const { name, version, chainId, verifyingContract } = await hub.domain();
const domain = { name, version, chainId: Number(chainId), verifyingContract };
const sign = async (kind, order) => {
    const salted = { ...order, salt: hexlify(randomBytes(32)) };
    return { ...salted, sign: await signer.signTypedData(domain, { [kind]: orderTypes[kind] }, salted) };
};
const apporder = await sign("AppOrder", {
    app: app.address,
    appprice: 5,
    volume: 10,
    tag,
    datasetrestrict: ZeroAddress,
    workerpoolrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
});
const datasetorder = await sign("DatasetOrder", {
    dataset: dataset.address,
    datasetprice: 3,
    volume: 10,
    tag,
    apprestrict: ZeroAddress,
    workerpoolrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
});
const workerpoolorder = await sign("WorkerpoolOrder", {
    workerpool: workerpool.address,
    workerpoolprice: 7,
    volume: 10,
    tag,
    category: 0,
    trust: 0,
    apprestrict: ZeroAddress,
    datasetrestrict: ZeroAddress,
    requesterrestrict: ZeroAddress,
});
const requestorder = await sign("RequestOrder", {
    app: app.address,
    appmaxprice: 5,
    dataset: dataset.address,
    datasetmaxprice: 3,
    workerpool: workerpool.address,
    workerpoolmaxprice: 7,
    requester: owner,
    volume: 1,
    tag,
    category: 0,
    trust: 0,
    beneficiary: owner,
    callback: ZeroAddress,
    // What the SDK writes for a standard task that names no argument: results pushed to IPFS.
    params: JSON.stringify({ iexec_result_storage_provider: "ipfs" }),
});

// The SDK's matchOrders checks the orders before sending anything and refuses a deal that is not TEE+TDX.
const sdkMatchRefusal = await iexec.order
    .matchOrders({ apporder, datasetorder, workerpoolorder, requestorder }, { preflightCheck: false })
    .then(
        () => null,
        (error) => error.message,
    );
const receipt = await (await hub.matchOrders(apporder, datasetorder, workerpoolorder, requestorder)).wait();
const matched = receipt.logs.map((log) => hub.interface.parseLog(log)).find((event) => event?.name === "OrdersMatched");
if (!matched) throw new Error(`no OrdersMatched event in ${receipt.hash}`);
const dealid = matched.args.dealid;
const deal = await iexec.deal.show(dealid);

console.log(
    JSON.stringify({
        categoryCount: Number(categoryCount),
        depositTx: deposit.txHash,
        stake: balance.stake.toString(),
        app: app.address,
        dataset: dataset.address,
        workerpool: workerpool.address,
        domain,
        sdkApporderTag,
        sdkMatchRefusal,
        dealid,
        deal: {
            app: deal.app.pointer,
            dataset: deal.dataset.pointer,
            workerpool: deal.workerpool.pointer,
            requester: deal.requester,
            category: Number(deal.category),
            botSize: Number(deal.botSize),
            appPrice: Number(deal.app.price),
            tag: deal.tag,
        },
    }),
);
