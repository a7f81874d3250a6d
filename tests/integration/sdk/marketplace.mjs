// Uses the deployed hub as an iExec user would, with the official iExec SDK (ESM only, hence a
// separate process): deposit RLC, deploy an app, a dataset and a workerpool, sign the four orders,
// match them into a deal and read the deal back. Prints one JSON line with what it observed.
import { JsonRpcProvider, Wallet } from "ethers";
import { IExec } from "iexec";

const [rpcUrl, hubAddress] = process.argv.slice(2);
const privateKey = process.env.IEXEC_TEST_KEY;
if (!rpcUrl || !hubAddress || !privateKey) {
    console.error("usage: IEXEC_TEST_KEY=0x... node marketplace.mjs <rpcUrl> <hubAddress>");
    process.exit(2);
}

// The SDK's own signer (utils.getSignerFromPrivateKey) keeps ethers' 250 ms cache of identical calls: when a block
// seals right after a transaction, the next transaction's pending-nonce query is answered from that cache with the
// nonce just used ("nonce too low"). A wallet whose provider caches nothing asks the node each time.
const signer = new Wallet(privateKey, new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 }));
const iexec = new IExec({ ethProvider: signer }, { hubAddress });
const noPreflight = { preflightCheck: false };
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

const apporder = await iexec.order.signApporder(await iexec.order.createApporder({ app: app.address, appprice: 5, volume: 10 }), noPreflight);
const datasetorder = await iexec.order.signDatasetorder(
    await iexec.order.createDatasetorder({ dataset: dataset.address, datasetprice: 3, volume: 10 }),
    noPreflight,
);
const workerpoolorder = await iexec.order.signWorkerpoolorder(
    await iexec.order.createWorkerpoolorder({ workerpool: workerpool.address, workerpoolprice: 7, volume: 10, category: 0 }),
);
const requestorder = await iexec.order.signRequestorder(
    await iexec.order.createRequestorder({
        app: app.address,
        appmaxprice: 5,
        dataset: dataset.address,
        datasetmaxprice: 3,
        workerpool: workerpool.address,
        workerpoolmaxprice: 7,
        requester: owner,
        category: 0,
        volume: 1,
    }),
    noPreflight,
);
const { dealid } = await iexec.order.matchOrders({ apporder, datasetorder, workerpoolorder, requestorder }, noPreflight);
const deal = await iexec.deal.show(dealid);

console.log(
    JSON.stringify({
        categoryCount: Number(categoryCount),
        depositTx: deposit.txHash,
        stake: balance.stake.toString(),
        app: app.address,
        dataset: dataset.address,
        workerpool: workerpool.address,
        dealid,
        deal: {
            app: deal.app.pointer,
            dataset: deal.dataset.pointer,
            workerpool: deal.workerpool.pointer,
            requester: deal.requester,
            category: Number(deal.category),
            botSize: Number(deal.botSize),
            appPrice: Number(deal.app.price),
        },
    }),
);
