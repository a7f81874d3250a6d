import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { ConfigError, parseConfig, type RawConfig } from "../../components/config";
import { ORACLE_PROCESSES, oracleEnvironment, type OracleSettings } from "../../components/bridge/oracle";
import { DEPLOYMENT_TIMED_OUT, JOB_FAILED, bridgeContractsJob, bridgeUi, contractsJobName } from "../../components/bridge/workloads";
import { BRIDGE_CONTRACTS_PROVIDER, BRIDGE_PREPARATION_PROVIDER, jobFailure } from "../../components/bridge/chainResources";
import { ORACLE_RC2_VARIABLES, UI_RC0_VARIABLES } from "../fixtures/tokenbridgeOracleEnv";

jest.mock("../../components/bridge/engine", () => ({
    prepareBridgeDeployment: jest.fn(async () => ({ deployer: "0xD41C057fd1C78805AaC12b0A94a405C0461a6fbb", homeNonce: 99, foreignNonce: 99 })),
    findBridgeContracts: jest.fn(async () => ({ homeBridge: "0x1", foreignBridge: "0x2", erc677Token: "0x3", homeDeployedBlock: 1, foreignDeployedBlock: 2 })),
}));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const engine = require("../../components/bridge/engine") as { prepareBridgeDeployment: jest.Mock; findBridgeContracts: jest.Mock };

const ADMIN = "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb";
const RLC = "0x607F4C5BB672230e8672085532f7e901544a7375";
const BASE: RawConfig = {
    platform: "docker",
    chain: { name: "home", networkId: 17, stepDuration: 5, accounts: { [ADMIN]: "1" } },
    authorities: [{ name: "a1" }],
    poco: { admin: ADMIN },
};
const local = (bridge: Record<string, unknown> = { requiredSignatures: 1 }, stepDuration = 3): RawConfig => ({ ...BASE, foreign: { local: { chainId: 18, stepDuration } }, bridge });
const external = (bridge: Record<string, unknown> = { requiredSignatures: 1 }): RawConfig => ({ ...BASE, foreign: { external: { rpcUrl: "https://mainnet.example", chainId: 1, token: RLC } }, bridge });
const parse = (raw: RawConfig) => parseConfig(raw, { pocoAdminKey: true, foreignDeployerKey: true });
const errorOf = (raw: RawConfig) => {
    try {
        parse(raw);
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
    }
    throw new Error("expected a ConfigError");
};

