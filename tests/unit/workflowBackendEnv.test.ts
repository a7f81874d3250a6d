import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

/**
 * scripts/ci-backend-env.sh: the backend's secrets reach the one command it runs, never $GITHUB_ENV;
 * and the Pulumi source the workflows cite for "a DIY preview takes no lock" says so.
 */

const ROOT = path.join(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "ci-backend-env.sh");
const PULUMI_VERSION: string = JSON.parse(readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;

let work: string;
let bin: string;

beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), "ci-backend-env-"));
    bin = path.join(work, "bin");
    mkdirSync(bin);
    // A stand-in for the Pulumi CLI: its version, and `stack select` of a stack the bucket has or not.
    writeFileSync(
        path.join(bin, "pulumi"),
        `#!/usr/bin/env bash
echo "$*" >> "${work}/pulumi-calls"
case "$1" in
    version) echo "v\${FAKE_PULUMI_VERSION:-${PULUMI_VERSION}}" ;;
    stack)
        case "\${FAKE_STACK:-present}" in
            present) exit 0 ;;
            absent) [ "$2" = init ] && exit 0; echo "error: no stack named 'organization/consortium/$3' found" >&2; exit 255 ;;
            *) echo "error: AccessDenied: Access Denied" >&2; exit 255 ;;
        esac ;;
esac
`,
    );
    chmodSync(path.join(bin, "pulumi"), 0o755);
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Runs the wrapper as a workflow step would, the command printing its environment (and the kubeconfig it was given). */
function run(args: string[], env: Record<string, string> = {}) {
    const githubEnv = path.join(work, "github-env");
    const githubOutput = path.join(work, "github-output");
    writeFileSync(githubEnv, "");
    writeFileSync(githubOutput, "");
    const dump = path.join(work, "command-env.json");
    const command = [
        "node",
        "-e",
        `const fs = require("fs"); const e = process.env; const k = e.KUBECONFIG && fs.existsSync(e.KUBECONFIG) ? { content: fs.readFileSync(e.KUBECONFIG, "utf8"), mode: fs.statSync(e.KUBECONFIG).mode & 0o777 } : null; fs.writeFileSync(${JSON.stringify(dump)}, JSON.stringify({ env: e, kube: k })); process.exit(Number(e.EXIT_WITH || 0));`,
    ];
    const result = spawnSync("bash", [SCRIPT, ...args, "--", ...command], {
        cwd: ROOT,
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: work, RUNNER_TEMP: work, GITHUB_ENV: githubEnv, GITHUB_OUTPUT: githubOutput, PULUMI_VERSION, ...env },
    });
    const seen = existsSync(dump) ? JSON.parse(readFileSync(dump, "utf8")) : undefined;
    return {
        status: result.status,
        stderr: result.stderr,
        stdout: result.stdout,
        env: seen?.env as Record<string, string> | undefined,
        kube: seen?.kube as { content: string; mode: number } | null | undefined,
        githubEnv: readFileSync(githubEnv, "utf8"),
        githubOutput: readFileSync(githubOutput, "utf8"),
    };
}

const S3 = { PULUMI_BACKEND_URL: "s3://acme-state", PULUMI_CONFIG_PASSPHRASE: "correct horse", AWS_ACCESS_KEY_ID: "AKIAREAD", AWS_SECRET_ACCESS_KEY: "read-secret", AWS_REGION: "eu-west-1" };

