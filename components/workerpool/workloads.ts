import * as pulumi from "@pulumi/pulumi";
import { SECRETS_DIR, type Reach, type ServiceSpec, type WorkloadFile } from "../platform/workload";
import { workerVersion, type WorkerConfig, type WorkerpoolConfig } from "./config";

/**
 * The workerpool's services as platform-neutral specs (reference §2-§3): the chain-config service, iexec-core (the
 * scheduler) with its blockchain adapter and their databases, the result proxy with its database and an IPFS node, and
 * one iexec-worker per configured worker. Every variable below is one the v9 images' application.yml reads (iexec-core
 * v9.3.0, iexec-blockchain-adapter-api v9.0.5, iexec-result-proxy v9.1.0, iexec-worker v9.2.0, each
 * src/main/resources/application.yml); passwords are in a secret Spring file, never in the environment.
 */

export const WORKERPOOL_GROUP = "workerpool";
export const CONFIG_SERVER = "workerpool-config";
export const CORE = "workerpool-core";
export const ADAPTER = "workerpool-adapter";
export const RESULT_PROXY = "workerpool-result-proxy";
export const IPFS = "workerpool-ipfs";
export const databaseOf = (service: string) => `${service}-mongo`;
export const workerName = (worker: string) => `workerpool-worker-${worker}`;

export const PORTS = { configServer: 8080, core: 13000, adapter: 13010, resultProxy: 13200, worker: 13100, mongo: 27017, ipfsApi: 5001, ipfsGateway: 8080 } as const;

/** Spring Boot reads application.yml from this folder too, after the image's own, whose values it overrides. */
export const SPRING_SECRETS_LOCATION = `optional:file:${SECRETS_DIR}/`;
const WALLET_PATH = `${SECRETS_DIR}/wallet.json`;
const SPRING_SECRETS_PATH = `${SECRETS_DIR}/application.yml`;
const CONFIG_SERVER_CONF = "/consortium/config/nginx.conf";
const CHAIN_JSON = "/consortium/config/chain.json";
/** The official nginx image's unprivileged user (as the RPC gateway's). */
const NGINX_USER = { uid: 101, gid: 101 };
/**
 * iExec's core, adapter and result proxy run as `appuser`, made by useradd without a uid (each Dockerfile at its tag):
 * they are given this group for their secret files and data.
 */
export const IEXEC_FILE_GROUP = 10001;
/** Where the iExec images' curl asks each service's actuator (their Dockerfiles install curl). */
const actuatorHealth = (port: number) => ["curl", "--fail", "--silent", "--output", "/dev/null", `http://127.0.0.1:${port}/actuator/health`];

/** What the chain-config service answers at GET /config/chain: iexec-common 9.2.0 PublicChainConfig. */
export interface PublicChainConfig {
    readonly chainId: number;
    /** false: token mode (RLC is an ERC-20); it only switches the middleware's ETH balance check. */
    readonly sidechain: boolean;
    readonly chainNodeUrl: string;
    readonly iexecHubContractAddress: string;
    /** ISO-8601, within the middleware's 100 ms to 20 s. */
    readonly blockTime: string;
}

export function publicChainConfig(input: { chainId: number; chainNodeUrl: string; hub: string; stepDuration: number }): PublicChainConfig {
    return { chainId: input.chainId, sidechain: false, chainNodeUrl: input.chainNodeUrl, iexecHubContractAddress: input.hub, blockTime: `PT${input.stepDuration}S` };
}

/**
 * The chain-config service's nginx: the JSON at /config/chain, ok at /health, nothing else. `runtimeDir` holds its pid
 * and temporary files (it runs as an unprivileged user with a read-only root).
 */