describe("polling, confirmations, log ranges and gas by the chain each side is on", () => {
    test("consortium chains are polled once a step with one confirmation, and price gas from the contract", () => {
        const bridge = parse(local()).bridge!;
        expect(bridge.home).toMatchObject({ pollingIntervalMs: 5000, confirmations: 1 });
        expect(bridge.foreign).toMatchObject({ pollingIntervalMs: 3000, confirmations: 1 });
        for (const side of [bridge.home, bridge.foreign]) {
            expect(side.gasPriceSupplier).toBeUndefined();
            expect(side.blockRangeLimit).toBeUndefined();
        }
    });

    test("an external foreign chain: a 12 s poll, 8 confirmations, 4000-block log ranges and a gas price supplier", () => {
        const bridge = parse(external()).bridge!;
        expect(bridge.foreign).toMatchObject({
            pollingIntervalMs: 12_000,
            confirmations: 8,
            blockRangeLimit: 4000,
            gasPriceSupplier: { url: "gas-price-oracle", speedType: "fast", factor: 1, updateIntervalMs: 60_000 },
        });
        expect(bridge.home.gasPriceSupplier).toBeUndefined();
        const tuned = parse(external({ requiredSignatures: 1, foreign: { gasPriceSupplier: { url: "https://gas.example/api", speedType: "rapid", factor: "1.25" }, blockRangeLimit: "none", pollingIntervalMs: 15000 } })).bridge!;
        expect(tuned.foreign).toMatchObject({ pollingIntervalMs: 15_000, gasPriceSupplier: { url: "https://gas.example/api", speedType: "rapid", factor: 1.25, updateIntervalMs: 60_000 } });
        expect(tuned.foreign.blockRangeLimit).toBeUndefined();
        expect(parse(external({ requiredSignatures: 1, foreign: { gasPriceSupplier: "none" } })).bridge!.foreign.gasPriceSupplier).toBeUndefined();
    });

    test.each([
        [{ foreign: { gasPriceSupplier: { speedType: "rapid" } } }, "consortium:bridge.foreign.gasPriceSupplier.speedType must be one of instant, fast, standard, low"],
        [{ foreign: { gasPriceSupplier: { url: "ftp://gas" } } }, "consortium:bridge.foreign.gasPriceSupplier.url must be gas-price-oracle or an http(s) URL"],
        [{ foreign: { gasPriceSupplier: { factor: 0 } } }, "consortium:bridge.foreign.gasPriceSupplier.factor must be a number greater than 0 and at most 10"],
        [{ foreign: { gasPriceSupplier: { every: 1 } } }, "consortium:bridge.foreign.gasPriceSupplier.every is not a known key"],
        [{ foreign: { blockRangeLimit: 0 } }, "consortium:bridge.foreign.blockRangeLimit must be a number of blocks from 1 to 1000000, or none"],
        [{ deployment: { timeoutSeconds: 5 } }, "consortium:bridge.deployment.timeoutSeconds must be a number of seconds from 60 to 86400"],
        [{ deployment: { attempt: 0 } }, "consortium:bridge.deployment.attempt must be a run number from 1 to 1000"],
        [{ deployment: { gasLimitExtra: 2 } }, "consortium:bridge.deployment.gasLimitExtra must be a number greater than 0 and at most 1"],
        [{ deployment: { foreignGasPriceGwei: "0" } }, "consortium:bridge.deployment.foreignGasPriceGwei must be greater than zero"],
        [{ deployment: { retries: 1 } }, "consortium:bridge.deployment.retries is not a known key"],
    ])("refuses %j, naming the key", (bridge, message) => {
        expect(errorOf(external({ requiredSignatures: 1, ...bridge }))).toContain(message);
    });

    test("the deployment's gas defaults to each side's bridge gas price, and takes its own", () => {
        expect(parse(external()).bridge!.deployment).toEqual({ timeoutSeconds: 1800, homeGasPrice: 10n ** 9n, foreignGasPrice: 10n ** 9n, gasLimitExtra: 0.2, receiptIntervalMs: 3000, attempt: 1 });
        expect(parse(external({ requiredSignatures: 1, deployment: { foreignGasPriceGwei: "30", attempt: 2 } })).bridge!.deployment).toMatchObject({ foreignGasPrice: 30n * 10n ** 9n, attempt: 2 });
    });

    test("decimals: a local foreign chain's RLC has 9, so bridge.token.decimals must be 9 there (an external token's are read on chain)", () => {
        expect(errorOf(local({ requiredSignatures: 1, token: { decimals: 18 } }))).toContain("consortium:bridge.token.decimals must be 9, the decimals of the local foreign chain's RLC");
        expect(parse(external({ requiredSignatures: 1, token: { decimals: 18 } })).bridge!.token.decimals).toBe(18);
    });

    test.each([["Bridge #1"], ["a\\b"], ["set UI_PORT=1; rm -rf /"]])("a UI title the UI's .env cannot carry is refused: %s", (title) => {
        expect(errorOf(local({ requiredSignatures: 1, ui: { image: "registry.example/ui:2.7.0-rc0", title } }))).toContain("consortium:bridge.ui.title must be 1 to 120 characters without #");
    });
});

