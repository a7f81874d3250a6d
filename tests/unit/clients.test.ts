import { renderNethermindConfig } from "../../components/clients/nethermind";
import { renderAuthorityToml, renderReservedPeers } from "../../components/clients/parityFamily";
import { DEFAULT_METHODS, nethermindModules, parityApis } from "../../components/rpcGateway/methods";
import { CLIENT_PROFILES } from "../../components/clients";
import { waitThenExec } from "../../components/clients/profile";
import { execFile, execFileSync } from "child_process";
import { createServer } from "http";
import { CLIENT_KINDS } from "../../components/config";
import { promiseOf } from "../helpers/pulumiMocks";
import * as pulumi from "@pulumi/pulumi";

const ADDRESS = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const PEERS = [`enode://${"a".repeat(128)}@authority-2:30303`, `enode://${"b".repeat(128)}@authority-3:30303`];

const INTERVALS = { processed: 60, produced: 120 };

describe("Nethermind configuration", () => {
    const authority = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: false, signer: { address: ADDRESS, healthIntervals: INTERVALS } }));
    const rpcNode = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: false, rpc: { modules: nethermindModules(DEFAULT_METHODS), corsOrigins: ["https://ui.example"] } }));

    test("an authority is an AuRa block producer on a private chain, merge off, without the key 1.36 does not know", () => {
        expect(authority.Merge.Enabled).toBe(false);
        expect(authority.Mining.Enabled).toBe(true);
        expect(authority.Init).not.toHaveProperty("IsMining");
        expect(authority.Aura).toEqual({ ForceSealing: true, AllowAuRaPrivateChains: true });
        expect(authority.Init.ChainSpecPath).toBe("/consortium/chain/spec.json");
    });

    test("an authority unlocks its signer from the keystore with a password file and signs blocks with it", () => {
        expect(authority.KeyStore).toEqual({
            KeyStoreDirectory: "/consortium/keystore",
            UnlockAccounts: [ADDRESS],
            PasswordFiles: ["/consortium/secrets/password"],
            BlockAuthorAccount: ADDRESS,
            EnodeKeyFile: "/consortium/secrets/node.key",
        });
    });

    test("an authority serves JSON-RPC on loopback only, without WebSocket, and /health fails when it stops sealing", () => {
        expect(authority.JsonRpc).toEqual({ Enabled: true, Host: "127.0.0.1", Port: 8545, EnabledModules: ["Health"] });
        expect(authority.HealthChecks).toEqual({ Enabled: true, MaxIntervalWithoutProcessedBlock: 60, MaxIntervalWithoutProducedBlock: 120 });
    });

    test("an RPC node seals nothing, holds no signer, and serves only the allowlist's modules on every interface, subscriptions included", () => {
        expect(rpcNode.Mining.Enabled).toBe(false);
        expect(rpcNode.Aura).toBeUndefined();
        expect(rpcNode.KeyStore).toEqual({ EnodeKeyFile: "/consortium/secrets/node.key" });
        expect(rpcNode.JsonRpc.Host).toBe("0.0.0.0");
        expect(rpcNode.JsonRpc.WebSocketsPort).toBe(8546);
        expect(rpcNode.JsonRpc.EnabledModules).toEqual(["Eth", "Subscribe", "Net", "Web3", "Health"]);
        for (const forbidden of ["Parity", "Admin", "Personal", "Debug", "Trace", "TxPool"]) expect(rpcNode.JsonRpc.EnabledModules).not.toContain(forbidden);
        expect(rpcNode.JsonRpc.CorsOrigins).toEqual(["https://ui.example"]);
    });

    test("peers statically with the given enodes; in a permissioned consortium accepts only them and discovers no others", () => {
        expect(authority.Network.StaticPeers).toBe(PEERS.join(","));
        expect(authority.Network.OnlyStaticPeers).toBeUndefined();
        const restricted = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: true, signer: { address: ADDRESS, healthIntervals: INTERVALS } }));
        expect(restricted.Network.OnlyStaticPeers).toBe(true);
        expect(restricted.Init.DiscoveryEnabled).toBe(false);
    });

    test("an authority outside the latest validator set is not required to produce blocks", () => {
        const idle = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: false, signer: { address: ADDRESS, healthIntervals: { processed: 60 } } }));
        // Nethermind would otherwise apply its own AuRa hint (validators × step) and call the idle authority unhealthy.
        expect(idle.HealthChecks.MaxIntervalWithoutProducedBlock).toBeGreaterThanOrEqual(10 * 365 * 24 * 3600);
    });
});

