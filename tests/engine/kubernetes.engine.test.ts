/**
 * The program under the real Pulumi engine (CLI built by scripts/build-pulumi.sh, the real Kubernetes provider in
 * render mode, a file:// backend, the passphrase provider), driven through scripts/pulumi-local.sh: preview, up,
 * an idempotent second preview, outputs and state secrecy, the genesis lock, rendered objects against the
 * Kubernetes schema; then the dynamic providers run by the engine against anvil: PoCo deployed and permissions
 * granted, and a second `up` sends no transaction.
 */
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { Contract, JsonRpcProvider, Wallet, decryptKeystoreJson } from "ethers";
import { applyGenesisAccounts, setIntervalMining, startAnvil, type AnvilNode } from "../helpers/anvil";
import { validateKubernetesObject } from "../helpers/kubernetesSchema";
import { EngineProject, renderedChainSpec, renderedObjects } from "./harness";

jest.setTimeout(20 * 60_000);

const STACK = "engine-k8s";
const CHAIN_ID = 4243;
const admin = Wallet.createRandom();

function stackConfig(project: EngineProject, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        platform: "kubernetes",
        kubernetes: { namespace: "engine-test", renderYamlToDirectory: path.join(project.dir, "rendered") },
        chain: { name: "ENGINE-TEST", networkId: CHAIN_ID, chainId: CHAIN_ID, stepDuration: 1, accounts: { [admin.address]: "1000000000000000000000000" } },
        authorities: [
            { name: "acme-1", org: "acme" },
            { name: "acme-2", org: "acme" },
            { name: "globex-1", org: "globex" },
        ],
        client: { kind: "nethermind" },
        rpc: { nodes: 2 },
        permissioning: { admins: [admin.address], rpc: { readers: ["acme", "globex"] } },
        ...extra,
    };
}

function json<T = any>(text: string): T {
    return JSON.parse(text) as T;
}

/** Every `hex` and `result` a random resource holds in the decrypted state: the generated keys and passwords. */
function generatedSecrets(decryptedState: any): string[] {
    const values: string[] = [];
    for (const resource of decryptedState.deployment.resources ?? []) {
        if (!String(resource.type).startsWith("random:")) continue;
        const outputs = resource.outputs ?? {};
        for (const key of ["hex", "result"]) {
            // `stack export --show-secrets` keeps the secret envelope, with the value JSON-encoded as `plaintext`.
            const value = outputs[key];
            if (typeof value === "string") values.push(value);
            else if (value && typeof value.plaintext === "string") values.push(JSON.parse(value.plaintext));
        }
    }
    return values;
}

