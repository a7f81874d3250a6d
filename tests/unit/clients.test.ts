import { renderNethermindConfig } from "../../components/clients/nethermind";
import { renderAuthorityToml, renderReservedPeers } from "../../components/clients/parityFamily";
import { DEFAULT_METHODS, nethermindModules, parityApis } from "../../components/rpcGateway/methods";
import { CLIENT_PROFILES } from "../../components/clients";
import { waitThenExec, type HealthIntervals } from "../../components/clients/profile";
import { execFile, execFileSync } from "child_process";
import { createServer } from "http";
import { CLIENT_KINDS } from "../../components/config";
import { promiseOf } from "../helpers/pulumiMocks";
import * as pulumi from "@pulumi/pulumi";

const ADDRESS = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94";
const PEERS = [`enode://${"a".repeat(128)}@authority-2:30303`, `enode://${"b".repeat(128)}@authority-3:30303`];

const INTERVALS: HealthIntervals = { processed: 60, produced: 120, turns: [{ fromBlock: 0, blocks: 6, seconds: 120 }] };
const RPC_INTERVALS = { processed: 60 };

describe("Nethermind configuration", () => {
    const authority = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: false, signer: { address: ADDRESS, healthIntervals: INTERVALS } }));
    const rpcNode = JSON.parse(renderNethermindConfig({ staticPeers: PEERS, onlyStaticPeers: false, rpc: { modules: nethermindModules(DEFAULT_METHODS), corsOrigins: ["https://ui.example"], healthIntervals: RPC_INTERVALS } }));

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
        // No keystore file, but a writable folder for the key ring that protects its node key in memory.
        expect(rpcNode.KeyStore).toEqual({ KeyStoreDirectory: "/consortium/keystore", EnodeKeyFile: "/consortium/secrets/node.key" });
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
    const rpcNode = CLIENT_PROFILES[kind].rpcNodeWorkload({ ...base, name: "rpc-node-1", methods: DEFAULT_METHODS, corsOrigins: [], publicEndpoint: false, healthIntervals: RPC_INTERVALS });

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

    test("readiness is an HTTP or JSON-RPC call over loopback, not a TCP connect", async () => {
        const probe = (await promiseOf(pulumi.all([...workload.healthCheck.readiness]))).join(" ");
        expect(probe).toContain("127.0.0.1");
        expect(probe).toMatch(kind === "nethermind" ? /GET \/health/ : /eth_coinbase/);
    });
});

/**
 * A JSON-RPC stand-in for a node on loopback: answers what the probes ask (eth_syncing, eth_coinbase,
 * eth_getBlockByNumber, net_peerCount) from a chain described by the test, or /health with a status.
 */
interface StandIn {
    readonly syncing?: boolean;
    readonly coinbase?: string;
    readonly peers?: number;
    /** Newest first: who sealed each block and how many seconds ago. */
    readonly blocks?: readonly { readonly miner: string; readonly age: number }[];
    readonly healthStatus?: number;
}
async function probeAgainst(readiness: readonly pulumi.Input<string>[], chain: StandIn, shell?: readonly string[]): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    const blocks = chain.blocks ?? [];
    const head = blocks.length; // block numbers: head = blocks.length, down to 1
    const blockJson = (number: number) => {
        const block = blocks[head - number];
        return block ? { number: `0x${number.toString(16)}`, miner: block.miner.toLowerCase(), timestamp: `0x${(now - block.age).toString(16)}` } : null;
    };
    const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
            if (request.url === "/health") {
                response.statusCode = chain.healthStatus ?? 200;
                response.end("{}");
                return;
            }
            const { method, params } = JSON.parse(body);
            const result =
                method === "eth_syncing" ? (chain.syncing ? { currentBlock: "0x1" } : false) :
                method === "eth_coinbase" ? (chain.coinbase ?? ADDRESS).toLowerCase() :
                method === "net_peerCount" ? `0x${(chain.peers ?? 1).toString(16)}` :
                method === "eth_getBlockByNumber" ? blockJson(params[0] === "latest" ? head : Number(params[0])) : null;
            response.setHeader("content-type", "application/json");
            response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const [command, flag, script] = await promiseOf(pulumi.all([...readiness]));
    const [program, ...shellArgs] = shell ?? [command];
    try {
        return await new Promise<boolean>((resolve) =>
            execFile(program, [...shellArgs, flag, script.replaceAll("8545", String(port))], { timeout: 20_000 }, (error) => resolve(!error)),
        );
    } finally {
        server.close();
    }
}

const nodeBase = {
    chainName: "C", staticPeers: [], onlyStaticPeers: false, image: "i", extraArgs: [], specJson: "{}", nodeKey: `0x${"11".repeat(32)}`,
    resources: { cpu: "1", memory: "1Gi" }, waitForHosts: [],
};
const authorityProbe = (kind: (typeof CLIENT_KINDS)[number], intervals: HealthIntervals = INTERVALS) =>
    CLIENT_PROFILES[kind].authorityWorkload({ ...nodeBase, name: "a", address: ADDRESS, keys: { keystoreFileName: "k", keystoreJson: "{}", password: "p" }, healthIntervals: intervals }).healthCheck.readiness;
