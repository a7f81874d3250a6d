import { JsonRpcProvider, Wallet } from "ethers";
import { buildChainSpec } from "../../components/chain/spec";
import { deployPoco, transactionOf } from "../../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../../components/poco/genesis";
import { EMPTY_CHAIN_STATE, blocksFor, planDeployment, type PocoPlanInput } from "../../components/poco/plan";
import { applyGenesisAccounts, mine, setIntervalMining, startAnvil, startGenesisNode } from "../helpers/anvil";
import { ADMIN, ADMIN_KEY, CHAIN_ID, plan } from "./pocoChain";

/** The gas budgets of the plan against what the steps really cost on anvil. */

const long = "0123456789abcdef".repeat(12);
const variants: [string, PocoPlanInput][] = [
    ["the default deployment", plan()],
    [
        "long base URIs and category texts",
        plan({
            salt: `0x${"01".repeat(32)}`,
            baseURIs: { apps: `https://${long}/app/`, datasets: `https://${long}/dataset/`, workerpools: "https://w.example/" },
            categories: [
                { name: "XS", description: "{}", workClockTimeRef: 300 },
                { name: `GPU-${long}`, description: JSON.stringify({ gpu: long, memory: long }), workClockTimeRef: 7200 },
            ],
        }),
    ],
];

test.each(variants)("%s: every gas limit covers the least gas its step succeeds with, by at most 5 %% (and 10,000 gas), and no step uses more than expected", async (_label, input) => {
    const node = await startGenesisNode({ chainId: CHAIN_ID, accounts: { [ADMIN]: (10n ** 24n).toString() }, validator: ADMIN, contracts: GENESIS_CONTRACTS });
    const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
    try {
        const wallet = new Wallet(ADMIN_KEY, provider);
        const problems: string[] = [];
        for (const step of planDeployment(input, EMPTY_CHAIN_STATE)) {
            const { to, data } = transactionOf(step);
            // The least gas limit the step succeeds with, on the state it runs on (anvil searches it).
            const needed = await provider.estimateGas({ from: ADMIN, to, data });
            const receipt = (await (await wallet.sendTransaction(transactionOf(step))).wait())!;
            if (receipt.status !== 1) problems.push(`${step.id} failed with a gas limit of ${step.gasLimit}`);
            if (step.gasLimit < needed) problems.push(`${step.id}: limit ${step.gasLimit} < needed ${needed}`);
            // 10,000 gas more for the small contracts whose runtime size is unknown (counted as their creation code).
            if (Number(step.gasLimit) > Number(needed) * 1.05 + 10_000) problems.push(`${step.id}: limit ${step.gasLimit} is more than 5 % above needed ${needed}`);
            if (Number(receipt.gasUsed) > Number(step.expectedGas) * 1.01) problems.push(`${step.id}: used ${receipt.gasUsed} > expected ${step.expectedGas}`);
        }
        expect(problems).toEqual([]);
    } finally {
        provider.destroy();
        await node.stop();
    }
}, 120_000);

test("on a 25 M gas chain with 1-second blocks the deployment spans the two blocks its budgets imply", async () => {
    const gasLimit = 25_000_000n;
    // Blocks start only once the whole batch is in the pool: on a loaded machine, sending the batch can take longer
    // than one block, which would split it by timing rather than by gas.
    const node = await startAnvil({ chainId: CHAIN_ID, gasLimit, automine: false });
    try {
        const spec = buildChainSpec({
            name: "test",
            networkId: CHAIN_ID,
            chainId: CHAIN_ID,
            stepDuration: 1,
            gasLimit,
            accounts: { [ADMIN]: (10n ** 24n).toString() },
            validatorSets: [{ fromBlock: 0, addresses: [ADMIN] }],
            client: "nethermind",
            contracts: GENESIS_CONTRACTS,
        });
        await applyGenesisAccounts(node.rpcUrl, spec);
        const steps = planDeployment(plan(), EMPTY_CHAIN_STATE);
        await mine(node.rpcUrl); // the deployment waits for a sealed block
        const deployment = deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan() });
        const provider = new JsonRpcProvider(node.rpcUrl, undefined, { staticNetwork: true });
        try {
            const deadline = Date.now() + 60_000;
            while ((await provider.getTransactionCount(ADMIN, "pending")) < steps.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        } finally {
            provider.destroy();
        }
        await setIntervalMining(node.rpcUrl, 1);
        const result = await deployment;
        expect(result.transactionsSent).toBe(steps.length);
        expect(blocksFor(steps, gasLimit)).toBe(2);
        expect(result.blocksUsed).toBe(blocksFor(steps, gasLimit));
    } finally {
        await node.stop();
    }
}, 120_000);
