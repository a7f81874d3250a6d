import * as pulumi from "@pulumi/pulumi";
import { computeAddress, decryptKeystoreJson } from "ethers";
import { ROLES } from "../../components/permissioning/contract";
import type { PublishedOrder } from "../../components/workerpool/engine";
import { validateKubernetesObject } from "../helpers/kubernetesSchema";
import { allows, type NetworkPolicy, type Pod } from "../helpers/networkPolicy";
import { MOCK_WORKERPOOL, MOCK_WORKERPOOL_CREATION_BLOCK, evaluate, installMocks, isSecretValue, ofType, promiseOf, settle, unwrapSecrets, useDevStack, useStackConfig, type Registration } from "../helpers/pulumiMocks";

/**
 * The workerpool (components/workerpool) as the program registers it, under mocks, on Docker (the dev stack) and on
 * Kubernetes (acme-prod with a workerpool): its containers, their environment against what the iExec images read,
 * their secrets, the worker's Docker daemon, the NetworkPolicies, the permissions and the `workerpool` output.
 */

type Outputs = ReturnType<typeof import("../../components/program").runProgram>;
type WorkerpoolOutput = { address: string; org: string | null; scheduler: string; workers: { name: string; address: string; org?: string }[]; coreUrl: string; resultProxyUrl: string; ipfsGatewayUrl: string; orders: PublishedOrder[]; domain: { name: string; version: string; chainId: number; verifyingContract: string }; sdkChainJson: { default: string; chains: Record<string, { id: string; host: string; hub: string }> } };

const CONTAINER = "docker:index/container:Container";
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const CORE = "workerpool-core";
const ADAPTER = "workerpool-adapter";
const RESULT_PROXY = "workerpool-result-proxy";
const IPFS = "workerpool-ipfs";
const CONFIG = "workerpool-config";
const WORKER = "workerpool-worker-worker-1";
/** Each MongoDB and its one client. */
const MONGOS: Record<string, string> = { [`${CORE}-mongo`]: CORE, [`${ADAPTER}-mongo`]: ADAPTER, [`${RESULT_PROXY}-mongo`]: RESULT_PROXY };
const SECRETS_DIR = "/consortium/secrets";
const FILE_GROUP = "10001";

/**
 * The environment variables each image's application.yml reads: its `${NAME:default}` placeholders, read in each file at
 * its tag (IEXEC_WHITELIST, only in a comment of the
 * core's file, left out).
 */
const APPLICATION_YML_VARIABLES = {
    // iExecBlockchainComputing/iexec-core@v9.3.0:src/main/resources/application.yml
    core: [
        "IEXEC_CORE_PORT", "MONGO_HOST", "MONGO_PORT", "IEXEC_PLATFORM_REGISTRY", "IEXEC_PLATFORM_REGISTRY_STACK", "IEXEC_PLATFORM_REGISTRY_LABEL",
        "REVEAL_TIMEOUT_PERIOD", "IEXEC_ASK_REPLICATE_PERIOD", "IEXEC_CORE_REQUIRED_WORKER_VERSION", "IEXEC_WORKERS_WHITELIST", "IEXEC_CORE_WALLET_PATH",
        "IEXEC_CORE_WALLET_PASSWORD", "IEXEC_BLOCKCHAIN_NODE_ADDRESS", "POOL_ADDRESS", "IEXEC_START_BLOCK_NUMBER", "IEXEC_GAS_PRICE_MULTIPLIER",
        "IEXEC_GAS_PRICE_CAP", "IEXEC_CORE_CHAIN_ADAPTER_URL", "IEXEC_CORE_CHAIN_ADAPTER_USERNAME", "IEXEC_CORE_CHAIN_ADAPTER_PASSWORD",
        "IEXEC_CONFIG_SERVER_URL", "IEXEC_RESULT_REPOSITORY_URL", "IEXEC_CORE_MANAGEMENT_ACTUATORS", "IEXEC_LOGS_PURGE_RATE_IN_DAYS",
        "IEXEC_LOGS_AVAILABILITY_PERIOD_IN_DAYS",
    ],
    // iExecBlockchainComputing/iexec-worker@v9.2.0:src/main/resources/application.yml
    worker: [
        "IEXEC_WORKER_PORT", "IEXEC_CORE_URL", "POOL_ADDRESS", "IEXEC_WORKER_NAME", "IEXEC_WORKER_BASE_DIR", "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT",
        "IEXEC_WORKER_GPU_ENABLED", "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP", "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS",
        "IEXEC_DEVELOPER_LOGGER_ENABLED", "IEXEC_WORKER_TEE_COMPUTE_MAX_HEAP_SIZE_GB", "IEXEC_WORKER_DOCKER_NETWORK_NAME",
        "IEXEC_WORKER_DOCKER_REGISTRY_USERNAME_0", "IEXEC_WORKER_DOCKER_REGISTRY_PASSWORD_0", "IEXEC_WORKER_DOCKER_REGISTRY_ADDRESS_1",
        "IEXEC_WORKER_DOCKER_REGISTRY_USERNAME_1", "IEXEC_WORKER_DOCKER_REGISTRY_PASSWORD_1", "IEXEC_WORKER_DOCKER_IMAGE_MIN_PULL_TIMEOUT",
        "IEXEC_WORKER_DOCKER_IMAGE_MAX_PULL_TIMEOUT", "IEXEC_WORKER_WALLET_PATH", "IEXEC_WORKER_WALLET_PASSWORD", "IEXEC_SCONE_SHOW_VERSION",
        "IEXEC_SCONE_LOG_LEVEL", "IEXEC_WORKER_SCONTAIN_REGISTRY_NAME", "IEXEC_WORKER_SCONTAIN_REGISTRY_USERNAME", "IEXEC_WORKER_SCONTAIN_REGISTRY_PASSWORD",
        "IEXEC_LAS_PORT", "IEXEC_WORKER_SGX_DRIVER_MODE", "IEXEC_WORKER_METRICS_WINDOW_SIZE",
    ],
    // iExecBlockchainComputing/iexec-blockchain-adapter-api@v9.0.5:src/main/resources/application.yml
    adapter: [
        "IEXEC_BLOCKCHAIN_ADAPTER_API_PORT", "IEXEC_BLOCKCHAIN_ADAPTER_API_USERNAME", "IEXEC_BLOCKCHAIN_ADAPTER_API_PASSWORD",
        "IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_HOST", "IEXEC_BLOCKCHAIN_ADAPTER_API_MONGO_PORT", "IEXEC_CHAIN_ID", "IEXEC_BLOCKCHAIN_NODE_ADDRESS",
        "IEXEC_BLOCK_TIME", "IEXEC_HUB_ADDRESS", "IEXEC_IS_SIDECHAIN", "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP",
        "IEXEC_BLOCKCHAIN_ADAPTER_API_MAX_ALLOWED_TX_PER_BLOCK", "IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PATH", "IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PASSWORD",
    ],
    // iExecBlockchainComputing/iexec-result-proxy@v9.1.0:src/main/resources/application.yml
    resultProxy: [
        "IEXEC_RESULT_PROXY_PORT", "MONGO_HOST", "MONGO_PORT", "IEXEC_CHAIN_ID", "IEXEC_IS_SIDECHAIN", "IEXEC_BLOCKCHAIN_NODE_ADDRESS", "IEXEC_HUB_ADDRESS",
        "IEXEC_BLOCK_TIME", "IEXEC_GAS_PRICE_MULTIPLIER", "IEXEC_GAS_PRICE_CAP", "IEXEC_IPFS_URL",
    ],
} as const;

