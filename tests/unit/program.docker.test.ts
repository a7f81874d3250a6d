import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { decryptKeystoreJson } from "ethers";
import { deriveNodeIdentity } from "../../components/identity/keys";
import { evaluate, installMocks, ofType, promiseOf, settle, useDevStack, useStackConfig, type Registration } from "../helpers/pulumiMocks";

const CONTAINER = "docker:index/container:Container";
const isAuthority = (container: Registration) => container.inputs.hostname.startsWith("authority-");
const authorityContainers = (registrations: Registration[]) => ofType(registrations, CONTAINER).filter(isAuthority);

type Outputs = ReturnType<typeof import("../../components/program").runProgram>;

async function run(stack = "dev", overrides: Record<string, unknown> = {}, seed = "", secretRandoms = true) {
    const registrations = await installMocks({ seed, secretRandoms });
    // The home chain alone: the bridge, the foreign chain and the workerpool have their own tests (bridge.program.test.ts, workerpool.program.test.ts).
    if (stack === "dev") useDevStack({ foreign: {}, bridge: {}, workerpool: {}, ...overrides });
    else useStackConfig(stack, overrides);
    const { runProgram } = await import("../../components/program");
    const outputs: Outputs = await evaluate(runProgram);
    const authorities = await promiseOf(outputs.authorities);
    await settle();
    return { registrations, outputs, authorities };
}

function upload(container: Registration, suffix: string): string {
    const file = container.inputs.uploads.find((candidate: { file: string }) => candidate.file.endsWith(suffix));
    if (!file) throw new Error(`${container.name} has no upload ending in ${suffix}`);
    return file.content ?? Buffer.from(file.contentBase64, "base64").toString("utf8");
}