describe("the oracle's variables (2.7.0-rc2)", () => {
    const settings = (config: ReturnType<typeof parse>): OracleSettings => {
        const side = (which: "home" | "foreign") => ({
            rpcUrl: "https://chain.example",
            bridge: "0x1111111111111111111111111111111111111111",
            startBlock: 1,
            pollingIntervalMs: config.bridge![which].pollingIntervalMs,
            gasPriceFallback: config.bridge![which].gasPrice,
            ...(config.bridge![which].blockRangeLimit ? { blockRangeLimit: config.bridge![which].blockRangeLimit } : {}),
            ...(config.bridge![which].gasPriceSupplier ? { gasPriceSupplier: config.bridge![which].gasPriceSupplier } : {}),
        });
        return { validatorAddress: ADMIN, home: side("home"), foreign: side("foreign"), logLevel: "info" };
    };

    test("every variable of every process is one the rc2 oracle reads", () => {
        for (const raw of [local(), external()]) {
            for (const oracleProcess of ORACLE_PROCESSES) {
                for (const name of Object.keys(oracleEnvironment(settings(parse(raw)), oracleProcess))) expect(ORACLE_RC2_VARIABLES).toContain(name);
            }
        }
    });

    test("an external foreign chain's senders price gas from the supplier and poll bounded log ranges; the home chain's do not", () => {
        const env = oracleEnvironment(settings(parse(external())), ORACLE_PROCESSES.find((oracleProcess) => oracleProcess.name === "senderforeign")!);
        expect(env).toMatchObject({
            COMMON_FOREIGN_GAS_PRICE_SUPPLIER_URL: "gas-price-oracle",
            COMMON_FOREIGN_GAS_PRICE_SPEED_TYPE: "fast",
            COMMON_FOREIGN_GAS_PRICE_FACTOR: "1",
            ORACLE_FOREIGN_GAS_PRICE_UPDATE_INTERVAL: "60000",
            ORACLE_FOREIGN_RPC_BLOCK_POLLING_LIMIT: "4000",
            ORACLE_FOREIGN_RPC_POLLING_INTERVAL: "12000",
            ORACLE_HOME_RPC_POLLING_INTERVAL: "5000",
        });
        for (const name of ["COMMON_HOME_GAS_PRICE_SUPPLIER_URL", "ORACLE_HOME_RPC_BLOCK_POLLING_LIMIT"]) expect(env).not.toHaveProperty(name);
        const localEnv = oracleEnvironment(settings(parse(local())), ORACLE_PROCESSES[0]);
        expect(Object.keys(localEnv).filter((name) => /SUPPLIER|BLOCK_POLLING_LIMIT/.test(name))).toEqual([]);
    });
});

/** Runs a command as sh would in the container, in `dir`, with `env` and a PATH whose first folder holds fake programs. */
function runInShell(command: string[], dir: string, env: Record<string, string>, fakes: Record<string, string>) {
    const bin = path.join(dir, ".bin");
    mkdirSync(bin, { recursive: true });
    for (const [name, script] of Object.entries(fakes)) writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return spawnSync(command[0], command.slice(1), { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: "utf8" });
}

/**
 * What the UI then does with .env, as its ui/load-env.sh (tokenbridge 2.7.0-rc0, lines 3-14) does it, in bash:
 * `while read line`, skip empty lines and lines containing '#', eval a line matching UI_PORT*, export REACT_APP_<line>.
 * Printed as JSON: the settings the React app receives.
 */
const LOAD_ENV_AS_UPSTREAM = `while read line; do if [ "$line" = "" ]; then :; elif [[ "$line" =~ \\#.* ]]; then :; elif [[ "$line" =~ "UI_PORT"* ]]; then eval $line; export PORT="$UI_PORT"; else export "REACT_APP_$line"; fi; done < .env; node -e 'console.log(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("REACT_APP_") || k === "PORT"))))'`;

