import { rabbitmqConfig } from "../../components/bridge/workloads";
import { computeAddress } from "ethers";
import { DEV_ADMIN_KEY, evaluate, installMocks, isSecretValue, ofType, promiseOf, settle, useDevStack, useStackConfig, type Registration } from "../helpers/pulumiMocks";
import { ERC_TO_ERC_VARIABLES } from "../fixtures/tokenbridgeLoadEnv";
import { validateKubernetesObject } from "../helpers/kubernetesSchema";

const CONTAINER = "docker:index/container:Container";
type Outputs = ReturnType<typeof import("../../components/program").runProgram>;


const envOf = (registration: Registration): Record<string, string> => Object.fromEntries((registration.inputs.envs as string[]).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
const byName = (registrations: Registration[], type: string, name: string) => {
    const found = registrations.find((registration) => registration.type === type && registration.name === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found;
};

async function runDocker(overrides: Record<string, unknown> = {}) {
    const registrations = await installMocks();
    useDevStack(overrides);
    const { runProgram } = await import("../../components/program");
    const outputs: Outputs = await evaluate(runProgram);
    const bridge = await promiseOf(outputs.bridge);
    const foreignChain = await promiseOf(outputs.foreignChain);
    const specs = { home: JSON.parse(await promiseOf(outputs.chainSpec)) };
    await settle();
    return { registrations, outputs, bridge: bridge!, foreignChain: foreignChain!, specs };
}

describe("the dev stack's bridge on Docker", () => {
    let run: Awaited<ReturnType<typeof runDocker>>;
    beforeAll(async () => {
        run = await runDocker();
    });

    test("a local foreign chain from the same components: one authority and its RPC node on their own network and ports, its own RLC", () => {
        const foreignNode = byName(run.registrations, CONTAINER, "foreign-chain-docker-foreign-authority");
        expect(foreignNode.inputs.networksAdvanced).toEqual([{ name: "test-foreign-consortium", aliases: ["foreign-authority"] }]);
        expect(foreignNode.inputs.ports).toEqual([]);
        const foreignRpcNode = byName(run.registrations, CONTAINER, "foreign-chain-docker-foreign-authority-rpc");
        expect(foreignRpcNode.inputs.networksAdvanced).toEqual([{ name: "test-foreign-consortium", aliases: ["foreign-authority-rpc"] }]);
        expect(foreignRpcNode.inputs.ports.map((port: { external: number }) => port.external)).toEqual([9545, 9546]);
        expect(run.foreignChain.chainId).toBe(65536);
        expect(run.foreignChain.rpcUrl).toBe("http://127.0.0.1:9545");
        const pocos = ofType(run.registrations, "pulumi-nodejs:dynamic:Resource").filter((registration) => registration.name.endsWith("-poco-contracts"));
        expect(pocos.map((registration) => [registration.name, registration.inputs.plan.chainId, registration.inputs.rpcUrl])).toEqual([
            ["consortium-poco-contracts", 65535, "http://127.0.0.1:8545"],
            ["foreign-chain-poco-contracts", 65536, "http://127.0.0.1:9545"],
        ]);
    });

    test("genesis funds the validators and the deployer on the home chain, the deployer on the foreign chain", () => {
        const validator = run.bridge.validators[0];
        expect(run.bridge.validators).toEqual([{ name: "dev", address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), runByThisStack: true }]);
        expect(Object.keys(run.specs.home.accounts)).toEqual(expect.arrayContaining([validator.address, run.bridge.deployer]));
        expect(run.specs.home.accounts[validator.address].balance).toBe((100n * 10n ** 18n).toString());
        const foreignLock = byName(run.registrations, "pulumi-nodejs:dynamic:Resource", "foreign-chain-genesis");
        expect(foreignLock).toBeDefined();
        const foreignNode = byName(run.registrations, CONTAINER, "foreign-chain-docker-foreign-authority");
        const foreignSpec = JSON.parse(foreignNode.inputs.uploads.find((upload: { file: string }) => upload.file.endsWith("spec.json")).content);
        expect(Object.keys(foreignSpec.accounts)).toContain(run.bridge.deployer);
        expect(Object.keys(foreignSpec.accounts)).not.toContain(validator.address);
    });

    test("the contracts job runs the pinned image once, with the complete ERC_TO_ERC environment and the key only as a secret file", () => {
        const job = byName(run.registrations, CONTAINER, "bridge-job-bridge-contracts");
        const env = envOf(job);
        expect(Object.keys(env).sort()).toEqual([...ERC_TO_ERC_VARIABLES].sort());
        expect(env).toMatchObject({
            BRIDGE_MODE: "ERC_TO_ERC",
            HOME_RPC_URL: "http://rpc-node-1:8545",
            FOREIGN_RPC_URL: "http://foreign-authority-rpc:8545",
            ERC20_TOKEN_ADDRESS: run.foreignChain.rlc,
            VALIDATORS: run.bridge.validators[0].address,
            REQUIRED_NUMBER_OF_VALIDATORS: "1",
            HOME_BRIDGE_OWNER: run.bridge.deployer,
            HOME_MIN_AMOUNT_PER_TX: "500000000",
        });
        expect(job.inputs).toMatchObject({ attach: true, logs: true, mustRun: false, restart: "no" });
        expect(job.inputs.networksAdvanced).toEqual([{ name: "test-consortium" }, { name: "test-foreign-consortium" }]);
        expect(job.opts.ignoreChanges).toEqual(expect.arrayContaining(["envs", "image", "entrypoints"]));
        const [keyFile] = job.inputs.uploads;
        expect(keyFile).toMatchObject({ file: "/consortium/secrets/deployer.key", permissions: "0400" });
        expect(computeAddress(`0x${keyFile.content}`)).toBe(run.bridge.deployer);
        expect(isSecretValue(job.rawInputs.uploads[0]?.content ?? job.rawInputs.uploads)).toBe(true);
        expect(JSON.stringify(job.inputs.envs)).not.toContain(keyFile.content);
        expect(job.inputs.entrypoints.join(" ")).toContain('DEPLOYMENT_ACCOUNT_PRIVATE_KEY="$(cat /consortium/secrets/deployer.key)"');
    });

    test("the bridge addresses come from the contracts resource, which reads the job's logs after it ran", () => {
        const contracts = byName(run.registrations, "pulumi-nodejs:dynamic:Resource", "bridge-contracts");
        const job = byName(run.registrations, CONTAINER, "bridge-job-bridge-contracts");
        expect(contracts.inputs.job).toEqual({ name: "test-bridge-contracts", output: job.inputs.containerLogs ?? "", ...(job.inputs.exitCode === undefined ? {} : { exitCode: job.inputs.exitCode }) });
        // What the bridge found must be initialised with: this stack's validators, signatures, token and decimals.
        expect(contracts.inputs.expected).toEqual({ validators: [run.bridge.validators[0].address], requiredSignatures: 1, foreignToken: run.foreignChain.rlc, decimals: 9 });
        expect(contracts.inputs.attempt).toBe(1);
        expect(contracts.opts.dependsOn).toBeDefined();
        expect(run.bridge.contracts).toEqual({
            homeBridge: expect.stringMatching(/^0x/),
            foreignBridge: expect.stringMatching(/^0x/),
            erc677Token: expect.stringMatching(/^0x/),
            homeDeployedBlock: 42,
            foreignDeployedBlock: 24,
        });
        const preparation = byName(run.registrations, "pulumi-nodejs:dynamic:Resource", "bridge-preparation");
        expect(preparation.inputs.foreignTopUps).toEqual([{ address: run.bridge.validators[0].address, amount: (10n * 10n ** 18n).toString() }]);
        expect(isSecretValue(preparation.rawInputs.deployerKey)).toBe(true);
    });

    test("the validator runs its own RabbitMQ and Redis with persistent volumes and the six oracle processes, all restarted unless stopped", () => {
        const names = ofType(run.registrations, CONTAINER).map((container) => container.inputs.hostname).filter((name) => name?.startsWith("bridge-dev-"));
        expect(names.sort()).toEqual(
            ["rabbitmq", "redis", "request", "collected", "affirmation", "transfer", "senderhome", "senderforeign"].map((part) => `bridge-dev-${part}`).sort(),
        );
        const rabbit = byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-rabbitmq");
        expect(rabbit.inputs.volumes).toEqual([{ volumeName: "test-bridge-dev-rabbitmq-data", containerPath: "/var/lib/rabbitmq" }]);
        expect(rabbit.inputs.healthcheck.tests).toEqual(["CMD", "rabbitmq-diagnostics", "-q", "ping"]);
        const redis = byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-redis");
        expect(redis.inputs.entrypoints).toEqual(["docker-entrypoint.sh", "redis-server", "/consortium/secrets/redis.conf"]);
        for (const name of names) {
            const container = byName(run.registrations, CONTAINER, `bridge-agents-${name}`);
            expect(container.inputs.restart).toBe("unless-stopped");
            // The queue and the database are on the validator's own internal network only; its oracle processes also on the chains'.
            const queueOrDatabase = name.endsWith("-rabbitmq") || name.endsWith("-redis");
            expect(container.inputs.networksAdvanced.map((network: { name: string }) => network.name)).toEqual(
                queueOrDatabase ? ["test-bridge-dev"] : ["test-bridge-dev", "test-consortium", "test-foreign-consortium"],
            );
        }
        const network = ofType(run.registrations, "docker:index/network:Network").find((candidate) => candidate.inputs.name === "test-bridge-dev")!;
        expect(network.inputs.internal).toBe(true);
    });

    test("RabbitMQ and Redis require the validator's generated passwords, which reach every process only as secret files", () => {
        const rabbit = byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-rabbitmq");
        const redis = byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-redis");
        const request = byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-request");
        const fileOf = (container: Registration, suffix: string) => container.inputs.uploads.find((upload: { file: string }) => upload.file.endsWith(suffix));
        const queuePassword: string = fileOf(request, "queue.password").content;
        const redisPassword: string = fileOf(request, "redis.password").content;
        expect(queuePassword).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(redisPassword).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(fileOf(rabbit, "30-consortium.conf").content).toBe(rabbitmqConfig(queuePassword));
        expect(fileOf(rabbit, "30-consortium.conf").content).toContain("loopback_users.guest = true");
        expect(fileOf(redis, "redis.conf").content).toContain(`requirepass ${redisPassword}`);
        for (const container of [rabbit, redis, request]) {
            for (const upload of container.inputs.uploads.filter((file: { file: string }) => /password|conf|definitions/.test(file.file))) expect(upload.permissions).toBe("0400");
            expect(JSON.stringify(container.inputs.envs ?? [])).not.toContain(queuePassword);
            expect(JSON.stringify(container.inputs.envs ?? [])).not.toContain(redisPassword);
        }
        // Each image's user owns its secret files: rabbitmq 100:101, redis 999:1000 (the Alpine images).
        expect(rabbit.inputs.user).toBe("100:101");
        expect(redis.inputs.user).toBe("999:1000");
        expect(fileOf(rabbit, "30-consortium.conf").owner).toBe("100");
        // The oracle builds its queue and database URLs from the files when it starts.
        expect(request.inputs.entrypoints[2]).toContain("ORACLE_QUEUE_URL=\"amqp://bridge:$(cat /consortium/secrets/queue.password)@bridge-dev-rabbitmq\"");
        expect(request.inputs.entrypoints[2]).toContain("ORACLE_REDIS_URL=\"redis://:$(cat /consortium/secrets/redis.password)@bridge-dev-redis:6379\"");
    });

    test("oracle processes point at the deployed bridges, their own queue and database, from the deployed blocks on", () => {
        const request = envOf(byName(run.registrations, CONTAINER, "bridge-agents-bridge-dev-request"));
        expect(request).toMatchObject({
            ORACLE_BRIDGE_MODE: "ERC_TO_ERC",
            COMMON_HOME_BRIDGE_ADDRESS: run.bridge.contracts.homeBridge,
            COMMON_FOREIGN_BRIDGE_ADDRESS: run.bridge.contracts.foreignBridge,
            COMMON_HOME_RPC_URL: "http://rpc-node-1:8545",
            COMMON_FOREIGN_RPC_URL: "http://foreign-authority-rpc:8545",
            ORACLE_HOME_START_BLOCK: "42",
            ORACLE_FOREIGN_START_BLOCK: "24",
        });
        const agents = ofType(run.registrations, "consortium:platform:DockerServices").filter((services) => services.name === "bridge-agents");
        expect(agents).toHaveLength(1);
        expect(agents[0].opts.dependsOn).toBeDefined();
    });
});

describe("a validator's key reaches only its own signing agents", () => {
    test("with two generated validators and one run by another member", async () => {
        const other = "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb";
        const run = await runDocker({ bridge: { validators: [{ name: "alice" }, { name: "bob" }, { name: "carol", address: other }], requiredSignatures: 2 } });
        const validators = Object.fromEntries(run.bridge.validators.map((validator) => [validator.name, validator]));
        expect(validators.carol).toEqual({ name: "carol", address: other, runByThisStack: false });
        const job = byName(run.registrations, CONTAINER, "bridge-job-bridge-contracts");
        expect(envOf(job).VALIDATORS).toBe([validators.alice.address, validators.bob.address, other].join(" "));
        const agents = ofType(run.registrations, CONTAINER).filter((container) => container.inputs.hostname?.startsWith("bridge-"));
        expect(agents.some((container) => container.inputs.hostname.startsWith("bridge-carol-"))).toBe(false);
        for (const validator of ["alice", "bob"]) {
            for (const container of agents.filter((candidate) => candidate.inputs.hostname.startsWith(`bridge-${validator}-`))) {
                const keys = container.inputs.uploads.filter((upload: { file: string }) => upload.file.endsWith("validator.key"));
                const signs = ["request", "senderhome", "senderforeign"].some((part) => container.inputs.hostname === `bridge-${validator}-${part}`);
                expect(keys).toHaveLength(signs ? 1 : 0);
                if (signs) {
                    expect(computeAddress(`0x${keys[0].content}`)).toBe(validators[validator].address);
                    expect(keys[0].permissions).toBe("0400");
                    expect(JSON.stringify(container.inputs.envs)).not.toContain(keys[0].content);
                    expect(envOf(container)).not.toHaveProperty("ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY");
                } else {
                    expect(envOf(container).ORACLE_VALIDATOR_ADDRESS ?? validators[validator].address).toBe(validators[validator].address);
                }
            }
        }
    });
});

describe("running the contracts job again (bridge.deployment.attempt)", () => {
    test("a raised attempt is a new job under a new name, and the bridge is found again from it", async () => {
        const run = await runDocker({ bridge: { deployment: { attempt: 2 } } });
        const job = byName(run.registrations, CONTAINER, "bridge-job-bridge-contracts-2");
        expect(job.inputs.name).toBe("test-bridge-contracts-2");
        expect(job.inputs.entrypoints.join(" ")).toContain("set bridge.deployment.attempt to 3");
        expect(run.registrations.filter((registration) => registration.name === "bridge-job-bridge-contracts")).toEqual([]);
        const contracts = byName(run.registrations, "pulumi-nodejs:dynamic:Resource", "bridge-contracts");
        expect(contracts.inputs).toMatchObject({ attempt: 2, job: { name: "test-bridge-contracts-2" } });
        expect(byName(run.registrations, "pulumi-nodejs:dynamic:Resource", "bridge-preparation").inputs.attempt).toBe(2);
    });
});

describe("the bridge UI", () => {
    test("gets the bridges and the public RPC URLs, published on its host port", async () => {
        const run = await runDocker({ bridge: { ui: { image: "registry.example/tokenbridge-ui:2.7.0-rc0", hostPort: 3100 } } });
        const ui = byName(run.registrations, CONTAINER, "bridge-agents-bridge-ui");
        expect(envOf(ui)).toMatchObject({
            COMMON_HOME_BRIDGE_ADDRESS: run.bridge.contracts.homeBridge,
            COMMON_FOREIGN_BRIDGE_ADDRESS: run.bridge.contracts.foreignBridge,
            COMMON_HOME_RPC_URL: "http://127.0.0.1:8545",
            COMMON_FOREIGN_RPC_URL: "http://127.0.0.1:9545",
            UI_NATIVE_TOKEN_DISPLAY_NAME: "xRLC",
            UI_PORT: "3000",
        });
        expect(ui.inputs.ports).toEqual([{ internal: 3000, external: 3100, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(run.bridge.uiUrl).toBe("http://127.0.0.1:3100");
        expect(ui.inputs.uploads).toEqual([]);
    });
});

describe("the bridge on Kubernetes with an external foreign chain", () => {
    const MAINNET_RLC = "0x607F4C5BB672230e8672085532f7e901544a7375";
    let registrations: Registration[];
    let bridge: Awaited<ReturnType<typeof runDocker>>["bridge"];

    beforeAll(async () => {
        registrations = await installMocks();
        useStackConfig(
            "acme-prod",
            {
                foreign: { external: { rpcUrl: "https://mainnet.example/rpc", chainId: 1, token: MAINNET_RLC } },
                bridge: { requiredSignatures: 2, foreign: { confirmations: 12, gasPriceGwei: "20" } },
            },
            { foreignDeployerKey: DEV_ADMIN_KEY },
        );
        const { runProgram } = await import("../../components/program");
        const outputs: Outputs = await evaluate(runProgram);
        bridge = (await promiseOf(outputs.bridge)) as typeof bridge;
        await settle();
    });

    test("one validator per member of this stack, the deployer being the configured key's account", () => {
        expect(bridge.validators.map((validator) => validator.name)).toEqual(["acme", "globex"]);
        expect(bridge.deployer).toBe(computeAddress(DEV_ADMIN_KEY));
    });

    test("the job is a Kubernetes Job tried once, its key in a Secret, and nothing reported through logs", () => {
        const [job] = ofType(registrations, "kubernetes:batch/v1:Job");
        expect(job.inputs.spec.backoffLimit).toBe(0);
        expect(job.opts.ignoreChanges).toEqual(["spec", "metadata"]);
        const container = job.inputs.spec.template.spec.containers[0];
        expect(container.image).toBe("poanetwork/tokenbridge-contracts:5.6.0");
        expect(container.env.map((variable: { name: string }) => variable.name).sort()).toEqual([...ERC_TO_ERC_VARIABLES].sort());
        expect(Object.fromEntries(container.env.map((variable: { name: string; value: string }) => [variable.name, variable.value]))).toMatchObject({
            FOREIGN_RPC_URL: "https://mainnet.example/rpc",
            HOME_RPC_URL: "http://rpc-node-1.acme-consortium.svc:8545",
            ERC20_TOKEN_ADDRESS: MAINNET_RLC,
            FOREIGN_GAS_PRICE: "20000000000",
            FOREIGN_REQUIRED_BLOCK_CONFIRMATIONS: "12",
        });
        const secret = byName(registrations, "kubernetes:core/v1:Secret", "bridge-job-bridge-contracts-keys");
        expect(secret.inputs.stringData["deployer.key"]).toBe(DEV_ADMIN_KEY.slice(2));
        expect(isSecretValue(secret.rawInputs.stringData)).toBe(true);
        const contracts = byName(registrations, "pulumi-nodejs:dynamic:Resource", "bridge-contracts");
        expect(contracts.inputs.job).toEqual({ name: "job/bridge-contracts in namespace acme-consortium", output: "" });
        expect(contracts.inputs.foreign).toEqual({ rpcUrl: "https://mainnet.example/rpc", chainId: 1 });
        const preparation = byName(registrations, "pulumi-nodejs:dynamic:Resource", "bridge-preparation");
        expect(preparation.inputs.foreignTopUps).toEqual([]);
        // A failed run's last log lines (with the job's own failure line) become the termination message the provider reports.
        expect(container.terminationMessagePolicy).toBe("FallbackToLogsOnError");
        expect(container.command.join(" ")).toContain("timeout 1800 node deploy.js");
        expect(job.inputs.spec.activeDeadlineSeconds).toBe(31 * 60);
        for (const object of [job, secret]) validateKubernetesObject({ apiVersion: object.type.split(":")[1].replace(/^core\//, ""), kind: object.type.split(":")[2], ...object.inputs });
    });

    test("the oracle prices mainnet gas from a supplier and bounds its log ranges; the UI is not deployed", () => {
        const sender = byName(registrations, "kubernetes:apps/v1:Deployment", "bridge-agents-bridge-acme-senderforeign");
        const env = Object.fromEntries(sender.inputs.spec.template.spec.containers[0].env.map((variable: { name: string; value: string }) => [variable.name, variable.value]));
        expect(env).toMatchObject({
            COMMON_FOREIGN_GAS_PRICE_SUPPLIER_URL: "gas-price-oracle",
            COMMON_FOREIGN_GAS_PRICE_SPEED_TYPE: "fast",
            ORACLE_FOREIGN_RPC_BLOCK_POLLING_LIMIT: "4000",
            ORACLE_FOREIGN_RPC_POLLING_INTERVAL: "12000",
        });
        expect(sender.inputs.spec.template.spec.containers[0].image).toBe("poanetwork/tokenbridge-oracle:2.7.0-rc2");
    });

    test("agents: StatefulSets with claims for RabbitMQ and Redis, Deployments for the oracle, a NetworkPolicy per validator, all valid objects", () => {
        const statefulSets = ofType(registrations, "kubernetes:apps/v1:StatefulSet").filter((set) => set.inputs.metadata.name.startsWith("bridge-"));
        expect(statefulSets.map((set) => set.inputs.metadata.name).sort()).toEqual(["bridge-acme-rabbitmq", "bridge-acme-redis", "bridge-globex-rabbitmq", "bridge-globex-redis"]);
        const deployments = ofType(registrations, "kubernetes:apps/v1:Deployment").filter((deployment) => deployment.inputs.metadata.name.startsWith("bridge-"));
        expect(deployments).toHaveLength(12);
        for (const deployment of deployments) {
            expect(deployment.inputs.spec.strategy).toEqual({ type: "Recreate" });
            const container = deployment.inputs.spec.template.spec.containers[0];
            expect(container.env.map((variable: { name: string }) => variable.name)).not.toContain("ORACLE_VALIDATOR_ADDRESS_PRIVATE_KEY");
        }
        const policies = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((policy) => /^bridge-.*-internal$/.test(policy.inputs.metadata.name));
        expect(policies.map((policy) => policy.inputs.metadata.name).sort()).toEqual(["bridge-acme-internal", "bridge-globex-internal"]);
        for (const object of [...statefulSets, ...deployments, ...policies]) {
            validateKubernetesObject({ apiVersion: object.type.split(":")[1], kind: object.type.split(":")[2], ...object.inputs });
        }
        const acmeKey = byName(registrations, "kubernetes:core/v1:Secret", "bridge-agents-bridge-acme-request-keys");
        const globexKey = byName(registrations, "kubernetes:core/v1:Secret", "bridge-agents-bridge-globex-request-keys");
        expect(computeAddress(`0x${acmeKey.inputs.stringData["validator.key"]}`)).toBe(bridge.validators[0].address);
        expect(computeAddress(`0x${globexKey.inputs.stringData["validator.key"]}`)).toBe(bridge.validators[1].address);
        expect(acmeKey.opts).toMatchObject({ protect: true });
    });
});