describe("the dev stack on Docker", () => {
    let registrations: Registration[];
    let outputs: Outputs;
    let authorities: Awaited<ReturnType<typeof run>>["authorities"];

    beforeAll(async () => {
        ({ registrations, outputs, authorities } = await run());
    });

    test("runs one container and one data volume per authority and per RPC node on one network", () => {
        expect(ofType(registrations, CONTAINER).map((container) => container.inputs.hostname)).toEqual(["authority-1", "authority-2", "authority-3", "rpc-node-1"]);
        expect(ofType(registrations, "docker:index/volume:Volume")).toHaveLength(4);
        expect(ofType(registrations, "docker:index/network:Network")).toHaveLength(1);
        expect(ofType(registrations, "docker:index/remoteImage:RemoteImage").map((image) => image.inputs.name)).toEqual(["nethermind/nethermind:1.36.1"]);
        for (const container of ofType(registrations, CONTAINER)) {
            expect(container.inputs.networksAdvanced).toEqual([{ name: "test-consortium", aliases: [expect.stringMatching(/^(authority|rpc-node)-\d$/)] }]);
            expect(container.inputs.restart).toBe("unless-stopped");
            expect(container.inputs.volumes).toEqual([{ volumeName: `test-${container.inputs.hostname}-data`, containerPath: "/nethermind/nethermind_db" }]);
        }
    });

    test("every authority's configuration names the N-1 other authorities and the RPC node, and serves JSON-RPC on loopback only", () => {
        const enodes = authorities.map((authority) => authority.enode);
        const rpcNode = ofType(registrations, CONTAINER).find((container) => !isAuthority(container))!;
        const nodeKeyUpload = rpcNode.inputs.uploads.find((file: { file: string }) => file.file.endsWith("node.key"));
        const rpcEnode = `enode://${deriveNodeIdentity(`0x${Buffer.from(nodeKeyUpload.contentBase64, "base64").toString("hex")}`).enodeId}@rpc-node-1:30303`;
        for (const container of authorityContainers(registrations)) {
            const config = JSON.parse(upload(container, "nethermind.json"));
            const own = authorities.find((authority) => authority.name === container.inputs.hostname)!;
            const peers = config.Network.StaticPeers.split(",");
            expect(peers.sort()).toEqual([...enodes.filter((enode) => enode !== own.enode), rpcEnode].sort());
            expect(config.KeyStore.BlockAuthorAccount).toBe(own.address);
            expect(config.Merge.Enabled).toBe(false);
            expect(config.Aura).toEqual({ ForceSealing: true, AllowAuRaPrivateChains: true });
            expect(config.JsonRpc.Host).toBe("127.0.0.1");
            expect(config.JsonRpc.EnabledModules).not.toContain("Parity");
        }
        const rpcConfig = JSON.parse(upload(rpcNode, "nethermind.json"));
        expect(rpcConfig.Network.StaticPeers.split(",").sort()).toEqual([...enodes].sort());
        expect(rpcConfig.Mining.Enabled).toBe(false);
    });

    test("each container waits until the other containers' aliases resolve, then runs Nethermind", () => {
        for (const container of ofType(registrations, CONTAINER)) {
            const script: string = container.inputs.entrypoints[2];
            const others = ["authority-1", "authority-2", "authority-3", "rpc-node-1"].filter((name) => name !== container.inputs.hostname);
            expect(script).toContain(`for host in ${others.join(" ")}; do`);
            expect(container.inputs.command).toEqual(["--config", "/consortium/config/nethermind.json"]);
        }
    });

    test("enodes address peers by their stable DNS alias on port 30303", () => {
        for (const authority of authorities) {
            expect(authority.enode).toMatch(new RegExp(`^enode://[0-9a-f]{128}@${authority.name}:30303$`));
        }
    });

    test("only the RPC node publishes ports, on the configured loopback address; no authority publishes anything", () => {
        const published = ofType(registrations, CONTAINER).filter((container) => container.inputs.ports.length > 0);
        expect(published.map((container) => container.inputs.hostname)).toEqual(["rpc-node-1"]);
        expect(published[0].inputs.ports).toEqual([
            { internal: 8545, external: 8545, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 8546, external: 8546, ip: "127.0.0.1", protocol: "tcp" },
        ]);
    });

    test("every node gets the same spec, the one exported with its hash", async () => {
        const specs = new Set(ofType(registrations, CONTAINER).map((container) => upload(container, "spec.json")));
        expect(specs.size).toBe(1);
        const [spec] = specs;
        expect(spec).toBe(await promiseOf(outputs.chainSpec));
        expect(await promiseOf(outputs.specHash)).toBe(`sha256:${createHash("sha256").update(spec).digest("hex")}`);
    });

    test("the spec places the CREATE2 factory in genesis, so PoCo's addresses are deterministic", async () => {
        const spec = JSON.parse(await promiseOf(outputs.chainSpec));
        const { GENERIC_FACTORY_ADDRESS } = await import("../../components/poco/plan");
        expect(spec.accounts[GENERIC_FACTORY_ADDRESS].code).toBe(require("@iexec/solidity/build/contracts/GenericFactory.json").deployedBytecode);
    });

    test("the spec's validators are exactly the keystores' addresses (decrypted with their passwords)", async () => {
        for (const container of ofType(registrations, CONTAINER)) {
            const spec = JSON.parse(upload(container, "spec.json"));
            const validators: string[] = spec.engine.authorityRound.params.validators.list;
            const decrypted = await Promise.all(
                authorityContainers(registrations).map((node) => decryptKeystoreJson(keystoreOf(node), upload(node, "/password"))),
            );
            expect(decrypted.map((account) => account.address)).toEqual(validators);
        }
    });

    test("keys reach containers as uploaded files, never as environment variables", () => {
        for (const container of ofType(registrations, CONTAINER)) {
            expect(container.inputs.envs ?? []).toEqual([]);
            const secretFiles = container.inputs.uploads.filter((file: { permissions: string }) => file.permissions === "0400");
            expect(secretFiles.map((file: { file: string }) => file.file).sort()).toEqual(
                isAuthority(container)
                    ? [expect.stringMatching(/^\/consortium\/keystore\/key-[0-9a-f]{40}\.json$/), "/consortium/secrets/node.key", "/consortium/secrets/password"]
                    : ["/consortium/secrets/node.key"],
            );
            expect(Buffer.from(secretFiles.find((file: { file: string }) => file.file.endsWith("node.key")).contentBase64, "base64")).toHaveLength(32);
        }
    });

    test("no exported output carries key material unless secret", async () => {
        const keyMaterial = authorityContainers(registrations).flatMap((container) => [upload(container, "/password"), keystoreOf(container)]);
        for (const [name, output] of Object.entries(outputs)) {
            const value = JSON.stringify(await promiseOf(output as pulumi.Output<unknown>)) ?? "";
            const secret = await pulumi.isSecret(output as pulumi.Output<unknown>);
            if (name === "keystores") {
                expect(secret).toBe(true);
                for (const material of keyMaterial) expect(value).toContain(JSON.stringify(material).slice(1, -1));
            } else {
                expect(secret).toBe(false);
                for (const material of keyMaterial) expect(value).not.toContain(JSON.stringify(material).slice(1, -1));
            }
        }
    });

    test("exports chain id, network id, spec hash, addresses, enodes and the RPC URL", async () => {
        expect(await promiseOf(outputs.chainId)).toBe(65535);
        expect(await promiseOf(outputs.networkId)).toBe(65535);
        expect(await promiseOf(outputs.specHash)).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await promiseOf(outputs.rpcUrl)).toBe("http://127.0.0.1:8545");
        expect(await promiseOf(outputs.validators)).toEqual(authorities.map((authority) => authority.address));
    });

    test("the dev stack does not protect its throw-away data", () => {
        for (const volume of ofType(registrations, "docker:index/volume:Volume")) expect(volume.opts.protect).toBeFalsy();
    });

    test("containers are replaced one at a time, each after the previous one", () => {
        const containers = ofType(registrations, CONTAINER);
        expect(containers.every((container) => container.opts.deleteBeforeReplace)).toBe(true);
        expect(containers[0].opts.dependsOn ?? []).toEqual([]);
        for (const container of containers.slice(1)) expect(container.opts.dependsOn).toHaveLength(1);
    });
});

