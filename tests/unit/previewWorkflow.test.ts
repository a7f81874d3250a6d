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
const triggersOf = (doc: any): string[] => (typeof doc.on === "string" ? [doc.on] : Array.isArray(doc.on) ? doc.on : Object.keys(doc.on ?? {}));
/** The one step of a job that runs a Pulumi command against the shared backend, through scripts/ci-backend-env.sh. */
const isPulumiStep = (step: any): boolean => /^bash scripts\/ci-backend-env\.sh shared\b/.test(String(step.run ?? "").trim()) && /scripts\/(preview\.sh|pulumi-local\.sh up)\b/.test(String(step.run));
/** Backend credentials that can write the state bucket, and the read-only ones previews and drift get instead. */
const READ_WRITE_CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GOOGLE_CREDENTIALS", "AZURE_STORAGE_KEY"];
const READ_ONLY_CREDENTIALS = ["AWS_ACCESS_KEY_ID_READONLY", "AWS_SECRET_ACCESS_KEY_READONLY", "GOOGLE_CREDENTIALS_READONLY", "AZURE_STORAGE_SAS_TOKEN_READONLY"];
/** Secrets that are not credentials of the bucket: where it is, its region or account, and the passphrase every Pulumi command needs. */
const BACKEND_SETTINGS = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "AWS_REGION", "AZURE_STORAGE_ACCOUNT"];
const PULUMI_PACKAGE_VERSION: string = JSON.parse(readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;

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

    test.each(allWorkflows)("%s never checks out a pull request's head in a privileged trigger (no pull_request_target at all)", (file) => {
        const { doc, text } = workflow(file);
        expect(triggersOf(doc)).not.toContain("pull_request_target");
        expect(text).not.toMatch(/^\s*pull_request_target\s*:/m);
        for (const job of Object.values<any>(doc.jobs)) {
            for (const step of stepsOf(job).filter((candidate) => String(candidate.uses).startsWith("actions/checkout@"))) expect(step.with?.ref).toBeUndefined();
        }
    });

    test.each(allWorkflows)("%s has no secret in a workflow- or job-level env, nor in any `with:`, `if:` or `run:` (only in a step's env)", (file) => {
        const { doc } = workflow(file);
        expect(secretsIn(doc.env)).toEqual([]);
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            expect([name, secretsIn(job.env)]).toEqual([name, []]);
            expect([name, secretsIn(job.if), secretsIn(job.strategy), secretsIn(job.outputs)]).toEqual([name, [], [], []]);
            for (const step of stepsOf(job)) {
                const { env: _env, ...rest } = step;
                expect([name, step.name ?? step.run, secretsIn(rest)]).toEqual([name, step.name ?? step.run, []]);
            }
        }
    });

    test.each(allWorkflows)("%s writes no secret to $GITHUB_ENV, $GITHUB_OUTPUT or $GITHUB_PATH: a step that gets secrets never names them", (file) => {
        const { doc } = workflow(file);
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            for (const step of stepsOf(job)) {
                const run = String(step.run ?? "");
                if (secretsIn(step).length > 0) expect([name, step.name, run]).toEqual([name, step.name, expect.not.stringMatching(/GITHUB_(ENV|OUTPUT|PATH|STATE)/)]);
                if (/GITHUB_(ENV|OUTPUT|PATH)/.test(run)) expect([name, step.name ?? run, secretsIn(step)]).toEqual([name, step.name ?? run, []]);
            }
        }
        const script = readFileSync(path.join(ROOT, "scripts", "ci-backend-env.sh"), "utf8");
        expect(script).not.toMatch(/>>?\s*"?\$\{?(GITHUB_(ENV|OUTPUT|PATH)|env_file)/);
    });

    test.each(allWorkflows)("%s gives secrets to one step per job, the one that runs the Pulumi command; npm ci and every step before it get none", (file) => {
        const { doc } = workflow(file);
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            const steps = stepsOf(job);
            const withSecrets = steps.filter((step) => secretsIn(step).length > 0);
            if (withSecrets.length === 0) continue;
            expect([name, withSecrets.length]).toEqual([name, 1]);
            const [pulumiStep] = withSecrets;
            expect([name, pulumiStep.name, isPulumiStep(pulumiStep), pulumiStep.uses]).toEqual([name, pulumiStep.name, true, undefined]);
            const index = steps.indexOf(pulumiStep);
            const npmCi = steps.findIndex((step) => /\bnpm ci\b/.test(String(step.run)));
            expect(npmCi).toBeGreaterThan(-1);
            expect(npmCi).toBeLessThan(index);
            for (const step of steps.slice(0, index)) expect(secretsIn(step)).toEqual([]);
            // The Pulumi CLI is installed before, and checked by the wrapper against the pinned version.
            const install = steps.findIndex((step) => String(step.uses).startsWith("pulumi/actions@") && !step.with?.command);
            expect([name, install > -1 && install < index]).toEqual([name, true]);
            expect(doc.env?.PULUMI_VERSION).toBe(PULUMI_PACKAGE_VERSION);
        }
    });

    test.each(allWorkflows)("%s installs exactly the Pulumi CLI version of node_modules/@pulumi/pulumi and never an unpinned one", (file) => {
        const { doc, text } = workflow(file);
        const resolve = (value: unknown) => String(value).replace(/^\$\{\{\s*env\.PULUMI_VERSION\s*\}\}$/, String(doc.env?.PULUMI_VERSION));
        const installs = Object.values<any>(doc.jobs).flatMap((job) => stepsOf(job).filter((step) => String(step.uses).startsWith("pulumi/actions@")));
        for (const step of installs) {
            expect(resolve(step.with?.["pulumi-version"])).toMatch(/^\d+\.\d+\.\d+$/);
            expect(resolve(step.with?.["pulumi-version"])).toBe(PULUMI_PACKAGE_VERSION);
        }
        expect(text).not.toMatch(/npx (--yes )?pulumi\b|get\.pulumi\.com/);
    });
});