const rpcNodeProbe = (kind: (typeof CLIENT_KINDS)[number]) =>
    CLIENT_PROFILES[kind].rpcNodeWorkload({ ...nodeBase, name: "r", methods: DEFAULT_METHODS, corsOrigins: [], publicEndpoint: false, healthIntervals: RPC_INTERVALS }).healthCheck.readiness;

const OTHER = "0x1111111111111111111111111111111111111111";
/** Six validators' turns, this authority's two steps ago. */
const SEALING = [{ miner: OTHER, age: 5 }, { miner: OTHER, age: 10 }, { miner: ADDRESS, age: 15 }, { miner: OTHER, age: 20 }];

describe("Nethermind's readiness: /health over loopback (bash /dev/tcp, the image has no curl)", () => {
    test("ready on 200, not on 503", async () => {
        expect(await probeAgainst(authorityProbe("nethermind"), { healthStatus: 200 })).toBe(true);
        expect(await probeAgainst(authorityProbe("nethermind"), { healthStatus: 503 })).toBe(false);
        expect(await probeAgainst(rpcNodeProbe("nethermind"), { healthStatus: 503 })).toBe(false);
    });
});

// The shells the images run the probes with: busybox ash (OpenEthereum's Alpine) and dash (Parity's Ubuntu), with
// the curl and jq they install.
describe.each([
    ["openethereum", "busybox sh"],
    ["parity", "/bin/sh"],
] as const)("%s's readiness over JSON-RPC (run with %s, curl and jq)", (kind, shell) => {
    const run = (readiness: readonly pulumi.Input<string>[], chain: StandIn) => probeAgainst(readiness, chain, shell.split(" "));
    test("an authority that seals as its configured signer, on a chain whose blocks advance, is ready", async () => {
        expect(await run(authorityProbe(kind), { blocks: SEALING })).toBe(true);
    });
    test("not ready: another signer, no block of its own in its turns, a stale head, or syncing", async () => {
        expect(await run(authorityProbe(kind), { blocks: SEALING, coinbase: OTHER })).toBe(false);
        expect(await run(authorityProbe(kind), { blocks: SEALING.map((block) => ({ ...block, miner: OTHER })) })).toBe(false);
        expect(await run(authorityProbe(kind), { blocks: SEALING.map((block) => ({ ...block, age: block.age + 600 })) })).toBe(false);
        expect(await run(authorityProbe(kind), { blocks: SEALING, syncing: true })).toBe(false);
    });
    test("its own block older than the produced interval, or beyond its turns, does not count", async () => {
        expect(await run(authorityProbe(kind), { blocks: [{ miner: OTHER, age: 5 }, { miner: ADDRESS, age: 130 }] })).toBe(false);
        const turns = Array.from({ length: 6 }, () => ({ miner: OTHER, age: 5 }));
        expect(await run(authorityProbe(kind), { blocks: [...turns, { miner: ADDRESS, age: 6 }] })).toBe(false);
    });
    test("an authority not in the validator set active at the head needs only its signer and an advancing chain", async () => {
        expect(await run(authorityProbe(kind, RPC_INTERVALS), { blocks: [{ miner: OTHER, age: 5 }] })).toBe(true);
        // Joining at block 10 (a set scheduled ahead): before it, nothing of its own is expected; from it, its blocks are.
        const joining: HealthIntervals = { processed: 60, turns: [{ fromBlock: 0, blocks: 0, seconds: 0 }, { fromBlock: 10, blocks: 9, seconds: 120 }] };
        const otherBlocks = (count: number) => Array.from({ length: count }, (_, index) => ({ miner: OTHER, age: 5 + index }));
        expect(await run(authorityProbe(kind, joining), { blocks: otherBlocks(4) })).toBe(true);
        expect(await run(authorityProbe(kind, joining), { blocks: otherBlocks(12) })).toBe(false);
        expect(await run(authorityProbe(kind, joining), { blocks: [...otherBlocks(2), { miner: ADDRESS, age: 8 }, ...otherBlocks(9)] })).toBe(true);
        // Leaving at block 10: from it, it is not expected to seal.
        const leaving: HealthIntervals = { processed: 60, turns: [{ fromBlock: 0, blocks: 6, seconds: 120 }, { fromBlock: 10, blocks: 0, seconds: 0 }] };
        expect(await run(authorityProbe(kind, leaving), { blocks: otherBlocks(12) })).toBe(true);
        expect(await run(authorityProbe(kind, leaving), { blocks: otherBlocks(4) })).toBe(false);
    });
    test("an RPC node is ready with peers and a fresh head, not without peers", async () => {
        expect(await run(rpcNodeProbe(kind), { blocks: [{ miner: OTHER, age: 5 }] })).toBe(true);
        expect(await run(rpcNodeProbe(kind), { blocks: [{ miner: OTHER, age: 5 }], peers: 0 })).toBe(false);
        expect(await run(rpcNodeProbe(kind), { blocks: [{ miner: OTHER, age: 500 }] })).toBe(false);
    });
});

