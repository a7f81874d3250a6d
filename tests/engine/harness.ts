/**
 * The real Pulumi engine for tests: the CLI and Kubernetes provider scripts/build-pulumi.sh built, a `file://`
 * backend and the passphrase secrets provider in a temporary folder, driven through the README's own
 * scripts/pulumi-local.sh. Each project is a temporary folder whose code is this checkout's (symbolic links) and
 * whose stacks/ holds only the test's stacks, so nothing here writes into the checkout.
 */
import { execFile, execFileSync } from "child_process";
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse, parseAllDocuments, stringify } from "yaml";

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

    /**
     * Runs the program as it was at `commit` (its components/ and scripts/, from git: scripts/program-host.js loads the
     * program beside itself); without one, this checkout's again.
     */
    useProgramOf(commit?: string): void {
        for (const folder of ["components", "scripts"]) {
            rmSync(path.join(this.dir, folder), { recursive: true, force: true });
            if (commit === undefined) symlinkSync(path.join(REPO, folder), path.join(this.dir, folder));
        }
        // Folders of the project's own: their modules resolve @pulumi/* through the project's node_modules link.
        if (commit === undefined) {
            copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(this.dir, "Pulumi.yaml"));
            return;
        }
        try {
            execFileSync("git", ["-C", REPO, "cat-file", "-e", `${commit}^{commit}`], { stdio: "ignore" });
        } catch {
            throw new Error(`this test reads the program of commit ${commit} from the repository's history: run it in a full clone (git clone without --depth)`);
        }
        // The project file too: its config schema (defaults included) is the program's, and an older program refuses a newer section.
        execFileSync("sh", ["-c", 'git -C "$0" archive "$1" components scripts Pulumi.yaml | tar -x -C "$2"', REPO, commit, this.dir]);
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Waits for the program to render the chain ConfigMap and returns the spec it holds. */
export async function renderedChainSpec(dir: string, running: Promise<unknown>): Promise<any> {
    let failed: unknown;
    running.catch((error) => (failed = error));
    for (let attempt = 0; attempt < 600; attempt++) {
        if (failed) throw failed;
        for (const object of renderedObjects(dir)) {
            if (object.kind !== "ConfigMap") continue;
            for (const value of Object.values((object.data ?? {}) as Record<string, string>)) {
                if (!value.includes('"authorityRound"')) continue;
                try {
                    return JSON.parse(value);
                } catch {
                    // The provider may be halfway through writing the file: read it again.
                }
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`no chain spec rendered in ${dir}`);
}

/**
 * A hex scalar as Kubernetes' own YAML reader (sigs.k8s.io/yaml over go-yaml, resolve.go: ParseInt, then ParseUint, in
 * 64 bits) reads it: a number when it fits in 64 bits, else a string. The provider's renderer writes an address
 * (`0x` and 40 hex digits) unquoted for that reason; a YAML 1.2 reader would make a float of it.
 */
const KUBERNETES_HEX_INT = {
    identify: (value: unknown) => typeof value === "number",
    default: true,
    tag: "tag:yaml.org,2002:int",
    format: "HEX",
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (source: string) => (BigInt(source) <= 2n ** 63n - 1n ? Number(BigInt(source)) : source),
};

export function renderedObjects(dir: string): any[] {
    if (!existsSync(dir)) return [];
    const customTags = (tags: any[]) => [KUBERNETES_HEX_INT, ...tags.filter((tag) => !(tag.tag === KUBERNETES_HEX_INT.tag && tag.format === "HEX"))];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".yaml"))
        .flatMap((entry) => parseAllDocuments(readFileSync(path.join(entry.parentPath, entry.name), "utf8"), { customTags }).map((document) => document.toJS()))
        .filter((object) => object);
}