export function configServerNginx(
    port: number,
    paths: { readonly chainJson: string; readonly runtimeDir: string; readonly accessLog: string } = { chainJson: CHAIN_JSON, runtimeDir: "/tmp", accessLog: "/dev/stdout" },
): string {
    return [
        "worker_processes 1;",
        `pid ${paths.runtimeDir}/nginx.pid;`,
        "error_log stderr warn;",
        "events { worker_connections 256; }",
        "http {",
        ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${paths.runtimeDir}/${kind};`),
        `    access_log ${paths.accessLog};`,
        "    server_tokens off;",
        "    server {",
        `        listen ${port};`,
        "        location = /config/chain {",
        "            default_type application/json;",
        `            alias ${paths.chainJson};`,
        "        }",
        "        location = /health {",
        "            default_type text/plain;",
        "            return 200 'ok';",
        "        }",
        "        location / {",
        "            return 404;",
        "        }",
        "    }",
        "}",
        "",
    ].join("\n");
}

/** A Spring file of secret values (JSON is YAML): nested from dotted property paths. */
export function springSecrets(values: Readonly<Record<string, string>>): string {
    const tree: Record<string, unknown> = {};
    for (const [path, value] of Object.entries(values)) {
        const parts = path.split(".");
        let node = tree;
        for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
        node[parts[parts.length - 1]] = value;
    }
    return `${JSON.stringify(tree, null, 2)}\n`;
}

const secretFile = (key: string, path: string, content: pulumi.Input<string>): WorkloadFile => ({ key, path, content, encoding: "utf8", kind: "secret" });

/** A wallet as the middleware loads it (web3j WalletUtils.loadCredentials): a V3 keystore and its password. */
export interface Wallet {
    readonly keystoreJson: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
}

export interface WorkerpoolServicesInput {
    readonly config: WorkerpoolConfig;
    /** The platform prefix (the stack name): workers' task folders on a shared host are kept apart by it. */
    readonly prefix: string;
    readonly chainId: number;
    readonly stepDuration: number;
    /** The chain's internal RPC URL (no credential: web3j sends no headers) and what reaching it takes. */
    readonly chainNodeUrl: string;
    readonly chainReach: Reach;
    readonly hub: pulumi.Input<string>;
    readonly workerpool: pulumi.Input<string>;
    /** The block the workerpool was created in: the core looks for deals from there. */
    readonly startBlock: pulumi.Input<number>;
    /** The scheduler's wallet: the workerpool owner; the core signs with it, the adapter sends with it. */
    readonly scheduler: Wallet;
    readonly workers: readonly { readonly config: WorkerConfig; readonly address: pulumi.Input<string>; readonly wallet: Wallet }[];
    /** The password core and adapter share for the adapter's REST API (alphanumeric). */
    readonly adapterPassword: pulumi.Input<string>;
}

/** The user the core authenticates as at the adapter's REST API (its basic auth, spring.security.user). */
export const ADAPTER_USER = "core";

/** Gas as the middleware prices it: min(eth_gasPrice × multiplier, cap), legacy transactions (commons-poco Web3jAbstractService). */
const gasSettings = (config: WorkerpoolConfig) => ({ IEXEC_GAS_PRICE_MULTIPLIER: "1.0", IEXEC_GAS_PRICE_CAP: config.gasPriceCap.toString() });

/** The chain as the adapter and the result proxy read it (their `chain.*`). */
function chainSettings(input: WorkerpoolServicesInput, hub: string) {
    return {
        IEXEC_CHAIN_ID: String(input.chainId),
        IEXEC_BLOCKCHAIN_NODE_ADDRESS: input.chainNodeUrl,
        IEXEC_HUB_ADDRESS: hub,
        IEXEC_IS_SIDECHAIN: "false",
        IEXEC_BLOCK_TIME: `PT${input.stepDuration}S`,
        ...gasSettings(input.config),
    };
}

const url = (service: string, port: number) => `http://${service}:${port}`;

/**
 * One of iExec's Spring Boot services run as its image's `appuser` (core, adapter, result proxy): its jar, its own
 * database, the chain; with a wallet, the keystore and the secret Spring file holding its passwords.
 */
function springService(
    input: WorkerpoolServicesInput,
    service: {
        readonly name: string;
        readonly image: string;
        readonly jar: string;
        readonly port: number;
        readonly env: pulumi.Output<Readonly<Record<string, string>>>;
        readonly wallet?: { readonly keystoreJson: pulumi.Input<string>; readonly secrets: pulumi.Output<Readonly<Record<string, string>>> };
        readonly dataPath?: string;
        readonly resources: { readonly cpu: string; readonly memory: string };
        readonly livenessTcpPort?: number;
    },
): ServiceSpec {
    const { wallet } = service;
    return {
        name: service.name,
        component: service.name,
        image: service.image,
        command: ["java", "-Djava.security.egd=file:/dev/./urandom", "-jar", service.jar],
        env: wallet ? service.env.apply((env) => ({ ...env, SPRING_CONFIG_ADDITIONAL_LOCATION: SPRING_SECRETS_LOCATION })) : service.env,
        files: wallet ? [secretFile("wallet.json", WALLET_PATH, wallet.keystoreJson), secretFile("application.yml", SPRING_SECRETS_PATH, wallet.secrets.apply(springSecrets))] : [],
        ...(service.dataPath ? { dataPath: service.dataPath } : {}),
        ports: [{ name: "http", port: service.port }],
        healthCheck: actuatorHealth(service.port),
        resources: service.resources,
        group: WORKERPOOL_GROUP,
        fileGroup: IEXEC_FILE_GROUP,
        reaches: [input.chainReach, { service: databaseOf(service.name), port: PORTS.mongo }],
        ...(service.livenessTcpPort !== undefined ? { livenessTcpPort: service.livenessTcpPort } : {}),
    };
}

/** One MongoDB per service that needs one (core and result proxy both name theirs `iexec`), reached by it alone. */
function database(owner: string, image: string): ServiceSpec {
    return {
        name: databaseOf(owner),
        component: "workerpool-mongo",
        image,
        // The image's entrypoint gives /data/db to its mongodb user (999) and binds every interface (docker-library/mongo 7.0).
        command: ["docker-entrypoint.sh", "mongod"],
        env: {},
        files: [],
        dataPath: "/data/db",
        ports: [{ name: "mongo", port: PORTS.mongo }],
        healthCheck: ["mongosh", "--quiet", "--eval", "db.adminCommand('ping')"],
        resources: { cpu: "250m", memory: "1Gi" },
        privateTo: owner,
    };
}

/** The core's out-of-service threshold: three blocks, and never below the 15 s it ships with. */
export const outOfServiceThreshold = (stepDuration: number) => `PT${Math.max(15, 3 * stepDuration)}S`;

function core(input: WorkerpoolServicesInput): ServiceSpec {
    const { config } = input;
    return springService(input, {
        name: CORE,
        image: config.images.core,
        jar: "/app/iexec-core.jar",
        port: PORTS.core,
        env: pulumi.all([input.workerpool, input.startBlock, pulumi.all(input.workers.map((worker) => worker.address))]).apply(([workerpool, startBlock, workers]): Record<string, string> => ({
            IEXEC_CORE_PORT: String(PORTS.core),
            MONGO_HOST: databaseOf(CORE),
            MONGO_PORT: String(PORTS.mongo),
            IEXEC_BLOCKCHAIN_NODE_ADDRESS: input.chainNodeUrl,
            CHAIN_OUTOFSERVICETHRESHOLD: outOfServiceThreshold(input.stepDuration),
            POOL_ADDRESS: workerpool,
            IEXEC_START_BLOCK_NUMBER: String(startBlock),
            // Compared as strings with the address the worker logs in with, web3j's lowercase one (iexec-core 9.3.0
            // WorkerService.isAllowedToJoin, iexec-worker 9.2.0 LoginService: Credentials.getAddress()).
            IEXEC_WORKERS_WHITELIST: workers.map((address) => address.toLowerCase()).join(","),
            IEXEC_CORE_REQUIRED_WORKER_VERSION: workerVersion(config.images.worker)!,
            IEXEC_CORE_WALLET_PATH: WALLET_PATH,
            IEXEC_CORE_CHAIN_ADAPTER_URL: url(ADAPTER, PORTS.adapter),
            IEXEC_CORE_CHAIN_ADAPTER_USERNAME: ADAPTER_USER,
            IEXEC_CONFIG_SERVER_URL: url(CONFIG_SERVER, PORTS.configServer),
            IEXEC_RESULT_REPOSITORY_URL: url(RESULT_PROXY, PORTS.resultProxy),
            ...gasSettings(config),
        })),
        wallet: {
            keystoreJson: input.scheduler.keystoreJson,
            secrets: pulumi.all([input.scheduler.password, input.adapterPassword]).apply(([wallet, adapter]): Record<string, string> => ({ "wallet.password": wallet, "blockchain-adapter.auth.password": adapter })),
        },
        resources: { cpu: "1", memory: "2Gi" },
        // Its health is OUT_OF_SERVICE while the chain's last block is old (BlockchainConnectionHealthIndicator): a
        // readiness signal; restarting the core would not bring blocks.
        livenessTcpPort: PORTS.core,
    });
}

function adapter(input: WorkerpoolServicesInput): ServiceSpec {
    return springService(input, {
        name: ADAPTER,
        image: input.config.images.blockchainAdapter,
        jar: "/app/iexec-blockchain-adapter-api.jar",
        port: PORTS.adapter,
        env: pulumi.output(input.hub).apply((hub): Record<string, string> => ({
            IEXEC_BLOCKCHAIN_ADAPTER_API_PORT: String(PORTS.adapter),
            IEXEC_BLOCKCHAIN_ADAPTER_API_USERNAME: ADAPTER_USER,
            IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_HOST: databaseOf(ADAPTER),
            IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_PORT: String(PORTS.mongo),
            ...chainSettings(input, hub),
            // One transaction per block: the scheduler's nonces stay in order (reference §3.3).
            IEXEC_BLOCKCHAIN_ADAPTER_API_MAX_ALLOWED_TX_PER_BLOCK: "1",
            IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PATH: WALLET_PATH,
        })),
        wallet: {
            keystoreJson: input.scheduler.keystoreJson,
            // The adapter's basic-auth user (spring.security.user: `name`, not `username`) and the scheduler's wallet (`wallet.path`).
            secrets: pulumi.all([input.scheduler.password, input.adapterPassword]).apply(([wallet, adapterPassword]): Record<string, string> => ({ "wallet.password": wallet, "spring.security.user.password": adapterPassword })),
        },
        resources: { cpu: "500m", memory: "1Gi" },
    });
}

function resultProxy(input: WorkerpoolServicesInput): ServiceSpec {
    return springService(input, {
        name: RESULT_PROXY,
        image: input.config.images.resultProxy,
        jar: "/app/iexec-result-proxy.jar",
        port: PORTS.resultProxy,
        env: pulumi.output(input.hub).apply((hub): Record<string, string> => ({
            IEXEC_RESULT_PROXY_PORT: String(PORTS.resultProxy),
            MONGO_HOST: databaseOf(RESULT_PROXY),
            MONGO_PORT: String(PORTS.mongo),
            ...chainSettings(input, hub),
            IEXEC_IPFS_URL: url(IPFS, PORTS.ipfsApi),
        })),
        // Its JWT signing key (jwt.key-path /data/jwt-sign.key), generated at first start: kept across restarts.
        dataPath: "/data",
        resources: { cpu: "500m", memory: "1Gi" },
    });
}

/**
 * The IPFS node results are added to (kubo v0.34.1). Offline: it joins no public swarm; members fetch results from its
 * gateway, inside the workerpool's network.
 */
function ipfs(input: WorkerpoolServicesInput): ServiceSpec {
    return {
        name: IPFS,
        component: IPFS,
        image: input.config.images.ipfs,
        // The image's entrypoint (tini, start_ipfs: init with IPFS_PROFILE, API and gateway on 0.0.0.0), offline.
        command: ["/sbin/tini", "--", "/usr/local/bin/start_ipfs", "daemon", "--migrate=true", "--offline"],
        env: { IPFS_PROFILE: "server" },
        files: [],
        dataPath: "/data/ipfs",
        ports: [
            { name: "api", port: PORTS.ipfsApi },
            { name: "gateway", port: PORTS.ipfsGateway },
        ],
        // The image's own HEALTHCHECK (kubo Dockerfile): the empty directory's DAG is always there.
        healthCheck: ["ipfs", "--api=/ip4/127.0.0.1/tcp/5001", "dag", "stat", "/ipfs/QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"],
        resources: { cpu: "250m", memory: "1Gi" },
        group: WORKERPOOL_GROUP,
        // Nothing but its group reaches it, and it reaches nothing: not on the chain's network.
        groupOnly: true,
    };
}

function configServer(input: WorkerpoolServicesInput): ServiceSpec {
    const chainJson = pulumi
        .output(input.hub)
        .apply((hub) => `${JSON.stringify(publicChainConfig({ chainId: input.chainId, chainNodeUrl: input.chainNodeUrl, hub, stepDuration: input.stepDuration }))}\n`);
    return {
        name: CONFIG_SERVER,
        component: CONFIG_SERVER,
        image: input.config.images.configServer,
        command: ["nginx", "-e", "stderr", "-c", CONFIG_SERVER_CONF, "-g", "daemon off;"],
        env: {},
        files: [
            { key: "nginx.conf", path: CONFIG_SERVER_CONF, content: configServerNginx(PORTS.configServer), encoding: "utf8", kind: "config" },
            { key: "chain.json", path: CHAIN_JSON, content: chainJson, encoding: "utf8", kind: "config" },
        ],
        ports: [{ name: "http", port: PORTS.configServer }],
        healthCheck: ["wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${PORTS.configServer}/health`],
        resources: { cpu: "50m", memory: "64Mi" },
        group: WORKERPOOL_GROUP,
        groupOnly: true,
        runAs: NGINX_USER,
        scratchPaths: ["/tmp"],
    };
}

/**
 * Where a worker keeps its tasks' files, for itself and for the Docker daemon that runs them (the same absolute path):
 * one folder per stack under `workerpool.docker.workDir`, one per worker under it (the worker adds its name).
 */
export const taskFolder = (config: WorkerpoolConfig, prefix: string) => `${config.docker.workDir}/${prefix}`;

/**
 * A worker (root in its image: it drives Docker). It reaches the core, result proxy and config service in its group,
 * the chain, and registries over HTTPS to pull the tasks' images.
 */
function worker(input: WorkerpoolServicesInput, entry: WorkerpoolServicesInput["workers"][number]): ServiceSpec {
    const { config } = input;
    const baseDir = taskFolder(config, input.prefix);
    return {
        name: workerName(entry.config.name),
        component: "workerpool-worker",
        image: config.images.worker,
        command: ["java", "-Djava.security.egd=file:/dev/./urandom", "-jar", "/iexec-worker.jar"],
        env: pulumi.output(input.workerpool).apply((workerpool) => ({
            IEXEC_WORKER_PORT: String(PORTS.worker),
            IEXEC_CORE_URL: url(CORE, PORTS.core),
            POOL_ADDRESS: workerpool,
            IEXEC_WORKER_NAME: entry.config.name,
            IEXEC_WORKER_BASE_DIR: baseDir,
            IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT: String(entry.config.parallelTasks),
            IEXEC_WORKER_GPU_ENABLED: "false",
            IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS: input.chainNodeUrl,
            ...gasSettings(config),
            IEXEC_WORKER_WALLET_PATH: WALLET_PATH,
            SPRING_CONFIG_ADDITIONAL_LOCATION: SPRING_SECRETS_LOCATION,
        })),
        files: [
            secretFile("wallet.json", WALLET_PATH, entry.wallet.keystoreJson),
            secretFile("application.yml", SPRING_SECRETS_PATH, pulumi.output(entry.wallet.password).apply((password) => springSecrets({ "wallet.password": password }))),
        ],
        ports: [],
        healthCheck: actuatorHealth(PORTS.worker),
        resources: entry.config.resources,
        group: WORKERPOOL_GROUP,
        // Its tasks run in its network on Kubernetes (dind): of the group, only the three services a worker calls.
        narrowGroupEgress: true,
        reaches: [
            input.chainReach,
            { service: CORE, port: PORTS.core },
            { service: RESULT_PROXY, port: PORTS.resultProxy },
            { service: CONFIG_SERVER, port: PORTS.configServer },
            { external: { host: "container-registries", port: 443 } },
        ],
        dockerDaemon: {
            workDir: baseDir,
            kubernetes: config.docker.kubernetes === "dind" ? { mode: "dind", image: config.images.dind } : { mode: "node-socket" },
        },
    };
}

/** Every service of the workerpool, databases first. */
export function workerpoolServices(input: WorkerpoolServicesInput): ServiceSpec[] {
    const { images } = input.config;
    return [
        database(CORE, images.mongo),
        database(ADAPTER, images.mongo),
        database(RESULT_PROXY, images.mongo),
        configServer(input),
        ipfs(input),
        adapter(input),
        resultProxy(input),
        core(input),
        ...input.workers.map((entry) => worker(input, entry)),
    ];
}
