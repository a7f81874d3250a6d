/**
 * The real Pulumi engine for tests: the CLI and Kubernetes provider scripts/build-pulumi.sh built, a `file://`
 * backend and the passphrase secrets provider in a temporary folder, driven through the README's own
 * scripts/pulumi-local.sh. Each project is a temporary folder whose code is this checkout's (symbolic links) and
 * whose stacks/ holds only the test's stacks, so nothing here writes into the checkout.
 */
import { execFile } from "child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

export const REPO = path.resolve(__dirname, "..", "..");
const TOOLS = path.join(REPO, ".tools", "pulumi");
export const PULUMI = path.join(TOOLS, "bin", "pulumi");
const KUBERNETES_VERSION: string = require("@pulumi/kubernetes/package.json").pulumi.version;
const RANDOM_VERSION: string = require("@pulumi/random/package.json").pulumi.version;
const LINKED = ["components", "node_modules", "policy", "scripts", "index.ts", "tsconfig.json", "package.json"];

export function engineAvailable(): void {
    if (!existsSync(PULUMI) || !existsSync(path.join(TOOLS, "plugins", "pulumi-resource-kubernetes"))) {
        throw new Error(`the Pulumi CLI and Kubernetes provider are not built: run bash scripts/build-pulumi.sh (needs Go)`);
    }
}

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export class EngineProject {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    private constructor(dir: string, env: NodeJS.ProcessEnv) {
        this.dir = dir;
        this.env = env;
    }

    /**
     * `localMode`: no backend or passphrase in the environment, as on a newcomer's machine: the wrapper keeps state in
     * the project's .pulumi-state and makes its own passphrase.
     */
    static async create(label: string, options: { localMode?: boolean } = {}): Promise<EngineProject> {
        engineAvailable();
        const dir = mkdtempSync(path.join(tmpdir(), `consortium-engine-${label}-`));
        for (const entry of LINKED) symlinkSync(path.join(REPO, entry), path.join(dir, entry));
        copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        mkdirSync(path.join(dir, "stacks"));
        const home = path.join(dir, ".pulumi-home");
        mkdirSync(path.join(home, "plugins"), { recursive: true });
        // The built plugin, installed in this project's plugin cache at its exact version (a hard link: no copy).
        const kubernetesPlugin = path.join(home, "plugins", `resource-kubernetes-v${KUBERNETES_VERSION}`);
        mkdirSync(kubernetesPlugin);
        linkSync(path.join(TOOLS, "plugins", "pulumi-resource-kubernetes"), path.join(kubernetesPlugin, "pulumi-resource-kubernetes"));
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            PULUMI_CLI: PULUMI,
            PULUMI_HOME: home,
            ...(options.localMode ? {} : { PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`, PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase" }),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            NO_COLOR: "1",
        };
        mkdirSync(path.join(dir, ".state"));
        const project = new EngineProject(dir, env);
        // The random provider cannot be built here (README, "The real engine"): a stand-in serves its resources.
        const standIn = path.join(dir, "pulumi-resource-random");
        writeFileSync(standIn, `#!/bin/sh\nexec node ${path.join(REPO, "tests", "engine", "randomStandIn.js")} "$@"\n`, { mode: 0o755 });
        await project.pulumi(["plugin", "install", "resource", "random", RANDOM_VERSION, "--file", standIn], { check: true });
        return project;
    }

    /** Writes the stack's config, keeping what the CLI added (the encryption salt, secrets set with `config set --secret`). */
    writeStack(stack: string, config: Record<string, unknown>): void {
        const prefixed = Object.fromEntries(Object.entries(config).map(([key, value]) => [key.includes(":") ? key : `consortium:${key}`, value]));
        const existing = existsSync(this.stackFile(stack)) ? (parse(this.readStackFile(stack)) ?? {}) : {};
        const secrets = Object.fromEntries(Object.entries(existing.config ?? {}).filter(([, value]) => typeof value === "object" && value !== null && "secure" in value));
        writeFileSync(this.stackFile(stack), stringify({ ...existing, config: { ...secrets, ...prefixed } }));
    }

    stackFile(stack: string): string {
        return path.join(this.dir, "stacks", `Pulumi.${stack}.yaml`);
    }

    readStackFile(stack: string): string {
        return readFileSync(this.stackFile(stack), "utf8");
    }

    /** Runs the README's wrapper, scripts/pulumi-local.sh, with these arguments. */
    pulumi(args: readonly string[], options: { check?: boolean; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
        return this.run("bash", [path.join(this.dir, "scripts", "pulumi-local.sh"), ...args], options);
    }

    run(command: string, args: readonly string[], options: { check?: boolean; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            const child = execFile(
                command,
                args,
                { cwd: this.dir, env: { ...this.env, ...options.env }, maxBuffer: 256 * 1024 * 1024, timeout: 15 * 60_000 },
                (error, stdout, stderr) => {
                    const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                    if (options.check && code !== 0) {
                        reject(new Error(`${path.basename(command)} ${args.join(" ")} exited with ${code}\n${stdout}\n${stderr}`));
                    } else {
                        resolve({ code, stdout, stderr });
                    }
                },
            );
            if (options.input !== undefined) child.stdin?.end(options.input);
            else child.stdin?.end();
        });
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}
