import { execFile } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { promisify } from "util";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { canonicalJson } from "../../components/report/build";
import { usageReport, type CollectOptions } from "../../components/report/collect";
import { UNATTRIBUTED, type OrganisationUsage, type UsageReport } from "../../components/report/model";
import { partiesOf } from "../../components/report/parties";
import { startAnvil, type AnvilNode } from "../helpers/anvil";
import { registryAt } from "../helpers/iexecActors";
import { PRICES, claim, deployBridgeDouble, initializeTask, passDeadlines, startScenario, type Scenario } from "../helpers/usageScenario";
import { ADMIN_KEY, CHAIN_ID, rpc } from "./pocoChain";

/**
 * The audit and usage report of a consortium's activity on anvil (the stack's genesis, PoCo, the program's workerpool
 * set-up): three organisations, an account nobody claims, completed, claimed and never-run tasks, an asset changing
 * hands, bridge transfers. Every figure is derived here from the prices and PoCo's rules (reference §5.2, §6.6).
 */

/** PoCo 6.1.0: the pool owner's and each worker's stake are 30 % of the pool's price; the scheduler keeps 1 % of it. */
const STAKE = (PRICES.workerpool * 30n) / 100n;
const WORKER_REWARD = (PRICES.workerpool * 99n) / 100n;
const SCHEDULER_REWARD = PRICES.workerpool - WORKER_REWARD;
const DEADLINE = 10 * 300 + 1;

