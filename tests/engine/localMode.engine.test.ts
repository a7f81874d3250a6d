/**
 * A newcomer's machine: no backend, no passphrase in the environment. scripts/pulumi-local.sh keeps the state in
 * ./.pulumi-state, makes a passphrase in ./.passphrase, and never rewrites a committed stack file: the salt Pulumi
 * adds at stack creation is kept beside the state. A `config` command's change is the one thing written back.
 */
import { existsSync, readFileSync, rmSync, statSync } from "fs";
import * as path from "path";
import { EngineProject } from "./harness";

jest.setTimeout(10 * 60_000);

describe("pulumi-local.sh in local mode, with the real engine", () => {
    let project: EngineProject;
    let committed: string;

    beforeAll(async () => {
        project = await EngineProject.create("local", { localMode: true });
        project.writeStack("newcomer", {
            platform: "kubernetes",
            kubernetes: { namespace: "newcomer", renderYamlToDirectory: path.join(project.dir, "rendered") },
            chain: { name: "NEWCOMER", networkId: 4245, chainId: 4245, stepDuration: 5 },
            authorities: [{ name: "authority-1" }, { name: "authority-2" }, { name: "authority-3" }],
            protect: false,
        });
        committed = project.readStackFile("newcomer");
    });

    afterAll(() => project?.remove());

    test("preview and up create the stack, say so, and leave the committed stack file as it was", async () => {
        const preview = await project.pulumi(["preview", "--stack", "newcomer", "--non-interactive"], { check: true });
        // Made by the project's first command (the harness's plugin install), which said so.
        expect(preview.stderr).toContain("pulumi-local: creating stack newcomer");
        expect(statSync(path.join(project.dir, ".passphrase")).mode & 0o777).toBe(0o600);
        expect(readFileSync(path.join(project.dir, ".pulumi-state", "stack-config", "newcomer.salt"), "utf8")).toMatch(/^encryptionsalt: v1:/);
        await project.pulumi(["up", "--yes", "--stack", "newcomer", "--non-interactive"], { check: true });
        await project.pulumi(["preview", "--expect-no-changes", "--stack", "newcomer", "--non-interactive"], { check: true });
        expect(project.readStackFile("newcomer")).toBe(committed);
        expect(existsSync(path.join(project.dir, ".pulumi-state", ".pulumi", "stacks"))).toBe(true);
    });

    test("a first command makes the passphrase and says where", async () => {
        const fresh = await EngineProject.create("local-first", { localMode: true });
        try {
            rmSync(path.join(fresh.dir, ".passphrase"));
            const result = await fresh.pulumi(["stack", "ls"], { check: true });
            expect(result.stderr).toContain(`pulumi-local: created ${path.join(fresh.dir, ".passphrase")}: it encrypts this backend's stack secrets`);
            expect(statSync(path.join(fresh.dir, ".passphrase")).mode & 0o777).toBe(0o600);
        } finally {
            fresh.remove();
        }
    });

    test("secrets set with config set are encrypted with the stack's salt and written to the stack file, without it", async () => {
        await project.pulumi(["config", "set", "--secret", "other:apiToken", "--stack", "newcomer"], { input: "s3cr3t-value", check: true });
        const written = project.readStackFile("newcomer");
        expect(written).toMatch(/other:apiToken:\s+secure: v1:/);
        expect(written).not.toContain("s3cr3t-value");
        expect(written).not.toContain("encryptionsalt");
        const read = await project.pulumi(["config", "get", "other:apiToken", "--stack", "newcomer"], { check: true });
        expect(read.stdout.trim()).toBe("s3cr3t-value");
    });
    test("a config command without --stack is refused in local mode, the stack file untouched", async () => {
        const before = project.readStackFile("newcomer");
        await project.pulumi(["stack", "select", "newcomer"], { check: true });
        const result = await project.pulumi(["config", "set", "--secret", "other:token"], { input: "x" });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("name the stack with --stack <name>");
        expect(project.readStackFile("newcomer")).toBe(before);
    });

    test("global flags before the command, and -c on preview: the value reaches the stack file", async () => {
        await project.pulumi(["--non-interactive", "preview", "--stack", "newcomer", "-c", "other:level=3"], { check: true });
        const written = project.readStackFile("newcomer");
        expect(written).toMatch(/other:level: "?3"?/);
        expect(written).not.toContain("encryptionsalt");
    });

    test("stack rm keeps the committed stack file and its salt; previewed again, the stack is made anew and its secrets still read", async () => {
        const salt = path.join(project.dir, ".pulumi-state", "stack-config", "newcomer.salt");
        const before = readFileSync(salt, "utf8");
        const file = project.readStackFile("newcomer");
        await project.pulumi(["stack", "rm", "--yes", "--force", "--stack", "newcomer"], { check: true });
        expect(project.readStackFile("newcomer")).toBe(file);
        const again = await project.pulumi(["preview", "--stack", "newcomer", "--non-interactive"], { check: true });
        expect(again.stderr).toContain("pulumi-local: creating stack newcomer");
        expect(readFileSync(salt, "utf8")).toBe(before);
        expect(project.readStackFile("newcomer")).toBe(file);
        const read = await project.pulumi(["config", "get", "other:apiToken", "--stack", "newcomer"], { check: true });
        expect(read.stdout.trim()).toBe("s3cr3t-value");
    });
});
