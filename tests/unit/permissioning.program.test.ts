import { computeAddress } from "ethers";
import { OPERATOR_READER } from "../../components/config";
import { ROLES, TX_PERMISSIONS_ADDRESS, txPermissionsArtifact, txPermissionsGenesisStorage } from "../../components/permissioning/contract";
import { evaluate, installMocks, isSecretValue, ofType, promiseOf, settle, useDevStack, useStackConfig, type Registration } from "../helpers/pulumiMocks";

type Outputs = ReturnType<typeof import("../../components/program").runProgram>;

const ADMIN = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const TRANSACTOR = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const DEPLOYER = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69";
const PERMISSIONING = { admins: [ADMIN], deployers: [DEPLOYER], transactors: [TRANSACTOR], rpc: { readers: ["acme", "globex", "initech"] } };

async function run(stack: "acme-prod" | "dev", overrides: Record<string, unknown>) {
    const registrations = await installMocks();
    if (stack === "dev") useDevStack(overrides);
    else useStackConfig(stack, overrides);
    const { runProgram } = await import("../../components/program");
    const outputs: Outputs = await evaluate(runProgram);
    await promiseOf(outputs.chainSpec);
    await settle();
    return { registrations, outputs };
}

const dynamic = (registrations: Registration[], name: string) => ofType(registrations, "pulumi-nodejs:dynamic:Resource").find((registration) => registration.name === name)!;
const operatorOf = (registrations: Registration[]) => computeAddress(dynamic(registrations, "consortium-permissions").inputs.operatorKey);

describe("a permissioned consortium on Kubernetes (acme-prod)", () => {
    let registrations: Registration[];
    let outputs: Outputs;
    beforeAll(async () => {
        ({ registrations, outputs } = await run("acme-prod", { permissioning: PERMISSIONING }));
    });

    test("the chain spec holds the permission contract from block 0, with the operator as its admin", async () => {
        const spec = JSON.parse(await promiseOf(outputs.chainSpec));
        expect(spec.params.transactionPermissionContract).toBe(TX_PERMISSIONS_ADDRESS);
        expect(spec.params.transactionPermissionContractTransition).toBe("0x0");
        const account = spec.accounts[TX_PERMISSIONS_ADDRESS];
        expect(account.code).toBe(txPermissionsArtifact().runtimeCode);
        const operator = operatorOf(registrations);
        expect(account.storage).toEqual(txPermissionsGenesisStorage(4, operator));
        expect(BigInt(spec.accounts[operator].balance)).toBeGreaterThan(0n); // it pays for role changes
    });

    test("role changes are a dynamic resource with the config's roles, its key a secret", async () => {
        const permissions = dynamic(registrations, "consortium-permissions");
        expect(isSecretValue(permissions.rawInputs.operatorKey)).toBe(true);
        const operator = operatorOf(registrations);
        expect(permissions.inputs.desired).toEqual({
            open: false,
            roles: Object.fromEntries(
                Object.entries({ [ADMIN]: ROLES.admin, [DEPLOYER]: ROLES.deployer, [TRANSACTOR]: ROLES.transactor, [operator]: ROLES.admin }).sort(([a], [b]) => (a < b ? -1 : 1)),
            ),
        });
        expect(isSecretValue(permissions.rawInputs.rpcCredentials)).toBe(true);
        expect(permissions.inputs.rpcCredentials.username).toBe(OPERATOR_READER);
        const summary = await promiseOf(outputs.permissioning as never as import("@pulumi/pulumi").Output<{ roles: Record<string, string[]>; rpcAccess: string }>);
        expect(summary.roles[DEPLOYER]).toEqual(["deployer"]);
        expect(summary.rpcAccess).toBe("gateway");
    });

    test("authorities and RPC nodes accept only their static peers", () => {
        const configMaps = ofType(registrations, "kubernetes:core/v1:ConfigMap").filter((map) => map.inputs.data?.["nethermind.json"]);
        expect(configMaps).toHaveLength(6);
        for (const map of configMaps) {
            const nethermind = JSON.parse(map.inputs.data["nethermind.json"]);
            expect(nethermind.Network.OnlyStaticPeers).toBe(true);
            expect(nethermind.Init.DiscoveryEnabled).toBe(false);
        }
    });

    test("users reach RPC only through the gateway; the nodes' RPC admits only the consortium's own pods", () => {
        const policies = ofType(registrations, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((policy) => policy.inputs);
        const nodeRpc = policies.find((policy) => policy.metadata.name === "test-authority-rpc")!;
        expect(nodeRpc.spec.podSelector.matchLabels["app.kubernetes.io/component"]).toBe("rpc-node");
        expect(nodeRpc.spec.ingress).toEqual([
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": "test" } } }], ports: [{ port: 8545, protocol: "TCP" }, { port: 8546, protocol: "TCP" }] },
        ]);
        const endpoint = policies.find((policy) => policy.metadata.name === "test-rpc-endpoint")!;
        expect(endpoint.spec.podSelector.matchLabels["app.kubernetes.io/name"]).toBe("rpc-gateway");
        expect(endpoint.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: "TCP" }] }]);
        const rpcService = ofType(registrations, "kubernetes:core/v1:Service").find((service) => service.inputs.metadata.name === "test-rpc")!;
        expect(rpcService.inputs.spec.selector["app.kubernetes.io/name"]).toBe("rpc-gateway");
        expect(rpcService.inputs.spec.ports).toEqual([{ name: "rpc", port: 8545, targetPort: 8080, protocol: "TCP" }]);
    });

    test("each reader's credential is only in the gateway's Secret (hashed) and in a secret output", async () => {
        const credentials = outputs.rpcCredentials as never as import("@pulumi/pulumi").Output<Record<string, string>>;
        expect(await credentials.isSecret).toBe(true);
        const passwords = await promiseOf(credentials);
        expect(Object.keys(passwords).sort()).toEqual(["acme", "globex", "initech"]);
        const secret = ofType(registrations, "kubernetes:core/v1:Secret").find((candidate) => candidate.inputs.metadata.name === "rpc-gateway-keys")!;
        const htpasswd: string = secret.inputs.stringData.htpasswd;
        expect(htpasswd.split("\n").filter(Boolean).map((line) => line.split(":")[0])).toEqual(["acme", "globex", "initech", OPERATOR_READER]);
        expect(htpasswd).toMatch(/^acme:\{SSHA\}/);
        for (const password of Object.values(passwords)) {
            expect(htpasswd).not.toContain(password);
            const plain = registrations.filter((registration) => registration !== secret).map((registration) => JSON.stringify(registration.inputs));
            expect(plain.some((text) => text.includes(password))).toBe(false);
        }
        expect(secret.opts.protect).toBe(true);
    });
});