describe("the usage report of a consortium's activity (anvil)", () => {
    let scenario: Scenario;
    let options: CollectOptions;
    let report: UsageReport;
    let bridgeAddress: string;
    const progress: string[] = [];
    const byName = (name: string): OrganisationUsage => report.organisations.find((organisation) => organisation.name === name)!;

    beforeAll(async () => {
        scenario = await startScenario();
        const { accounts, apps } = scenario;
        const admin = new Wallet(ADMIN_KEY, scenario.provider);
        const bridge = await deployBridgeDouble(admin);
        bridgeAddress = bridge.address;
        await bridge.affirm(accounts.globex.address, 100n);
        await bridge.request(accounts.initech.address, 40n);
        const salt = (label: string) => keccak256(toUtf8Bytes(label));
        await scenario.runTask(await scenario.matchDeal(accounts.initech, apps.acme, salt("d1"), true));
        await scenario.runTask(await scenario.matchDeal(accounts.initech, apps.acme, salt("d2")));
        await scenario.runTask(await scenario.matchDeal(accounts.globex, apps.acme, salt("d3")));
        await scenario.runTask(await scenario.matchDeal(accounts.stranger, apps.globex, salt("d4")));
        const claimed = await scenario.matchDeal(accounts.initech, apps.globex, salt("d5"));
        const { taskid } = await initializeTask(accounts.acmeScheduler, scenario.contracts.hub, claimed, 0n);
        await scenario.matchDeal(accounts.globex, apps.acme, salt("d6"));
        // An app made by someone nobody claims, handed to initech.
        const registry = registryAt("apps", scenario.contracts.registries.apps, accounts.stranger);
        const args = [accounts.stranger.address, "stranger-app", "DOCKER", toUtf8Bytes("registry.example/x:1.0.0"), salt("x"), "0x"] as const;
        const strangerApp = (await registry.predictApp(...args)) as string;
        await (await registry.createApp(...args)).wait();
        await (await registry.transferFrom(accounts.stranger.address, accounts.initech.address, BigInt(strangerApp))).wait();
        await passDeadlines(scenario.node.rpcUrl, DEADLINE);
        await claim(accounts.initech, scenario.contracts.hub, taskid);

        options = {
            rpcUrl: scenario.node.rpcUrl,
            chainId: CHAIN_ID,
            contracts: { ...scenario.contracts, homeBridge: bridgeAddress },
            to: await scenario.provider.getBlockNumber(),
            logWindow: 7,
            progress: (message) => progress.push(message),
        };
        report = await usageReport(options, partiesOf(scenario.outputs, scenario.members));
    }, 180_000);

    afterAll(async () => {
        scenario?.provider.destroy();
        await scenario?.node.stop();
    });

    test("the range starts after PoCo's deployment (by default) and ends at the given block, with both ends' hashes; logs were read in bounded windows", async () => {
        const first = (await scenario.provider.getBlock(scenario.contracts.pocoDeploymentBlock + 1))!;
        const last = (await scenario.provider.getBlock(options.to as number))!;
        expect(report.range).toEqual({
            chainId: CHAIN_ID,
            hub: scenario.contracts.hub,
            rlc: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
            fromBlock: first.number,
            toBlock: last.number,
            fromBlockHash: first.hash,
            toBlockHash: last.hash,
            fromTime: new Date(first.timestamp * 1000).toISOString(),
            toTime: new Date(last.timestamp * 1000).toISOString(),
        });
        // Windows of at most 7 blocks (logWindow), each reported.
        expect(progress.filter((message) => message.startsWith("report: hub, RLC and bridge logs"))).toHaveLength(Math.ceil((last.number - first.number + 1) / 7));
    });

    test("the organisations: the stack's, the members', and the accounts nobody claims, listed", () => {
        expect(report.organisations.map((organisation) => organisation.name)).toEqual(["acme", "consortium", "globex", "initech", UNATTRIBUTED]);
        const acme = byName("acme").accounts.map((account) => [account.address, account.roles]);
        expect(acme).toEqual(
            expect.arrayContaining([
                [scenario.accounts.acmeScheduler.address, ["workerpool scheduler"]],
                [scenario.accounts.acmeWorker.address, ["worker"]],
                [scenario.accounts.acmeAuthority.address, ["authority"]],
                [scenario.accounts.acmeDev.address, ["member"]],
            ]),
        );
        const unattributed = byName(UNATTRIBUTED).accounts;
        expect(unattributed.map((account) => account.address)).toContain(scenario.accounts.stranger.address);
        expect(unattributed.find((account) => account.roles.includes("PoCo kitty"))).toBeDefined();
    });

    test("deals requested and served, tasks completed, claimed and failed, per organisation", () => {
        const deals = Object.fromEntries(report.organisations.map((organisation) => [organisation.name, organisation.deals]));
        expect(deals.initech).toEqual({ requested: 3, servedAsApp: 0, servedAsDataset: 0, servedAsWorkerpool: 0 });
        expect(deals.globex).toEqual({ requested: 2, servedAsApp: 2, servedAsDataset: 1, servedAsWorkerpool: 0 });
        expect(deals.acme).toEqual({ requested: 0, servedAsApp: 4, servedAsDataset: 0, servedAsWorkerpool: 6 });
        expect(deals[UNATTRIBUTED]).toEqual({ requested: 1, servedAsApp: 0, servedAsDataset: 0, servedAsWorkerpool: 0 });
        const tasks = Object.fromEntries(report.organisations.map((organisation) => [organisation.name, organisation.tasks]));
        expect(tasks.initech).toEqual({ completed: 2, claimed: 1, failed: 0, contributed: 0 });
        // d6 was never run: past its final deadline, it is failed (claimable).
        expect(tasks.globex).toEqual({ completed: 1, claimed: 0, failed: 1, contributed: 0 });
        expect(tasks[UNATTRIBUTED]).toEqual({ completed: 1, claimed: 0, failed: 0, contributed: 0 });
        expect(tasks.acme).toEqual({ completed: 0, claimed: 0, failed: 0, contributed: 4 });
    });

    test("RLC deposited, locked, unlocked, paid, earned and seized, per organisation, as PoCo's prices and rules give them", () => {
        const task = (app: bigint, dataset = 0n) => app + dataset + PRICES.workerpool;
        expect(byName("initech").rlc).toEqual({
            deposited: "5000",
            withdrawn: "0",
            locked: String(task(PRICES.acmeApp, PRICES.dataset) + task(PRICES.acmeApp) + task(PRICES.globexApp)),
            // The claimed task's price comes back.
            unlocked: String(task(PRICES.globexApp)),
            paid: String(task(PRICES.acmeApp, PRICES.dataset) + task(PRICES.acmeApp)),
            earned: "0",
            seized: "0",
            transferredIn: "0",
            transferredOut: "0",
        });
        expect(byName("globex").rlc).toMatchObject({ deposited: "5000", locked: String(2n * task(PRICES.acmeApp)), unlocked: "0", paid: String(task(PRICES.acmeApp)), earned: String(PRICES.globexApp + PRICES.dataset), seized: "0" });
        expect(byName("acme").rlc).toMatchObject({
            // The stakes the PoCo admin deposited for the scheduler and the worker.
            deposited: "1100",
            // The pool's stake at each of the six matches, the worker's at each of its four contributions.
            locked: String(6n * STAKE + 4n * STAKE),
            unlocked: String(4n * STAKE + 4n * STAKE),
            earned: String(3n * PRICES.acmeApp + 4n * WORKER_REWARD + 4n * SCHEDULER_REWARD),
            // The claimed task's pool stake.
            seized: String(STAKE),
            paid: "0",
        });
        // The kitty (unattributed) receives and freezes the seized stake.
        expect(byName(UNATTRIBUTED).rlc).toMatchObject({ deposited: "5000", paid: String(task(PRICES.globexApp)), locked: String(task(PRICES.globexApp) + STAKE), earned: String(STAKE) });
    });

    test("the settlement: what each organisation owes the others for apps, datasets and workerpools", () => {
        expect(report.settlement).toEqual([
            { payer: "globex", payee: "acme", amount: String(PRICES.acmeApp + PRICES.workerpool), tasks: 1, byRole: { app: String(PRICES.acmeApp), workerpool: String(PRICES.workerpool) } },
            { payer: "initech", payee: "acme", amount: String(2n * (PRICES.acmeApp + PRICES.workerpool)), tasks: 2, byRole: { app: String(2n * PRICES.acmeApp), workerpool: String(2n * PRICES.workerpool) } },
            { payer: "initech", payee: "globex", amount: String(PRICES.dataset), tasks: 1, byRole: { dataset: String(PRICES.dataset) } },
            { payer: UNATTRIBUTED, payee: "acme", amount: String(PRICES.workerpool), tasks: 1, byRole: { workerpool: String(PRICES.workerpool) } },
            { payer: UNATTRIBUTED, payee: "globex", amount: String(PRICES.globexApp), tasks: 1, byRole: { app: String(PRICES.globexApp) } },
        ]);
    });

    test("assets owned at the end, created and changing hands; bridge transfers; blocks sealed; gas", async () => {
        expect(byName("acme").assets).toMatchObject({ apps: [scenario.apps.acme], workerpools: [scenario.workerpool], datasets: [] });
        expect(byName("globex").assets).toMatchObject({ apps: [scenario.apps.globex], datasets: [scenario.dataset], created: 2 });
        expect(byName("initech").assets).toMatchObject({ transfersIn: 1, created: 0 });
        expect(byName("initech").assets.apps).toHaveLength(1);
        expect(byName(UNATTRIBUTED).assets).toMatchObject({ apps: [], created: 1, transfersOut: 1 });
        expect(byName("globex").bridge).toEqual({ deposits: 1, deposited: "100", withdrawals: 0, withdrawn: "0" });
        expect(byName("initech").bridge).toEqual({ deposits: 0, deposited: "0", withdrawals: 1, withdrawn: "40" });
        let sealedByAcme = 0;
        for (let number = report.range.fromBlock; number <= report.range.toBlock; number++) if ((await scenario.provider.getBlock(number))!.miner === scenario.accounts.acmeAuthority.address) sealedByAcme++;
        expect(byName("acme").chain.blocksSealed).toBe(sealedByAcme);
        expect(sealedByAcme).toBe(report.range.toBlock - report.range.fromBlock + 1);
        // Scheduler: five initializes and four finalizes; worker: four contributions and reveals.
        expect(byName("acme").chain.transactions).toBe(5 + 4 + 4 + 4 + 1);
        // Every transaction's gas belongs to someone: the organisations' total is the blocks' total.
        let blocksGas = 0n;
        for (let number = report.range.fromBlock; number <= report.range.toBlock; number++) blocksGas += (await scenario.provider.getBlock(number))!.gasUsed;
        expect(report.organisations.reduce((total, organisation) => total + BigInt(organisation.chain.gasUsed), 0n)).toBe(blocksGas);
    });

    test("every organisation's hub and token balance change over the range equals its flows", () => {
        expect(report.reconciled).toBe(true);
        for (const organisation of report.organisations) expect([organisation.name, organisation.reconciliation!.holds]).toEqual([organisation.name, true]);
        const initech = byName("initech").reconciliation!;
        expect(BigInt(initech.hubAfter) - BigInt(initech.hubBefore)).toBe(BigInt(initech.hubFlows));
        expect(initech.lockedAfter).toBe("0");
    });

    test("the JSON is canonical: byte-identical on a second run, and through a second node started from the same state", async () => {
        const parties = partiesOf(scenario.outputs, scenario.members);
        const again = await usageReport(options, parties);
        expect(canonicalJson(again)).toBe(canonicalJson(report));
        // The second node holds the blocks, logs and receipts but only the latest state (anvil_loadState): from genesis
        // no balance before the range is read. (From genesis the faucet RLC, whose constructor mints without a Transfer
        // event, does not reconcile: both nodes say so alike.)
        const fromGenesis = { ...options, from: 0 };
        const here = await usageReport(fromGenesis, parties);
        const state = await rpc<string>(scenario.node.rpcUrl, "anvil_dumpState", []);
        let second: AnvilNode | undefined;
        try {
            second = await startAnvil({ chainId: CHAIN_ID, automine: false });
            await rpc(second.rpcUrl, "anvil_loadState", [state]);
            const elsewhere = await usageReport({ ...fromGenesis, rpcUrl: second.rpcUrl }, parties);
            expect(canonicalJson(elsewhere)).toBe(canonicalJson(here));
            expect(elsewhere.range.toBlockHash).toBe(report.range.toBlockHash);
        } finally {
            await second?.stop();
        }
    }, 60_000);

    test("npm run report: from a member's saved stack outputs and members file, the same canonical JSON, the HTML and the CSVs", async () => {
        const folder = mkdtempSync(path.join(tmpdir(), "report-cli-"));
        try {
            const outputs = { ...scenario.outputs, bridge: { contracts: { homeBridge: bridgeAddress }, validators: [], deployer: scenario.outputs.poco!.admin } };
            writeFileSync(path.join(folder, "outputs.json"), JSON.stringify(outputs));
            writeFileSync(path.join(folder, "members.json"), JSON.stringify(scenario.members));
            const out = path.join(folder, "report");
            const script = path.join(__dirname, "..", "..", "scripts", "report.ts");
            const tsNode = path.join(__dirname, "..", "..", "node_modules", ".bin", "ts-node");
            const run = await promisify(execFile)(tsNode, ["--transpile-only", script, "report-test", "--outputs", path.join(folder, "outputs.json"), "--members", path.join(folder, "members.json"), "--to", String(options.to), "--format", "json,html,csv", "--out", out], { encoding: "utf8" });
            expect(run.stdout).toContain(`report of blocks ${report.range.fromBlock} (${report.range.fromBlockHash}) to ${report.range.toBlock} (${report.range.toBlockHash}) written to ${out}`);
            const expected = await usageReport(options, partiesOf(outputs, scenario.members));
            expect(readFileSync(path.join(out, "report.json"), "utf8")).toBe(canonicalJson(expected));
            expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain("Consortium usage report");
            expect(readdirSync(path.join(out, "csv")).sort()).toEqual(["accounts.csv", "organisations.csv", "reconciliation.csv", "settlement.csv", "timeline.csv"]);
            expect(existsSync(path.join(out, "report.json"))).toBe(true);
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    }, 120_000);
});
