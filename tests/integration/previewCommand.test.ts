import { execFile } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { promisify } from "util";
import type { PackConfig } from "../../policy/packConfig";
import { resourcesOf, runPack } from "../helpers/policy";
import { evaluate, installMocks, settle, useDevStack } from "../helpers/pulumiMocks";

/**
 * The README's `npm run preview -- <stack>` with a stand-in `pulumi` (PULUMI_CLI) that answers `stack export` with
 * a recorded state and records what `preview` is asked to do: the flags and the policy config exactly (the real
 * CLI runs the same script in tests/engine/). The workflow's backend wrapper is tested in
 * tests/unit/workflowBackendEnv.test.ts.
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
    // Beside it a language host, so that the wrapper runs the stand-in as it would a full install (no program host).
    writeFileSync(path.join(work, "pulumi-language-nodejs"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    env = { ...process.env, PULUMI_CLI: path.join(work, "pulumi"), PULUMI_BACKEND_URL: `file://${work}/state`, PULUMI_CONFIG_PASSPHRASE: "test-only" };
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
