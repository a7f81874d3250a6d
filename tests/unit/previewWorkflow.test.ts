import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { checkStackSettings, launchedGenesis, packConfigFor, readStackSettings } from "../../policy/packConfig";
import { CONSORTIUM_POLICIES } from "../../policy/policies";
import { LOCAL_STACKS, listStacks, matrixOf, stacksToPreview } from "../../scripts/changed-stacks";

/** The GitHub workflows as GitHub reads them, the stack selection they run, and the policy config each preview gets. */

const ROOT = path.join(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const STACKS = listStacks(path.join(ROOT, "stacks"));
const workflow = (file: string) => ({ text: readFileSync(path.join(WORKFLOWS, file), "utf8"), doc: parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) });
const allWorkflows = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
const stepsOf = (job: any): any[] => job.steps ?? [];
const secretsIn = (value: unknown): string[] => [...JSON.stringify(value ?? "").matchAll(/secrets\.([A-Z_]+)/g)].map((match) => match[1]);

describe("stack selection (scripts/changed-stacks.ts)", () => {
    test("a change to the program, the policy pack, the dependencies or a workflow previews every stack", () => {
        for (const file of ["components/consortium.ts", "index.ts", "Pulumi.yaml", "package-lock.json", "policy/policies/chain.ts", "scripts/preview.sh", ".github/workflows/preview.yml"]) {
            expect(stacksToPreview([file], STACKS)).toEqual(STACKS);
        }
    });

    test("a stack file or its policy settings preview that stack only", () => {
        for (const stack of STACKS) {
            expect(stacksToPreview([`stacks/Pulumi.${stack}.yaml`], STACKS)).toEqual([stack]);
            expect(stacksToPreview([`policy/stacks/${stack}.json`, "README.md"], STACKS)).toEqual([stack]);
        }
    });

    test("documentation and tests preview nothing; a deleted stack's file is not previewed", () => {
        expect(stacksToPreview(["README.md", "tests/unit/config.test.ts", "bench/poco.ts", ".ci/run", ""], STACKS)).toEqual([]);
        expect(stacksToPreview(["stacks/Pulumi.gone.yaml"], STACKS)).toEqual([]);
    });

    test("local stacks are previewed from scratch and never deployed", () => {
        expect(LOCAL_STACKS.every((stack) => STACKS.includes(stack))).toBe(true);
        expect(matrixOf(STACKS, false).map((entry) => entry.stack)).toEqual(STACKS);
        expect(matrixOf(STACKS, false).find((entry) => entry.stack === "dev")?.backend).toBe("local");
        expect(matrixOf(STACKS, true).map((entry) => entry.stack)).toEqual(STACKS.filter((stack) => !LOCAL_STACKS.includes(stack)));
    });
});

describe("every workflow", () => {
    test.each(allWorkflows)("%s pins every action to a full commit SHA with its version beside it", (file) => {
        const { doc, text } = workflow(file);
        const uses = Object.values<any>(doc.jobs).flatMap((job) => stepsOf(job).map((step) => step.uses).filter(Boolean));
        expect(uses.length).toBeGreaterThan(0);
        for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        for (const line of text.split("\n").filter((candidate) => /^\s*(-\s*)?uses:/.test(candidate))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    });

    test.each(allWorkflows)("%s grants no permission by default and only read access to contents per job", (file) => {
        const { doc } = workflow(file);
        expect(doc.permissions).toEqual({});
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            const { contents, ...others } = job.permissions ?? {};
            expect([name, contents]).toEqual([name, "read"]);
            for (const [scope, level] of Object.entries(others)) expect([name, scope, level]).toEqual([name, "pull-requests", "write"]);
        }
    });

    test.each(allWorkflows)("%s never persists the checkout token and never runs on pull_request_target or workflow_run", (file) => {
        const { doc } = workflow(file);
        expect(Object.keys(doc.on)).not.toContain("pull_request_target");
        expect(Object.keys(doc.on)).not.toContain("workflow_run");
        for (const job of Object.values<any>(doc.jobs)) {
            for (const step of stepsOf(job).filter((candidate) => String(candidate.uses).startsWith("actions/checkout@"))) expect(step.with?.["persist-credentials"]).toBe(false);
        }
    });
});

describe("the preview workflow", () => {
    const { doc } = workflow("preview.yml");
    const previewJob = doc.jobs.preview;
    const previewStep = stepsOf(previewJob).find((step) => step.with?.command === "preview");

    test("runs on pull requests to main and selects stacks from the pull request's diff", () => {
        expect(doc.on).toEqual({ pull_request: { branches: ["main"] } });
        const select = stepsOf(doc.jobs.stacks).find((step) => step.id === "select");
        expect(select.run).toMatch(/git diff --name-only "\$BASE_SHA" "\$HEAD_SHA" \| npx ts-node --transpile-only scripts\/changed-stacks\.ts >> "\$GITHUB_OUTPUT"/);
        expect(select.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}", HEAD_SHA: "${{ github.event.pull_request.head.sha }}" });
        expect(previewJob.strategy.matrix).toBe("${{ fromJSON(needs.stacks.outputs.matrix) }}");
        expect(previewJob.strategy["fail-fast"]).toBe(false);
    });

    test("previews with the diff, the policy pack and the stack's policy config, in one comment per stack that later pushes edit", () => {
        expect(previewStep.uses).toMatch(/^pulumi\/actions@/);
        expect(previewStep.with).toMatchObject({
            "stack-name": "${{ matrix.stack }}",
            diff: true,
            "comment-on-pr": true,
            "edit-pr-comment": true,
            "always-include-summary": true,
            policyPacks: "policy",
            policyPackConfigs: "${{ runner.temp }}/policy-config.json",
            "secrets-provider": "passphrase",
            "cloud-url": "${{ env.PULUMI_BACKEND_URL }}",
        });
        const configStep = stepsOf(previewJob).findIndex((step) => String(step.run).includes("scripts/stack-policy-config.sh \"$STACK\" \"$RUNNER_TEMP/policy-config.json\""));
        expect(configStep).toBeGreaterThan(-1);
        expect(configStep).toBeLessThan(stepsOf(previewJob).indexOf(previewStep));
    });

    test("forked pull requests get no preview job, so no secret reaches their code", () => {
        expect(previewJob.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(secretsIn(doc.jobs.stacks)).toEqual([]);
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            if (secretsIn(job).length > 0) expect([name, job.if]).toEqual([name, expect.stringContaining("github.event.pull_request.head.repo.full_name == github.repository")]);
        }
    });

    test("the shared backend's credentials reach only the step that configures it, and only for shared stacks", () => {
        const withSecrets = stepsOf(previewJob).filter((step) => secretsIn(step).length > 0);
        expect(withSecrets.map((step) => step.name)).toEqual(["Shared backend"]);
        expect(withSecrets[0].if).toBe("matrix.backend == 'shared'");
        expect(secretsIn(withSecrets[0]).sort()).toEqual(
            ["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "GOOGLE_CREDENTIALS", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"].sort(),
        );
    });
});