describe.each(["openethereum", "parity"] as const)("%s authority.toml", (kind) => {
    const authority = renderAuthorityToml({ kind, dataPath: "/data", onlyStaticPeers: false, signer: ADDRESS });
    const rpcNode = renderAuthorityToml({ kind, dataPath: "/data", onlyStaticPeers: false, rpc: { apis: parityApis(DEFAULT_METHODS), corsOrigins: [] } });
    const section = (toml: string, name: string) => toml.split(`[${name}]`)[1]?.split("\n[")[0] ?? "";

    test("an authority keeps the seed's semantics: engine signer, password file, reserved peers, force sealing", () => {
        expect(authority).toContain(`engine_signer = "${ADDRESS}"`);
        expect(authority).toContain(`password = ["/consortium/secrets/password"]`);
        expect(authority).toContain(`reserved_peers = "/consortium/config/reserved_peers"`);
        expect(authority).toContain("force_sealing = true");
    });

    test("an authority serves eth and net on loopback only, no WebSocket, no IPC, no NAT probing", () => {
        expect(section(authority, "rpc")).toContain(`interface = "local"`);
        expect(section(authority, "rpc")).toContain(`apis = ["eth", "net"]`);
        expect(section(authority, "websockets").trim()).toBe("disable = true");
        expect(section(authority, "ipc").trim()).toBe("disable = true");
        expect(section(authority, "network")).toContain(`nat = "none"`);
    });

    test("an RPC node has no signer or password and serves only the allowlist's apis, pubsub included, never parity", () => {
        expect(rpcNode).not.toContain("engine_signer");
        expect(rpcNode).not.toContain("password");
        expect(rpcNode).not.toContain("[mining]");
        for (const name of ["rpc", "websockets"]) {
            expect(section(rpcNode, name)).toContain(`interface = "all"`);
            expect(section(rpcNode, name)).toContain(`apis = ["web3", "eth", "net", "pubsub"]`);
        }
        expect(rpcNode).not.toMatch(/"parity"|personal|secretstore|parity_set|signer"|traces/);
        expect(rpcNode).toContain(`cors = ["none"]`);
    });

    test("Parity does not auto-update nor probe hardware wallets; OpenEthereum has neither key", () => {
        if (kind === "parity") {
            expect(section(authority, "parity")).toContain(`auto_update = "none"`);
            expect(section(rpcNode, "account")).toContain("disable_hardware = true");
        } else {
            expect(authority).not.toMatch(/auto_update|disable_hardware/);
        }
    });

    test("in a permissioned consortium, connects only to its reserved peers and discovers no others", () => {
        expect(authority).not.toContain("reserved_only");
        const network = section(renderAuthorityToml({ kind, dataPath: "/data", onlyStaticPeers: true, signer: ADDRESS }), "network");
        expect(network).toContain("reserved_only = true");
        expect(network).toContain("discovery = false");
    });

    test("reserved peers are one enode per line", () => {
        expect(renderReservedPeers(PEERS)).toBe(`${PEERS[0]}\n${PEERS[1]}\n`);
    });
});

describe.each(CLIENT_KINDS)("the %s profile's workloads", (kind) => {
    const base = {
        chainName: "HOME",
        staticPeers: PEERS,
        onlyStaticPeers: true,
        image: "image:1",
        extraArgs: ["--log", "info"],
        specJson: "{}",
        nodeKey: `0x${"11".repeat(32)}`,
        resources: { cpu: "1", memory: "1Gi" },
        waitForHosts: ["authority-2", "authority-3"],
    };
    const workload = CLIENT_PROFILES[kind].authorityWorkload({
        ...base,
        name: "authority-1",
        address: ADDRESS,
        keys: { keystoreFileName: "key-abc.json", keystoreJson: "{}", password: "pw" },
        healthIntervals: INTERVALS,
    });
    const rpcNode = CLIENT_PROFILES[kind].rpcNodeWorkload({ ...base, name: "rpc-node-1", methods: DEFAULT_METHODS, corsOrigins: [], publicEndpoint: false });

    test("an authority carries keys only as secret files, and the node key in the client's format", async () => {
        const secrets = workload.files.filter((file) => file.kind === "secret");
        expect(secrets.map((file) => file.key).sort()).toEqual(["keystore.json", "node.key", "password"]);
        const nodeKey = secrets.find((file) => file.key === "node.key")!;
        const content = await promiseOf(pulumi.output(nodeKey.content));
        if (kind === "nethermind") expect(Buffer.from(content, "base64")).toEqual(Buffer.alloc(32, 0x11));
        else expect(content).toBe("11".repeat(32));
    });

    test("an RPC node holds its node key and no keystore or password", () => {
        expect(rpcNode.files.filter((file) => file.kind === "secret").map((file) => file.key)).toEqual(["node.key"]);
        expect(rpcNode.component).toBe("rpc-node");
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

    test("an authority publishes p2p only; an RPC node adds JSON-RPC and WebSocket", () => {
        expect(workload.args.slice(-2)).toEqual(["--log", "info"]);
        expect(workload.ports.map((port) => `${port.port}/${port.protocol}`)).toEqual(["30303/TCP", "30303/UDP"]);
        expect(rpcNode.ports.map((port) => `${port.port}/${port.protocol}`)).toEqual(["30303/TCP", "30303/UDP", "8545/TCP", "8546/TCP"]);
    });

    test("readiness is an HTTP or JSON-RPC call over loopback, not a TCP connect", () => {
        const probe = workload.healthCheck.readiness.join(" ");
        expect(probe).toContain("127.0.0.1");
        expect(probe).toMatch(kind === "nethermind" ? /GET \/health/ : /eth_syncing/);
    });
});

describe("the bash readiness probes against a node stand-in", () => {
    const probeOf = (kind: "nethermind" | "parity") =>
        CLIENT_PROFILES[kind].rpcNodeWorkload({
            name: "r", chainName: "C", staticPeers: [], onlyStaticPeers: false, image: "i", extraArgs: [], specJson: "{}", nodeKey: `0x${"11".repeat(32)}`,
            resources: { cpu: "1", memory: "1Gi" }, waitForHosts: [], methods: DEFAULT_METHODS, corsOrigins: [], publicEndpoint: false,
        }).healthCheck.readiness;
    async function runAgainst(kind: "nethermind" | "parity", status: number, body: string): Promise<boolean> {
        const server = createServer((_request, response) => {
            response.statusCode = status;
            response.end(body);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as { port: number }).port;
        const [shell, flag, script] = probeOf(kind);
        try {
            return await new Promise<boolean>((resolve) => execFile(shell, [flag, script.replaceAll("8545", String(port))], { timeout: 10_000 }, (error) => resolve(!error)));
        } finally {
            server.close();
        }
    }

    test("Nethermind is ready on /health 200 and not on 503", async () => {
        expect(await runAgainst("nethermind", 200, `{"status":"Healthy"}`)).toBe(true);
        expect(await runAgainst("nethermind", 503, `{"status":"Unhealthy"}`)).toBe(false);
    });

    test("Parity is ready when eth_syncing is false and not while it syncs", async () => {
        expect(await runAgainst("parity", 200, `{"jsonrpc":"2.0","id":1,"result":false}`)).toBe(true);
        expect(await runAgainst("parity", 200, `{"jsonrpc":"2.0","id":1,"result":{"currentBlock":"0x1"}}`)).toBe(false);
    });
});

describe("the readiness probes run as the images' shells run them", () => {
    /** A loopback HTTP server standing in for the node on 8545 is not possible without root; the probes' request text is checked instead. */
    test.each(CLIENT_KINDS)("%s: the request is well-formed HTTP", (kind) => {
        const script = CLIENT_PROFILES[kind].authorityWorkload({
            name: "a", chainName: "C", staticPeers: [], onlyStaticPeers: false, image: "i", extraArgs: [], specJson: "{}", nodeKey: `0x${"11".repeat(32)}`,
            resources: { cpu: "1", memory: "1Gi" }, waitForHosts: [], address: ADDRESS, keys: { keystoreFileName: "k", keystoreJson: "{}", password: "p" }, healthIntervals: INTERVALS,
        }).healthCheck.readiness[2];
        const request = execFileSync("/bin/bash", ["-c", `printf '${script.match(/printf '([^']*)'/)![1]}'`], { encoding: "utf8" });
        expect(request).toMatch(/^(GET \/health|POST \/) HTTP\/1\.0\r\nHost: 127\.0\.0\.1:8545\r\n/);
        const [head, body] = request.split("\r\n\r\n");
        const length = /Content-Length: (\d+)/.exec(head)?.[1];
        if (length) expect(Buffer.byteLength(body)).toBe(Number(length));
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
