/**
 * The policy pack through the real engine, started the way the README says (`npm run preview -- <stack>`, which
 * runs scripts/preview.sh and scripts/pulumi-local.sh): a stack breaking a mandatory policy fails its preview
 * with that policy's message, a good stack passes, and the wrapper refuses what it should.
 */
import * as path from "path";
import { EngineProject } from "./harness";

jest.setTimeout(10 * 60_000);

function kubernetesStack(project: EngineProject, rpc: Record<string, unknown>): Record<string, unknown> {
    return {
        platform: "kubernetes",
        kubernetes: { namespace: "policy-test", renderYamlToDirectory: path.join(project.dir, "rendered") },
        chain: { name: "POLICY-TEST", networkId: 4244, chainId: 4244, stepDuration: 5 },
        authorities: [{ name: "acme-1", org: "acme" }, { name: "acme-2", org: "acme" }, { name: "globex-1", org: "globex" }],
        rpc: { ...rpc },
    };
}

describe("npm run preview with the policy pack, under the real engine", () => {
    let project: EngineProject;

    beforeAll(async () => {
        project = await EngineProject.create("policy");
        // No policy/stacks/<stack>.json for these names: the production defaults apply.
        project.writeStack("policy-good", kubernetesStack(project, {}));
        project.writeStack("policy-open-rpc", kubernetesStack(project, { kubernetes: { serviceType: "LoadBalancer" } }));
    });

    afterAll(() => project?.remove());

    const preview = (stack: string) => project.run("npm", ["run", "--silent", "preview", "--", stack, "--non-interactive"]);

    test("a stack that follows every policy previews cleanly, policies run", async () => {
        const result = await preview("policy-good");
        const output = result.stdout + result.stderr;
        expect(output).toMatch(/Policy Packs run:\s+Name\s+Version\s+consortium\|local\|policy/);
        expect(output).not.toMatch(/mandatory/);
        expect(result.code).toBe(0);
    });

    test("a stack publishing node RPC without authentication fails with the policy's message", async () => {
        const result = await preview("policy-open-rpc");
        const output = result.stdout + result.stderr;
        expect(result.code).not.toBe(0);
        expect(output).toContain("rpc-requires-authentication");
        expect(output).toMatch(/mandatory/);
        expect(output).toContain("without authentication");
    });

    test("a misspelt key fails the preview before any resource, naming the known key", async () => {
        project.writeStack("policy-misspelt", { ...kubernetesStack(project, {}), permisioning: { admins: [] } });
        const result = await project.pulumi(["preview", "--stack", "policy-misspelt", "--non-interactive"]);
        const output = result.stdout + result.stderr;
        expect(result.code).not.toBe(0);
        expect(output).toContain("consortium:permisioning is not a known key");
        expect(output).toContain("did you mean permissioning?");
        // Nothing but the stack itself was registered, and the message comes alone, without a stack trace.
        expect(output).not.toMatch(/pulumi:providers|kubernetes:|random:/);
        expect(output).not.toContain("Unhandled exception");
    });

    test("the wrapper creates stacks only for preview and up: a mistyped stack elsewhere is an error", async () => {
        const result = await project.pulumi(["stack", "output", "--stack", "policy-goood"]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/no stack named 'policy-goood'/);
        const stacks = await project.pulumi(["stack", "ls", "--json"], { check: true });
        expect(JSON.parse(stacks.stdout).map((stack: { name: string }) => stack.name)).not.toContain("policy-goood");
    });

    test("npm run preview without a stack, or with an unknown one, says how to call it", async () => {
        const none = await project.run("npm", ["run", "--silent", "preview"]);
        expect(none.code).not.toBe(0);
        expect(none.stderr).toMatch(/usage: npm run preview -- <stack>/);
        const unknown = await preview("no-such-stack");
        expect(unknown.code).not.toBe(0);
        expect(unknown.stderr).toContain("No stack file stacks/Pulumi.no-such-stack.yaml");
    });
});