describe("the deploy and drift workflows", () => {
    test("pushes to main update each touched shared stack behind its reviewed environment, one update at a time", () => {
        const { doc } = workflow("deploy.yml");
        expect(doc.on).toEqual({ push: { branches: ["main"] } });
        expect(stepsOf(doc.jobs.stacks).find((step) => step.id === "select").run).toContain("--shared-only");
        const up = doc.jobs.up;
        expect(up.environment).toBe("consortium-${{ matrix.stack }}");
        expect(up.concurrency).toEqual({ group: "consortium-${{ matrix.stack }}", "cancel-in-progress": false });
        expect(stepsOf(up).find((step) => step.with?.command === "up")?.with).toMatchObject({ policyPacks: "policy", "stack-name": "${{ matrix.stack }}" });
    });

    test("a daily refreshed preview of every shared stack fails on any change", () => {
        const { doc } = workflow("drift.yml");
        expect(doc.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
        expect(stepsOf(doc.jobs.stacks).find((step) => step.id === "select").run).toContain("changed-stacks.ts --all --shared-only");
        const drift = stepsOf(doc.jobs.drift).find((step) => step.with?.command === "preview");
        expect(drift.with).toMatchObject({ refresh: true, "expect-no-changes": true, policyPacks: "policy" });
        expect(doc.jobs.drift.environment).toBe("drift-${{ matrix.stack }}");
    });
});

describe("the policy config of a preview (policy/packConfig.ts)", () => {
    const exported = {
        version: 3,
        deployment: {
            resources: [
                { urn: "urn:pulumi:acme-prod::consortium::pulumi:pulumi:Stack::consortium-acme-prod", type: "pulumi:pulumi:Stack", outputs: {} },
                {
                    urn: "urn:pulumi:acme-prod::consortium::consortium:index:Consortium$pulumi-nodejs:dynamic:Resource::consortium-genesis",
                    type: "pulumi-nodejs:dynamic:Resource",
                    outputs: { genesisHash: "sha256:aa", validatorSets: [{ fromBlock: 0, addresses: ["0x01"] }] },
                },
                { urn: "urn:pulumi:acme-prod::consortium::consortium:poco:Deployment$pulumi-nodejs:dynamic:Resource::consortium-poco-contracts", type: "pulumi-nodejs:dynamic:Resource", outputs: { addresses: {} } },
            ],
        },
    };

    test("each launched chain's genesis comes from the stack's state, keyed by its lock", () => {
        expect(launchedGenesis(exported)).toEqual({ "consortium-genesis": { genesisHash: "sha256:aa", validatorSets: [{ fromBlock: 0, addresses: ["0x01"] }] } });
        expect(launchedGenesis({ version: 3, deployment: {} })).toEqual({});
        expect(launchedGenesis(undefined)).toEqual({});
    });

    test("the stack's settings are kept and the launched genesis added", () => {
        expect(packConfigFor({ "authority-count": { minAuthorities: 1 }, "genesis-unchanged": "mandatory" }, exported)).toEqual({
            "authority-count": { minAuthorities: 1 },
            "genesis-unchanged": { enforcementLevel: "mandatory", launched: launchedGenesis(exported) },
        });
    });

    test("every stack's settings file names real policies and settings", () => {
        for (const file of readdirSync(path.join(ROOT, "policy", "stacks"))) {
            expect(STACKS).toContain(file.replace(/\.json$/, ""));
            expect(() => readStackSettings(file.replace(/\.json$/, ""), CONSORTIUM_POLICIES)).not.toThrow();
        }
    });

    test.each([
        [[], "must be a JSON object keyed by policy name"],
        [{ "authority-cnt": "advisory" }, "'authority-cnt' is not a policy of the pack; policies: authority-count, "],
        [{ "authority-count": "warn" }, "authority-count must be one of advisory, mandatory, remediate, disabled"],
        [{ "authority-count": { minimum: 2 } }, "authority-count.minimum is not a setting of authority-count; settings: enforcementLevel, minAuthorities"],
        [{ "genesis-unchanged": { launched: {} } }, "genesis-unchanged.launched comes from the stack's state, never from a file"],
    ])("bad settings %j are refused: %s", (settings, message) => {
        expect(() => checkStackSettings("policy/stacks/x.json", settings, CONSORTIUM_POLICIES)).toThrow(`policy/stacks/x.json: ${message}`);
    });
});
