import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { SECRETS_DIR, type JobSpec, type Reach, type ServiceSpec } from "../platform/workload";
import { BRIDGE_NAME_PREFIX } from "./config";
import { ORACLE_PROCESSES, oracleEnvironment, sideVariables, type OracleSettings, type OracleSide } from "./oracle";

/**
 * The bridge's workloads as platform-neutral specs: the contracts deployment job, each validator's
 * agents (RabbitMQ, Redis, the oracle processes) and the UI. Keys reach a process only as a secret
 * file, read into the one variable the image understands by a shell wrapper inside that process.
 */

const DEPLOYER_KEY_PATH = `${SECRETS_DIR}/deployer.key`;
const VALIDATOR_KEY_PATH = `${SECRETS_DIR}/validator.key`;
const ALLOWANCE_LIST_PATH = "/consortium/config/allowance_list.txt";
/** The oracle process that reads the allowance list: it relays collected signatures to the foreign chain. */
const ALLOWANCE_LIST_READER = "collected";
/** Where the TokenBridge contracts image keeps its deployment scripts (`deploy.sh` runs them only under Docker). */
const CONTRACTS_DEPLOY_DIR = "/contracts/deploy";

const withoutPrefix = (key: pulumi.Input<string>) => pulumi.output(key).apply((hex) => hex.replace(/^0x/, ""));

/** Exports `variable` from the secret file, then execs the command: the key is never in the container's configuration. */
export function keyFromFile(variable: string, path: string, command: string): string[] {
    return fromSecretFiles([[variable, `$(cat ${path})`]], command);
}

/** Exports each variable (a shell word that may read secret files, such as `$(cat file)`), then execs the command. */
export function fromSecretFiles(assignments: readonly (readonly [string, string])[], command: string): string[] {
    for (const [variable] of assignments) if (!/^[A-Z_][A-Z0-9_]*$/.test(variable)) throw new Error(`refusing '${variable}' as a variable name`);
    const exports = assignments.map(([variable, value]) => `${variable}="${value}"; export ${variable}; `).join("");
    return ["sh", "-c", `set -e; ${exports}${command}`];
}

export const BRIDGE_CONTRACTS_JOB = `${BRIDGE_NAME_PREFIX}-contracts`;

/** The job of one run (bridge.deployment.attempt): the first keeps the name it always had, a later run is a new job. */
export const contractsJobName = (attempt: number) => (attempt === 1 ? BRIDGE_CONTRACTS_JOB : `${BRIDGE_CONTRACTS_JOB}-${attempt}`);

export const JOB_FAILED = "the bridge contracts job failed";

/** Exit status of coreutils `timeout` when it stopped the command (node:10, the contracts image's base, is Debian). */
export const DEPLOYMENT_TIMED_OUT = 124;

/**
 * `chains`: the home and foreign chains' RPC endpoints, which the deployment connects to. The deployment is stopped after
 * `timeoutSeconds`: its getReceipt polls forever for a transaction that never lands (deploy/src/deploymentUtils.js).
 */
export function bridgeContractsJob(
    image: string,
    env: pulumi.Input<Record<string, string>>,
    deployerKey: pulumi.Input<string>,
    chains: readonly Reach[],
    run: { readonly attempt: number; readonly timeoutSeconds: number },
): JobSpec {
    return {
        name: contractsJobName(run.attempt),
        component: "bridge-contracts",
        image,
        // What the image's deploy.sh does inside a container, without its /.dockerenv check (absent in Kubernetes pods).
        // deploy.js exits 0 even when it failed (its main().catch logs the error): the results file is the proof of success.
        command: keyFromFile(
            "DEPLOYMENT_ACCOUNT_PRIVATE_KEY",
            DEPLOYER_KEY_PATH,
            `cd ${CONTRACTS_DEPLOY_DIR} && timeout ${run.timeoutSeconds} node deploy.js && cat bridgeDeploymentResults.json || ` +
                // The last line of a failed run's log, which both platforms show: why, and how to run it again.
                `{ status=$?; echo "${JOB_FAILED} with exit code $status$([ $status -eq ${DEPLOYMENT_TIMED_OUT} ] && echo ' (stopped after ${run.timeoutSeconds} s: bridge.deployment.timeoutSeconds)'). ` +
                `Fix the cause, then set bridge.deployment.attempt to ${run.attempt + 1} and run pulumi up (README, Redeploying the bridge)" >&2; exit $status; }`,
        ),
        env,
        files: [{ key: "deployer.key", path: DEPLOYER_KEY_PATH, content: withoutPrefix(deployerKey), encoding: "utf8", kind: "secret" }],
        reaches: chains,
    };
}