describe("the UI's start command, run in a shell with the generated environment", () => {
    const ui = bridgeUi({
        image: "registry.example/tokenbridge-ui:2.7.0-rc0",
        title: "Acme & Globex bridge: move RLC (test)",
        hostPort: 3100,
        bindAddress: "127.0.0.1",
        tokenSymbol: "xRLC",
        homeName: "acme-consortium",
        foreignName: "Ethereum Mainnet",
        homeRpcUrl: "https://rpc.acme.example",
        foreignRpcUrl: "https://mainnet.example/v3/key",
        homeBridge: "0x13aB9Bba7a3B2a3dF3b1F6d6cDcF6e2E8d7cC49A",
        foreignBridge: "0x8672a0E2B1f2A1C3aF7b07F1DB7d4EB2E5c919A4",
        homeGas: { gasPrice: 1_000_000_000n },
        foreignGas: { gasPrice: 20_000_000_000n, gasPriceSupplier: { url: "gas-price-oracle", speedType: "fast", factor: 1.5, updateIntervalMs: 60_000 } },
    });
    const env = ui.env as Record<string, string>;

    test("writes .env with this stack's values, which the UI's load-env.sh turns into its REACT_APP_ settings", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "bridge-ui-"));
        const result = runInShell([...ui.command], dir, env, { yarn: `[ "$1" = start ] || exit 9\nexec bash --norc --noprofile -c '${LOAD_ENV_AS_UPSTREAM.replace(/'/g, "'\\''")}'` });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const written = readFileSync(path.join(dir, ".env"), "utf8");
        expect(written.split("\n").filter(Boolean).sort()).toEqual(Object.entries(env).map(([name, value]) => `${name}=${value}`).sort());
        const received = JSON.parse(result.stdout) as Record<string, string>;
        expect(received).toMatchObject({
            REACT_APP_COMMON_HOME_BRIDGE_ADDRESS: "0x13aB9Bba7a3B2a3dF3b1F6d6cDcF6e2E8d7cC49A",
            REACT_APP_COMMON_FOREIGN_BRIDGE_ADDRESS: "0x8672a0E2B1f2A1C3aF7b07F1DB7d4EB2E5c919A4",
            REACT_APP_COMMON_HOME_RPC_URL: "https://rpc.acme.example",
            REACT_APP_COMMON_FOREIGN_RPC_URL: "https://mainnet.example/v3/key",
            REACT_APP_COMMON_FOREIGN_GAS_PRICE_SUPPLIER_URL: "gas-price-oracle",
            REACT_APP_COMMON_FOREIGN_GAS_PRICE_FACTOR: "1.5",
            REACT_APP_UI_TITLE: "Acme & Globex bridge: move RLC (test) - %c",
            REACT_APP_UI_HOME_NETWORK_DISPLAY_NAME: "acme-consortium",
            REACT_APP_UI_FOREIGN_NETWORK_DISPLAY_NAME: "Ethereum Mainnet",
            PORT: "3000",
        });
        // Every setting but UI_PORT (which becomes PORT) reaches the app.
        expect(Object.keys(received).filter((name) => name.startsWith("REACT_APP_")).length).toBe(Object.keys(env).length - 1);
    });

    test("sets only variables the UI reads, and runs yarn start (the UI's own start script)", () => {
        for (const name of Object.keys(env)) expect(UI_RC0_VARIABLES).toContain(name);
        expect(ui.command.join(" ")).toMatch(/exec yarn start$/);
        expect(ui.resources).toEqual({ cpu: "1", memory: "2Gi" });
    });
});

describe("the contracts job's command: a deadline, and a failure that says what to do", () => {
    const run = (attempt: number, timeoutSeconds: number, node: string, results: boolean) => {
        const dir = mkdtempSync(path.join(tmpdir(), "bridge-job-"));
        mkdirSync(path.join(dir, "deploy"));
        writeFileSync(path.join(dir, "deployer.key"), "ab".repeat(32));
        if (results) writeFileSync(path.join(dir, "deploy", "bridgeDeploymentResults.json"), '{"homeBridge":{}}\n');
        const job = bridgeContractsJob("poanetwork/tokenbridge-contracts:5.6.0", {}, "0xkey", [], { attempt, timeoutSeconds });
        // The image's paths, mapped into the test's folder.
        const command = job.command.map((part) => part.replace("/contracts/deploy", path.join(dir, "deploy")).replace("/consortium/secrets/deployer.key", path.join(dir, "deployer.key")));
        return { job, result: runInShell(command, dir, {}, { node }) };
    };

    test("a deployment that succeeds prints its results and exits 0; the first run keeps the job's name", () => {
        const { job, result } = run(1, 60, `[ "$DEPLOYMENT_ACCOUNT_PRIVATE_KEY" = "${"ab".repeat(32)}" ] && [ "$1" = deploy.js ]`, true);
        expect(result.status).toBe(0);
        expect(result.stdout).toBe('{"homeBridge":{}}\n');
        expect(job.name).toBe("bridge-contracts");
    });

    test("deploy.js exits 0 when it failed, without results: the job fails, and its last line names the next attempt", () => {
        const { job, result } = run(2, 60, "echo 'Error: insufficient funds'; exit 0", false);
        expect(result.status).toBe(1);
        expect(job.name).toBe(contractsJobName(2));
        expect(job.name).toBe("bridge-contracts-2");
        expect(result.stderr.trim().split("\n").at(-1)).toBe(
            `${JOB_FAILED} with exit code 1. Fix the cause, then set bridge.deployment.attempt to 3 and run pulumi up (README, Redeploying the bridge)`,
        );
    });

    test("a deployment still waiting for a receipt at its deadline is stopped, and says so", () => {
        const { result } = run(1, 1, "sleep 30", false);
        expect(result.status).toBe(DEPLOYMENT_TIMED_OUT);
        expect(result.stderr).toContain(`${JOB_FAILED} with exit code 124 (stopped after 1 s: bridge.deployment.timeoutSeconds)`);
    });
});

