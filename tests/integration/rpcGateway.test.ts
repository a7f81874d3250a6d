import { readFileSync } from "fs";
import { createServer, type IncomingHttpHeaders, type Server } from "http";
import * as path from "path";
import WebSocket from "ws";
import { connectRpc } from "../../components/chain/rpc";
import { DEFAULT_METHODS } from "../../components/rpcGateway/methods";
import { DEFAULT_GATEWAY_LIMITS, FORWARD_LOCATION, GATEWAY_HEALTH_PATH, NJS_MODULE_PATH, renderGatewayConfig, renderHtpasswd, type GatewayLimits, type GatewayNginxInput } from "../../components/rpcGateway/nginx";
import { renderRpcFilter } from "../../components/rpcGateway/rpcFilter";
import { startAnvil, type AnvilNode } from "../helpers/anvil";
import { PortTakenError, freePort, gatewayDir, startNginx, testConfig, writeReadable, type NginxFiles, type RunningNginx } from "../helpers/nginx";

/**
 * The generated gateway (nginx with Debian's njs module, the software of the official image) in front of anvil or
 * of a recording upstream: authentication, the method allowlist, bounds, limits, CORS and header hygiene.
 */
const CHAIN_ID = 65535;
const CREDENTIALS = { acme: "acme-0123456789abcdef0123456789abcdef", globex: "globex-fedcba9876543210fedcba98765432" };
const ORIGIN = "https://dapp.example.org";
/** Limits low enough for a test to reach them in a bounded loop. */
const TEST_LIMITS: GatewayLimits = { ...DEFAULT_GATEWAY_LIMITS, requestsPerSecond: 5, burst: 10, connectionsPerMember: 3, maxBatch: 20, maxBodyBytes: 64 * 1024 };

/** Every method the issue lists as dangerous, and what a node would do with it. */
const DANGEROUS = [
    "parity_setEngineSigner",
    "parity_setEngineSignerSecret",
    "parity_clearEngineSigner",
    "admin_addPeer",
    "admin_peers",
    "personal_unlockAccount",
    "personal_sign",
    "debug_traceTransaction",
    "miner_stop",
    "txpool_content",
    "eth_sign",
    "eth_sendTransaction",
    "eth_signTransaction",
];

interface Gateway {
    readonly nginx: RunningNginx;
    readonly url: string;
    readonly wsUrl: string;
    readonly accessLog: string;
}

/** Writes the generated user file, filter and configuration into a scratch folder, as the platform mounts them. */
function writeGateway(files: NginxFiles, input: Pick<GatewayNginxInput, "http" | "ws" | "listenPort" | "internalPort" | "limits" | "corsOrigins" | "resolver">): string {
    const filterPath = path.join(files.dir, "rpc-filter.js");
    const accessLog = path.join(files.dir, "access.log");
    writeReadable(files.htpasswdPath, renderHtpasswd(CREDENTIALS));
    writeReadable(filterPath, renderRpcFilter({ methods: DEFAULT_METHODS, maxBatch: input.limits.maxBatch, forwardTo: FORWARD_LOCATION }));
    writeReadable(
        files.configPath,
        renderGatewayConfig({ ...input, htpasswdPath: files.htpasswdPath, filterPath, njsModulePath: NJS_MODULE_PATH, runtimeDir: files.dir, accessLog }),
    );
    return accessLog;
}

async function gatewayInFrontOf(upstream: string, limits: GatewayLimits = TEST_LIMITS, corsOrigins: readonly string[] = [ORIGIN]): Promise<Gateway> {
    for (let attempt = 1; ; attempt++) {
        const files: NginxFiles = gatewayDir();
        const port = await freePort();
        const accessLog = writeGateway(files, { http: [upstream], ws: [upstream], listenPort: port, internalPort: await freePort(), limits, corsOrigins });
        try {
            return { nginx: await startNginx(files, port), url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, accessLog };
        } catch (error) {
            if (!(error instanceof PortTakenError) || attempt === 3) throw error;
        }
    }
}

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
const as = (member: keyof typeof CREDENTIALS) => basic(member, CREDENTIALS[member]);