export interface ValidatorAgentsInput {
    readonly validator: string;
    readonly address: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
    /** Generated passwords of this validator's RabbitMQ user and Redis (alphanumeric). */
    readonly queuePassword: pulumi.Input<string>;
    readonly redisPassword: pulumi.Input<string>;
    readonly images: { readonly oracle: string; readonly rabbitmq: string; readonly redis: string };
    /** Everything the oracle needs but the validator's own address. */
    readonly settings: pulumi.Input<Omit<OracleSettings, "validatorAddress">>;
    /** Accounts whose home-to-foreign transfers are relayed (permissioning); absent: everyone's. */
    readonly allowanceList?: readonly string[];
    /** The home and foreign chains' RPC endpoints, which the oracle processes connect to. */
    readonly chains: readonly Reach[];
}

export const agentName = (validator: string, part: string) => `${BRIDGE_NAME_PREFIX}-${validator}-${part}`;

/** The RabbitMQ user the oracle processes connect as. */
export const QUEUE_USER = "bridge";
const QUEUE_PASSWORD_PATH = `${SECRETS_DIR}/queue.password`;
const REDIS_PASSWORD_PATH = `${SECRETS_DIR}/redis.password`;
/** Read after the image's own conf.d/10-defaults.conf, which lets guest log in from anywhere (docker-library/rabbitmq). */
const RABBITMQ_CONFIG_PATH = "/etc/rabbitmq/conf.d/30-consortium.conf";
const RABBITMQ_DEFINITIONS_PATH = `${SECRETS_DIR}/rabbitmq-definitions.json`;
const REDIS_CONFIG_PATH = `${SECRETS_DIR}/redis.conf`;
/** The users of the pinned Alpine images: rabbitmq 100:101 (3.13/alpine/Dockerfile), redis 999:1000 (7.4/alpine/Dockerfile). */
const RABBITMQ_USER = { uid: 100, gid: 101 };
const REDIS_USER = { uid: 999, gid: 1000 };

/**
 * RabbitMQ's configuration: the oracle's user with its generated password, and the guest user (which the image lets in
 * from anywhere) limited to loopback. The user is also in a definitions file RabbitMQ imports at every boot
 * (`load_definitions`), so that a queue whose data was made before this user existed gets it too.
 */
export function rabbitmqConfig(password: string): string {
    return [`default_user = ${QUEUE_USER}`, `default_pass = ${password}`, "loopback_users.guest = true", `load_definitions = ${RABBITMQ_DEFINITIONS_PATH}`, ""].join("\n");
}

/**
 * RabbitMQ definitions with the oracle's user, its password as RabbitMQ stores it (rabbit_password_hashing_sha256:
 * base64 of a 4-byte salt followed by SHA-256 of salt and password; RabbitMQ's "Computing a password hash"). The salt is
 * derived from the password, so the file only changes with it.
 */
export function rabbitmqDefinitions(password: string): string {
    const salt = createHash("sha256").update(`rabbitmq\0${QUEUE_USER}\0${password}`).digest().subarray(0, 4);
    const hash = Buffer.concat([salt, createHash("sha256").update(Buffer.concat([salt, Buffer.from(password, "utf8")])).digest()]).toString("base64");
    return `${JSON.stringify({
        users: [{ name: QUEUE_USER, password_hash: hash, hashing_algorithm: "rabbit_password_hashing_sha256", tags: [] }],
        vhosts: [{ name: "/" }],
        permissions: [{ user: QUEUE_USER, vhost: "/", configure: ".*", write: ".*", read: ".*" }],
    })}\n`;
}

/** Redis's configuration: data kept in an append-only file, every command behind the generated password. */
export function redisConfig(password: string): string {
    return `appendonly yes\nrequirepass ${password}\n`;
}