describe("scripts/ci-backend-env.sh shared", () => {
    test("the command gets the backend's variables; $GITHUB_ENV and $GITHUB_OUTPUT stay empty and are not even named to it", () => {
        const result = run(["shared"], { ...S3, GOOGLE_CREDENTIALS: "", AZURE_STORAGE_KEY: "" });
        expect(result.status).toBe(0);
        expect(result.env).toMatchObject(S3);
        expect(result.env).not.toHaveProperty("GOOGLE_CREDENTIALS"); // a secret the repository does not set arrives as ''
        expect(result.env).not.toHaveProperty("AZURE_STORAGE_KEY");
        for (const name of ["GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE"]) expect(result.env).not.toHaveProperty(name);
        expect(result.githubEnv).toBe("");
        expect(result.githubOutput).toBe("");
        expect(result.stdout + result.stderr).not.toContain("read-secret");
    });

    test("the command's exit status is the step's", () => {
        expect(run(["shared"], { ...S3, EXIT_WITH: "3" }).status).toBe(3);
    });

    test.each([
        [{ ...S3, PULUMI_CONFIG_PASSPHRASE: "" }, "Set PULUMI_BACKEND_URL (s3://, gs:// or azblob://) and PULUMI_CONFIG_PASSPHRASE"],
        [{ ...S3, PULUMI_BACKEND_URL: "file:///tmp/state" }, "must be a self-managed bucket (s3://, gs:// or azblob://), not 'file://'"],
        [{ ...S3, PULUMI_BACKEND_URL: "https://api.pulumi.com" }, "not 'https://'"],
        [{ ...S3, AWS_SECRET_ACCESS_KEY: "" }, "PULUMI_BACKEND_URL is s3:// but AWS_SECRET_ACCESS_KEY is not set"],
        [{ PULUMI_BACKEND_URL: "gs://acme-state", PULUMI_CONFIG_PASSPHRASE: "p" }, "PULUMI_BACKEND_URL is gs:// but GOOGLE_CREDENTIALS is not set"],
        [{ PULUMI_BACKEND_URL: "azblob://state", PULUMI_CONFIG_PASSPHRASE: "p", AZURE_STORAGE_ACCOUNT: "acme" }, "neither AZURE_STORAGE_KEY nor AZURE_STORAGE_SAS_TOKEN is set"],
        [{ ...S3, FAKE_PULUMI_VERSION: "3.100.0" }, `pulumi on PATH is 'v3.100.0', the workflow pins ${PULUMI_VERSION}`],
    ])("refuses %j before running anything: %s", (env, message) => {
        const result = run(["shared"], env);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`::error::`);
        expect(result.stderr).toContain(message);
        expect(result.env).toBeUndefined();
    });

    test("an azblob:// backend is read with a SAS token (read and list only) as well as with the account key", () => {
        const result = run(["shared"], { PULUMI_BACKEND_URL: "azblob://state", PULUMI_CONFIG_PASSPHRASE: "p", AZURE_STORAGE_ACCOUNT: "acme", AZURE_STORAGE_SAS_TOKEN: "sv=read" });
        expect(result.status).toBe(0);
        expect(result.env).toMatchObject({ AZURE_STORAGE_ACCOUNT: "acme", AZURE_STORAGE_SAS_TOKEN: "sv=read" });
    });

    test("--if-new keeps the shared backend for a stack it holds", () => {
        const result = run(["shared", "--if-new", "acme-prod", path.join(work, "new")], { ...S3, FAKE_STACK: "present" });
        expect(result.status).toBe(0);
        expect(result.env).toMatchObject(S3);
        expect(readFileSync(path.join(work, "pulumi-calls"), "utf8")).toContain("stack select acme-prod\n");
    });

    test("--if-new previews a stack the bucket does not hold yet in a file backend, with the passphrase and without the bucket's credentials", () => {
        const result = run(["shared", "--if-new", "acme-new", path.join(work, "new")], { ...S3, FAKE_STACK: "absent" });
        expect(result.status).toBe(0);
        expect(result.stdout).toContain("::notice::The stack acme-new is not in the shared backend yet");
        expect(result.env?.PULUMI_BACKEND_URL).toBe(`file://${path.join(work, "new")}`);
        expect(result.env?.PULUMI_CONFIG_PASSPHRASE).toBe("correct horse");
        for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]) expect(result.env).not.toHaveProperty(name);
        // Created there with the stack file's passphrase settings, whichever way pulumi-local.sh creates stacks.
        expect(readFileSync(path.join(work, "pulumi-calls"), "utf8").split("\n")).toEqual(["version", "stack select acme-new", "stack init --secrets-provider passphrase acme-new", ""]);
    });

    test("PULUMI_CLI, when set, is the CLI checked against the pinned version", () => {
        writeFileSync(path.join(bin, "pulumi-old"), "#!/usr/bin/env bash\necho v3.1.0\n");
        chmodSync(path.join(bin, "pulumi-old"), 0o755);
        const result = run(["shared"], { ...S3, PULUMI_CLI: path.join(bin, "pulumi-old") });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(`is 'v3.1.0', the workflow pins ${PULUMI_VERSION}`);
    });

    test("--if-new fails on any other error reading the bucket (denied, unreachable) instead of previewing from scratch", () => {
        const result = run(["shared", "--if-new", "acme-prod", path.join(work, "new")], { ...S3, FAKE_STACK: "denied" });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("AccessDenied");
        expect(result.stderr).toContain("::error::Could not read the stack acme-prod from the shared backend.");
        expect(result.env).toBeUndefined();
    });

    test("a kubeconfig reaches the command as a private file, deleted when it ends; its content is not in the command's environment", () => {
        const result = run(["shared"], { ...S3, KUBECONFIG_CONTENT: "apiVersion: v1\nkind: Config\n" });
        expect(result.status).toBe(0);
        expect(result.kube).toEqual({ content: "apiVersion: v1\nkind: Config\n\n", mode: 0o600 });
        expect(result.env).not.toHaveProperty("KUBECONFIG_CONTENT");
        expect(existsSync(String(result.env?.KUBECONFIG))).toBe(false);
        expect(result.githubEnv).toBe("");
    });
});