describe("a Kubernetes stack under the real engine, rendered to YAML", () => {
    let project: EngineProject;
    let anvil: AnvilNode | undefined;

    beforeAll(async () => {
        project = await EngineProject.create("k8s");
        project.writeStack(STACK, stackConfig(project));
    });

    afterAll(async () => {
        await anvil?.stop();
        project?.remove();
    });

    test("preview plans the whole stack with the real providers", async () => {
        const preview = await project.pulumi(["preview", "--stack", STACK, "--json", "--non-interactive"], { check: true });
        const steps: { op: string; urn: string }[] = json(preview.stdout).steps;
        expect(steps.every((step) => step.op === "create")).toBe(true);
        const types = new Set(steps.map((step) => step.urn.split("::")[2].split("$").pop()));
        for (const type of ["kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:Secret", "kubernetes:policy/v1:PodDisruptionBudget", "random:index/randomBytes:RandomBytes", "pulumi-nodejs:dynamic:Resource"]) {
            expect(types).toContain(type);
        }
    });

    test("up renders the nodes; with the chain on that genesis, PoCo is deployed and permissions granted; a second up sends nothing", async () => {
        // The chain comes up the way a real one does: from the spec the program renders. Until its genesis is
        // applied anvil seals nothing, so the deployments wait for it as for real nodes.
        anvil = await startAnvil({ chainId: CHAIN_ID, gasLimit: 40_000_000n, automine: false });
        project.writeStack(STACK, stackConfig(project, { poco: { admin: admin.address, rpcUrl: anvil.rpcUrl }, workerpool: { org: "acme", workers: [{ name: "acme-w1", org: "acme" }] } }));
        await project.pulumi(["config", "set", "--secret", "pocoAdminKey", "--stack", STACK], { input: admin.privateKey, check: true });
        const up = project.pulumi(["up", "--stack", STACK, "--yes", "--non-interactive"], { check: true });
        const spec = await renderedChainSpec(path.join(project.dir, "rendered"), up);
        await applyGenesisAccounts(anvil.rpcUrl, spec);
        await setIntervalMining(anvil.rpcUrl, 1);
        await up;

        const outputs = json((await project.pulumi(["stack", "output", "--json", "--stack", STACK], { check: true })).stdout);
        expect(json(outputs.chainSpec)).toEqual(spec);
        const provider = new JsonRpcProvider(anvil.rpcUrl, CHAIN_ID, { staticNetwork: true });
        const { facets, registries, ...contracts } = outputs.poco.addresses as Record<string, any>;
        const addresses = [...Object.values(contracts), ...Object.values(facets), ...Object.values(registries)] as string[];
        expect(addresses.length).toBeGreaterThan(15);
        for (const address of addresses) expect(await provider.getCode(address)).not.toBe("0x");
        expect(outputs.permissioning.roles[admin.address]).toEqual(expect.arrayContaining(["admin"]));
        // The workerpool, set up by its dynamic provider through the engine: created, owned by the scheduler, its order presigned.
        expect(await provider.getCode(outputs.workerpool.address)).not.toBe("0x");
        expect(outputs.permissioning.roles[outputs.workerpool.scheduler]).toEqual(["transactor"]);
        expect(outputs.workerpool.orders).toHaveLength(1);
        const hub = new Contract(outputs.poco.addresses.diamond, ["function viewPresigned(bytes32) view returns (address)"], provider);
        expect(await hub.viewPresigned(outputs.workerpool.orders[0].hash)).toBe(outputs.workerpool.scheduler);
        const schedulerNonce = await provider.getTransactionCount(outputs.workerpool.scheduler);
        const operatorNonce = await provider.getTransactionCount(outputs.permissioning.operator);
        const adminNonce = await provider.getTransactionCount(admin.address);
        expect(operatorNonce).toBeGreaterThan(0);
        expect(adminNonce).toBeGreaterThan(0);

        await project.pulumi(["up", "--stack", STACK, "--yes", "--non-interactive"], { check: true });
        expect(await provider.getTransactionCount(outputs.permissioning.operator)).toBe(operatorNonce);
        expect(await provider.getTransactionCount(admin.address)).toBe(adminNonce);
        expect(await provider.getTransactionCount(outputs.workerpool.scheduler)).toBe(schedulerNonce);
        provider.destroy();
    });

    test("a preview right after up has nothing to change", async () => {
        const result = await project.pulumi(["preview", "--stack", STACK, "--expect-no-changes", "--non-interactive"]);
        expect(result.stderr + result.stdout).not.toMatch(/error/i);
        expect(result.code).toBe(0);
    });

    test("stack output holds every documented output; key material only with --show-secrets", async () => {
        const plain = json((await project.pulumi(["stack", "output", "--json", "--stack", STACK], { check: true })).stdout);
        const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        const table = readme.slice(readme.indexOf("### Stack outputs"));
        const rows = [...table.slice(0, table.indexOf("\n#")).matchAll(/^\| `(\w+)` \| (yes)? *\|/gm)].map(([, name, secret]) => ({ name, secret: secret === "yes" }));
        expect(rows.length).toBeGreaterThan(10);
        for (const { name, secret } of rows) {
            expect(Object.keys(plain)).toContain(name);
            if (secret && plain[name] !== null && plain[name] !== undefined) expect(plain[name]).toBe("[secret]");
        }
        const shown = json((await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", STACK], { check: true })).stdout);
        expect(Object.keys(shown.rpcCredentials).sort()).toEqual(["acme", "globex"]);
        const keystores = Object.values(shown.keystores as Record<string, { fileName: string; json: string; password: string }>);
        expect(keystores).toHaveLength(3);
        const wallet = await decryptKeystoreJson(keystores[0].json, keystores[0].password);
        expect(plain.validators).toContain(wallet.address);
        expect(JSON.stringify(plain)).not.toContain(wallet.privateKey.slice(2));
    });

    test("the exported state holds no generated key, password or node key in plain text", async () => {
        const decrypted = json((await project.pulumi(["stack", "export", "--show-secrets", "--stack", STACK], { check: true })).stdout);
        const secrets = generatedSecrets(decrypted);
        expect(secrets.length).toBeGreaterThanOrEqual(3 * 3 + 2);
        const exported = (await project.pulumi(["stack", "export", "--stack", STACK], { check: true })).stdout;
        for (const secret of [...secrets, admin.privateKey.slice(2)]) expect(exported.toLowerCase()).not.toContain(secret.toLowerCase());
    });

    test("every rendered object validates against the Kubernetes schema", () => {
        const objects = renderedObjects(path.join(project.dir, "rendered"));
        expect(objects.length).toBeGreaterThan(15);
        for (const object of objects) expect(() => validateKubernetesObject(object)).not.toThrow();
        expect([...new Set(objects.map((object) => object.kind))]).toEqual(expect.arrayContaining(["StatefulSet", "Service", "Secret", "PodDisruptionBudget", "NetworkPolicy", "Deployment"]));
        // The workerpool's addresses reach its containers as strings, as Kubernetes reads them.
        const core = objects.find((object) => object.kind === "Deployment" && object.metadata.name === "workerpool-core");
        const poolAddress = core.spec.template.spec.containers[0].env.find((entry: { name: string }) => entry.name === "POOL_ADDRESS");
        expect(poolAddress.value).toMatch(/^0x[0-9a-fA-F]{40}$/);
    });

    test("a config edit that would change the launched genesis is refused by the preview", async () => {
        const launched = project.readStackFile(STACK);
        try {
            project.writeStack(STACK, stackConfig(project, { chain: { name: "ENGINE-TEST", networkId: CHAIN_ID, chainId: CHAIN_ID, stepDuration: 2, accounts: { [admin.address]: "1000000000000000000000000" } } }));
            const result = await project.pulumi(["preview", "--stack", STACK, "--non-interactive"]);
            expect(result.code).not.toBe(0);
            expect(result.stdout + result.stderr).toContain("The running chain cannot follow it");
        } finally {
            writeFileSync(project.stackFile(STACK), launched);
        }
    });
});