describe("a permissioned development stack on Docker, with the bridge", () => {
    let registrations: Registration[];
    let outputs: Outputs;
    beforeAll(async () => {
        ({ registrations, outputs } = await run("dev", { permissioning: { transactors: [TRANSACTOR], senders: [ADMIN] } }));
    });

    test("no node publishes RPC; the gateway does, on the configured host port, for JSON-RPC and WebSocket", async () => {
        const containers = ofType(registrations, "docker:index/container:Container").map((container) => container.inputs);
        const authorities = containers.filter((container) => /-authority-\d$/.test(container.name));
        expect(authorities.length).toBeGreaterThan(0);
        for (const authority of authorities) expect(authority.ports).toEqual([]);
        const gateway = containers.find((container) => container.name === "test-rpc-gateway")!;
        expect(gateway.ports).toEqual([{ internal: 8080, external: 8545, ip: "127.0.0.1", protocol: "tcp" }]);
        expect(gateway.user).toBe("101:101");
        expect(gateway.envs).toEqual([]);
        expect(await promiseOf(outputs.rpcUrl)).toBe("http://127.0.0.1:8545");
        expect(await promiseOf(outputs.wsUrl)).toBe("ws://127.0.0.1:8545");
    });

    test("the stack's own accounts get the roles they need: PoCo admin and bridge deployer create, validators call", async () => {
        const desired = dynamic(registrations, "consortium-permissions").inputs.desired as { roles: Record<string, number> };
        const bridge = await promiseOf(outputs.bridge as never as import("@pulumi/pulumi").Output<{ deployer: string; validators: { address: string }[] }>);
        const poco = await promiseOf(outputs.poco as never as import("@pulumi/pulumi").Output<{ admin: string }>);
        expect(desired.roles[poco.admin]).toBe(ROLES.deployer);
        expect(desired.roles[bridge.deployer]).toBe(ROLES.deployer);
        for (const validator of bridge.validators) expect(desired.roles[validator.address]).toBe(ROLES.transactor);
        expect(desired.roles[TRANSACTOR]).toBe(ROLES.transactor);
        expect(desired.roles[ADMIN]).toBe(ROLES.sender);
    });

    test("PoCo is deployed through the gateway, after the roles are granted", () => {
        const poco = dynamic(registrations, "consortium-poco-contracts");
        expect(isSecretValue(poco.rawInputs.rpcCredentials)).toBe(true);
        expect(poco.inputs.rpcUrl).toBe("http://127.0.0.1:8545");
        const deployment = registrations.find((registration) => registration.type === "consortium:poco:Deployment")!;
        const dependsOn = (deployment.opts.dependsOn ?? []) as { __name?: string }[];
        expect(dependsOn.map((resource) => resource.__name)).toContain("consortium-permissions");
    });

    test("only the collected-signatures watcher reads the allowance list: the accounts the config gives a role", () => {
        const oracles = ofType(registrations, "docker:index/container:Container")
            .map((container) => container.inputs)
            .filter((container) => /-bridge-.*-(request|collected|affirmation|transfer|senderhome|senderforeign)$/.test(container.name));
        const withList = oracles.filter((container) => container.envs.some((env: string) => env.startsWith("ORACLE_HOME_TO_FOREIGN_ALLOWANCE_LIST=")));
        expect(withList.map((container) => container.name)).toEqual(oracles.filter((container) => container.name.endsWith("-collected")).map((container) => container.name));
        // The sender is checked too: a listed member's withdrawal to another address is relayed.
        for (const container of withList) expect(container.envs).toContain("ORACLE_HOME_TO_FOREIGN_CHECK_SENDER=true");
        expect(oracles.filter((container) => container.envs.some((env: string) => env.startsWith("ORACLE_HOME_TO_FOREIGN_CHECK_SENDER=")))).toHaveLength(withList.length);
        const upload = withList[0].uploads.find((file: { file: string }) => file.file.endsWith("allowance_list.txt"));
        expect(upload.content).toBe([ADMIN, TRANSACTOR].sort().map((address) => `${address}\n`).join(""));
    });
});