describe("scripts/ci-backend-env.sh throwaway", () => {
    test("a file backend with a random passphrase kept in a private file, the same for every step of the job, and no bucket credential", () => {
        const dir = path.join(work, "state");
        const first = run(["throwaway", dir], { AWS_ACCESS_KEY_ID: "leaked?", PULUMI_CONFIG_PASSPHRASE: "not this one" });
        expect(first.status).toBe(0);
        expect(first.env?.PULUMI_BACKEND_URL).toBe(`file://${dir}`);
        expect(first.env?.PULUMI_CONFIG_PASSPHRASE_FILE).toBe(path.join(dir, ".passphrase"));
        expect(first.env).not.toHaveProperty("PULUMI_CONFIG_PASSPHRASE");
        expect(first.env).not.toHaveProperty("AWS_ACCESS_KEY_ID");
        const passphrase = readFileSync(path.join(dir, ".passphrase"), "utf8");
        expect(passphrase).toMatch(/^[0-9a-f]{64}$/);
        expect(statSync(path.join(dir, ".passphrase")).mode & 0o777).toBe(0o600);
        expect(run(["throwaway", dir]).status).toBe(0);
        expect(readFileSync(path.join(dir, ".passphrase"), "utf8")).toBe(passphrase);
        expect(first.githubEnv).toBe("");
    });

    test.each([[["throwaway"]], [["throwaway", "--"]], [["shared", "--if-new", "x"]], [["up"]]])("usage errors exit 2: %j", (args) => {
        const result = spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { PATH: process.env.PATH } });
        expect(result.status).toBe(2);
        expect(result.stderr).toContain("usage:");
    });
});

/** The lines of the Pulumi CLI's source that the workflow comments cite, where its Go module is on this machine. */
const GO_MODULES = process.env.GOMODCACHE || path.join(process.env.GOPATH || path.join(process.env.HOME ?? "/root", "go"), "pkg", "mod");
const PULUMI_PKG = path.join(GO_MODULES, "github.com", "pulumi", "pulumi", "pkg", `v3@v${PULUMI_VERSION}`);
const PULUMI_SDK = path.join(PULUMI_PKG, "..", "..", "sdk", `v3@v${PULUMI_VERSION}`);
const lineOf = (file: string, line: number) => readFileSync(file, "utf8").split("\n")[line - 1];

