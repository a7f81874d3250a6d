/**
 * The usage report's time and peak memory on a busy chain (issue 16): on anvil with the consortium genesis, PoCo and the
 * program's workerpool set-up (tests/helpers/usageScenario.ts), three organisations request deals of 100 tasks each
 * (globex and initech, and acme's app owner), the scheduler initializes them with initializeArray and the worker runs
 * every task with contributeAndFinalize (trust 1), all sent pipelined with explicit nonces and gas limits. Checkpoints
 * after 2,500, 5,000 and 10,000 tasks; the report of PoCo's deployment block to each checkpoint is then run in a child
 * process of its own (its peak RSS is that report's alone). Run with `npm run bench:report`; the table goes into the
 * README. BENCH_SIZES=500,1000 runs smaller sizes (multiples of 100); BENCH_PROFILE=1 writes a CPU profile per size.
 */
import { execSync, fork } from "child_process";
import { mkdirSync } from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { Interface, Wallet, ZeroAddress, getBytes, keccak256, solidityPackedKeccak256, toUtf8Bytes, type TransactionLike } from "ethers";
import { artifacts } from "../components/poco/artifacts";
import { usageReport, type ReportContracts } from "../components/report/collect";
import { partiesOf, type StackOutputs } from "../components/report/parties";
import { STANDARD_TAG, type WorkerpoolOrder } from "../components/workerpool/orders";
import { NO_DATASET_ORDER, appOrder, depositRlc, findBroadcastWorkerpoolOrders, fundAccount, requestOrder, resultLink, signAppOrder, signOrder, signRequestOrder, taskIdOf } from "../tests/helpers/iexecActors";
import { PRICES, startScenario, type Scenario } from "../tests/helpers/usageScenario";
import { ADMIN_KEY, CHAIN_ID, rpc } from "../tests/integration/pocoChain";

const DEAL_VOLUME = 100;
const SIZES = (process.env.BENCH_SIZES ?? "2500,5000,10000").split(",").map((size) => Number(size.trim()));
const GOAL = { seconds: 30, megabytes: 500 };
const HUB = new Interface(artifacts.iexecToken().abi as never[]);
/** Far above anvil's base fee (1 gwei at most here): no transaction waits for a cheaper block. */
const FEES = { maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 0n };
/** Transactions signed ahead of the node: one chunk is mined while the next is signed. */
const CHUNK = 500;

// ---------------------------------------------------------------------------------------------------------------
// JSON-RPC in batches, without ethers' per-call machinery

interface RpcCall {
    readonly method: string;
    readonly params: readonly unknown[];
}

async function rpcBatch(url: string, calls: readonly RpcCall[]): Promise<unknown[]> {
    const results: unknown[] = [];
    for (let start = 0; start < calls.length; start += 200) {
        const slice = calls.slice(start, start + 200);
        const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(slice.map((call, id) => ({ jsonrpc: "2.0", id, ...call }))) });
        const body = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
        const byId = new Map(body.map((entry) => [entry.id, entry]));
        slice.forEach((call, id) => {
            const entry = byId.get(id);
            if (!entry || entry.error) throw new Error(`${call.method}: ${entry?.error?.message ?? "no answer"}`);
            results.push(entry.result);
        });
    }
    return results;
}