/**
 * What else each may get (reference §3, §3.8; the apps' Spring Boot; docker-java 3.4.1 DefaultDockerClientConfig): Spring Boot's own SPRING_CONFIG_ADDITIONAL_LOCATION
 * (the secret application.yml), the core's relaxed name of chain.out-of-service-threshold, and docker-java's DOCKER_HOST
 * for a worker on Kubernetes.
 */
const SPRING_OWN = ["SPRING_CONFIG_ADDITIONAL_LOCATION"];
const allowedNames = (platform: "docker" | "kubernetes") => ({
    [CORE]: [...APPLICATION_YML_VARIABLES.core, ...SPRING_OWN, "CHAIN_OUTOFSERVICETHRESHOLD"],
    [ADAPTER]: [...APPLICATION_YML_VARIABLES.adapter, ...SPRING_OWN],
    [RESULT_PROXY]: [...APPLICATION_YML_VARIABLES.resultProxy, ...SPRING_OWN],
    [WORKER]: [...APPLICATION_YML_VARIABLES.worker, ...SPRING_OWN, ...(platform === "kubernetes" ? ["DOCKER_HOST"] : [])],
});

/** The policy pack's no-keys-in-environment rule (policy/policies/exposure.ts). */
const SECRET_NAME = /(PRIVATE_?KEY|MNEMONIC|SEED_?PHRASE|PASSPHRASE|PASSWORD|KEYSTORE|SECRET_?KEY)/i;

/** Every state the mocks return (the random values the secret checks look for), recorded around installMocks' mocks. */
const mockStates: { type: string; name: string; inputs: Record<string, any>; state: Record<string, any> }[] = [];
const realSetMocks = pulumi.runtime.setMocks;
jest.spyOn(pulumi.runtime, "setMocks").mockImplementation((mocks, ...rest) =>
    realSetMocks(
        {
            call: (args) => mocks.call(args),
            async newResource(args) {
                const result = await mocks.newResource(args);
                mockStates.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs), state: unwrapSecrets(result.state) });
                return result;
            },
        },
        ...rest,
    ),
);

/** Waits until no resource has been registered for a few rounds (keystore encryption delays the services). */
async function quiet(registrations: readonly Registration[]): Promise<void> {
    let stable = 0;
    let count = -1;
    while (stable < 3) {
        await settle();
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (registrations.length === count) stable++;
        else {
            stable = 0;
            count = registrations.length;
        }
    }
}

async function run(stack: "dev" | "acme-prod", overrides: Record<string, unknown>) {
    mockStates.length = 0;
    const registrations = await installMocks();
    if (stack === "dev") useDevStack(overrides);
    else useStackConfig(stack, overrides);
    const { runProgram } = await import("../../components/program");
    const outputs: Outputs = await evaluate(runProgram);
    const workerpool = (await promiseOf(outputs.workerpool as unknown as pulumi.Output<WorkerpoolOutput | null>))!;
    await quiet(registrations);
    return { registrations, outputs, workerpool, states: [...mockStates] };
}
type Run = Awaited<ReturnType<typeof run>>;