/** One validator's own RabbitMQ and Redis (persistent, each with a generated password) and its six oracle processes. */
export function validatorAgents(input: ValidatorAgentsInput): ServiceSpec[] {
    const group = `${BRIDGE_NAME_PREFIX}-${input.validator}`;
    const rabbit = agentName(input.validator, "rabbitmq");
    const redis = agentName(input.validator, "redis");
    const settings = pulumi.all([input.settings, input.address]).apply(([shared, address]) => ({ ...shared, validatorAddress: address }));
    const secret = (key: string, path: string, content: pulumi.Input<string>) => ({ key, path, content, encoding: "utf8" as const, kind: "secret" as const });
    // The oracle reads its queue and database from URLs; their passwords come from secret files when a process starts.
    const connections: [string, string][] = [
        ["ORACLE_QUEUE_URL", `amqp://${QUEUE_USER}:$(cat ${QUEUE_PASSWORD_PATH})@${rabbit}`],
        ["ORACLE_REDIS_URL", `redis://:$(cat ${REDIS_PASSWORD_PATH})@${redis}:6379`],
    ];
    const connectionFiles = [secret("queue.password", QUEUE_PASSWORD_PATH, input.queuePassword), secret("redis.password", REDIS_PASSWORD_PATH, input.redisPassword)];
    return [
        {
            name: rabbit,
            component: "bridge-queue",
            image: input.images.rabbitmq,
            command: ["docker-entrypoint.sh", "rabbitmq-server"],
            // A fixed node name keeps the queues' data directory the same across restarts and hosts.
            env: { RABBITMQ_NODENAME: "rabbit@localhost" },
            files: [
                secret("rabbitmq.conf", RABBITMQ_CONFIG_PATH, pulumi.output(input.queuePassword).apply(rabbitmqConfig)),
                secret("rabbitmq-definitions.json", RABBITMQ_DEFINITIONS_PATH, pulumi.output(input.queuePassword).apply(rabbitmqDefinitions)),
            ],
            dataPath: "/var/lib/rabbitmq",
            ports: [{ name: "amqp", port: 5672 }],
            healthCheck: ["rabbitmq-diagnostics", "-q", "ping"],
            resources: { cpu: "100m", memory: "512Mi" },
            group,
            groupOnly: true,
            runAs: RABBITMQ_USER,
        },
        {
            name: redis,
            component: "bridge-db",
            image: input.images.redis,
            command: ["docker-entrypoint.sh", "redis-server", REDIS_CONFIG_PATH],
            env: {},
            files: [secret("redis.conf", REDIS_CONFIG_PATH, pulumi.output(input.redisPassword).apply(redisConfig))],
            dataPath: "/data",
            ports: [{ name: "redis", port: 6379 }],
            // redis-cli reads the password from REDISCLI_AUTH, set for this one call from the configuration file.
            healthCheck: ["sh", "-c", `REDISCLI_AUTH="$(sed -n 's/^requirepass //p' ${REDIS_CONFIG_PATH})" redis-cli ping | grep -q PONG`],
            resources: { cpu: "50m", memory: "128Mi" },
            group,
            groupOnly: true,
            runAs: REDIS_USER,
        },
        ...ORACLE_PROCESSES.map((oracleProcess): ServiceSpec => {
            const readsAllowanceList = input.allowanceList !== undefined && oracleProcess.name === ALLOWANCE_LIST_READER;
            return {
                name: agentName(input.validator, oracleProcess.name),
                component: "bridge-oracle",
                image: input.images.oracle,
                command: fromSecretFiles(
                    [...connections, ...(oracleProcess.signs ? [["ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY", `$(cat ${VALIDATOR_KEY_PATH})`] as [string, string]] : [])],
                    `exec yarn ${oracleProcess.script}`,
                ),
                env: settings.apply((resolved) => ({
                    ...oracleEnvironment(resolved, oracleProcess),
                    // The list is checked against the recipient only, unless the sender is checked too (then either may be
                    // listed): oracle 2.7.0 processCollectedSignatures/index.js, CONFIGURATION.md. Without it, a listed
                    // member's withdrawal to another address is silently not relayed.
                    ...(readsAllowanceList ? { ORACLE_HOME_TO_FOREIGN_ALLOWANCE_LIST: ALLOWANCE_LIST_PATH, ORACLE_HOME_TO_FOREIGN_CHECK_SENDER: "true" } : {}),
                })),
                files: [
                    ...connectionFiles,
                    ...(oracleProcess.signs ? [{ key: "validator.key", path: VALIDATOR_KEY_PATH, content: withoutPrefix(input.key), encoding: "utf8" as const, kind: "secret" as const }] : []),
                    // One address per line, as the oracle reads it; an empty list relays nobody's transfers.
                    ...(readsAllowanceList ? [{ key: "allowance_list.txt", path: ALLOWANCE_LIST_PATH, content: input.allowanceList!.map((address) => `${address}\n`).join(""), encoding: "utf8" as const, kind: "config" as const }] : []),
                ],
                ports: [],
                resources: { cpu: "50m", memory: "256Mi" },
                group,
                reaches: input.chains,
            };
        }),
    ];
}

type UiGas = { readonly gasPrice: bigint } & Pick<OracleSide, "gasPriceSupplier">;