interface RawReceipt {
    readonly status: string;
    readonly transactionHash: string;
    readonly blockNumber: string;
    readonly logs: readonly { readonly topics: string[]; readonly data: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sender's transactions signed with consecutive nonces, an explicit gas limit and fees (no estimate per transaction). */
class Sender {
    private nonce = -1;
    constructor(
        readonly wallet: Wallet,
        private readonly url: string,
    ) {}
    async sign(to: string, data: string, gasLimit: bigint): Promise<string> {
        if (this.nonce < 0) this.nonce = Number(await rpc(this.url, "eth_getTransactionCount", [this.wallet.address, "pending"]));
        const tx: TransactionLike<string> = { type: 2, chainId: CHAIN_ID, to, data, nonce: this.nonce++, gasLimit, ...FEES };
        return this.wallet.signTransaction(tx);
    }
}

/** Sends signed transactions (in the order given); their hashes. */
async function sendAll(url: string, raws: readonly string[]): Promise<string[]> {
    return (await rpcBatch(url, raws.map((raw) => ({ method: "eth_sendRawTransaction", params: [raw] })))) as string[];
}

/** Waits until every transaction is mined (polling only the last one's receipt until it is), fails unless all succeeded. */
async function confirm(url: string, hashes: readonly string[]): Promise<RawReceipt[]> {
    if (hashes.length === 0) return [];
    const last = hashes[hashes.length - 1];
    const since = Date.now();
    let nudged = since;
    while (!(await rpc(url, "eth_getTransactionReceipt", [last]))) {
        if (Date.now() - since > 60_000) throw new Error(`transaction ${last} not mined after 60 s: ${JSON.stringify(await rpc(url, "txpool_status", []))}`);
        // Anvil's automine can leave ready transactions in its pool once no new one arrives: seal a block for them.
        if (Date.now() - nudged > 500) {
            nudged = Date.now();
            await rpc(url, "evm_mine", []);
        }
        await sleep(20);
    }
    for (;;) {
        const receipts = (await rpcBatch(url, hashes.map((hash) => ({ method: "eth_getTransactionReceipt", params: [hash] })))) as (RawReceipt | null)[];
        if (receipts.every((receipt) => receipt !== null)) {
            const failed = receipts.find((receipt) => receipt!.status !== "0x1");
            if (failed) throw new Error(`transaction ${failed.transactionHash} failed`);
            return receipts as RawReceipt[];
        }
        await sleep(20);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The load

interface Checkpoint {
    readonly tasks: number;
    readonly deals: number;
    readonly block: number;
}

interface Load {
    readonly scenario: Scenario;
    readonly checkpoints: Checkpoint[];
    readonly seconds: number;
    readonly transactions: number;
}

async function generate(): Promise<Load> {
    const started = performance.now();
    const log = (message: string) => console.error(`[load ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`);
    const scenario = await startScenario();
    const { accounts, apps, contracts, domain, dataset } = scenario;
    const url = scenario.node.rpcUrl;
    const hub = contracts.hub;
    const admin = new Wallet(ADMIN_KEY, scenario.provider);
    const rlc = HUB.decodeFunctionResult("token", (await scenario.provider.call({ to: hub, data: HUB.encodeFunctionData("token") })) as string)[0] as string;
    log(`scenario up: PoCo at block ${contracts.pocoDeploymentBlock}, hub ${hub}`);

    // Gas for thousands of transactions, and RLC for every deal's price and the scheduler's stake per task.
    const requesters = [accounts.globex, accounts.initech, accounts.acmeDev];
    const tasksTotal = Math.max(...SIZES);
    const deposit = BigInt(Math.ceil(tasksTotal / requesters.length) + DEAL_VOLUME) * (PRICES.globexApp + PRICES.dataset + PRICES.workerpool + PRICES.acmeApp);
    for (const account of [...requesters, accounts.acmeScheduler, accounts.acmeWorker]) await rpc(url, "anvil_setBalance", [account.address, `0x${(10n ** 24n).toString(16)}`]);
    for (const account of requesters) {
        await fundAccount(admin, rlc, account.address, { wei: 0n, nrlc: deposit });
        await depositRlc(account, hub, rlc, deposit);
    }
    const schedulerStake = BigInt(tasksTotal) * ((PRICES.workerpool * 30n) / 100n) + 1000n;
    await fundAccount(admin, rlc, accounts.acmeScheduler.address, { wei: 0n, nrlc: schedulerStake });
    await depositRlc(accounts.acmeScheduler, hub, rlc, schedulerStake);
    log(`deposited ${deposit} nRLC for each requester and ${schedulerStake} nRLC for the scheduler`);

    const [broadcast] = await findBroadcastWorkerpoolOrders(scenario.provider, hub, domain, contracts.pocoDeploymentBlock);
    const poolOrder: WorkerpoolOrder & { sign: string } = { ...broadcast.order, sign: "0x" };
    const senders = new Map(requesters.map((wallet) => [wallet.address, new Sender(wallet, url)]));
    const scheduler = new Sender(accounts.acmeScheduler, url);
    const worker = new Sender(accounts.acmeWorker, url);
    const workerAddress = accounts.acmeWorker.address;
    const ordersMatched = HUB.getEvent("OrdersMatched")!.topicHash;
    let transactions = 0;
    let dealCount = 0;
    let taskCount = 0;
    let matchGas = 0n;
    let initGas = 0n;
    let runGas = 0n;
    const checkpoints: Checkpoint[] = [];

    /** Deal i: globex runs acme's app; initech acme's app, or globex's app on globex's dataset; acme runs globex's app. */
    const dealTx = async (index: number): Promise<{ from: Wallet; data: string }> => {
        const requester = requesters[index % 3];
        const salt = keccak256(toUtf8Bytes(`bench deal ${index}`));
        const useGlobexApp = requester === accounts.acmeDev || (requester === accounts.initech && Math.floor(index / 3) % 2 === 1);
        const withDataset = requester === accounts.initech && useGlobexApp;
        const [app, appOwner, appPrice] = useGlobexApp ? [apps.globex, accounts.globex, PRICES.globexApp] : [apps.acme, accounts.acmeDev, PRICES.acmeApp];
        const volume = BigInt(DEAL_VOLUME);
        const signedApp = await signAppOrder(appOwner, domain, appOrder(app, { price: appPrice, volume, salt }));
        const datasetOrder = withDataset
            ? await signOrder(accounts.globex, "DatasetOrder", domain, { dataset, datasetprice: PRICES.dataset, volume, tag: STANDARD_TAG, apprestrict: ZeroAddress, workerpoolrestrict: ZeroAddress, requesterrestrict: ZeroAddress, salt })
            : NO_DATASET_ORDER;
        const terms = requestOrder({ app, appMaxPrice: appPrice, workerpool: scenario.workerpool, workerpoolMaxPrice: PRICES.workerpool, requester: requester.address, volume, category: 0n, trust: 1n, salt });
        const request = await signRequestOrder(requester, domain, withDataset ? { ...terms, dataset, datasetmaxprice: PRICES.dataset } : terms);
        return { from: requester, data: HUB.encodeFunctionData("matchOrders", [signedApp, datasetOrder, poolOrder, request]) };
    };
    const estimate = async (from: string, data: string) => (BigInt((await rpc(url, "eth_estimateGas", [{ from, to: hub, data }])) as string) * 13n) / 10n;

    for (const size of SIZES) {
        if (size % DEAL_VOLUME !== 0 || size <= taskCount) throw new Error(`sizes must grow, in multiples of ${DEAL_VOLUME}: ${SIZES.join(", ")}`);
        const newDeals = (size - taskCount) / DEAL_VOLUME;
        // 1. The requesters match their deals.
        const matches = await Promise.all(Array.from({ length: newDeals }, (_, offset) => dealTx(dealCount + offset)));
        if (matchGas === 0n) matchGas = (await estimate(matches[0].from.address, matches[0].data)) * 2n; // deals with a dataset cost more
        const raws: string[] = [];
        for (const match of matches) raws.push(await senders.get(match.from.address)!.sign(hub, match.data, matchGas));
        const receipts = await confirm(url, await sendAll(url, raws));
        transactions += raws.length;
        const dealids = receipts.map((receipt) => {
            const event = receipt.logs.find((entry) => entry.topics[0] === ordersMatched);
            if (!event) throw new Error(`matchOrders ${receipt.transactionHash} emitted no OrdersMatched`);
            return HUB.decodeEventLog("OrdersMatched", event.data, event.topics).dealid as string;
        });
        dealCount += newDeals;
        log(`${dealCount} deals matched`);

        // 2. The scheduler initializes each deal's tasks in one transaction.
        const inits = dealids.map((dealid) => HUB.encodeFunctionData("initializeArray", [Array(DEAL_VOLUME).fill(dealid), Array.from({ length: DEAL_VOLUME }, (_, index) => index)]));
        if (initGas === 0n) initGas = await estimate(accounts.acmeScheduler.address, inits[0]);
        const initRaws: string[] = [];
        for (const data of inits) initRaws.push(await scheduler.sign(hub, data, initGas));
        await confirm(url, await sendAll(url, initRaws));
        transactions += initRaws.length;
        log(`${dealCount * DEAL_VOLUME} tasks initialized`);

        // 3. The worker contributes and finalizes each task, authorized by the scheduler; a chunk is mined while the next is signed.
        const taskids = dealids.flatMap((dealid) => Array.from({ length: DEAL_VOLUME }, (_, index) => taskIdOf(dealid, BigInt(index))));
        const runData = async (taskid: string) => {
            const authorization = await accounts.acmeScheduler.signMessage(getBytes(solidityPackedKeccak256(["address", "bytes32", "address"], [workerAddress, taskid, ZeroAddress])));
            const digest = keccak256(toUtf8Bytes(`result of ${taskid}`));
            return HUB.encodeFunctionData("contributeAndFinalize", [taskid, digest, resultLink("ipfs", `/ipfs/${taskid.slice(2, 12)}`), "0x", ZeroAddress, "0x", authorization]);
        };
        if (runGas === 0n) runGas = await estimate(workerAddress, await runData(taskids[0]));
        let inFlight: Promise<string[]> | undefined;
        for (let start = 0; start < taskids.length; start += CHUNK) {
            const chunk: string[] = [];
            for (const taskid of taskids.slice(start, start + CHUNK)) chunk.push(await worker.sign(hub, await runData(taskid), runGas));
            if (inFlight) await confirm(url, await inFlight);
            inFlight = sendAll(url, chunk);
            transactions += chunk.length;
        }
        await confirm(url, await inFlight!);
        taskCount = size;
        const block = Number(await rpc(url, "eth_blockNumber", []));
        checkpoints.push({ tasks: taskCount, deals: dealCount, block });
        log(`${taskCount} tasks completed: checkpoint at block ${block} (gas limits: matchOrders ${matchGas}, initializeArray ${initGas}, contributeAndFinalize ${runGas})`);
    }

    // Every task finalized: one getLogs.
    const finalized = await scenario.provider.getLogs({ address: hub, topics: [HUB.getEvent("TaskFinalize")!.topicHash], fromBlock: contracts.pocoDeploymentBlock, toBlock: "latest" });
    if (finalized.length !== taskCount) throw new Error(`${finalized.length} TaskFinalize events, expected ${taskCount}`);
    log(`verified: ${finalized.length} TaskFinalize events`);
    return { scenario, checkpoints, seconds: (performance.now() - started) / 1000, transactions };
}

// ---------------------------------------------------------------------------------------------------------------
// One measurement, in a child process of its own

interface MeasureInput {
    readonly rpcUrl: string;
    readonly contracts: ReportContracts;
    readonly to: number;
    readonly outputs: StackOutputs;
    readonly members: Record<string, string[]>;
}

interface Measurement {
    readonly seconds: number;
    readonly maxRssMB: number;
    readonly baselineRssMB: number;
    readonly blocks: number;
    readonly events: number;
    readonly completed: number;
    readonly deals: number;
    /** Seconds per phase, from the report's progress messages. */
    readonly phases: Record<string, number>;
}

async function measureChild(input: MeasureInput): Promise<Measurement> {
    const parties = partiesOf(input.outputs, input.members);
    const baselineRssMB = process.resourceUsage().maxRSS / 1024;
    const marks: { at: number; message: string }[] = [];
    const start = performance.now();
    const report = await usageReport(
        { rpcUrl: input.rpcUrl, chainId: CHAIN_ID, contracts: input.contracts, to: input.to, progress: (message) => marks.push({ at: performance.now(), message }) },
        parties,
    );
    const end = performance.now();
    const seconds = (end - start) / 1000;
    const maxRssMB = process.resourceUsage().maxRSS / 1024;
    // Phases: range; fetching the logs (hub/RLC, then registries); decoding them, the deals and tasks (viewDeal/viewTask) and the
    // blocks and receipts (one progress message per 1,000 blocks: with fewer, all of it lands here); balances and build.
    const lastOf = (pattern: RegExp) => [...marks].reverse().find((mark) => pattern.test(mark.message));
    const countOf = (label: string) => Number(/\((\d+) events\)/.exec(lastOf(new RegExp(`report: ${label} logs`))?.message ?? "")?.[1] ?? 0);
    const rangeAt = marks[0]?.at ?? start;
    const logsAt = lastOf(/registries logs/)?.at ?? rangeAt;
    const firstBlocksAt = marks.find((mark) => /^report: blocks \d+\//.test(mark.message))?.at ?? logsAt;
    const blocksAt = lastOf(/^report: blocks \d+\//)?.at ?? firstBlocksAt;
    const perBlocksChunk = marks.filter((mark) => /^report: blocks \d+\//.test(mark.message));
    const firstChunkSeconds = perBlocksChunk.length > 1 ? (perBlocksChunk[1].at - perBlocksChunk[0].at) / 1000 : 0;
    const phases = {
        range: (rangeAt - start) / 1000,
        logs: (logsAt - rangeAt) / 1000,
        // The first blocks message comes after the first chunk of blocks: decoding and the deals are before it, less a chunk's time.
        decodeAndDeals: Math.max(0, (firstBlocksAt - logsAt) / 1000 - firstChunkSeconds),
        blocks: (blocksAt - firstBlocksAt) / 1000 + firstChunkSeconds,
        balancesAndBuild: (end - blocksAt) / 1000,
    };
    return {
        seconds,
        maxRssMB,
        baselineRssMB,
        blocks: report.range.toBlock - report.range.fromBlock + 1,
        events: countOf("hub, RLC and bridge") + countOf("registries"),
        completed: report.organisations.reduce((total, organisation) => total + organisation.tasks.completed, 0),
        deals: report.organisations.reduce((total, organisation) => total + organisation.deals.requested, 0),
        phases,
    };
}

function measureInChild(input: MeasureInput, label: string): Promise<Measurement> {
    const execArgv = ["-r", require.resolve("ts-node/register/transpile-only")];
    if (process.env.BENCH_PROFILE) {
        const dir = path.join(os.tmpdir(), "bench-report-profiles");
        mkdirSync(dir, { recursive: true });
        execArgv.push("--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-name", `report-${label}.cpuprofile`);
    }
    return new Promise((resolve, reject) => {
        const child = fork(__filename, ["--measure"], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
        let result: Measurement | undefined;
        let failure: string | undefined;
        child.on("message", (message: { result?: Measurement; error?: string }) => {
            result = message.result;
            failure = message.error;
        });
        child.on("error", reject);
        child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`measurement of ${label} exited with ${code}: ${failure ?? "no result"}`))));
        child.send(input);
    });
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
    const load = await generate();
    const { scenario, checkpoints } = load;
    const rows: (Checkpoint & Measurement)[] = [];
    const failures: { tasks: number; error: string }[] = [];
    try {
        for (const checkpoint of checkpoints) {
            let measurement: Measurement;
            try {
                measurement = await measureInChild(
                    { rpcUrl: scenario.node.rpcUrl, contracts: scenario.contracts, to: checkpoint.block, outputs: scenario.outputs, members: { ...scenario.members } },
                    `${checkpoint.tasks}`,
                );
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                console.error(`[report] ${checkpoint.tasks} tasks: FAILED: ${message}`);
                failures.push({ tasks: checkpoint.tasks, error: message.split("\n").slice(0, 2).join(" ") });
                continue;
            }
            if (measurement.completed !== checkpoint.tasks || measurement.deals !== checkpoint.deals) {
                throw new Error(`the report of ${checkpoint.tasks} tasks counts ${measurement.completed} completed tasks and ${measurement.deals} deals (expected ${checkpoint.deals})`);
            }
            console.error(`[report] ${checkpoint.tasks} tasks: ${measurement.seconds.toFixed(2)} s, ${measurement.maxRssMB.toFixed(0)} MB, ${measurement.events} events, phases ${JSON.stringify(measurement.phases, (_, value) => (typeof value === "number" ? Number(value.toFixed(2)) : value))}`);
            rows.push({ ...checkpoint, ...measurement });
        }
    } finally {
        scenario.provider.destroy();
        await scenario.node.stop();
    }

    const nproc = execSync("nproc").toString().trim();
    const totalGB = (os.totalmem() / 1024 ** 3).toFixed(1);
    console.log();
    console.log(`Machine: ${nproc} CPUs (nproc), ${totalGB} GB memory (os.totalmem), Node ${process.version}, anvil (automine). Load generated in ${load.seconds.toFixed(0)} s (${load.transactions} transactions, not measured).`);
    console.log();
    console.log("| tasks | deals | blocks | events | report time (s) | ms per 1,000 events | peak RSS (MB) | fetch logs (s) | decode, deals & tasks (s) | blocks (s) | balances & build (s) |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) {
        const perThousand = (1000 * row.seconds) / (row.events / 1000);
        const p = row.phases;
        console.log(
            `| ${row.tasks} | ${row.deals} | ${row.blocks} | ${row.events} | ${row.seconds.toFixed(2)} | ${perThousand.toFixed(1)} | ${row.maxRssMB.toFixed(0)} | ${p.logs.toFixed(2)} | ${p.decodeAndDeals.toFixed(2)} | ${p.blocks.toFixed(2)} | ${p.balancesAndBuild.toFixed(2)} |`,
        );
    }
    for (const failure of failures) {
        const checkpoint = checkpoints.find((candidate) => candidate.tasks === failure.tasks)!;
        console.log(`| ${failure.tasks} | ${checkpoint.deals} | ${checkpoint.block - scenario.contracts.pocoDeploymentBlock + 1} | | failed: ${failure.error.replace(/\|/g, "/")} | | | | | | |`);
    }
    console.log();
    if (rows.length === 0) {
        process.exitCode = 1;
        return;
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (rows.length > 1) {
        const eventRatio = last.events / first.events;
        const timeRatio = last.seconds / first.seconds;
        const memoryGrowth = (last.maxRssMB - first.maxRssMB) / ((last.events - first.events) / 1000);
        console.log(
            `Growth from ${first.tasks} to ${last.tasks} tasks: events ×${eventRatio.toFixed(2)}, time ×${timeRatio.toFixed(2)} ` +
                `(time per 1,000 events ${((1000 * first.seconds) / (first.events / 1000)).toFixed(1)} → ${((1000 * last.seconds) / (last.events / 1000)).toFixed(1)} ms), ` +
                `peak RSS +${memoryGrowth.toFixed(2)} MB per 1,000 events over a ${first.baselineRssMB.toFixed(0)} MB baseline (the child before the report).`,
        );
    }
    const largest = Math.max(...checkpoints.map((checkpoint) => checkpoint.tasks));
    const timeHolds = last.tasks === largest && last.seconds < GOAL.seconds;
    const memoryHolds = last.tasks === largest && last.maxRssMB < GOAL.megabytes;
    if (last.tasks !== largest) console.log(`The report of ${largest} tasks failed: the goals are missed.`);
    console.log(
        `Goals at ${last.tasks} tasks: time ${last.seconds.toFixed(2)} s < ${GOAL.seconds} s: ${timeHolds ? "holds" : "MISSED"}; ` +
            `peak memory ${last.maxRssMB.toFixed(0)} MB < ${GOAL.megabytes} MB: ${memoryHolds ? "holds" : "MISSED"}.`,
    );
    if (!timeHolds || !memoryHolds) process.exitCode = 1;
}

if (process.argv.includes("--measure")) {
    process.once("message", (input: MeasureInput) => {
        measureChild(input).then(
            (result) => process.send!({ result }, () => process.exit(0)),
            (error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
        );
    });
} else {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