const byName = (registrations: readonly Registration[], type: string, name: string): Registration => {
    const found = registrations.find((registration) => registration.type === type && registration.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
};
const container = (run: Run, service: string) => byName(run.registrations, CONTAINER, `workerpool-services-${service}`);
const setupOf = (run: Run) => {
    const setups = ofType(run.registrations, DYNAMIC).filter((registration) => "workerpoolRegistry" in registration.inputs);
    expect(setups).toHaveLength(1);
    return setups[0];
};
const dockerEnv = (registration: Registration): Record<string, string> =>
    Object.fromEntries((registration.inputs.envs as string[]).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
const uploadOf = (registration: Registration, file: string) => {
    const upload = (registration.inputs.uploads as { file: string; content: string; permissions: string; owner: string; group: string }[]).find((candidate) => candidate.file === file);
    if (!upload) throw new Error(`${registration.name} uploads no ${file}`);
    return upload;
};
const networksOf = (registration: Registration) => (registration.inputs.networksAdvanced as { name: string }[]).map((network) => network.name);

/** Every string long enough to be key material, inside a secret anywhere in `value` (inputs as sent). */
function secretStrings(value: unknown, inSecret = false, found: Set<string> = new Set()): Set<string> {
    if (typeof value === "string") {
        // A secret envelope may wrap a whole list of uploads: their paths are not secrets.
        if (inSecret && value.length >= 16 && !/^\/[A-Za-z0-9._/-]*$/.test(value)) found.add(value);
    } else if (Array.isArray(value)) {
        for (const item of value) secretStrings(item, inSecret, found);
    } else if (value && typeof value === "object") {
        if (isSecretValue(value)) secretStrings(unwrapSecrets(value), true, found);
        else for (const inner of Object.values(value)) secretStrings(inner, inSecret, found);
    }
    return found;
}

/** The stack's random values as the mocks answered them, every secret any resource was given, and the keystores' parts. */
function stackSecrets(run: Run): string[] {
    const found = new Set<string>();
    for (const state of run.states.filter((candidate) => candidate.type.startsWith("random:"))) {
        for (const field of ["hex", "base64", "result"]) if (typeof state.state[field] === "string") found.add(state.state[field]);
    }
    for (const registration of run.registrations) secretStrings(registration.rawInputs, false, found);
    for (const text of [...found]) {
        if (text.startsWith("0x")) found.add(text.slice(2));
        try {
            const keystore = JSON.parse(text);
            if (keystore?.crypto?.ciphertext) found.add(keystore.crypto.ciphertext);
        } catch {
            // not JSON
        }
    }
    return [...found].filter((text) => text.length >= 16);
}

const WORKERPOOL_SERVICES = [`${CORE}-mongo`, `${ADAPTER}-mongo`, `${RESULT_PROXY}-mongo`, CONFIG, IPFS, ADAPTER, RESULT_PROXY, CORE, WORKER];

// =====================================================================================================================
describe("the dev stack's workerpool on Docker", () => {
    let dev: Run;
    beforeAll(async () => {
        dev = await run("dev", { foreign: {}, bridge: {} });
    });

    test("one container per service, each with its pinned image and health check, data volumes where it keeps data, no host port", () => {
        const imageNames = new Map(dev.states.filter((state) => state.type === "docker:index/remoteImage:RemoteImage").map((state) => [state.state.imageId as string, state.inputs.name as string]));
        const workerpoolContainers = ofType(dev.registrations, CONTAINER).filter((registration) => registration.name.startsWith("workerpool-services-"));
        expect(workerpoolContainers.map((registration) => registration.inputs.hostname).sort()).toEqual([...WORKERPOOL_SERVICES].sort());
        const actuator = (port: number) => ["CMD", "curl", "--fail", "--silent", "--output", "/dev/null", `http://127.0.0.1:${port}/actuator/health`];
        const mongo = { image: "mongo:7.0.15-jammy", health: ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"], data: "/data/db" };
        const expected: Record<string, { image: string; health: string[]; data?: string }> = {
            [`${CORE}-mongo`]: mongo,
            [`${ADAPTER}-mongo`]: mongo,
            [`${RESULT_PROXY}-mongo`]: mongo,
            [CONFIG]: { image: "nginx:1.27.3-alpine", health: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"] },
            [IPFS]: { image: "ipfs/kubo:v0.34.1", health: ["CMD", "ipfs", "--api=/ip4/127.0.0.1/tcp/5001", "dag", "stat", "/ipfs/QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"], data: "/data/ipfs" },
            [ADAPTER]: { image: "iexechub/iexec-blockchain-adapter-api:9.0.5", health: actuator(13010) },
            [RESULT_PROXY]: { image: "iexechub/iexec-result-proxy:9.1.0", health: actuator(13200), data: "/data" },
            [CORE]: { image: "iexechub/iexec-core:9.3.0", health: actuator(13000) },
            [WORKER]: { image: "iexechub/iexec-worker:9.2.0", health: actuator(13100) },
        };
        for (const [service, { image, health, data }] of Object.entries(expected)) {
            const registration = container(dev, service);
            expect([service, imageNames.get(registration.inputs.image)]).toEqual([service, image]);
            expect(registration.inputs.healthcheck.tests).toEqual(health);
            expect(registration.inputs.restart).toBe("unless-stopped");
            expect([service, registration.inputs.ports]).toEqual([service, []]);
            const volumes = (registration.inputs.volumes as { volumeName?: string; containerPath: string }[]).filter((volume) => volume.volumeName !== undefined);
            expect([service, volumes]).toEqual([service, data ? [{ volumeName: `test-${service}-data`, containerPath: data }] : []]);
            if (data) expect(byName(dev.registrations, "docker:index/volume:Volume", `workerpool-services-${service}-data`).inputs.name).toBe(`test-${service}-data`);
        }
    });

    test("each MongoDB is on its own internal network only, shared with its one client; the others on the workerpool's network and the chain's", () => {
        for (const [mongo, client] of Object.entries(MONGOS)) {
            expect(networksOf(container(dev, mongo))).toEqual([`test-${mongo}`]);
            expect(container(dev, mongo).inputs.networksAdvanced).toEqual([{ name: `test-${mongo}`, aliases: [mongo] }]);
            expect(networksOf(container(dev, client))).toEqual(["test-workerpool", `test-${mongo}`, "test-consortium"]);
            const network = ofType(dev.registrations, "docker:index/network:Network").find((candidate) => candidate.inputs.name === `test-${mongo}`)!;
            expect(network.inputs.internal).toBe(true);
            // No other container joins it.
            const members = ofType(dev.registrations, CONTAINER).filter((registration) => networksOf(registration).includes(`test-${mongo}`));
            expect(members.map((registration) => registration.inputs.hostname).sort()).toEqual([client, mongo].sort());
        }
        // IPFS and the chain-config service reach nothing: only on the workerpool's network. The worker reaches the chain.
        for (const service of [CONFIG, IPFS]) expect([service, networksOf(container(dev, service))]).toEqual([service, ["test-workerpool"]]);
        expect(networksOf(container(dev, WORKER))).toEqual(["test-workerpool", "test-consortium"]);
        const group = ofType(dev.registrations, "docker:index/network:Network").find((candidate) => candidate.inputs.name === "test-workerpool")!;
        expect(group.inputs.internal).toBe(true);
    });

    test("every variable an iExec container gets is one its image reads; the key values point at this workerpool and this chain", () => {
        const allowed = allowedNames("docker");
        for (const [service, names] of Object.entries(allowed)) {
            const unknown = Object.keys(dockerEnv(container(dev, service))).filter((name) => !(names as readonly string[]).includes(name));
            expect([service, unknown]).toEqual([service, []]);
        }
        const internalRpc = "http://rpc-node-1:8545";
        const core = dockerEnv(container(dev, CORE));
        expect(core).toMatchObject({
            POOL_ADDRESS: dev.workerpool.address,
            IEXEC_START_BLOCK_NUMBER: String(MOCK_WORKERPOOL_CREATION_BLOCK),
            IEXEC_WORKERS_WHITELIST: dev.workerpool.workers.map((worker) => worker.address.toLowerCase()).join(","),
            IEXEC_BLOCKCHAIN_NODE_ADDRESS: internalRpc,
            IEXEC_CORE_REQUIRED_WORKER_VERSION: "9.2.0",
            IEXEC_CORE_CHAIN_ADAPTER_URL: "http://workerpool-adapter:13010",
            IEXEC_CONFIG_SERVER_URL: "http://workerpool-config:8080",
            IEXEC_RESULT_REPOSITORY_URL: "http://workerpool-result-proxy:13200",
            MONGO_HOST: `${CORE}-mongo`,
            MONGO_PORT: "27017",
        });
        expect(dev.workerpool.address).toBe(MOCK_WORKERPOOL);
        expect(setupOf(dev).inputs.workers).toEqual(dev.workerpool.workers.map((worker) => worker.address));
        const hub = setupOf(dev).inputs.hub;
        for (const service of [ADAPTER, RESULT_PROXY]) {
            expect(dockerEnv(container(dev, service))).toMatchObject({ IEXEC_BLOCKCHAIN_NODE_ADDRESS: internalRpc, IEXEC_IS_SIDECHAIN: "false", IEXEC_HUB_ADDRESS: hub, IEXEC_CHAIN_ID: "65535", IEXEC_BLOCK_TIME: "PT2S" });
        }
        expect(dockerEnv(container(dev, WORKER))).toMatchObject({ POOL_ADDRESS: MOCK_WORKERPOOL, IEXEC_CORE_URL: "http://workerpool-core:13000", IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS: internalRpc, IEXEC_WORKER_NAME: "worker-1" });
        // The gateway or the published URL would be wrong: the middleware's web3j sends no credential, and 127.0.0.1 is the container itself.
        expect(internalRpc).not.toBe(dev.workerpool.sdkChainJson.chains["dev-home-chain"].host);
        for (const service of [CORE, ADAPTER, RESULT_PROXY, WORKER]) expect(BigInt(dockerEnv(container(dev, service)).IEXEC_GAS_PRICE_CAP)).toBeGreaterThan(0n);
        // The chain-config service answers the same chain at GET /config/chain.
        const config = container(dev, CONFIG);
        expect(JSON.parse(uploadOf(config, "/consortium/config/chain.json").content)).toEqual({ chainId: 65535, sidechain: false, chainNodeUrl: internalRpc, iexecHubContractAddress: hub, blockTime: "PT2S" });
        expect(uploadOf(config, "/consortium/config/nginx.conf").content).toContain("location = /config/chain {");
    });

    test("no key, password or keystore of the stack is in any environment, and no variable has a secret's name", () => {
        const secrets = stackSecrets(dev);
        const schedulerPassword = JSON.parse(uploadOf(container(dev, CORE), `${SECRETS_DIR}/application.yml`).content).wallet.password as string;
        // The search covers the workerpool's own secrets.
        expect(secrets).toEqual(expect.arrayContaining([schedulerPassword, uploadOf(container(dev, CORE), `${SECRETS_DIR}/wallet.json`).content, setupOf(dev).inputs.ownerKey]));
        for (const service of WORKERPOOL_SERVICES) {
            const env = dockerEnv(container(dev, service));
            for (const [name, value] of Object.entries(env)) {
                expect([service, name, SECRET_NAME.test(name)]).toEqual([service, name, false]);
                const leaked = secrets.filter((secret) => value === secret || value.includes(secret));
                expect([service, name, leaked]).toEqual([service, name, []]);
            }
        }
    });

    test("core and adapter load one V3 keystore of the scheduler with the password of their secret application.yml; the worker its own", async () => {
        const core = container(dev, CORE);
        const adapter = container(dev, ADAPTER);
        const worker = container(dev, WORKER);
        const coreWallet = uploadOf(core, `${SECRETS_DIR}/wallet.json`);
        const adapterWallet = uploadOf(adapter, `${SECRETS_DIR}/wallet.json`);
        expect(adapterWallet.content).toBe(coreWallet.content);
        expect(JSON.parse(coreWallet.content).version).toBe(3);
        const coreYml = JSON.parse(uploadOf(core, `${SECRETS_DIR}/application.yml`).content);
        const adapterYml = JSON.parse(uploadOf(adapter, `${SECRETS_DIR}/application.yml`).content);
        const scheduler = computeAddress(setupOf(dev).inputs.ownerKey);
        expect(dev.workerpool.scheduler).toBe(scheduler);
        expect((await decryptKeystoreJson(coreWallet.content, coreYml.wallet.password)).address).toBe(scheduler);
        expect((await decryptKeystoreJson(adapterWallet.content, adapterYml.wallet.password)).address).toBe(scheduler);
        // The core authenticates at the adapter with the adapter's own user and password.
        expect(coreYml["blockchain-adapter"].auth.password).toMatch(/^[A-Za-z0-9]{16,}$/);
        expect(coreYml["blockchain-adapter"].auth.password).toBe(adapterYml.spring.security.user.password);
        expect(dockerEnv(core).IEXEC_CORE_CHAIN_ADAPTER_USERNAME).toBe(dockerEnv(adapter).IEXEC_BLOCKCHAIN_ADAPTER_API_USERNAME);
        // The wallet paths the images read, and the folder Spring reads the secret application.yml from.
        expect(dockerEnv(core).IEXEC_CORE_WALLET_PATH).toBe(coreWallet.file);
        expect(dockerEnv(adapter).IEXEC_BLOCKCHAIN_ADAPTER_API_WALLET_PATH).toBe(adapterWallet.file);
        for (const registration of [core, adapter, worker]) expect(dockerEnv(registration).SPRING_CONFIG_ADDITIONAL_LOCATION).toBe(`optional:file:${SECRETS_DIR}/`);

        const workerWallet = uploadOf(worker, `${SECRETS_DIR}/wallet.json`);
        const workerYml = JSON.parse(uploadOf(worker, `${SECRETS_DIR}/application.yml`).content);
        expect(dockerEnv(worker).IEXEC_WORKER_WALLET_PATH).toBe(workerWallet.file);
        expect((await decryptKeystoreJson(workerWallet.content, workerYml.wallet.password)).address).toBe(dev.workerpool.workers[0].address);
        expect(dev.workerpool.workers[0].address).not.toBe(scheduler);

        // appuser (uid unknown) reads its secrets through the group it is given; the worker runs as root.
        for (const registration of [core, adapter]) {
            for (const upload of [uploadOf(registration, `${SECRETS_DIR}/wallet.json`), uploadOf(registration, `${SECRETS_DIR}/application.yml`)]) {
                expect([registration.name, upload.file, upload.permissions, upload.group]).toEqual([registration.name, upload.file, "0440", FILE_GROUP]);
            }
        }
        for (const service of [CORE, ADAPTER, RESULT_PROXY]) expect([service, container(dev, service).inputs.groupAdds]).toEqual([service, [FILE_GROUP]]);
        for (const upload of [workerWallet, uploadOf(worker, `${SECRETS_DIR}/application.yml`)]) expect(upload).toMatchObject({ permissions: "0400", owner: "0", group: "0" });
        // Every secret file's content is a Pulumi secret in what is sent.
        for (const registration of [core, adapter, worker]) {
            const raw = registration.rawInputs.uploads;
            const contents = Array.isArray(raw) ? raw.map((upload: { content: unknown }) => upload.content) : [raw];
            for (const content of contents) expect(isSecretValue(content)).toBe(true);
        }
    });

    test("the worker drives the host's Docker daemon: its socket and the work folder at the same path inside as on the host", () => {
        const worker = container(dev, WORKER);
        const baseDir = "/var/lib/iexec-worker/test";
        expect(worker.inputs.volumes).toEqual([
            { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
            { hostPath: baseDir, containerPath: baseDir },
        ]);
        expect(dockerEnv(worker).IEXEC_WORKER_BASE_DIR).toBe(baseDir);
        expect(dockerEnv(worker).DOCKER_HOST).toBeUndefined();
        // No other container reaches the daemon.
        const withSocket = ofType(dev.registrations, CONTAINER).filter((registration) => JSON.stringify(registration.inputs.volumes ?? []).includes("docker.sock"));
        expect(withSocket.map((registration) => registration.name)).toEqual([worker.name]);
    });

    test("the workerpool output: its address, accounts, URLs, orders, EIP-712 domain and the SDK's chain.json", async () => {
        const poco = (await promiseOf(dev.outputs.poco as unknown as pulumi.Output<{ addresses: { diamond: string } }>)).addresses;
        const rpcUrl = await promiseOf(dev.outputs.rpcUrl);
        const chainId = await promiseOf(dev.outputs.chainId as unknown as pulumi.Output<number>);
        const setup = setupOf(dev);
        expect(dev.workerpool).toEqual({
            address: MOCK_WORKERPOOL,
            org: "dev",
            scheduler: computeAddress(setup.inputs.ownerKey),
            workers: [{ name: "worker-1", address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), org: "dev" }],
            coreUrl: "http://workerpool-core:13000",
            resultProxyUrl: "http://workerpool-result-proxy:13200",
            ipfsGatewayUrl: "http://workerpool-ipfs:8080",
            // What the set-up resource reported, passed through.
            orders: mockStates.find((entry) => entry.type === DYNAMIC && entry.name === "workerpool-setup")!.state.published,
            domain: { name: "iExecODB", version: "5.0.0", chainId, verifyingContract: poco.diamond },
            sdkChainJson: { default: "dev-home-chain", chains: { "dev-home-chain": { id: String(chainId), host: rpcUrl, hub: poco.diamond } } },
        });
        expect(chainId).toBe(65535);
        expect(setup.inputs.hub).toBe(poco.diamond);
        // The dev stack's default order: category 0 (XS), free, one contribution.
        expect(setup.inputs.orders).toEqual([{ category: 0, price: "0", volume: "1000000", trust: 1 }]);
        expect(setup.inputs.description).toBe("dev consortium workerpool");
        expect(isSecretValue(setup.rawInputs.ownerKey)).toBe(true);
        expect(isSecretValue(setup.rawInputs.adminKey)).toBe(true);
    });
});

// =====================================================================================================================
const PERMISSIONING = {
    admins: ["0x8ba1f109551bD432803012645Ac136ddd64DBA72"],
    transactors: ["0x9858EfFD232B4033E47d90003D41EC34EcaEda94"],
    rpc: { readers: ["dev"] },
};

describe("a permissioned dev stack whose workerpool has two workers and priced orders in two categories", () => {
    let priced: Run;
    beforeAll(async () => {
        priced = await run("dev", {
            foreign: {},
            bridge: {},
            permissioning: PERMISSIONING,
            workerpool: {
                description: "priced pool",
                org: "dev",
                workers: [
                    { name: "worker-1", org: "dev", parallelTasks: 2 },
                    { name: "worker-2", org: "ops" },
                ],
                orders: { price: "0.5", volume: 10, trust: 3, categories: ["XS", "M"] },
                stakes: { scheduler: "100", worker: "10" },
            },
        });
    });

    test("the scheduler and every worker get the transactor role in the permissions' desired roles", () => {
        const permissions = byName(priced.registrations, DYNAMIC, "consortium-permissions");
        const roles = permissions.inputs.desired.roles as Record<string, number>;
        const accounts = [priced.workerpool.scheduler, ...priced.workerpool.workers.map((worker) => worker.address)];
        expect(new Set(accounts).size).toBe(3);
        for (const account of accounts) expect([account, roles[account]]).toEqual([account, ROLES.transactor]);
    });

    test("the set-up gets one order per configured category with the configured price (nRLC), volume and trust", () => {
        const setup = setupOf(priced);
        expect(setup.inputs.orders).toEqual([
            { category: 0, price: "500000000", volume: "10", trust: 3 },
            { category: 2, price: "500000000", volume: "10", trust: 3 },
        ]);
        expect(setup.inputs.stakes).toEqual({ scheduler: (100n * 10n ** 9n).toString(), worker: (10n * 10n ** 9n).toString() });
        expect(setup.inputs.workers).toEqual(priced.workerpool.workers.map((worker) => worker.address));
        expect(priced.workerpool.workers.map((worker) => [worker.name, worker.org])).toEqual([
            ["worker-1", "dev"],
            ["worker-2", "ops"],
        ]);
        expect(priced.workerpool.orders.map((order) => [order.category, order.order.workerpoolprice, order.order.volume, order.order.trust])).toEqual([
            [0, "500000000", "10", "3"],
            [2, "500000000", "10", "3"],
        ]);
    });

    test("one container per worker, each with its own keystore, and the core admits exactly these workers", async () => {
        const core = dockerEnv(container(priced, CORE));
        expect(core.IEXEC_WORKERS_WHITELIST).toBe(priced.workerpool.workers.map((worker) => worker.address.toLowerCase()).join(","));
        for (const worker of priced.workerpool.workers) {
            const registration = container(priced, `workerpool-worker-${worker.name}`);
            const yml = JSON.parse(uploadOf(registration, `${SECRETS_DIR}/application.yml`).content);
            expect((await decryptKeystoreJson(uploadOf(registration, `${SECRETS_DIR}/wallet.json`).content, yml.wallet.password)).address).toBe(worker.address);
        }
        expect(dockerEnv(container(priced, "workerpool-worker-worker-1")).IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT).toBe("2");
    });
});

// =====================================================================================================================
const NAMESPACE = "acme-consortium";
const acmeWorkerpool = (mode: "dind" | "node-socket") => ({
    poco: { admin: "generated" },
    workerpool: { description: "acme workerpool", org: "acme", workers: [{ name: "worker-1", org: "globex" }], docker: { kubernetes: mode } },
});

const workloadOf = (run: Run, name: string) => {
    const found = run.registrations.find((registration) => (registration.type === DEPLOYMENT || registration.type === STATEFUL_SET) && registration.inputs.metadata?.name === name);
    if (!found) throw new Error(`no Deployment or StatefulSet named ${name}`);
    return found;
};
const podSpec = (run: Run, name: string) => workloadOf(run, name).inputs.spec.template.spec;
const mainContainer = (run: Run, name: string) => podSpec(run, name).containers[0];
const kubernetesEnv = (run: Run, name: string): Record<string, string> =>
    Object.fromEntries((mainContainer(run, name).env as { name: string; value: string }[]).map((entry) => [entry.name, entry.value]));
const podOf = (run: Run, name: string): Pod => ({ namespace: NAMESPACE, labels: workloadOf(run, name).inputs.spec.template.metadata.labels });
const policiesOf = (run: Run): NetworkPolicy[] => ofType(run.registrations, NETWORK_POLICY).map((registration) => registration.inputs as NetworkPolicy);
/** The policies as they restrict ingress alone: whether a pod's ingress admits a peer, whatever the peer's egress. */
const ingressOnly = (policies: NetworkPolicy[]): NetworkPolicy[] =>
    policies
        .filter((policy) => (policy.spec.policyTypes ?? ["Ingress"]).includes("Ingress"))
        .map((policy) => ({ ...policy, spec: { podSelector: policy.spec.podSelector, policyTypes: ["Ingress"], ...(policy.spec.ingress ? { ingress: policy.spec.ingress } : {}) } }));

/** Every container (and init container) of every pod template of the stack, with its pod's name. */
function allContainers(run: Run): { pod: string; name: string; securityContext?: { privileged?: boolean } }[] {
    return run.registrations
        .filter((registration) => [DEPLOYMENT, STATEFUL_SET, "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job"].includes(registration.type))
        .flatMap((registration) => {
            const spec = registration.inputs.spec.template.spec;
            return [...(spec.initContainers ?? []), ...spec.containers].map((entry: { name: string; securityContext?: { privileged?: boolean } }) => ({ pod: registration.inputs.metadata.name, ...entry }));
        });
}

describe("acme-prod with a workerpool on Kubernetes, workers on Docker-in-Docker", () => {
    let acme: Run;
    beforeAll(async () => {
        acme = await run("acme-prod", acmeWorkerpool("dind"));
    });

    test("a StatefulSet for each service that keeps data, a Deployment for the others, in the consortium's namespace", () => {
        const statefulSets = [`${CORE}-mongo`, `${ADAPTER}-mongo`, `${RESULT_PROXY}-mongo`, IPFS, RESULT_PROXY];
        for (const name of WORKERPOOL_SERVICES) {
            const workload = workloadOf(acme, name);
            expect([name, workload.type]).toEqual([name, statefulSets.includes(name) ? STATEFUL_SET : DEPLOYMENT]);
            expect(workload.inputs.metadata.namespace).toBe(NAMESPACE);
            expect(workload.inputs.spec.replicas).toBe(1);
        }
        expect(mainContainer(acme, CORE).image).toBe("iexechub/iexec-core:9.3.0");
        expect(mainContainer(acme, WORKER).image).toBe("iexechub/iexec-worker:9.2.0");
        expect(mainContainer(acme, `${CORE}-mongo`).volumeMounts).toEqual(expect.arrayContaining([{ name: "data", mountPath: "/data/db" }]));
        expect(mainContainer(acme, IPFS).volumeMounts).toEqual(expect.arrayContaining([{ name: "data", mountPath: "/data/ipfs" }]));
        expect(mainContainer(acme, RESULT_PROXY).volumeMounts).toEqual(expect.arrayContaining([{ name: "data", mountPath: "/data" }]));
    });

    test("the worker pod has a privileged dind sidecar, the only privileged container of the stack, sharing the socket and work folder", () => {
        const spec = podSpec(acme, WORKER);
        const baseDir = "/var/lib/iexec-worker/test";
        expect(spec.containers.map((entry: { name: string }) => entry.name)).toEqual(["workerpool-worker", "dind"]);
        const [worker, dind] = spec.containers;
        expect(dind.image).toBe("docker:27.5.1-dind");
        expect(dind.securityContext).toEqual({ privileged: true });
        const privileged = allContainers(acme).filter((entry) => entry.securityContext?.privileged === true);
        expect(privileged.map((entry) => `${entry.pod}/${entry.name}`)).toEqual([`${WORKER}/dind`]);
        // The daemon listens on a unix socket only (its entrypoint adds tcp://0.0.0.0:2375 unless dockerd comes first).
        expect(dind.command.slice(0, 2)).toEqual(["dockerd-entrypoint.sh", "dockerd"]);
        expect(dind.command).toContain("--host=unix:///var/run/dind/docker.sock");
        expect(JSON.stringify([dind.command, dind.args ?? []])).not.toMatch(/tcp:/);
        expect(dind.env).toEqual([{ name: "DOCKER_TLS_CERTDIR", value: "" }]);
        expect(kubernetesEnv(acme, WORKER).DOCKER_HOST).toBe("unix:///var/run/dind/docker.sock");
        expect(kubernetesEnv(acme, WORKER).IEXEC_WORKER_BASE_DIR).toBe(baseDir);
        // One emptyDir for the socket, one for the work folder, mounted at the same paths in both containers.
        const volumes = Object.fromEntries(spec.volumes.map((volume: { name: string }) => [volume.name, volume]));
        expect(volumes["docker-socket"]).toEqual({ name: "docker-socket", emptyDir: {} });
        expect(volumes["docker-work"]).toEqual({ name: "docker-work", emptyDir: {} });
        for (const entry of [worker, dind]) {
            expect(entry.volumeMounts).toEqual(expect.arrayContaining([{ name: "docker-socket", mountPath: "/var/run/dind" }, { name: "docker-work", mountPath: baseDir }]));
        }
        expect(JSON.stringify(spec.volumes)).not.toContain("hostPath");
        expect(worker.securityContext.privileged).toBeUndefined();
    });

    test("the worker's Deployment and every NetworkPolicy validate against the Kubernetes schema", () => {
        expect(() => validateKubernetesObject(workloadOf(acme, WORKER).inputs)).not.toThrow();
        const policies = ofType(acme.registrations, NETWORK_POLICY);
        expect(policies.length).toBeGreaterThan(10);
        for (const policy of policies) expect(() => validateKubernetesObject(policy.inputs)).not.toThrow();
    });

    test("the core's liveness is a TCP connect: its health turns OUT_OF_SERVICE with a stale chain, which is a readiness signal", () => {
        const [container] = byName(acme.registrations, DEPLOYMENT, `workerpool-services-${CORE}`).inputs.spec.template.spec.containers;
        expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 13000 } });
        expect(container.readinessProbe.exec.command).toEqual(["curl", "--fail", "--silent", "--output", "/dev/null", "http://127.0.0.1:13000/actuator/health"]);
    });

    test("core, adapter and result proxy pods give their files and data to group 10001 (fsGroup)", () => {
        for (const name of [CORE, ADAPTER, RESULT_PROXY]) expect([name, podSpec(acme, name).securityContext?.fsGroup]).toEqual([name, 10001]);
        expect(podSpec(acme, WORKER).securityContext?.fsGroup).toBeUndefined();
    });

    test("every variable an iExec container gets is one its image reads, DOCKER_HOST for the worker; the chain is its internal RPC node", () => {
        const allowed = allowedNames("kubernetes");
        for (const [service, names] of Object.entries(allowed)) {
            const unknown = Object.keys(kubernetesEnv(acme, service)).filter((name) => !(names as readonly string[]).includes(name));
            expect([service, unknown]).toEqual([service, []]);
        }
        const internalRpc = `http://rpc-node-1.${NAMESPACE}.svc:8545`;
        expect(kubernetesEnv(acme, CORE)).toMatchObject({ IEXEC_BLOCKCHAIN_NODE_ADDRESS: internalRpc, POOL_ADDRESS: MOCK_WORKERPOOL, IEXEC_START_BLOCK_NUMBER: String(MOCK_WORKERPOOL_CREATION_BLOCK) });
        for (const service of [ADAPTER, RESULT_PROXY]) expect(kubernetesEnv(acme, service)).toMatchObject({ IEXEC_BLOCKCHAIN_NODE_ADDRESS: internalRpc, IEXEC_IS_SIDECHAIN: "false", IEXEC_CHAIN_ID: "4242" });
        const secrets = stackSecrets(acme);
        const coreKeys = ofType(acme.registrations, "kubernetes:core/v1:Secret").find((secret) => secret.inputs.metadata.name === `${CORE}-keys`)!;
        expect(isSecretValue(coreKeys.rawInputs.stringData)).toBe(true);
        const coreYml = JSON.parse(coreKeys.inputs.stringData["application.yml"]);
        expect(secrets).toEqual(expect.arrayContaining([coreYml.wallet.password, coreYml["blockchain-adapter"].auth.password, coreKeys.inputs.stringData["wallet.json"]]));
        for (const service of WORKERPOOL_SERVICES) {
            for (const [name, value] of Object.entries(kubernetesEnv(acme, service))) {
                expect([service, name, SECRET_NAME.test(name)]).toEqual([service, name, false]);
                expect([service, name, secrets.filter((secret) => value.includes(secret))]).toEqual([service, name, []]);
            }
        }
    });

    test("each MongoDB admits only its one client's pods, on 27017", () => {
        const policies = policiesOf(acme);
        const others = [...WORKERPOOL_SERVICES, "rpc-node-1", "acme-1"];
        for (const [mongo, client] of Object.entries(MONGOS)) {
            const privatePolicy = policies.find((policy) => policy.metadata.name === `${mongo}-private`)!;
            expect(privatePolicy.spec).toEqual({
                podSelector: { matchLabels: { "app.kubernetes.io/name": mongo, "app.kubernetes.io/part-of": "test" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": client, "app.kubernetes.io/part-of": "test" } } }], ports: [{ port: 27017, protocol: "TCP" }] }],
            });
            expect([mongo, client, allows(policies, podOf(acme, client), podOf(acme, mongo), { port: 27017 })]).toEqual([mongo, client, true]);
            for (const other of others.filter((name) => name !== client && name !== mongo)) {
                expect([mongo, other, allows(ingressOnly(policies), podOf(acme, other), podOf(acme, mongo), { port: 27017 })]).toEqual([mongo, other, false]);
            }
            expect(allows(ingressOnly(policies), { ip: "203.0.113.9" }, podOf(acme, mongo), { port: 27017 })).toBe(false);
        }
    });

    test("the core reaches the chain's RPC nodes, its MongoDB and its group, nothing else; the group's policy admits the group", () => {
        const policies = policiesOf(acme);
        const core = podOf(acme, CORE);
        expect(allows(policies, core, podOf(acme, "rpc-node-1"), { port: 8545 })).toBe(true);
        expect(allows(policies, core, podOf(acme, "rpc-node-2"), { port: 8545 })).toBe(true);
        expect(allows(policies, core, podOf(acme, `${CORE}-mongo`), { port: 27017 })).toBe(true);
        expect(allows(policies, core, podOf(acme, ADAPTER), { port: 13010 })).toBe(true);
        expect(allows(policies, core, podOf(acme, CONFIG), { port: 8080 })).toBe(true);
        expect(allows(policies, core, podOf(acme, RESULT_PROXY), { port: 13200 })).toBe(true);
        expect(allows(policies, core, podOf(acme, `${ADAPTER}-mongo`), { port: 27017 })).toBe(false);
        expect(allows(policies, core, podOf(acme, "acme-1"), { port: 30303 })).toBe(false);
        expect(allows(policies, core, { ip: "203.0.113.9" }, { port: 443 })).toBe(false);
        // The worker reaches the core, the chain and registries, not the databases.
        const worker = podOf(acme, WORKER);
        expect(allows(policies, worker, podOf(acme, CORE), { port: 13000 })).toBe(true);
        expect(allows(policies, worker, podOf(acme, "rpc-node-1"), { port: 8545 })).toBe(true);
        expect(allows(policies, worker, { ip: "203.0.113.9" }, { port: 443 })).toBe(true);
        expect(allows(policies, worker, podOf(acme, `${CORE}-mongo`), { port: 27017 })).toBe(false);
        // Its tasks share its network (dind): of the group, only the ports a worker calls; not the IPFS API nor the adapter.
        expect(allows(policies, worker, podOf(acme, RESULT_PROXY), { port: 13200 })).toBe(true);
        expect(allows(policies, worker, podOf(acme, CONFIG), { port: 8080 })).toBe(true);
        expect(allows(policies, worker, podOf(acme, IPFS), { port: 5001 })).toBe(false);
        expect(allows(policies, worker, podOf(acme, ADAPTER), { port: 13010 })).toBe(false);
        expect(allows(policies, worker, podOf(acme, CORE), { port: 13010 })).toBe(false);
        const group = policies.find((policy) => policy.metadata.name === "workerpool-internal")!;
        const groupSelector = { matchLabels: { "consortium.iex.ec/group": "workerpool", "app.kubernetes.io/part-of": "test" } };
        expect(group.spec).toEqual({ podSelector: groupSelector, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: groupSelector }] }] });
        for (const name of [CORE, ADAPTER, RESULT_PROXY, IPFS, CONFIG, WORKER]) expect(podOf(acme, name).labels["consortium.iex.ec/group"]).toBe("workerpool");
        for (const mongo of Object.keys(MONGOS)) expect(podOf(acme, mongo).labels["consortium.iex.ec/group"]).toBeUndefined();
    });

    test("on the permissioned chain the scheduler and the worker get the transactor role", () => {
        const roles = byName(acme.registrations, DYNAMIC, "consortium-permissions").inputs.desired.roles as Record<string, number>;
        for (const account of [acme.workerpool.scheduler, ...acme.workerpool.workers.map((worker) => worker.address)]) expect([account, roles[account]]).toEqual([account, ROLES.transactor]);
    });

    test("the workerpool output names the services in the namespace, the chain and its public URL", async () => {
        const rpcUrl = await promiseOf(acme.outputs.rpcUrl);
        expect(acme.workerpool).toMatchObject({
            coreUrl: `http://workerpool-core.${NAMESPACE}.svc:13000`,
            resultProxyUrl: `http://workerpool-result-proxy.${NAMESPACE}.svc:13200`,
            ipfsGatewayUrl: `http://workerpool-ipfs.${NAMESPACE}.svc:8080`,
            workers: [{ name: "worker-1", address: expect.stringMatching(/^0x/), org: "globex" }],
            domain: { name: "iExecODB", version: "5.0.0", chainId: 4242, verifyingContract: setupOf(acme).inputs.hub },
            sdkChainJson: { default: "ACME-CONSORTIUM", chains: { "ACME-CONSORTIUM": { id: "4242", host: rpcUrl, hub: setupOf(acme).inputs.hub } } },
        });
    });
});

