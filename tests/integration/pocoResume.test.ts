import { JsonRpcProvider } from "ethers";
import { deployPoco, type DeployResult } from "../../components/poco/deploy";
import { DEFAULT_CATEGORIES, layout } from "../../components/poco/plan";
import type { AnvilNode } from "../helpers/anvil";
import { ADMIN_KEY, Abandoned, abandonAfterSend, adminHistory, consortiumNode, fingerprint, plan, pooled, rpc, startMining, type AdminHistory } from "./pocoChain";

/**
 * Interrupted and concurrent deployments on anvil end in the state of a clean run, with no
 * transaction more than a clean run sends and at most 1 % more gas (the bound every case asserts;
 * measured: the same 38 transactions and the same gas).
 */

interface Chain {
    readonly node: AnvilNode;
    readonly provider: JsonRpcProvider;
}

const chains: Chain[] = [];

async function chain(blockTime?: number): Promise<Chain> {
    const node = await consortiumNode(blockTime);
    const created = { node, provider: new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 }) };
    chains.push(created);
    return created;
}

const deploy = (node: AnvilNode, log?: (message: string) => void) => deployPoco({ rpcUrl: node.rpcUrl, adminKey: ADMIN_KEY, plan: plan(), ...(log ? { log } : {}) });

/** Runs a deployment until it has sent its batch, then abandons it. */
async function killedAfterSend(node: AnvilNode): Promise<void> {
    await expect(deploy(node, abandonAfterSend)).rejects.toThrow(Abandoned);
}

/** Resolves when a deployment logs that it waits for earlier transactions. */
function waiting(): { log: (message: string) => void; seen: Promise<void> } {
    let resolve!: () => void;
    const seen = new Promise<void>((done) => (resolve = done));
    return { log: (message) => message.includes("waiting for the admin's earlier transactions") && resolve(), seen };
}

let clean: { result: DeployResult; state: Record<string, unknown>; history: AdminHistory };

beforeAll(async () => {
    const { node, provider } = await chain(1);
    const result = await deploy(node);
    clean = { result, state: await fingerprint(provider, plan()), history: await adminHistory(provider) };
}, 120_000);

afterAll(async () => {
    for (const { node, provider } of chains) {
        provider.destroy();
        await node.stop();
    }
});

async function expectCleanOutcome({ provider }: Chain): Promise<AdminHistory> {
    const state = await fingerprint(provider, plan());
    expect(state).toEqual(clean.state);
    expect(state.categories).toEqual(DEFAULT_CATEGORIES);
    const history = await adminHistory(provider);
    expect(history.reverted).toBe(0);
    expect(history.transactions).toBeLessThanOrEqual(clean.history.transactions);
    expect(history.gasUsed).toBeLessThanOrEqual(clean.history.gasUsed + clean.history.gasUsed / 100n);
    return history;
}

test("the clean run: every step once, every category once", async () => {
    expect(clean.result.addresses).toEqual(layout(plan()).addresses);
    expect(clean.history.transactions).toBe(clean.result.transactionsSent);
    expect(clean.history.gasUsed).toBe(clean.result.gasUsed);
    expect(clean.state.categories).toEqual(DEFAULT_CATEGORIES);
});

test("killed right after sending its batch, then run again: the rerun waits for the batch and sends nothing", async () => {
    const target = await chain();
    await killedAfterSend(target.node);
    expect((await pooled(target.node.rpcUrl)).size).toBe(clean.history.transactions);
    const rerun = waiting();
    const resumed = deploy(target.node, rerun.log);
    await rerun.seen;
    await startMining(target.node);
    const result = await resumed;
    expect(result.transactionsSent).toBe(0);
    expect(result.addresses).toEqual(clean.result.addresses);
    expect(result.deploymentBlock).toBeGreaterThan(0);
    expect((await expectCleanOutcome(target)).transactions).toBe(clean.history.transactions);
}, 120_000);

test("the node dropped the end of the batch: the rerun sends only the dropped steps", async () => {
    const target = await chain();
    await killedAfterSend(target.node);
    const sent = await pooled(target.node.rpcUrl);
    // anvil drops a transaction with every later one of its sender.
    await rpc(target.node.rpcUrl, "anvil_dropTransaction", [sent.get(20)]);
    expect((await pooled(target.node.rpcUrl)).size).toBe(20);
    await startMining(target.node);
    const result = await deploy(target.node);
    expect(result.transactionsSent).toBe(clean.history.transactions - 20);
    expect((await expectCleanOutcome(target)).transactions).toBe(clean.history.transactions);
}, 120_000);

test("the node dropped part of the batch, the rest waits behind the gap: the rerun replaces it from the confirmed nonce", async () => {
    const target = await chain();
    await killedAfterSend(target.node);
    const sent = await pooled(target.node.rpcUrl);
    const kept = await Promise.all([...sent.keys()].filter((nonce) => nonce >= 25).map((nonce) => rpc<string>(target.node.rpcUrl, "eth_getRawTransactionByHash", [sent.get(nonce)])));
    await rpc(target.node.rpcUrl, "anvil_dropTransaction", [sent.get(20)]);
    for (const raw of kept) await rpc(target.node.rpcUrl, "eth_sendRawTransaction", [raw]);
    expect(await rpc(target.node.rpcUrl, "txpool_status", [])).toEqual({ pending: "0x14", queued: `0x${kept.length.toString(16)}` });
    await startMining(target.node);
    const messages: string[] = [];
    const result = await deploy(target.node, (message) => messages.push(message));
    expect(messages.some((message) => message.includes("with nonces 20 to 37 are not being mined (no transaction with nonce 20"))).toBe(true);
    expect(result.transactionsSent).toBe(clean.history.transactions - 20);
    expect((await pooled(target.node.rpcUrl)).size).toBe(0);
    expect((await expectCleanOutcome(target)).transactions).toBe(clean.history.transactions);
}, 120_000);

test("two runs started together deploy once", async () => {
    const target = await chain(1);
    const [a, b] = await Promise.all([deploy(target.node), deploy(target.node)]);
    expect(a.addresses).toEqual(clean.result.addresses);
    expect(b.addresses).toEqual(clean.result.addresses);
    expect(a.deploymentBlock).toBe(b.deploymentBlock);
    expect((await expectCleanOutcome(target)).transactions).toBe(clean.history.transactions);
}, 120_000);

test("two runs started while a killed run's batch is pending both wait for it and send nothing", async () => {
    const target = await chain();
    await killedAfterSend(target.node);
    const [first, second] = [waiting(), waiting()];
    const runs = Promise.all([deploy(target.node, first.log), deploy(target.node, second.log)]);
    await Promise.all([first.seen, second.seen]);
    await startMining(target.node);
    const results = await runs;
    expect(results.map((result) => result.transactionsSent)).toEqual([0, 0]);
    expect((await expectCleanOutcome(target)).transactions).toBe(clean.history.transactions);
}, 120_000);