describe("Nethermind's readiness request", () => {
    test("is well-formed HTTP", async () => {
        const script = (await promiseOf(pulumi.all([...authorityProbe("nethermind")])))[2];
        const request = execFileSync("/bin/bash", ["-c", `printf '${script.match(/printf '([^']*)'/)![1]}'`], { encoding: "utf8" });
        expect(request).toMatch(/^GET \/health HTTP\/1\.0\r\nHost: 127\.0\.0\.1:8545\r\n\r\n$/);
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

    test.each(["/bin/sh", "busybox sh"])("with %s, gives the client its own address as /etc/hosts names it, after its arguments", (shell) => {
        const own = execFileSync("sh", ["-c", 'getent ahostsv4 "$(cat /etc/hostname)"'], { encoding: "utf8" }).split(/\s+/)[0];
        expect(own).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const [program, ...shellArgs] = shell.split(" ");
        const output = execFileSync(program, [...shellArgs, "-c", waitThenExec([], "/bin/echo", 5, "--Network.ExternalIp"), "node-name", "--config", "/x.json"], { encoding: "utf8" });
        expect(output).toBe(`--config /x.json --Network.ExternalIp ${own}\n`);
    });
});

describe("an OpenEthereum/Parity RPC node serves net even when rpc.methods names no net_ method", () => {
    test.each(["openethereum", "parity"] as const)("%s: its readiness probe's net_peerCount has an api to answer it", async (kind) => {
        const workload = CLIENT_PROFILES[kind].rpcNodeWorkload({ ...nodeBase, name: "r", methods: ["eth_chainId", "eth_blockNumber"], corsOrigins: [], publicEndpoint: false, healthIntervals: RPC_INTERVALS });
        const toml = await promiseOf(pulumi.output(workload.files.find((file) => file.key === "authority.toml")!.content));
        expect(toml).toContain(`apis = ["eth", "net"]`);
        expect(parityApis(["eth_chainId", "eth_blockNumber"])).toEqual(["eth"]);
    });
});

describe("Nethermind's own address at start", () => {
    const base = {
        name: "a", chainName: "C", staticPeers: [], onlyStaticPeers: false, image: "i", extraArgs: [], specJson: "{}", nodeKey: `0x${"11".repeat(32)}`,
        resources: { cpu: "1", memory: "1Gi" }, waitForHosts: [], address: ADDRESS, keys: { keystoreFileName: "k", keystoreJson: "{}", password: "p" }, healthIntervals: INTERVALS,
    };
    test("a node without an advertised IPv4 address is given its container's, so it asks no IP-echo service", () => {
        const [, , script] = CLIENT_PROFILES.nethermind.authorityWorkload(base).entrypoint;
        expect(script).toContain('exec /nethermind/nethermind "$@" --Network.ExternalIp "$own"');
        const rpc = CLIENT_PROFILES.nethermind.rpcNodeWorkload({ ...base, name: "r", methods: DEFAULT_METHODS, corsOrigins: [], publicEndpoint: false, healthIntervals: RPC_INTERVALS });
        expect(rpc.entrypoint[2]).toContain("--Network.ExternalIp");
    });
    test("a node whose client.extraArgs sets it is not given it twice", () => {
        const workload = CLIENT_PROFILES.nethermind.authorityWorkload({ ...base, extraArgs: ["--Network.ExternalIp", "198.51.100.9"] });
        expect(workload.entrypoint).toEqual(["/nethermind/nethermind"]);
    });
    test("an authority advertising an IPv4 address keeps it in its configuration and is not given another", async () => {
        const p2p = { host: "203.0.113.7", port: 30303, kubernetes: { serviceType: "LoadBalancer" as const }, docker: { bindAddress: "0.0.0.0", hostPort: 30303 } };
        const workload = CLIENT_PROFILES.nethermind.authorityWorkload({ ...base, p2p });
        expect(workload.entrypoint).toEqual(["/nethermind/nethermind"]);
        const config = JSON.parse(await promiseOf(pulumi.output(workload.files.find((file) => file.key === "nethermind.json")!.content)));
        expect(config.Network.ExternalIp).toBe("203.0.113.7");
    });
});

describe("which authorities are expected to seal, and when", () => {
    const { healthIntervals } = require("../../components/consortium") as typeof import("../../components/consortium");
    const sets = [
        { fromBlock: 0, validators: ["a", "b", "c"] },
        { fromBlock: 1000, validators: ["a", "b", "c", "d"] },
    ];
    test("one in every set gets Nethermind's single interval and a turn per set", () => {
        expect(healthIntervals(5, sets, "a")).toEqual({
            processed: 60,
            produced: 120,
            turns: [
                { fromBlock: 0, blocks: 9, seconds: 120 },
                { fromBlock: 1000, blocks: 12, seconds: 120 },
            ],
        });
    });
    test("one joining later gets no single interval (Nethermind cannot tell when), and no turn before it joins", () => {
        const intervals = healthIntervals(5, sets, "d");
        expect(intervals.produced).toBeUndefined();
        expect(intervals.turns).toEqual([
            { fromBlock: 0, blocks: 0, seconds: 0 },
            { fromBlock: 1000, blocks: 12, seconds: 120 },
        ]);
    });
});