describe("the preview workflow", () => {
    const { doc } = workflow("preview.yml");
    const previewJob = doc.jobs.preview;
    const steps = stepsOf(previewJob);
    const sharedStep = steps.find((step) => step.id === "shared");
    const localStep = steps.find((step) => step.id === "local");
    const commentStep = steps.find((step) => step.name === "Comment on the pull request");

    test("runs on pull requests to main and selects stacks from the pull request's diff", () => {
        expect(doc.on).toEqual({ pull_request: { branches: ["main"] } });
        const select = stepsOf(doc.jobs.stacks).find((step) => step.id === "select");
        expect(select.run).toMatch(/git diff --name-only "\$BASE_SHA" "\$HEAD_SHA" \| npx ts-node --transpile-only scripts\/changed-stacks\.ts >> "\$GITHUB_OUTPUT"/);
        expect(select.env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}", HEAD_SHA: "${{ github.event.pull_request.head.sha }}" });
        expect(previewJob.strategy.matrix).toBe("${{ fromJSON(needs.stacks.outputs.matrix) }}");
        expect(previewJob.strategy["fail-fast"]).toBe(false);
    });

    test("previews each stack with scripts/preview.sh: the diff, the policy pack and the stack's policy config, as `npm run preview` does", () => {
        expect(sharedStep.if).toBe("matrix.backend == 'shared'");
        expect(sharedStep.run).toMatch(/^bash scripts\/ci-backend-env\.sh shared --if-new "\$STACK" "\$RUNNER_TEMP\/[\w-]+" -- bash scripts\/preview\.sh "\$STACK" .*\| tee "\$RUNNER_TEMP\/preview\.txt"$/);
        expect(localStep.if).toBe("matrix.backend == 'local'");
        expect(localStep.run).toMatch(/^bash scripts\/ci-backend-env\.sh throwaway "\$RUNNER_TEMP\/pulumi-state" -- bash scripts\/preview\.sh "\$STACK" .*\| tee "\$RUNNER_TEMP\/preview\.txt"$/);
        for (const step of [sharedStep, localStep]) expect(step.shell).toBe("bash"); // -o pipefail: tee keeps the preview's failure
        // The committed dev stack previews as it is: nothing writes its config first.
        expect(steps.filter((step) => /config set|dev-admin/.test(String(step.run)))).toEqual([]);
        const previewScript = readFileSync(path.join(ROOT, "scripts", "preview.sh"), "utf8");
        expect(previewScript).toContain('bash scripts/stack-policy-config.sh "$stack" "$config"');
        expect(previewScript).toContain('bash scripts/pulumi-local.sh preview --diff --stack "$stack" --policy-pack policy --policy-pack-config "$config" "$@"');
    });

    test("posts one comment per stack that later pushes edit, from a step with no secret and no project code", () => {
        expect(steps.indexOf(commentStep)).toBeGreaterThan(Math.max(steps.indexOf(sharedStep), steps.indexOf(localStep)));
        expect(commentStep.if).toContain("!cancelled()");
        expect(secretsIn(commentStep)).toEqual([]);
        expect(commentStep.env.GH_TOKEN).toBe("${{ github.token }}");
        expect(commentStep.run).toContain('marker="<!-- pulumi-preview: $STACK -->"');
        expect(commentStep.run).toMatch(/gh api --method PATCH "repos\/\$REPOSITORY\/issues\/comments\/\$id"/);
        expect(commentStep.run).toMatch(/gh api --method POST "repos\/\$REPOSITORY\/issues\/\$PULL_REQUEST\/comments"/);
        expect(commentStep.run).toContain("$GITHUB_STEP_SUMMARY");
        expect(commentStep.run).not.toMatch(/npm|npx|node|ts-node|scripts\//);
        // The steps that run the pull request's code get no GitHub token.
        for (const step of steps.filter((candidate) => candidate !== commentStep)) expect(JSON.stringify(step)).not.toMatch(/github\.token|GITHUB_TOKEN|GH_TOKEN/);
    });

    test("forked pull requests get no preview job, so no secret reaches their code", () => {
        expect(previewJob.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(secretsIn(doc.jobs.stacks)).toEqual([]);
        for (const [name, job] of Object.entries<any>(doc.jobs)) {
            if (secretsIn(job).length > 0) expect([name, job.if]).toEqual([name, expect.stringContaining("github.event.pull_request.head.repo.full_name == github.repository")]);
        }
    });

    test("the shared backend's read-only credentials and the passphrase reach only the preview step, and only for shared stacks", () => {
        const withSecrets = steps.filter((step) => secretsIn(step).length > 0);
        expect(withSecrets).toEqual([sharedStep]);
        expect(secretsIn(sharedStep).sort()).toEqual([...BACKEND_SETTINGS, ...READ_ONLY_CREDENTIALS].sort());
        expect(sharedStep.env).toMatchObject({
            PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}",
            PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
            AWS_ACCESS_KEY_ID: "${{ secrets.AWS_ACCESS_KEY_ID_READONLY }}",
            AWS_SECRET_ACCESS_KEY: "${{ secrets.AWS_SECRET_ACCESS_KEY_READONLY }}",
            GOOGLE_CREDENTIALS: "${{ secrets.GOOGLE_CREDENTIALS_READONLY }}",
            AZURE_STORAGE_SAS_TOKEN: "${{ secrets.AZURE_STORAGE_SAS_TOKEN_READONLY }}",
        });
        for (const name of READ_WRITE_CREDENTIALS) expect(secretsIn(doc)).not.toContain(name);
        expect(previewJob.environment).toBeUndefined();
        expect(JSON.stringify(doc)).not.toContain("KUBECONFIG");
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
        const update = stepsOf(up).find(isPulumiStep);
        expect(update.run).toMatch(/^bash scripts\/ci-backend-env\.sh shared -- bash -euo pipefail -c '/);
        expect(update.run).toContain('bash scripts/stack-policy-config.sh "$STACK" "$RUNNER_TEMP/policy-config.json"');
        expect(update.run).toMatch(/exec bash scripts\/pulumi-local\.sh up --yes --diff .*--stack "\$STACK" --policy-pack policy --policy-pack-config "\$RUNNER_TEMP\/policy-config\.json"/);
        expect(update.shell).toBe("bash");
    });

    test("only the deploy job, on main, in its reviewed environment, gets the read-write credentials, with the passphrase and the kubeconfig", () => {
        const { doc } = workflow("deploy.yml");
        const update = stepsOf(doc.jobs.up).find(isPulumiStep);
        expect(secretsIn(update).sort()).toEqual([...BACKEND_SETTINGS, ...READ_WRITE_CREDENTIALS, "KUBECONFIG"].sort());
        expect(update.env.KUBECONFIG_CONTENT).toBe("${{ secrets.KUBECONFIG }}");
        expect(secretsIn(doc.jobs.stacks)).toEqual([]);
        for (const file of allWorkflows) {
            const other = workflow(file).doc;
            for (const [name, job] of Object.entries<any>(other.jobs)) {
                const writes = secretsIn(job).filter((secret) => READ_WRITE_CREDENTIALS.includes(secret));
                if (writes.length === 0) continue;
                expect([file, name, job.environment, triggersOf(other)]).toEqual(["deploy.yml", "up", "consortium-${{ matrix.stack }}", ["push"]]);
            }
        }
        expect(doc.on.push.branches).toEqual(["main"]);
    });

    test("a daily refreshed preview of every shared stack fails on any change", () => {
        const { doc } = workflow("drift.yml");
        expect(doc.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
        expect(stepsOf(doc.jobs.stacks).find((step) => step.id === "select").run).toContain("changed-stacks.ts --all --shared-only");
        const drift = stepsOf(doc.jobs.drift).find(isPulumiStep);
        expect(drift.run).toMatch(/^bash scripts\/ci-backend-env\.sh shared -- bash scripts\/preview\.sh "\$STACK" --refresh --expect-no-changes\b/);
        expect(drift.shell).toBe("bash");
        expect(doc.jobs.drift.environment).toBe("drift-${{ matrix.stack }}");
    });

    test("drift reads the state with the read-only credentials of the previews and its environment's kubeconfig", () => {
        const { doc } = workflow("drift.yml");
        const drift = stepsOf(doc.jobs.drift).find(isPulumiStep);
        expect(secretsIn(drift).sort()).toEqual([...BACKEND_SETTINGS, ...READ_ONLY_CREDENTIALS, "KUBECONFIG"].sort());
        expect(drift.env.KUBECONFIG_CONTENT).toBe("${{ secrets.KUBECONFIG }}");
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