(existsSync(PULUMI_PKG) ? describe : describe.skip)(`the Pulumi ${PULUMI_VERSION} source cited in .github/workflows/preview.yml and scripts/ci-backend-env.sh`, () => {
    const backend = path.join(PULUMI_PKG, "backend", "diy", "backend.go");
    const comment = readFileSync(path.join(ROOT, ".github", "workflows", "preview.yml"), "utf8");

    test("the citations are in the workflow", () => {
        for (const cited of ["backend/diy/backend.go:1123-1132", ":1137", ":1189", ":1303", ":1386", "backend/diy/lock.go:129-153", "go/common/env/env.go:165-196", "backend.go:1501-1522", "backend.go:779-802", "backend/diy/meta.go:65-112"]) {
            expect(comment).toContain(cited);
        }
    });

    test("a DIY preview goes straight to apply, without the lock that update and refresh take", () => {
        expect(lineOf(backend, 1123)).toMatch(/^func \(b \*diyBackend\) Preview\(/);
        const preview = readFileSync(backend, "utf8").split("\n").slice(1122, 1132).join("\n");
        expect(preview).not.toContain("Lock(");
        expect(preview).toContain("b.apply(ctx, apitype.PreviewUpdate");
        expect(lineOf(backend, 1137)).toContain("b.Lock(ctx, stack.Ref())");
        expect(lineOf(backend, 1189)).toContain("b.Lock(ctx, stack.Ref())");
        expect(lineOf(backend, 1303)).toContain("if kind != apitype.PreviewUpdate && !opts.DryRun {");
        expect(lineOf(backend, 1386)).toContain("if !opts.DryRun {");
        expect(lineOf(backend, 1501)).toMatch(/^func \(b \*diyBackend\) ExportDeployment\(/);
        expect(readFileSync(backend, "utf8").split("\n").slice(1500, 1522).join("\n")).not.toContain("Lock(");
        expect(lineOf(backend, 779)).toMatch(/^func \(b \*diyBackend\) CreateStack\(/);
        expect(lineOf(backend, 802)).toContain("b.Lock(ctx, stackRef)");
    });

    test("the lock file is written by Lock alone, and no variable turns DIY locking off", () => {
        const lock = path.join(PULUMI_PKG, "backend", "diy", "lock.go");
        expect(lineOf(lock, 129)).toMatch(/^func \(b \*diyBackend\) Lock\(/);
        expect(lineOf(lock, 143)).toContain("b.bucket.WriteAll(ctx, b.lockPath(stackRef)");
        const envGo = readFileSync(path.join(PULUMI_SDK, "go", "common", "env", "env.go"), "utf8");
        expect(envGo.split("\n")[164]).toContain("Environment variables that affect the DIY backend.");
        expect(envGo).not.toMatch(/DIY_BACKEND_\w*LOCK/i);
        const select = path.join(PULUMI_PKG, "cmd", "pulumi", "stack", "stack_select.go");
        expect(readFileSync(SCRIPT, "utf8")).toContain("cmd/pulumi/stack/stack_select.go:86-105");
        expect(lineOf(select, 86)).toContain("b.GetStack(ctx, stackRef)");
        expect(lineOf(select, 105)).toContain("return backenderr.StackNotFoundError{StackName: stackRef.String()}");
        expect(readFileSync(path.join(PULUMI_PKG, "backend", "backenderr", "backenderr.go"), "utf8")).toContain(`return fmt.Sprintf("no stack named '%s' found", e.StackName)`);
        const meta = path.join(PULUMI_PKG, "backend", "diy", "meta.go");
        expect(lineOf(meta, 65)).toMatch(/^func ensurePulumiMeta\(/);
    });
});