function keystoreOf(container: Registration): string {
    const file = container.inputs.uploads.find((candidate: { file: string }) => candidate.file.startsWith("/consortium/keystore/"));
    return file.content;
}

describe("an authority published for other members", () => {
    test("publishes only its p2p port (TCP and UDP) on the given address, advertises it in its enode and names it as Nethermind's external IP", async () => {
        const { registrations, authorities } = await run("dev", {
            authorities: [{ name: "authority-1", org: "acme", p2p: { host: "203.0.113.5", bindAddress: "10.0.0.5", hostPort: 30310 } }, { name: "authority-2", org: "globex" }, { name: "authority-3", org: "initech" }],
        });
        const container = ofType(registrations, CONTAINER).find((candidate) => candidate.inputs.hostname === "authority-1")!;
        expect(container.inputs.ports).toEqual([
            { internal: 30303, external: 30310, ip: "10.0.0.5", protocol: "tcp" },
            { internal: 30303, external: 30310, ip: "10.0.0.5", protocol: "udp" },
        ]);
        expect(authorities.find((authority) => authority.name === "authority-1")!.enode).toMatch(/@203\.0\.113\.5:30310$/);
        expect(JSON.parse(upload(container, "nethermind.json")).Network.ExternalIp).toBe("203.0.113.5");
    });
});

describe("secrets", () => {
    test("key material is secret even where a provider would not mark it so", async () => {
        const { outputs } = await run("dev", {}, "", false);
        expect(await pulumi.isSecret(outputs.keystores)).toBe(true);
        expect(await pulumi.isSecret(outputs.authorities)).toBe(false);
        expect(await pulumi.isSecret(outputs.chainSpec)).toBe(false);
    });
});

describe("protection", () => {
    test("with protect on, chain data volumes, signer/node keys and the generated PoCo admin's key cannot be deleted", async () => {
        const { registrations } = await run("dev", { protect: true });
        for (const volume of ofType(registrations, "docker:index/volume:Volume")) {
            expect(volume.opts).toMatchObject({ protect: true, retainOnDelete: true });
        }
        const keys = ofType(registrations, "random:index/randomBytes:RandomBytes");
        expect(keys.map((key) => key.name).sort()).toEqual(
            [...[1, 2, 3].flatMap((n) => [`consortium-authority-${n}-node-key`, `consortium-authority-${n}-signer-key`]), "consortium-rpc-node-1-node-key", "poco-admin-key"].sort(),
        );
        for (const key of keys) expect(key.opts).toMatchObject({ protect: true, retainOnDelete: true });
    });
});

describe("determinism", () => {
    test("evaluating the program twice gives the identical spec and keystores", async () => {
        const first = await run();
        const second = await run();
        const files = (registrations: Registration[]) =>
            authorityContainers(registrations).map((container) => [upload(container, "spec.json"), keystoreOf(container), upload(container, "nethermind.json")]);
        expect(files(second.registrations)).toEqual(files(first.registrations));
        expect(await promiseOf(second.outputs.specHash)).toBe(await promiseOf(first.outputs.specHash));
    });

    test("different random keys give a different chain", async () => {
        const first = await run();
        const other = await run("dev", {}, "another-deployment/");
        expect(await promiseOf(other.outputs.specHash)).not.toBe(await promiseOf(first.outputs.specHash));
    });
});
