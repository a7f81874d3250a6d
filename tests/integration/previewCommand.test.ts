import { execFile } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { promisify } from "util";
import type { PackConfig } from "../../policy/packConfig";
import { resourcesOf, runPack } from "../helpers/policy";
import { evaluate, installMocks, settle, useDevStack } from "../helpers/pulumiMocks";

/**
 * The README's `npm run preview -- <stack>` and the workflow's backend set-up, run for real with a
 * stand-in `pulumi` on PATH (the CLI cannot be installed here) that answers `stack export` with a
 * recorded state and records what `preview` is asked to do.
 */

const run = promisify(execFile);
const ROOT = path.join(__dirname, "..", "..");
const LAUNCHED_HASH = "sha256:1a0c4ed".padEnd(71, "0");

let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "preview-"));
    const state = {
        version: 3,
        deployment: {
            resources: [
                {
                    urn: "urn:pulumi:dev::consortium::consortium:index:Consortium$pulumi-nodejs:dynamic:Resource::consortium-genesis",
                    type: "pulumi-nodejs:dynamic:Resource",
                    outputs: { genesisHash: LAUNCHED_HASH, validatorSets: [{ fromBlock: 0, addresses: ["0x0000000000000000000000000000000000000001"] }] },
                },
            ],
        },
    };
    writeFileSync(path.join(work, "state.json"), JSON.stringify(state));
    const fake = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${work}/calls"
case "$1 $2" in
  "stack select") exit 0 ;;
  "stack export") cat "${work}/state.json" ;;
  "preview "*)
    args=("$@")
    for ((i = 0; i < \${#args[@]}; i++)); do
      [ "\${args[$i]}" = "--policy-pack-config" ] && cp "\${args[$((i + 1))]}" "${work}/policy-config.json"
    done
    echo "backend=$PULUMI_BACKEND_URL passphrase-file=\${PULUMI_CONFIG_PASSPHRASE_FILE:-none}" >> "${work}/calls" ;;
esac
`;
    writeFileSync(path.join(work, "pulumi"), fake);
    chmodSync(path.join(work, "pulumi"), 0o755);
    env = { ...process.env, PATH: `${work}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${work}/state`, PULUMI_CONFIG_PASSPHRASE: "test-only" };
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run preview -- <stack>", () => {
    let config: PackConfig;

    beforeAll(async () => {
        await run("npm", ["run", "--silent", "preview", "--", "dev"], { cwd: ROOT, env });
        config = JSON.parse(readFileSync(path.join(work, "policy-config.json"), "utf8"));
    }, 120_000);

    test("previews the stack with --diff and the policy pack, against the configured backend", () => {
        const calls = readFileSync(path.join(work, "calls"), "utf8").split("\n");
        const preview = calls.find((line) => line.startsWith("preview "))!;
        expect(preview).toMatch(/^preview --diff --stack dev --policy-pack policy --policy-pack-config \S+$/);
        expect(calls).toContain(`backend=file://${work}/state passphrase-file=none`);
        expect(calls).toContain("stack export --stack dev");
    });

    test("the policy config holds the stack's settings and the genesis it launched, from its state", () => {
        expect(config["authority-count"]).toEqual({ minAuthorities: 1 });
        expect(config["genesis-unchanged"]).toEqual({ launched: { "consortium-genesis": { genesisHash: LAUNCHED_HASH, validatorSets: [{ fromBlock: 0, addresses: ["0x0000000000000000000000000000000000000001"] }] } } });
    });

    test("with that config, the pack refuses the dev program's genesis, which differs from the launched one", async () => {
        const registrations = await installMocks({ stack: "dev" });
        useDevStack();
        const { runProgram } = await import("../../components/program");
        await evaluate(runProgram);
        await settle();
        const { mandatory } = runPack(await resourcesOf(registrations), config);
        expect(mandatory).toEqual([
            expect.stringMatching(new RegExp(`^genesis-unchanged: chain 'consortium-genesis' is launched: the chain spec's genesis would change from ${LAUNCHED_HASH} to sha256:`)),
            "genesis-unchanged: chain 'consortium-genesis' is launched: the validator set from block 0 would be edited or removed. Sets already in the spec may be past or pending on chain; add a new set at a future block instead (chain.validatorSets).",
        ]);
    });
});

test("npm run preview without a stack, or with an unknown one, says what to run", async () => {
    await expect(run("npm", ["run", "--silent", "preview"], { cwd: ROOT, env })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: npm run preview -- <stack> .*stacks: acme-prod dev/) });
    await expect(run("npm", ["run", "--silent", "preview", "--", "nope"], { cwd: ROOT, env })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("No stack file stacks/Pulumi.nope.yaml") });
});

describe("the CI backend set-up (scripts/ci-backend-env.sh)", () => {
    const backend = (args: string[], vars: Record<string, string>) => run("bash", ["scripts/ci-backend-env.sh", ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...vars } });
    const envFile = () => path.join(work, `github-env-${Math.random().toString(16).slice(2)}`);
    const parseEnvFile = (file: string) => Object.fromEntries([...readFileSync(file, "utf8").matchAll(/^(\w+)<<(EOF_\w+)\n([\s\S]*?)\n\2$/gm)].map((match) => [match[1], match[3]]));

    test("a shared bucket: the URL, the passphrase and the bucket's credentials, multi-line values intact", async () => {
        const file = envFile();
        await backend(["shared", file], { PULUMI_BACKEND_URL: "gs://acme-consortium-state", PULUMI_CONFIG_PASSPHRASE: "p", GOOGLE_CREDENTIALS: '{\n  "type": "service_account"\n}' });
        expect(parseEnvFile(file)).toEqual({ PULUMI_BACKEND_URL: "gs://acme-consortium-state", PULUMI_CONFIG_PASSPHRASE: "p", GOOGLE_CREDENTIALS: '{\n  "type": "service_account"\n}' });
    });

    test.each([
        [{}, "Set the secrets PULUMI_BACKEND_URL (s3://, gs:// or azblob://) and PULUMI_CONFIG_PASSPHRASE"],
        [{ PULUMI_BACKEND_URL: "s3://bucket", PULUMI_CONFIG_PASSPHRASE: "p", AWS_ACCESS_KEY_ID: "id" }, "PULUMI_BACKEND_URL is s3:// but the secret AWS_SECRET_ACCESS_KEY is not set"],
        [{ PULUMI_BACKEND_URL: "https://api.pulumi.com", PULUMI_CONFIG_PASSPHRASE: "p" }, "must be a self-managed bucket (s3://, gs:// or azblob://), not 'https://'"],
        [{ PULUMI_BACKEND_URL: "file:///tmp/state", PULUMI_CONFIG_PASSPHRASE: "p" }, "not 'file://'"],
    ])("refuses %j: %s", async (vars, message) => {
        await expect(backend(["shared", envFile()], vars as Record<string, string>)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining(message) });
    });

    test("a throwaway backend: a file URL on the runner and a fresh passphrase, masked in the log", async () => {
        const file = envFile();
        const { stdout } = await backend(["throwaway", file, path.join(work, "throwaway")], {});
        const vars = parseEnvFile(file);
        expect(vars.PULUMI_BACKEND_URL).toBe(`file://${path.join(work, "throwaway")}`);
        expect(vars.PULUMI_CONFIG_PASSPHRASE).toMatch(/^[0-9a-f]{64}$/);
        expect(stdout).toBe(`::add-mask::${vars.PULUMI_CONFIG_PASSPHRASE}\n`);
    });
});