describe("without permissioning", () => {
    test("the chain is open: no contract in genesis, no gateway, the RPC node publishes as before", async () => {
        const { registrations, outputs } = await run("dev", { foreign: {}, bridge: {} });
        const spec = JSON.parse(await promiseOf(outputs.chainSpec));
        expect(spec.params.transactionPermissionContract).toBeUndefined();
        expect(spec.accounts[TX_PERMISSIONS_ADDRESS]).toBeUndefined();
        expect(registrations.find((registration) => registration.name === "consortium-permissions")).toBeUndefined();
        const containers = ofType(registrations, "docker:index/container:Container").map((container) => container.inputs);
        expect(containers.find((container) => container.name === "test-rpc-gateway")).toBeUndefined();
        expect(containers.filter((container) => container.ports.length > 0)).toHaveLength(1);
    });
});

describe("the gateway follows its credentials", () => {
    test("adding a reader changes the gateway's configuration, so Kubernetes rolls the pod (Secret mounts do not update)", async () => {
        const configOf = async (readers: string[]) => {
            const { registrations } = await run("acme-prod", { permissioning: { ...PERMISSIONING, rpc: { readers } } });
            const map = ofType(registrations, "kubernetes:core/v1:ConfigMap").find((candidate) => candidate.inputs.metadata.name === "rpc-gateway-config")!;
            const deployment = ofType(registrations, "kubernetes:apps/v1:Deployment").find((candidate) => candidate.inputs.metadata.name === "rpc-gateway")!;
            return { config: map.inputs.data["nginx.conf"] as string, checksum: deployment.inputs.spec.template.metadata.annotations["consortium.iex.ec/config-checksum"] as string };
        };
        const before = await configOf(["acme"]);
        const after = await configOf(["acme", "globex"]);
        expect(before.config).toMatch(/^# users: [0-9a-f]{16}\n/);
        expect(after.config).not.toBe(before.config);
        expect(after.checksum).not.toBe(before.checksum);
    });
});