describe("a failed job is reported with its exit code and the last lines of its log", () => {
    const output = Array.from({ length: 40 }, (_, index) => `line ${index + 1}`).join("\n");

    test("Docker: a non-zero exit code fails the update with the container's name, code and last 30 lines", async () => {
        const reason = jobFailure({ name: "dev-bridge-contracts", output, exitCode: 1 })!;
        expect(reason).toContain("the bridge contracts job dev-bridge-contracts exited with code 1; its last lines:\nline 11\n");
        expect(reason).not.toContain("line 10\n");
        const checked = await BRIDGE_CONTRACTS_PROVIDER.check!({} as never, { job: { name: "dev-bridge-contracts", output, exitCode: 1 } } as never);
        expect(checked.failures).toEqual([{ property: "job", reason }]);
    });

    test("Docker: an exit code 0 without results, too; with results, nothing", () => {
        expect(jobFailure({ name: "dev-bridge-contracts", output: "deploying\n", exitCode: 0 })).toContain("the bridge deployment printed no results");
        const results = readFileSync(path.join(__dirname, "..", "fixtures", "bridge-deploy-output.txt"), "utf8");
        expect(jobFailure({ name: "dev-bridge-contracts", output: results, exitCode: 0 })).toBeUndefined();
    });

    test("Kubernetes: no output reaches Pulumi (the Job's own failure is the provider's error), so nothing is judged here", () => {
        expect(jobFailure({ name: "job/bridge-contracts in namespace consortium", output: "" })).toBeUndefined();
    });
});