export interface UiInput {
    readonly image: string;
    readonly title: string;
    readonly hostPort: number;
    readonly bindAddress: string;
    readonly ingressHost?: string;
    readonly tokenSymbol: string;
    readonly homeName: string;
    readonly foreignName: string;
    /** Read by the users' browsers: public RPC URLs. */
    readonly homeRpcUrl: pulumi.Input<string>;
    readonly foreignRpcUrl: pulumi.Input<string>;
    readonly homeBridge: pulumi.Input<string>;
    readonly foreignBridge: pulumi.Input<string>;
    /** Each chain's fallback gas price (wei) and gas price supplier, as the oracle uses them. */
    readonly homeGas: UiGas;
    readonly foreignGas: UiGas;
}

export const UI_PORT = 3000;
export const BRIDGE_UI = `${BRIDGE_NAME_PREFIX}-ui`;

/**
 * The command that starts the UI with this stack's settings. The UI's start script (tokenbridge 2.7.0-rc0
 * ui/package.json `start`: ./load-env.sh react-app-rewired start) builds its REACT_APP_* variables from the file .env
 * alone (ui/load-env.sh), not from the container's environment: the command writes .env from the environment first,
 * one NAME=value line per variable, in the image's working directory (/mono/ui, ui/Dockerfile).
 */
export function uiStartCommand(variables: readonly string[]): string[] {
    for (const variable of variables) if (!/^(COMMON|UI)_[A-Z0-9_]+$/.test(variable)) throw new Error(`refusing '${variable}' as a UI variable`);
    return ["sh", "-c", `set -e; for name in ${variables.join(" ")}; do printf '%s=%s\\n' "$name" "$(printenv "$name")"; done > .env; exec yarn start`];
}

/** The TokenBridge monorepo UI with its `COMMON_*` / `UI_*` settings, written to its .env when it starts. */
export function bridgeUi(input: UiInput): ServiceSpec {
    const env: Record<string, pulumi.Input<string>> = {
        COMMON_HOME_BRIDGE_ADDRESS: input.homeBridge,
        COMMON_FOREIGN_BRIDGE_ADDRESS: input.foreignBridge,
        COMMON_HOME_RPC_URL: input.homeRpcUrl,
        COMMON_FOREIGN_RPC_URL: input.foreignRpcUrl,
        COMMON_HOME_GAS_PRICE_FALLBACK: input.homeGas.gasPrice.toString(),
        COMMON_FOREIGN_GAS_PRICE_FALLBACK: input.foreignGas.gasPrice.toString(),
        COMMON_HOME_GAS_PRICE_FACTOR: "1",
        COMMON_FOREIGN_GAS_PRICE_FACTOR: "1",
        UI_HOME_GAS_PRICE_UPDATE_INTERVAL: "15000",
        UI_FOREIGN_GAS_PRICE_UPDATE_INTERVAL: "15000",
        // The same gas price supplier as the oracle's, where one is set (ui/src/stores/GasPriceStore.js reads these names).
        ...sideVariables("HOME", input.homeGas, false),
        ...sideVariables("FOREIGN", input.foreignGas, false),
        UI_NATIVE_TOKEN_DISPLAY_NAME: input.tokenSymbol,
        UI_HOME_NETWORK_DISPLAY_NAME: input.homeName,
        UI_FOREIGN_NETWORK_DISPLAY_NAME: input.foreignName,
        UI_HOME_WITHOUT_EVENTS: "false",
        UI_FOREIGN_WITHOUT_EVENTS: "false",
        UI_TITLE: `${input.title} - %c`,
        UI_OG_TITLE: input.title,
        UI_DESCRIPTION: `Move ${input.tokenSymbol} between ${input.foreignName} and ${input.homeName}`,
        UI_PORT: String(UI_PORT),
        UI_PUBLIC_URL: input.ingressHost ? `https://${input.ingressHost}` : `http://localhost:${input.hostPort}`,
        UI_STYLES: "classic",
    };
    return {
        name: BRIDGE_UI,
        component: "bridge-ui",
        image: input.image,
        command: uiStartCommand(Object.keys(env)),
        env,
        files: [],
        ports: [{ name: "http", port: UI_PORT }],
        expose: { port: UI_PORT, bindAddress: input.bindAddress, hostPort: input.hostPort, ...(input.ingressHost ? { ingressHost: input.ingressHost } : {}) },
        // `yarn start` compiles the app with webpack (react-app-rewired start: the create-react-app dev server) before it
        // serves: Node 10's default heap limit (about 1.4 GiB) plus the process's own memory fit in 2Gi; a core speeds the build.
        resources: { cpu: "1", memory: "2Gi" },
    };
}
