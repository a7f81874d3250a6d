import { renderNethermindConfig } from "../../components/clients/nethermind";
import { renderAuthorityToml, renderReservedPeers } from "../../components/clients/parityFamily";
import { CLIENT_PROFILES } from "../../components/clients";
import { waitThenExec } from "../../components/clients/profile";
import { execFileSync } from "child_process";
import { CLIENT_KINDS } from "../../components/config";
import { promiseOf } from "../helpers/pulumiMocks";
import * as pulumi from "@pulumi/pulumi";

const ADDRESS = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const PEERS = [`enode://${"a".repeat(128)}@authority-2:30303`, `enode://${"b".repeat(128)}@authority-3:30303`];

describe("Nethermind authority configuration", () => {
    const config = JSON.parse(renderNethermindConfig({ address: ADDRESS, staticPeers: PEERS, onlyStaticPeers: false, corsOrigins: ["https://ui.example"] }));

    test("is an AuRa block producer on a private chain, merge off", () => {
        expect(config.Merge.Enabled).toBe(false);
        expect(config.Mining.Enabled).toBe(true);
        expect(config.Init.IsMining).toBe(true);
        expect(config.Aura).toEqual({ ForceSealing: true, AllowAuRaPrivateChains: true });
        expect(config.Init.ChainSpecPath).toBe("/consortium/chain/spec.json");
    });

    test("unlocks its signer from the keystore with a password file and signs blocks with it", () => {
        expect(config.KeyStore).toEqual({
            KeyStoreDirectory: "/consortium/keystore",
            UnlockAccounts: [ADDRESS],
            PasswordFiles: ["/consortium/secrets/password"],
            BlockAuthorAccount: ADDRESS,
            EnodeKeyFile: "/consortium/secrets/node.key",
        });
    });

    test("peers statically with the given enodes and serves RPC with the configured CORS origins", () => {
        expect(config.Network.StaticPeers).toBe(PEERS.join(","));
        expect(config.JsonRpc.CorsOrigins).toEqual(["https://ui.example"]);
        expect(config.JsonRpc.EnabledModules).not.toContain("Personal");
        expect(config.Network.OnlyStaticPeers).toBeUndefined();
    });

    test("in a permissioned consortium, accepts only its static peers and discovers no others", () => {
        const restricted = JSON.parse(renderNethermindConfig({ address: ADDRESS, staticPeers: PEERS, onlyStaticPeers: true, corsOrigins: [] }));
        expect(restricted.Network.OnlyStaticPeers).toBe(true);
        expect(restricted.Init.DiscoveryEnabled).toBe(false);
        expect(restricted.Network.StaticPeers).toBe(PEERS.join(","));
    });
});

describe("Parity / OpenEthereum authority.toml", () => {
    const toml = renderAuthorityToml({ dataPath: "/data", address: ADDRESS, onlyStaticPeers: false, corsOrigins: [], rpcApis: ["web3", "eth", "net", "parity"] });

    test("keeps the seed's semantics: engine signer, password file, reserved peers", () => {
        expect(toml).toContain(`engine_signer = "${ADDRESS}"`);
        expect(toml).toContain(`password = ["/consortium/secrets/password"]`);
        expect(toml).toContain(`reserved_peers = "/consortium/config/reserved_peers"`);
    });

    test("adds force sealing and exposes no account-management or secretstore API", () => {
        expect(toml).toContain("force_sealing = true");
        expect(toml).not.toMatch(/personal|secretstore|parity_set|signer"/);
        expect(toml).toContain(`cors = ["none"]`);
    });

    test("in a permissioned consortium, connects only to its reserved peers and discovers no others", () => {
        expect(toml).not.toContain("reserved_only");
        const restricted = renderAuthorityToml({ dataPath: "/data", address: ADDRESS, onlyStaticPeers: true, corsOrigins: [], rpcApis: ["eth"] });
        const network = restricted.split("[network]")[1].split("\n[")[0];
        expect(network).toContain("reserved_only = true");
        expect(network).toContain("discovery = false");
    });

    test("reserved peers are one enode per line", () => {
        expect(renderReservedPeers(PEERS)).toBe(`${PEERS[0]}\n${PEERS[1]}\n`);
    });
});

describe.each(CLIENT_KINDS)("the %s profile's workload", (kind) => {
    const workload = CLIENT_PROFILES[kind].authorityWorkload({
        name: "authority-1",
        chainName: "HOME",
        address: ADDRESS,
        staticPeers: PEERS,
        onlyStaticPeers: true,
        corsOrigins: [],
        image: "image:1",
        extraArgs: ["--log", "info"],
        publicEndpoint: false,
        specJson: "{}",
        keys: { keystoreFileName: "key-abc.json", keystoreJson: "{}", password: "pw", nodeKey: `0x${"11".repeat(32)}` },
        resources: { cpu: "1", memory: "1Gi" },
        waitForHosts: ["authority-2", "authority-3"],
    });

    test("carries keys only as secret files, and the node key in the client's format", async () => {
        const secrets = workload.files.filter((file) => file.kind === "secret");
        expect(secrets.map((file) => file.key).sort()).toEqual(["keystore.json", "node.key", "password"]);
        const nodeKey = secrets.find((file) => file.key === "node.key")!;
        const content = await promiseOf(pulumi.output(nodeKey.content));
        if (kind === "nethermind") expect(Buffer.from(content, "base64")).toEqual(Buffer.alloc(32, 0x11));
        else expect(content).toBe("11".repeat(32));
    });

    test("finds its keystore where the client looks for it", async () => {
        const path = await promiseOf(pulumi.output(workload.files.find((file) => file.key === "keystore.json")!.path));
        expect(path).toBe(kind === "nethermind" ? "/consortium/keystore/key-abc.json" : "/consortium/keys/HOME/key-abc.json");
    });

    test("starts the client through a shell that first waits for its peers' names", () => {
        expect(workload.entrypoint[0]).toBe("/bin/sh");
        expect(workload.entrypoint[1]).toBe("-c");
        expect(workload.entrypoint[2]).toContain("for host in authority-2 authority-3; do");
        expect(workload.entrypoint[2]).toMatch(/exec \/\S+ "\$@"$/);
    });

    test("passes extra arguments after its own, and opens p2p and RPC ports", () => {
        expect(workload.args.slice(-2)).toEqual(["--log", "info"]);
        expect(workload.ports.map((port) => `${port.port}/${port.protocol}`)).toEqual(["30303/TCP", "30303/UDP", "8545/TCP", "8546/TCP"]);
    });
});

describe("waiting for peers before the client starts", () => {
    const run = (script: string, shell: string) => execFileSync(shell, ["-c", script, "node-name", "--config", "/x.json"], { encoding: "utf8", timeout: 30_000 });

    test.each(["/bin/sh", "/bin/bash"])("with %s, execs the client with its arguments once the names resolve", (shell) => {
        expect(run(waitThenExec(["localhost"], "/bin/echo"), shell)).toBe("--config /x.json\n");
    });

    test("starts the client anyway when a name never resolves, after the deadline", () => {
        expect(run(waitThenExec(["no-such-peer.invalid"], "/bin/echo", 2), "/bin/sh")).toBe("--config /x.json\n");
    });

    test("refuses anything but a host name inside the script", () => {
        expect(() => waitThenExec(["a; rm -rf /"], "/bin/echo")).toThrow("refusing to put host name");
    });
});
