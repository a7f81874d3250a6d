/**
 * Blocks and wall time to deploy RLC + PoCo on anvil with 1-second blocks: the pipelined deployment
 * (every transaction signed with its nonce and sent at once) against the same plan sent one
 * transaction per receipt. Run with `npm run bench:poco`; the figures go into the README.
 */
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { performance } from "perf_hooks";
import { deployPoco } from "../components/poco/deploy";
import { GENESIS_CONTRACTS } from "../components/poco/genesis";
import { DEFAULT_CATEGORIES } from "../components/poco/plan";
import { startGenesisNode } from "../tests/helpers/anvil";

const CHAIN_ID = 65535;
const ADMIN_KEY = keccak256(toUtf8Bytes("consortium bench: PoCo admin"));
const ADMIN = new Wallet(ADMIN_KEY).address;

async function measure(pipeline: boolean) {
    const node = await startGenesisNode({ chainId: CHAIN_ID, blockTime: 1, accounts: { [ADMIN]: (10n ** 24n).toString() }, validator: ADMIN, contracts: GENESIS_CONTRACTS });
    try {
        const start = performance.now();
        const result = await deployPoco({
            rpcUrl: node.rpcUrl,
            adminKey: ADMIN_KEY,
            pipeline,
            log: process.env.BENCH_VERBOSE ? (message) => console.error(`${((performance.now() - start) / 1000).toFixed(1)} ${message.slice(0, 100)}`) : undefined,
            plan: {
                admin: ADMIN,
                chainId: CHAIN_ID,
                salt: `0x${"00".repeat(32)}`,
                rlc: { deploy: true },
                categories: DEFAULT_CATEGORIES,
                baseURIs: { apps: "https://a.example/", datasets: "https://d.example/", workerpools: "https://w.example/" },
            },
        });
        return { seconds: (performance.now() - start) / 1000, transactions: result.transactionsSent, blocks: result.blocksUsed };
    } finally {
        await node.stop();
    }
}

async function main() {
    console.log("| mode | transactions | blocks | wall time (s) |");
    console.log("|---|---:|---:|---:|");
    for (const pipeline of [true, false]) {
        const { seconds, transactions, blocks } = await measure(pipeline);
        console.log(`| ${pipeline ? "pipelined" : "one transaction per receipt"} | ${transactions} | ${blocks} | ${seconds.toFixed(1)} |`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
