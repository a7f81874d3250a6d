import { execFile, spawn, type ChildProcess } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { rabbitmqConfig, rabbitmqDefinitions, redisConfig, validatorAgents } from "../../components/bridge/workloads";
import { freePort } from "../helpers/nginx";

/**
 * A bridge validator's queue and database with the configuration the program generates, run by Debian's
 * RabbitMQ (3.10; the image pins 3.13, same configuration keys) and Redis (7.0; the image pins 7.4): the generated
 * user and password work, a wrong password does not, and a queue whose data predates the user gets it.
 */
const RABBITMQ = "/usr/lib/rabbitmq/bin";
const PASSWORD = "Gen3ratedQueuePassw0rd0123456789";

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        execFile(command, args, { env, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}${stderr}` }));
    });
}

async function waitFor(check: () => Promise<boolean>, what: string, seconds = 60): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within ${seconds} s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

describe("a validator's RabbitMQ with the generated configuration", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bridge-rabbitmq-"));
    let env: NodeJS.ProcessEnv;
    let server: ChildProcess | undefined;
    const ctl = (...args: string[]) => run(path.join(RABBITMQ, "rabbitmqctl"), ["-n", "rabbit@localhost", ...args], env);

    beforeAll(async () => {
        if (!existsSync(path.join(RABBITMQ, "rabbitmq-server"))) throw new Error("rabbitmq-server is not installed: apt-get install rabbitmq-server (the CI script installs it)");
        mkdirSync(path.join(dir, "conf.d"));
        mkdirSync(path.join(dir, "home"));
        writeFileSync(path.join(dir, "enabled_plugins"), "[].\n");
        // What the image ships (docker-library/rabbitmq 3.13 10-defaults.conf lets guest in from anywhere), on test ports.
        writeFileSync(path.join(dir, "conf.d", "10-defaults.conf"), `loopback_users.guest = false\nlisteners.tcp.default = ${await freePort()}\n`);
        env = {
            PATH: process.env.PATH,
            HOME: path.join(dir, "home"),
            RABBITMQ_CONFIG_FILES: path.join(dir, "conf.d"),
            RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
            RABBITMQ_LOG_BASE: path.join(dir, "log"),
            RABBITMQ_NODENAME: "rabbit@localhost",
            RABBITMQ_DIST_PORT: String(await freePort()),
            RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
            ERL_EPMD_PORT: String(await freePort()),
        };
    });
    afterAll(async () => {
        await stop();
        // The Erlang port mapper RabbitMQ started on the test's own port.
        await run("epmd", ["-kill"], env);
        rmSync(dir, { recursive: true, force: true });
    });

    async function start(): Promise<void> {
        server = spawn(path.join(RABBITMQ, "rabbitmq-server"), [], { env, stdio: "ignore" });
        await waitFor(async () => (await ctl("status")).code === 0, "RabbitMQ start");
    }
    async function stop(): Promise<void> {
        if (!server || server.exitCode !== null) return;
        const exited = new Promise((resolve) => server!.once("exit", resolve));
        await ctl("stop");
        await exited;
    }

    test("a queue made before the generated user existed gets it at the next start; the password works, another does not", async () => {
        // First start as before this change: the image's defaults only, which create guest.
        await start();
        expect((await ctl("list_users")).output).toContain("guest");
        await stop();

        const definitions = path.join(dir, "definitions.json");
        writeFileSync(definitions, rabbitmqDefinitions(PASSWORD));
        writeFileSync(path.join(dir, "conf.d", "30-consortium.conf"), rabbitmqConfig(PASSWORD).replace(/^load_definitions = .*$/m, `load_definitions = ${definitions}`));
        await start();
        expect((await ctl("authenticate_user", "bridge", PASSWORD)).code).toBe(0);
        expect((await ctl("authenticate_user", "bridge", "guessed-password")).code).not.toBe(0);
        const permissions = (await ctl("list_user_permissions", "bridge")).output;
        expect(permissions).toMatch(/\/\s+\.\*\s+\.\*\s+\.\*/);
    }, 180_000);

    test("the generated files are the ones the agents mount", () => {
        const [rabbit] = validatorAgents({ validator: "v", address: "0x0", key: "0x0", queuePassword: PASSWORD, redisPassword: "r", images: { oracle: "o", rabbitmq: "q", redis: "d" }, settings: new Promise<never>(() => undefined), chains: [] });
        expect(rabbit.files.map((file) => file.path)).toEqual(["/etc/rabbitmq/conf.d/30-consortium.conf", "/consortium/secrets/rabbitmq-definitions.json"]);
        expect(rabbitmqConfig(PASSWORD)).toContain("load_definitions = /consortium/secrets/rabbitmq-definitions.json");
    });
});

describe("a validator's Redis with the generated configuration", () => {
    test("refuses commands without the generated password; the health check's command answers with it", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "bridge-redis-"));
        // A Unix socket, not a TCP port another suite's process could take between choosing and binding it.
        const socket = path.join(dir, "redis.sock");
        const [, redisSpec] = validatorAgents({ validator: "v", address: "0x0", key: "0x0", queuePassword: "q", redisPassword: "RedisPassw0rd", images: { oracle: "o", rabbitmq: "q", redis: "d" }, settings: new Promise<never>(() => undefined), chains: [] });
        const configFile = redisSpec.files.find((file) => file.key === "redis.conf")!;
        const configPath = path.join(dir, "redis.conf");
        writeFileSync(configPath, redisConfig("RedisPassw0rd"));
        const server = spawn("redis-server", [configPath, "--port", "0", "--unixsocket", socket, "--dir", dir], { stdio: "ignore" });
        try {
            await waitFor(async () => (await run("redis-cli", ["-s", socket, "ping"], process.env)).output.length > 0, "Redis start", 20);
            expect((await run("redis-cli", ["-s", socket, "ping"], process.env)).output).toContain("NOAUTH");
            const [shell, flag, script] = redisSpec.healthCheck!;
            const check = script.replace(configFile.path as string, configPath).replace("redis-cli ping", `redis-cli -s ${socket} ping`);
            expect((await run(shell, [flag, check], process.env)).code).toBe(0);
            const wrong = check.replace("RedisPassw0rd", "x").replace(configPath, path.join(dir, "missing.conf"));
            expect((await run(shell, [flag, wrong], process.env)).code).not.toBe(0);
        } finally {
            const exited = new Promise((resolve) => server.once("exit", resolve));
            server.kill();
            await exited;
            rmSync(dir, { recursive: true, force: true });
        }
    }, 60_000);
});
