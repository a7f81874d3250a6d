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

export async function startNginx(files: NginxFiles, port: number): Promise<RunningNginx> {
    const child: ChildProcess = spawn(requireNginx(), ["-e", "stderr", "-p", files.dir, "-c", files.configPath, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${output}`);
        try {
            await fetch(`http://127.0.0.1:${port}/`);
            break;
        } catch {
            if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${output}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
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