describe("the preparation and the bridge contracts across updates", () => {
    const ENDPOINT = { rpcUrl: "http://chain", chainId: 1 };
    const V1 = "0x1111111111111111111111111111111111111111";
    const V2 = "0x2222222222222222222222222222222222222222";
    const expected = { validators: [V1, V2], requiredSignatures: 2, foreignToken: RLC, decimals: 9 };
    const inputs = (topUps: string[], attempt = 1) => ({
        home: ENDPOINT,
        foreign: ENDPOINT,
        deployerKey: "0xkey",
        foreignTopUps: topUps.map((address) => ({ address, amount: "10" })),
        expected,
        attempt,
        readinessTimeoutSeconds: 10,
    });
    const olds = { ...inputs([V1]), deployer: ADMIN, homeNonce: 4, foreignNonce: 7, toppedUp: [V1] };
    beforeEach(() => engine.prepareBridgeDeployment.mockClear());

    test("a new validator is topped up; one topped up before is never topped up again, and the recorded nonces stay", async () => {
        const updated = await BRIDGE_PREPARATION_PROVIDER.update!(ADMIN, olds, inputs([V1, V2]));
        expect(engine.prepareBridgeDeployment.mock.calls[0][0].foreignTopUps).toEqual([{ address: V2, amount: 10n }]);
        expect(engine.prepareBridgeDeployment.mock.calls[0][0]).not.toHaveProperty("rerunFrom");
        // No job runs after this update: the deployer's funds and the token's decimals are not required again.
        expect(engine.prepareBridgeDeployment.mock.calls[0][0].beforeJob).toBe(false);
        expect(updated.outs).toMatchObject({ homeNonce: 4, foreignNonce: 7, toppedUp: [V1, V2] });
    });

    test("the first preparation is before the job; a change of what the bridge is expected to be alone is no update", async () => {
        await BRIDGE_PREPARATION_PROVIDER.create!(inputs([V1]));
        expect(engine.prepareBridgeDeployment.mock.calls[0][0].beforeJob).toBe(true);
        expect((await BRIDGE_PREPARATION_PROVIDER.diff!(ADMIN, olds, { ...inputs([V1]), expected: { ...expected, requiredSignatures: 1 } })).changes).toBe(false);
        const { expected: _absent, ...older } = olds;
        expect((await BRIDGE_PREPARATION_PROVIDER.diff!(ADMIN, older, inputs([V1]))).changes).toBe(false);
    });

    test("a stack recorded before top-ups were: its validators count as topped up", async () => {
        const { toppedUp: _omitted, ...older } = olds;
        await BRIDGE_PREPARATION_PROVIDER.update!(ADMIN, older, inputs([V1]));
        expect(engine.prepareBridgeDeployment.mock.calls[0][0].foreignTopUps).toEqual([]);
    });

    test("a raised attempt is checked from the first run's nonces before the job runs again; a lowered one is refused", async () => {
        expect((await BRIDGE_PREPARATION_PROVIDER.diff!(ADMIN, olds, inputs([V1], 2))).changes).toBe(true);
        await BRIDGE_PREPARATION_PROVIDER.update!(ADMIN, olds, inputs([V1], 2));
        expect(engine.prepareBridgeDeployment.mock.calls[0][0]).toMatchObject({ rerunFrom: { homeNonce: 4, foreignNonce: 7 }, beforeJob: true });
        // check receives the previous inputs (no outputs such as deployer); update the previous outputs.
        const lowered = await BRIDGE_PREPARATION_PROVIDER.check!(inputs([V1], 3), inputs([V1], 2));
        expect(lowered.failures).toEqual([{ property: "attempt", reason: expect.stringContaining("consortium:bridge.deployment.attempt went from 3 to 2: it only grows") }]);
        expect((await BRIDGE_PREPARATION_PROVIDER.check!(undefined as never, inputs([V1], 2))).failures).toBeUndefined();
        await expect(BRIDGE_PREPARATION_PROVIDER.update!(ADMIN, { ...olds, attempt: 3 }, inputs([V1], 2))).rejects.toThrow("went from 3 to 2");
    });

    test("the bridge is found once, and found again when the job ran again", async () => {
        const found = { home: ENDPOINT, foreign: ENDPOINT, deployer: ADMIN, homeNonceFrom: 4, foreignNonceFrom: 7, expected, attempt: 1, job: { name: "dev-bridge-contracts", output: "" } };
        expect((await BRIDGE_CONTRACTS_PROVIDER.diff!("id", found as never, { ...found, job: { name: "dev-bridge-contracts", output: "changed" } })).changes).toBe(false);
        expect((await BRIDGE_CONTRACTS_PROVIDER.diff!("id", found as never, { ...found, attempt: 2 })).changes).toBe(true);
        engine.findBridgeContracts.mockClear();
        const updated = await BRIDGE_CONTRACTS_PROVIDER.update!("id", found as never, { ...found, attempt: 2 });
        expect(engine.findBridgeContracts.mock.calls[0][0]).toMatchObject({ homeNonceFrom: 4, foreignNonceFrom: 7, expected });
        expect(updated.outs).toMatchObject({ attempt: 2, homeBridge: "0x1" });
    });
});

describe("the UI image's build recipe (scripts/build-bridge-ui.sh)", () => {
    test("clones the UI's release with its contracts submodule and builds ui/Dockerfile with the .env it needs", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "bridge-ui-build-"));
        const log = path.join(dir, "calls.log");
        const result = runInShell(["bash", path.join(__dirname, "..", "..", "scripts", "build-bridge-ui.sh"), "registry.example/tokenbridge-ui:2.7.0-rc0", "--push"], dir, {}, {
            git: `echo "git $*" >> ${log}`,
            docker: `echo "docker $*" >> ${log}`,
        });
        expect(result.status).toBe(0);
        const calls = readFileSync(log, "utf8").trim().split("\n");
        expect(calls[0]).toMatch(/^git clone --quiet --depth 1 --branch 2\.7\.0-rc0 --recurse-submodules https:\/\/github\.com\/omni\/tokenbridge\.git (\S+)\/tokenbridge$/);
        const checkout = calls[0].split(" ").at(-1)!;
        expect(calls[1]).toBe(`docker build --file ${checkout}/ui/Dockerfile --build-arg DOT_ENV_PATH=ui/.env.example --tag registry.example/tokenbridge-ui:2.7.0-rc0 ${checkout}`);
        expect(calls[2]).toBe("docker push registry.example/tokenbridge-ui:2.7.0-rc0");
    });
});
