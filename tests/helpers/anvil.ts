import { spawn, type ChildProcess } from "child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { buildChainSpec, type ChainSpec, type ChainSpecInput } from "../../components/chain/spec";

/** A real EVM node (anvil, from the npm package @foundry-rs/anvil) on 127.0.0.1, started by the test. */
export interface AnvilNode {
    readonly rpcUrl: string;
    stop(): Promise<void>;
}

/**
 * The anvil binary of the npm package for this platform (an optional dependency: the registry our
 * machines use serves only the linux-amd64 build), or an `anvil` on PATH elsewhere.
 */
function anvilBinary(): string {
    try {
        return path.join(path.dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
    } catch {
        return "anvil";
    }
}

export async function startAnvil(options: { chainId: number; blockTime?: number; gasLimit?: bigint; automine?: boolean }): Promise<AnvilNode> {
    const args = ["--host", "127.0.0.1", "--port", "0", "--chain-id", String(options.chainId), "--accounts", "0"];
    if (options.blockTime) args.push("--block-time", String(options.blockTime));
    if (options.automine === false) args.push("--no-mining");
    if (options.gasLimit) args.push("--gas-limit", options.gasLimit.toString());
    // anvil logs every request; into a file, not a pipe: a pipe nobody drains (a test blocked in execFileSync, say)
    // fills and stalls the node.
    const logDir = mkdtempSync(path.join(tmpdir(), "anvil-"));
    const logPath = process.env.ANVIL_LOG ?? path.join(logDir, "anvil.log");
    const log = openSync(logPath, "a");
    const offset = statSync(logPath).size;
    const child: ChildProcess = spawn(anvilBinary(), args, { stdio: ["ignore", log, log] });
    closeSync(log);
    let exited: number | null | undefined;
    child.on("exit", (code) => (exited = code));
    const rpcUrl = await new Promise<string>((resolve, reject) => {
        const deadline = Date.now() + 15_000;
        const poll = () => {
            const output = existsSync(logPath) ? readFileSync(logPath).subarray(offset).toString("utf8") : "";
            const match = /Listening on (127\.0\.0\.1:\d+)/.exec(output);
            if (match) return resolve(`http://${match[1]}`);
            if (exited !== undefined) return reject(new Error(`anvil exited with ${exited}: ${output}`));
            if (Date.now() > deadline) return reject(new Error(`anvil did not start: ${output}`));
            setTimeout(poll, 25);
        };
        poll();
    });
    return {
        rpcUrl,
        stop: () =>
            new Promise((resolve) => {
                const done = () => {
                    rmSync(logDir, { recursive: true, force: true });
                    resolve();
                };
                if (child.exitCode !== null) return done();
                child.once("exit", done);
                child.kill("SIGTERM");
            }),
    };
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
    const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await response.json()) as { result?: unknown; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
}

/** Gives the node the genesis state of a consortium chain spec: funded accounts and system contracts. */
export async function applyGenesisAccounts(rpcUrl: string, spec: ChainSpec): Promise<void> {
    type GenesisAccount = { balance?: string; code?: string; storage?: Record<string, string>; builtin?: unknown };
    for (const [address, account] of Object.entries(spec.accounts) as [string, GenesisAccount][]) {
        if (account.builtin) continue; // precompiles exist on every EVM node
        if (account.balance) await rpc(rpcUrl, "anvil_setBalance", [address, `0x${BigInt(account.balance).toString(16)}`]);
        if (account.code) await rpc(rpcUrl, "anvil_setCode", [address, account.code]);
        for (const [slot, value] of Object.entries(account.storage ?? {})) await rpc(rpcUrl, "anvil_setStorageAt", [address, slot, value]);
    }
}

export async function mine(rpcUrl: string): Promise<void> {
    await rpc(rpcUrl, "evm_mine", []);
}

/** Seals a block every `seconds`, as an AuRa chain with that step duration does. */
export async function setIntervalMining(rpcUrl: string, seconds: number): Promise<void> {
    await rpc(rpcUrl, "evm_setIntervalMining", [seconds]);
}

export interface GenesisNodeInput extends Pick<ChainSpecInput, "chainId" | "accounts">, Partial<Pick<ChainSpecInput, "client" | "contracts" | "txPermissions">> {
    /** The one validator the spec lists (anvil seals blocks itself; the spec needs a validator set). */
    readonly validator: string;
    /** Seconds between blocks; without it anvil mines on each transaction, after one first block. */
    readonly blockTime?: number;
}

/** Anvil started with the state of a consortium spec's genesis: funded accounts and genesis contracts. */
export async function startGenesisNode(input: GenesisNodeInput): Promise<AnvilNode> {
    const gasLimit = 40_000_000n;
    const node = await startAnvil({ chainId: input.chainId, gasLimit, ...(input.blockTime ? { blockTime: input.blockTime } : {}) });
    try {
        const spec = buildChainSpec({
            name: "test",
            networkId: input.chainId,
            chainId: input.chainId,
            stepDuration: 1,
            gasLimit,
            accounts: input.accounts,
            validatorSets: [{ fromBlock: 0, addresses: [input.validator] }],
            client: input.client ?? "nethermind",
            ...(input.contracts ? { contracts: input.contracts } : {}),
            ...(input.txPermissions ? { txPermissions: input.txPermissions } : {}),
        });
        await applyGenesisAccounts(node.rpcUrl, spec);
        // The engines wait for a sealed block, as on a real chain.
        if (!input.blockTime) await mine(node.rpcUrl);
        return node;
    } catch (error) {
        await node.stop();
        throw error;
    }
}
