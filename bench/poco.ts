/**
 * Blocks, gas and wall time to deploy RLC + PoCo on anvil with 1-second blocks of 40 M gas: each
 * step's gas limit (declared), its expected and its real use, the blocks the deployment spans and
 * why; then the pipelined deployment (every transaction signed with its nonce and sent at once)
 * against the same plan sent one transaction per receipt. Run with `npm run bench:poco`; the
 * figures go into the README.
 */
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { performance } from "perf_hooks";
import { deployPoco, type DeployResult } from "../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../components/poco/genesis";
import { DEFAULT_CATEGORIES, EMPTY_CHAIN_STATE, blocksFor, planDeployment, type PocoPlanInput } from "../components/poco/plan";
import { startGenesisNode } from "../tests/helpers/anvil";

const CHAIN_ID = 65535;
const BLOCK_GAS_LIMIT = 40_000_000n; // startGenesisNode's, the consortium chain's default
const ADMIN_KEY = keccak256(toUtf8Bytes("consortium bench: PoCo admin"));
const ADMIN = new Wallet(ADMIN_KEY).address;
const PLAN: PocoPlanInput = {
    admin: ADMIN,
    chainId: CHAIN_ID,
    salt: `0x${"00".repeat(32)}`,
    rlc: { deploy: true },
    categories: DEFAULT_CATEGORIES,
    baseURIs: { apps: "https://a.example/", datasets: "https://d.example/", workerpools: "https://w.example/" },
};

async function measure(pipeline: boolean): Promise<{ seconds: number; result: DeployResult }> {
    const node = await startGenesisNode({ chainId: CHAIN_ID, blockTime: 1, accounts: { [ADMIN]: (10n ** 24n).toString() }, validator: ADMIN, contracts: GENESIS_CONTRACTS });
    try {
        const start = performance.now();
        const result = await deployPoco({
            rpcUrl: node.rpcUrl,
            adminKey: ADMIN_KEY,
            pipeline,
            log: process.env.BENCH_VERBOSE ? (message) => console.error(`${((performance.now() - start) / 1000).toFixed(1)} ${message.slice(0, 100)}`) : undefined,
            plan: PLAN,
        });
        return { seconds: (performance.now() - start) / 1000, result };
    } finally {
        await node.stop();
    }
}

const millions = (gas: bigint) => (Number(gas) / 1e6).toFixed(3);
const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

function gasTable(result: DeployResult): void {
    console.log("| step | declared (gas limit) | expected | used | used / declared | block |");
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const step of result.mined) {
        console.log(`| ${step.id} | ${step.gasLimit} | ${step.expectedGas} | ${step.gasUsed} | ${((100 * Number(step.gasUsed)) / Number(step.gasLimit)).toFixed(1)} % | ${step.blockNumber} |`);
    }
    const declared = sum(result.mined.map((step) => step.gasLimit));
    const expected = sum(result.mined.map((step) => step.expectedGas));
    console.log(`| **total** | ${declared} | ${expected} | ${result.gasUsed} | ${((100 * Number(result.gasUsed)) / Number(declared)).toFixed(1)} % | |`);
    console.log();

    const steps = planDeployment(PLAN, EMPTY_CHAIN_STATE);
    const sumBound = Math.ceil(Number(sum(steps.map((step) => step.gasLimit))) / Number(BLOCK_GAS_LIMIT));
    const packed = blocksFor(steps, BLOCK_GAS_LIMIT);
    console.log(`Blocks used: ${result.blocksUsed} (blocks of ${millions(BLOCK_GAS_LIMIT)} M gas, one a second).`);
    console.log(
        `Why: the ${steps.length} steps declare ${millions(declared)} M gas, so ceil(declared / limit) = ${sumBound}; but a block producer takes the next ` +
            `transaction while its gas limit fits beside the gas the block has used so far, and the steps are expected to use ${millions(expected)} M ` +
            `(${millions(result.gasUsed)} M measured), so packing them in nonce order gives ${packed} block(s) (blocksFor).`,
    );
    let blockUsed = 0n;
    result.mined.forEach((step, index) => {
        if (index > 0 && step.blockNumber !== result.mined[index - 1].blockNumber) {
            const reason = step.gasLimit > BLOCK_GAS_LIMIT - blockUsed ? `its limit ${step.gasLimit} did not fit beside the ${blockUsed} gas the previous block used` : "it reached the node after the previous block was sealed";
            console.log(`Block ${step.blockNumber} starts with ${step.id}: ${reason}.`);
            blockUsed = 0n;
        }
        blockUsed += step.gasUsed;
    });
    console.log();
}

async function main() {
    const runs: { pipeline: boolean; seconds: number; result: DeployResult }[] = [];
    for (const pipeline of [true, false]) runs.push({ pipeline, ...(await measure(pipeline)) });
    gasTable(runs[0].result);
    console.log("| mode | transactions | blocks | gas used | wall time (s) |");
    console.log("|---|---:|---:|---:|---:|");
    for (const { pipeline, seconds, result } of runs) {
        console.log(`| ${pipeline ? "pipelined" : "one transaction per receipt"} | ${result.transactionsSent} | ${result.blocksUsed} | ${result.gasUsed} | ${seconds.toFixed(1)} |`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
