import * as path from "path";
import { configServerNginx, publicChainConfig } from "../../components/workerpool/workloads";
import { freePort, gatewayDir, startNginx, testConfig, writeReadable, type RunningNginx } from "../helpers/nginx";

/**
 * The chain-config service the core and the workers read at startup (GET {config-server.url}/config/chain,
 * iexec-common 9.2.0 ConfigServerClient), served by Debian's nginx from the configuration the program writes.
 */
describe("the workerpool's chain-config service (nginx)", () => {
    let nginx: RunningNginx;
    let port: number;
    const served = publicChainConfig({ chainId: 65535, chainNodeUrl: "http://rpc-node-1:8545", hub: "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", stepDuration: 2 });

    beforeAll(async () => {
        port = await freePort();
        const files = gatewayDir();
        const chainJson = path.join(files.dir, "chain.json");
        writeReadable(chainJson, `${JSON.stringify(served)}\n`);
        writeReadable(files.configPath, configServerNginx(port, { chainJson, runtimeDir: files.dir, accessLog: path.join(files.dir, "access.log") }));
        const verdict = testConfig(files);
        expect(verdict.output).toContain("test is successful");
        nginx = await startNginx(files, port);
    });
    afterAll(async () => nginx?.stop());

    test("GET /config/chain answers the chain's public configuration as JSON, in the shape PublicChainConfig maps", async () => {
        const response = await fetch(`http://127.0.0.1:${port}/config/chain`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe("application/json");
        const body = (await response.json()) as Record<string, unknown>;
        expect(body).toEqual({ chainId: 65535, sidechain: false, chainNodeUrl: "http://rpc-node-1:8545", iexecHubContractAddress: "0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f", blockTime: "PT2S" });
        expect(Object.keys(body).sort()).toEqual(["blockTime", "chainId", "chainNodeUrl", "iexecHubContractAddress", "sidechain"]);
    });

    test("its health path answers, and nothing else is served", async () => {
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
        for (const other of ["/", "/config", "/config/chain.json", "/nginx.conf", "/config/chain/../../nginx.conf"]) expect((await fetch(`http://127.0.0.1:${port}${other}`)).status).toBe(404);
        expect((await fetch(`http://127.0.0.1:${port}/config/chain`, { method: "POST" })).status).toBe(405);
    });
});