function post(url: string, body: unknown, authorization?: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}), ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
    });
}
const call = (method: string, params: unknown[] = [], id = 1) => ({ jsonrpc: "2.0", id, method, params });

/** Opens a WebSocket through the gateway; resolves with the socket once open, rejects with the refusal's status. */
function openSocket(url: string, authorization?: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, { headers: authorization ? { authorization } : {} });
        socket.once("open", () => resolve(socket));
        socket.once("unexpected-response", (_request, response) => reject(new Error(`refused with ${response.statusCode}`)));
        socket.once("error", reject);
    });
}

/** A node stand-in that records the headers of every request it gets. */
async function recordingUpstream(): Promise<{ server: Server; address: string; seen: IncomingHttpHeaders[]; bodies: string[] }> {
    const seen: IncomingHttpHeaders[] = [];
    const bodies: string[] = [];
    const server = createServer((request, response) => {
        seen.push(request.headers);
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
            bodies.push(body);
            response.setHeader("content-type", "application/json");
            response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { server, address: `127.0.0.1:${(server.address() as { port: number }).port}`, seen, bodies };
}

let node: AnvilNode;
let gateway: Gateway;

beforeAll(async () => {
    node = await startAnvil({ chainId: CHAIN_ID });
    gateway = await gatewayInFrontOf(new URL(node.rpcUrl).host, { ...TEST_LIMITS, requestsPerSecond: 1000, burst: 1000 });
}, 30_000);
afterAll(async () => {
    await gateway?.nginx.stop();
    await node?.stop();
});

describe("the RPC gateway (nginx with njs) in front of a node", () => {
    test("a request without credentials is refused, and so are a wrong password and another member's password", async () => {
        const anonymous = await post(gateway.url, call("eth_chainId"));
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
        expect(await anonymous.text()).not.toContain("jsonrpc");
        expect((await post(gateway.url, call("eth_chainId"), basic("acme", "guess"))).status).toBe(401);
        expect((await post(gateway.url, call("eth_chainId"), basic("acme", CREDENTIALS.globex))).status).toBe(401);
        expect((await post(gateway.url, call("eth_chainId"), basic("nobody", CREDENTIALS.acme))).status).toBe(401);
    });

    test("each member's own credential answers JSON-RPC, and pulumi up's ethers client reads through it", async () => {
        for (const member of Object.keys(CREDENTIALS) as (keyof typeof CREDENTIALS)[]) {
            const response = await post(gateway.url, call("eth_chainId"), as(member));
            expect(response.status).toBe(200);
            expect(((await response.json()) as { result: string }).result).toBe(`0x${CHAIN_ID.toString(16)}`);
        }
        const provider = connectRpc(gateway.url, { username: "acme", password: CREDENTIALS.acme }, CHAIN_ID);
        try {
            expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(0);
        } finally {
            provider.destroy();
        }
    });

    test("every dangerous method is refused for every member, alone and inside a batch, and never reaches the node", async () => {
        const upstream = await recordingUpstream();
        const recorded = await gatewayInFrontOf(upstream.address);
        try {
            for (const member of Object.keys(CREDENTIALS) as (keyof typeof CREDENTIALS)[]) {
                for (const method of DANGEROUS) {
                    const alone = await post(recorded.url, call(method), as(member));
                    expect({ method, status: alone.status }).toEqual({ method, status: 403 });
                    expect(((await alone.json()) as { error: { code: number } }).error.code).toBe(-32601);
                    const batch = await post(recorded.url, [call("eth_chainId", [], 1), call(method, [], 2)], as(member));
                    expect({ method, status: batch.status }).toEqual({ method, status: 403 });
                }
            }
            expect(upstream.bodies).toEqual([]);
            // The same gateway forwards an allowed call, so the refusals above are the filter's, not a broken upstream.
            expect((await post(recorded.url, call("eth_chainId"), as("acme"))).status).toBe(200);
            expect(upstream.bodies.map((body) => JSON.parse(body).method)).toEqual(["eth_chainId"]);
        } finally {
            await recorded.nginx.stop();
            await new Promise((resolve) => upstream.server.close(resolve));
        }
    });

    test("every allowlisted method reaches the node and is answered, alone and batched", async () => {
        const answers: Record<string, number> = {};
        for (const method of DEFAULT_METHODS.filter((name) => name !== "eth_subscribe" && name !== "eth_unsubscribe")) {
            const response = await post(gateway.url, call(method), as("globex"));
            answers[method] = response.status;
            const body = (await response.json()) as { jsonrpc?: string; error?: { message: string } };
            // The node may refuse parameters it was not given; the gateway's own refusal would say "not served by this consortium".
            expect({ method, jsonrpc: body.jsonrpc, refusedByGateway: /not served by this consortium/.test(body.error?.message ?? "") }).toEqual({ method, jsonrpc: "2.0", refusedByGateway: false });
        }
        expect(Object.values(answers).every((status) => status === 200)).toBe(true);
        const batch = await post(gateway.url, [call("eth_chainId", [], 1), call("net_version", [], 2), call("eth_blockNumber", [], 3)], as("globex"));
        expect(batch.status).toBe(200);
        expect(((await batch.json()) as unknown[]).length).toBe(3);
    });

    test("malformed, empty, oversized batches and oversized bodies are refused before the node", async () => {
        expect((await post(gateway.url, "{not json", as("acme"))).status).toBe(400);
        expect((await post(gateway.url, [], as("acme"))).status).toBe(400);
        expect((await post(gateway.url, [{ jsonrpc: "2.0", id: 1 }], as("acme"))).status).toBe(400);
        const tooMany = Array.from({ length: TEST_LIMITS.maxBatch + 1 }, (_, index) => call("eth_chainId", [], index));
        const refused = await post(gateway.url, tooMany, as("acme"));
        expect(refused.status).toBe(413);
        expect(await refused.text()).toContain(`at most ${TEST_LIMITS.maxBatch}`);
        const atLimit = await post(gateway.url, tooMany.slice(1), as("acme"));
        expect(atLimit.status).toBe(200);
        const huge = call("eth_call", [{ data: `0x${"00".repeat(TEST_LIMITS.maxBodyBytes)}` }, "latest"]);
        expect((await post(gateway.url, huge, as("acme"))).status).toBe(413);
        expect((await fetch(gateway.url, { headers: { authorization: as("acme") } })).status).toBe(405);
    });

    test("one member at its request limit is refused, while another member's calls still work", async () => {
        const limited = await gatewayInFrontOf(new URL(node.rpcUrl).host);
        try {
            const statuses = await Promise.all(Array.from({ length: 60 }, () => post(limited.url, call("eth_chainId"), as("acme")).then((response) => response.status)));
            const refused = statuses.filter((status) => status === 429).length;
            expect(refused).toBeGreaterThan(0);
            // At most the burst and a few seconds' rate got through.
            expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(TEST_LIMITS.burst + 1 + 5 * TEST_LIMITS.requestsPerSecond);
            expect((await post(limited.url, call("eth_chainId"), as("globex"))).status).toBe(200);
        } finally {
            await limited.nginx.stop();
        }
    });

    test("WebSocket: refused without credentials; a member subscribes; one at its connection limit leaves another member's upgrade working", async () => {
        await expect(openSocket(gateway.wsUrl)).rejects.toThrow(/401/);
        const limited = await gatewayInFrontOf(new URL(node.rpcUrl).host, { ...TEST_LIMITS, requestsPerSecond: 1000, burst: 1000 });
        const sockets: WebSocket[] = [];
        try {
            for (let index = 0; index < TEST_LIMITS.connectionsPerMember; index++) sockets.push(await openSocket(limited.wsUrl, as("acme")));
            await expect(openSocket(limited.wsUrl, as("acme"))).rejects.toThrow(/429/);
            const other = await openSocket(limited.wsUrl, as("globex"));
            sockets.push(other);
            const subscription = await new Promise<{ result?: string }>((resolve) => {
                other.once("message", (data) => resolve(JSON.parse(data.toString())));
                other.send(JSON.stringify(call("eth_subscribe", ["newHeads"])));
            });
            expect(subscription.result).toMatch(/^0x[0-9a-f]+$/);
        } finally {
            for (const socket of sockets) socket.terminate();
            await limited.nginx.stop();
        }
    });

    test("a CORS preflight from a configured origin is answered before authentication; another origin gets no grant", async () => {
        const preflight = (origin: string) =>
            fetch(gateway.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } });
        const allowed = await preflight(ORIGIN);
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get("access-control-allow-origin")).toBe(ORIGIN);
        expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
        const other = await preflight("https://evil.example.com");
        expect(other.headers.get("access-control-allow-origin")).toBeNull();
        const answered = await post(gateway.url, call("eth_chainId"), as("acme"), { origin: ORIGIN });
        expect(answered.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    });

    test("with the origin '*', any origin is answered with '*' and never with credentials", async () => {
        const open = await gatewayInFrontOf(new URL(node.rpcUrl).host, TEST_LIMITS, ["*"]);
        try {
            const preflight = await fetch(open.url, { method: "OPTIONS", headers: { origin: "https://any.example", "access-control-request-method": "POST" } });
            expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
            expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
        } finally {
            await open.nginx.stop();
        }
    });

    test("the node never sees the credentials nor forged forwarding headers; the access log names the member, never a failed login's claim", async () => {
        const upstream = await recordingUpstream();
        const recorded = await gatewayInFrontOf(upstream.address);
        try {
            const forged = { "x-forwarded-for": "6.6.6.6", "x-real-ip": "6.6.6.6", "x-forwarded-host": "evil", "x-forwarded-proto": "https", forwarded: "for=6.6.6.6", "x-consortium-member": "acme" };
            expect((await post(recorded.url, call("eth_chainId"), as("globex"), forged)).status).toBe(200);
            expect(upstream.seen).toHaveLength(1);
            const headers = upstream.seen[0];
            for (const name of ["authorization", ...Object.keys(forged)]) expect({ name, value: headers[name] }).toEqual({ name, value: undefined });
            expect(JSON.stringify(headers)).not.toContain(CREDENTIALS.globex);
            expect((await post(recorded.url, call("eth_chainId"), basic("acme", "guess"))).status).toBe(401);
            await new Promise((resolve) => setTimeout(resolve, 200));
            // Only the test's own calls (startNginx's readiness check is a GET).
            const log = readFileSync(recorded.accessLog, "utf8").trim().split("\n").filter((line) => line.includes('"POST '));
            expect(log[0]).toMatch(/^127\.0\.0\.1 globex \[.* 200 /);
            expect(log[1]).toMatch(/^127\.0\.0\.1 - \[.* 401 /);
            expect(log.join("\n")).not.toContain("acme");
            expect(log.join("\n")).not.toContain(CREDENTIALS.globex);
        } finally {
            await recorded.nginx.stop();
            await new Promise((resolve) => upstream.server.close(resolve));
        }
    });

    test("failed logins from one address are throttled before their passwords are checked", async () => {
        const throttled = await gatewayInFrontOf(new URL(node.rpcUrl).host, { ...TEST_LIMITS, addressRequestsPerSecond: 5, addressBurst: 5 });
        try {
            const statuses = await Promise.all(Array.from({ length: 60 }, (_, index) => post(throttled.url, call("eth_chainId"), basic("acme", `guess-${index}`)).then((response) => response.status)));
            expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(40);
            expect(statuses.every((status) => status === 429 || status === 401)).toBe(true);
        } finally {
            await throttled.nginx.stop();
        }
    });

    test("the health endpoint answers without credentials and reveals nothing of the chain", async () => {
        const response = await fetch(`${gateway.url}${GATEWAY_HEALTH_PATH}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe("ok\n");
    });

    test("the Docker variant (names re-resolved through Docker's DNS) and failover backups are valid nginx configuration", () => {
        for (const resolver of ["127.0.0.11", undefined]) {
            const files = gatewayDir();
            writeGateway(files, {
                http: ["localhost:8545", "127.0.0.1:18545"],
                ws: ["localhost:8546", "127.0.0.1:18546"],
                ...(resolver ? { resolver } : {}),
                listenPort: 18080,
                internalPort: 18081,
                limits: DEFAULT_GATEWAY_LIMITS,
                corsOrigins: ["*"],
            });
            const verdict = testConfig(files);
            expect({ resolver, ok: verdict.ok, output: verdict.ok ? "" : verdict.output }).toEqual({ resolver, ok: true, output: "" });
        }
    });
});
