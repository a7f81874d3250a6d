import { readFileSync } from "fs";
import { createServer, type IncomingHttpHeaders, type Server } from "http";
import * as path from "path";
import { connectRpc } from "../../components/chain/rpc";
import { GATEWAY_HEALTH_PATH, renderGatewayConfig, renderHtpasswd } from "../../components/rpcGateway/nginx";
import { startAnvil, type AnvilNode } from "../helpers/anvil";
import { freePort, gatewayDir, startNginx, testConfig, writeReadable, type RunningNginx } from "../helpers/nginx";

const CHAIN_ID = 65535;
const CREDENTIALS = { acme: "acme-0123456789abcdef0123456789abcdef", globex: "globex-fedcba9876543210fedcba98765432" };

let node: AnvilNode;
let gateway: RunningNginx;
let gatewayUrl: string;

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
async function chainIdCall(authorization?: string): Promise<Response> {
    return fetch(gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
}

const accessLogOf = (files: { dir: string }) => path.join(files.dir, "access.log");

async function gatewayInFrontOf(upstream: string): Promise<{ gateway: RunningNginx; url: string; accessLog: string }> {
    const files = gatewayDir();
    const port = await freePort();
    writeReadable(files.htpasswdPath, renderHtpasswd(CREDENTIALS));
    writeReadable(files.configPath, renderGatewayConfig({ http: [upstream], ws: [upstream], listenPort: port, htpasswdPath: files.htpasswdPath, runtimeDir: files.dir, accessLog: accessLogOf(files) }));
    return { gateway: await startNginx(files, port), url: `http://127.0.0.1:${port}`, accessLog: accessLogOf(files) };
}

beforeAll(async () => {
    node = await startAnvil({ chainId: CHAIN_ID });
    const started = await gatewayInFrontOf(new URL(node.rpcUrl).host);
    gateway = started.gateway;
    gatewayUrl = started.url;
}, 30_000);
afterAll(async () => {
    await gateway?.stop();
    await node?.stop();
});

describe("the RPC gateway (nginx) in front of a node", () => {
    test("a request without credentials is refused, and so is a wrong password", async () => {
        const anonymous = await chainIdCall();
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
        expect(await anonymous.text()).not.toContain("jsonrpc");
        expect((await chainIdCall(basic("acme", "guess"))).status).toBe(401);
        expect((await chainIdCall(basic("nobody", CREDENTIALS.acme))).status).toBe(401);
    });

    test("each member's own key answers JSON-RPC", async () => {
        for (const [member, key] of Object.entries(CREDENTIALS)) {
            const response = await chainIdCall(basic(member, key));
            expect(response.status).toBe(200);
            expect(((await response.json()) as { result: string }).result).toBe(`0x${CHAIN_ID.toString(16)}`);
        }
    });

    test("one member's key cannot be used under another member's name", async () => {
        expect((await chainIdCall(basic("acme", CREDENTIALS.globex))).status).toBe(401);
        expect((await chainIdCall(basic("globex", CREDENTIALS.acme))).status).toBe(401);
    });

    test("pulumi up's own client (ethers with credentials in the header) reads through it", async () => {
        const provider = connectRpc(gatewayUrl, { username: "acme", password: CREDENTIALS.acme }, CHAIN_ID);
        try {
            expect(await provider.getBlockNumber()).toBeGreaterThanOrEqual(0);
        } finally {
            provider.destroy();
        }
        const anonymous = connectRpc(gatewayUrl, undefined, CHAIN_ID);
        try {
            await expect(anonymous.getBlockNumber()).rejects.toThrow(/401|Unauthorized/i);
        } finally {
            anonymous.destroy();
        }
    });

    test("the health endpoint answers without credentials and reveals nothing of the chain", async () => {
        const response = await fetch(`${gatewayUrl}${GATEWAY_HEALTH_PATH}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe("ok\n");
    });

    test("the node never sees the credentials; the access log names the member", async () => {
        let seen: IncomingHttpHeaders | undefined;
        const upstream: Server = createServer((request, response) => {
            seen = request.headers;
            response.setHeader("content-type", "application/json");
            response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }));
        });
        await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
        const { gateway: recording, url, accessLog } = await gatewayInFrontOf(`127.0.0.1:${(upstream.address() as { port: number }).port}`);
        try {
            const response = await fetch(url, { method: "POST", headers: { authorization: basic("globex", CREDENTIALS.globex) }, body: "{}" });
            expect(response.status).toBe(200);
            expect(seen).toBeDefined();
            expect(seen!.authorization).toBeUndefined();
            expect(JSON.stringify(seen)).not.toContain(CREDENTIALS.globex);
            await new Promise((resolve) => setTimeout(resolve, 200));
            const log = readFileSync(accessLog, "utf8");
            expect(log).toMatch(/127\.0\.0\.1 globex \[/);
            expect(log).not.toContain(CREDENTIALS.globex);
        } finally {
            await recording.stop();
            await new Promise((resolve) => upstream.close(resolve));
        }
    });

    test("the Docker variant (names re-resolved through Docker's DNS) and failover backups are valid nginx configuration", () => {
        for (const resolver of ["127.0.0.11", undefined]) {
            const files = gatewayDir();
            writeReadable(files.htpasswdPath, renderHtpasswd(CREDENTIALS));
            writeReadable(
                files.configPath,
                renderGatewayConfig({ http: ["localhost:8545", "127.0.0.1:18545"], ws: ["localhost:8546", "127.0.0.1:18546"], resolver, listenPort: 18080, htpasswdPath: files.htpasswdPath, runtimeDir: files.dir, accessLog: accessLogOf(files) }),
            );
            const verdict = testConfig(files);
            expect({ resolver, ok: verdict.ok, output: verdict.ok ? "" : verdict.output }).toEqual({ resolver, ok: true, output: "" });
        }
    });
});