describe("acme-prod with workers on the nodes' Docker socket", () => {
    let acme: Run;
    beforeAll(async () => {
        acme = await run("acme-prod", acmeWorkerpool("node-socket"));
    });

    test("the worker mounts the node's socket (type Socket) and work folder (hostPath), without a sidecar; nothing is privileged", () => {
        const spec = podSpec(acme, WORKER);
        const baseDir = "/var/lib/iexec-worker/test";
        expect(spec.containers).toHaveLength(1);
        const volumes = Object.fromEntries(spec.volumes.map((volume: { name: string }) => [volume.name, volume]));
        expect(volumes["docker-socket"]).toEqual({ name: "docker-socket", hostPath: { path: "/var/run/docker.sock", type: "Socket" } });
        expect(volumes["docker-work"]).toEqual({ name: "docker-work", hostPath: { path: baseDir, type: "DirectoryOrCreate" } });
        expect(spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([{ name: "docker-socket", mountPath: "/var/run/docker.sock" }, { name: "docker-work", mountPath: baseDir }]));
        expect(kubernetesEnv(acme, WORKER).DOCKER_HOST).toBe("unix:///var/run/docker.sock");
        expect(kubernetesEnv(acme, WORKER).IEXEC_WORKER_BASE_DIR).toBe(baseDir);
        expect(allContainers(acme).filter((entry) => entry.securityContext?.privileged === true)).toEqual([]);
        expect(() => validateKubernetesObject(workloadOf(acme, WORKER).inputs)).not.toThrow();
    });
});
