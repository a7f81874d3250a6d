import { spawn, spawnSync, type ChildProcess } from "child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import * as path from "path";

/** nginx as Debian packages it (the RPC gateway image's software), started by a test on 127.0.0.1. */
export const NGINX = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, "nginx")), "/usr/sbin/nginx", "/usr/bin/nginx"].find((candidate) => existsSync(candidate));

export function requireNginx(): string {
    if (!NGINX) throw new Error("nginx is not installed: apt-get install nginx (the CI script installs it)");
    return NGINX;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
        });
    });
}

export interface NginxFiles {
    readonly dir: string;
    readonly htpasswdPath: string;
    readonly configPath: string;
}

/** A scratch directory for one gateway: workers run as an unprivileged user, so everything is world-readable. */
export function gatewayDir(): NginxFiles {
    const dir = mkdtempSync(path.join(tmpdir(), "gateway-"));
    chmodSync(dir, 0o755);
    return { dir, htpasswdPath: path.join(dir, "htpasswd"), configPath: path.join(dir, "nginx.conf") };
}

export function writeReadable(file: string, content: string): void {
    writeFileSync(file, content);
    chmodSync(file, 0o644);
}

/** `nginx -t` on a configuration: its verdict and output. */
export function testConfig(files: NginxFiles): { ok: boolean; output: string } {
    const result = spawnSync(requireNginx(), ["-e", "stderr", "-p", files.dir, "-c", files.configPath, "-t"], { encoding: "utf8" });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface RunningNginx {
    readonly output: () => string;
    stop(): Promise<void>;
}

/** nginx could not bind its port: another process took it between `freePort` and nginx's start. */
export class PortTakenError extends Error {}

/**
 * Starts nginx and waits until it answers on `port`. Ready means nginx itself answers (its `Server` header) and it
 * logged no fatal error: a process of a parallel suite (anvil binds port 0) can take the port `freePort` found
 * before nginx binds it, and nginx keeps retrying its bind for seconds while that other process answers.
 */
export async function startNginx(files: NginxFiles, port: number): Promise<RunningNginx> {
    const child: ChildProcess = spawn(requireNginx(), ["-e", "stderr", "-p", files.dir, "-c", files.configPath, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const fail = async (error: Error): Promise<never> => {
        if (child.exitCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGKILL");
            await exited;
        }
        rmSync(files.dir, { recursive: true, force: true });
        throw error;
    };
    const deadline = Date.now() + 10_000;
    for (;;) {
        if (/\[emerg\].*Address already in use/.test(output)) await fail(new PortTakenError(`nginx could not bind a port: ${output}`));
        if (child.exitCode !== null || output.includes("[emerg]")) await fail(new Error(`nginx failed (exit ${child.exitCode}): ${output}`));
        const server = await fetch(`http://127.0.0.1:${port}/`).then(
            (response) => response.headers.get("server") ?? "",
            () => "",
        );
        if (server.startsWith("nginx")) break;
        if (Date.now() > deadline) await fail(new Error(`nginx did not answer on ${port}${server ? ` (${server} answers there)` : ""}: ${output}`));
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
        output: () => output,
        stop: () =>
            new Promise((resolve) => {
                child.once("exit", () => {
                    rmSync(files.dir, { recursive: true, force: true });
                    resolve();
                });
                child.kill("SIGQUIT");
            }),
    };
}
