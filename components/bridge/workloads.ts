import * as pulumi from "@pulumi/pulumi";
import { BRIDGE_NAME_PREFIX } from "../config";
import { SECRETS_DIR, type JobSpec, type ServiceSpec } from "../platform/workload";
import { ORACLE_PROCESSES, oracleEnvironment, type OracleSettings } from "./oracle";

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
    return ["sh", "-c", `set -e; ${variable}="$(cat ${path})"; export ${variable}; ${command}`];
}

export const BRIDGE_CONTRACTS_JOB = `${BRIDGE_NAME_PREFIX}-contracts`;

export function bridgeContractsJob(image: string, env: pulumi.Input<Record<string, string>>, deployerKey: pulumi.Input<string>): JobSpec {
    return {
        name: BRIDGE_CONTRACTS_JOB,
        component: "bridge-contracts",
        image,
        // What the image's deploy.sh does inside a container, without its /.dockerenv check (absent in Kubernetes pods).
        command: keyFromFile("DEPLOYMENT_ACCOUNT_PRIVATE_KEY", DEPLOYER_KEY_PATH, `cd ${CONTRACTS_DEPLOY_DIR} && node deploy.js && cat bridgeDeploymentResults.json`),
        env,
        files: [{ key: "deployer.key", path: DEPLOYER_KEY_PATH, content: withoutPrefix(deployerKey), encoding: "utf8", kind: "secret" }],
    };
}

export interface ValidatorAgentsInput {
    readonly validator: string;
    readonly address: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
    readonly images: { readonly oracle: string; readonly rabbitmq: string; readonly redis: string };
    /** Everything the oracle needs but the validator's own address, queue and database. */
    readonly settings: pulumi.Input<Omit<OracleSettings, "validatorAddress" | "queueUrl" | "redisUrl">>;
    /** Accounts whose home-to-foreign transfers are relayed (permissioning); absent: everyone's. */
    readonly allowanceList?: readonly string[];
}

export const agentName = (validator: string, part: string) => `${BRIDGE_NAME_PREFIX}-${validator}-${part}`;

/** One validator's own RabbitMQ and Redis (persistent) and its six oracle processes. */
export function validatorAgents(input: ValidatorAgentsInput): ServiceSpec[] {
    const group = `${BRIDGE_NAME_PREFIX}-${input.validator}`;
    const rabbit = agentName(input.validator, "rabbitmq");
    const redis = agentName(input.validator, "redis");
    const settings = pulumi.all([input.settings, input.address]).apply(([shared, address]) => ({
        ...shared,
        validatorAddress: address,
        queueUrl: `amqp://${rabbit}`,
        redisUrl: `redis://${redis}:6379`,
    }));
    return [
        {
            name: rabbit,
            component: "bridge-queue",
            image: input.images.rabbitmq,
            command: ["docker-entrypoint.sh", "rabbitmq-server"],
            // A fixed node name keeps the queues' data directory the same across restarts and hosts.
            env: { RABBITMQ_NODENAME: "rabbit@localhost" },
            files: [],
            dataPath: "/var/lib/rabbitmq",
            ports: [{ name: "amqp", port: 5672 }],
            healthCheck: ["rabbitmq-diagnostics", "-q", "ping"],
            resources: { cpu: "100m", memory: "512Mi" },
            group,
        },
        {
            name: redis,
            component: "bridge-db",
            image: input.images.redis,
            command: ["docker-entrypoint.sh", "redis-server", "--appendonly", "yes"],
            env: {},
            files: [],
            dataPath: "/data",
            ports: [{ name: "redis", port: 6379 }],
            healthCheck: ["redis-cli", "ping"],
            resources: { cpu: "50m", memory: "128Mi" },
            group,
        },
        ...ORACLE_PROCESSES.map((oracleProcess): ServiceSpec => {
            const readsAllowanceList = input.allowanceList !== undefined && oracleProcess.name === ALLOWANCE_LIST_READER;
            return {
                name: agentName(input.validator, oracleProcess.name),
                component: "bridge-oracle",
                image: input.images.oracle,
                command: oracleProcess.signs
                    ? keyFromFile("ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY", VALIDATOR_KEY_PATH, `exec yarn ${oracleProcess.script}`)
                    : ["yarn", oracleProcess.script],
                env: settings.apply((resolved) => ({
                    ...oracleEnvironment(resolved, oracleProcess),
                    ...(readsAllowanceList ? { ORACLE_HOME_TO_FOREIGN_ALLOWANCE_LIST: ALLOWANCE_LIST_PATH } : {}),
                })),
                files: [
                    ...(oracleProcess.signs ? [{ key: "validator.key", path: VALIDATOR_KEY_PATH, content: withoutPrefix(input.key), encoding: "utf8" as const, kind: "secret" as const }] : []),
                    // One address per line, as the oracle reads it; an empty list relays nobody's transfers.
                    ...(readsAllowanceList ? [{ key: "allowance_list.txt", path: ALLOWANCE_LIST_PATH, content: input.allowanceList!.map((address) => `${address}\n`).join(""), encoding: "utf8" as const, kind: "config" as const }] : []),
                ],
                ports: [],
                resources: { cpu: "50m", memory: "256Mi" },
                group,
            };
        }),
    ];
}

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
    readonly homeGasPrice: bigint;
    readonly foreignGasPrice: bigint;
}

export const UI_PORT = 3000;
export const BRIDGE_UI = `${BRIDGE_NAME_PREFIX}-ui`;

/** The TokenBridge monorepo UI with its `COMMON_*` / `UI_*` environment. */
export function bridgeUi(input: UiInput): ServiceSpec {
    const env = {
        COMMON_HOME_BRIDGE_ADDRESS: input.homeBridge,
        COMMON_FOREIGN_BRIDGE_ADDRESS: input.foreignBridge,
        COMMON_HOME_RPC_URL: input.homeRpcUrl,
        COMMON_FOREIGN_RPC_URL: input.foreignRpcUrl,
        COMMON_HOME_GAS_PRICE_FALLBACK: input.homeGasPrice.toString(),
        COMMON_FOREIGN_GAS_PRICE_FALLBACK: input.foreignGasPrice.toString(),
        COMMON_HOME_GAS_PRICE_FACTOR: "1",
        COMMON_FOREIGN_GAS_PRICE_FACTOR: "1",
        UI_NATIVE_TOKEN_DISPLAY_NAME: input.tokenSymbol,
        UI_HOME_NETWORK_DISPLAY_NAME: input.homeName,
        UI_FOREIGN_NETWORK_DISPLAY_NAME: input.foreignName,
        UI_HOME_WITHOUT_EVENTS: "false",
        UI_FOREIGN_WITHOUT_EVENTS: "false",
        UI_HOME_GAS_PRICE_UPDATE_INTERVAL: "15000",
        UI_FOREIGN_GAS_PRICE_UPDATE_INTERVAL: "15000",
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
        command: ["yarn", "start"],
        env,
        files: [],
        ports: [{ name: "http", port: UI_PORT }],
        expose: { port: UI_PORT, bindAddress: input.bindAddress, hostPort: input.hostPort, ...(input.ingressHost ? { ingressHost: input.ingressHost } : {}) },
        resources: { cpu: "100m", memory: "512Mi" },
    };
}
