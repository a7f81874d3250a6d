/**
 * The split of Consortium under the real engine: the program before it (commit dd8fec8, PoCo and permissions inside
 * Consortium) deploys a stack, PoCo and permissions for real against anvil; the program after it, over that state,
 * has nothing to change: the aliases find the moved resources, and their children inherit them.
 */
import * as path from "path";
import { JsonRpcProvider, Wallet } from "ethers";
import { applyGenesisAccounts, setIntervalMining, startAnvil, type AnvilNode } from "../helpers/anvil";
import { EngineProject, renderedChainSpec } from "./harness";

jest.setTimeout(20 * 60_000);

const BEFORE_SPLIT = "dd8fec8e71fa71e6f2443a3e3c00bb6fa93e330e";
/** The split itself: later changes alter workloads' inputs, which this test is not about. */
const AFTER_SPLIT = "f65a69ad152267ab530cb4bea94dbdf4558e8c9b";
const STACK = "engine-split";
const CHAIN_ID = 4244;
const member = Wallet.createRandom().address;
const urn = (qualifiedType: string, name: string) => `urn:pulumi:${STACK}::consortium::${qualifiedType}::${name}`;
const CONSORTIUM = "consortium:index:Consortium";

/** Where the moved resources were, and where they are now. */
const MOVED = [
    { before: urn(`${CONSORTIUM}$consortium:poco:Deployment`, "consortium-poco"), after: urn("consortium:poco:Deployment", "consortium-poco") },
    {
        before: urn(`${CONSORTIUM}$consortium:poco:Deployment$pulumi-nodejs:dynamic:Resource`, "consortium-poco-contracts"),
        after: urn("consortium:poco:Deployment$pulumi-nodejs:dynamic:Resource", "consortium-poco-contracts"),
    },
    { before: urn(`${CONSORTIUM}$pulumi-nodejs:dynamic:Resource`, "consortium-permissions"), after: urn("pulumi-nodejs:dynamic:Resource", "consortium-permissions") },
];

interface StateResource {
    readonly urn: string;
    readonly id?: string;
    readonly parent?: string;
}

describe("the program after the split, over the state the program before it left", () => {
    let project: EngineProject;
    let anvil: AnvilNode;
    let stateBefore: StateResource[];

    const state = async (): Promise<StateResource[]> =>
        JSON.parse((await project.pulumi(["stack", "export", "--stack", STACK], { check: true })).stdout).deployment.resources;

    beforeAll(async () => {
        project = await EngineProject.create("split");
        anvil = await startAnvil({ chainId: CHAIN_ID, gasLimit: 40_000_000n, automine: false });
        project.writeStack(STACK, {
            platform: "kubernetes",
            kubernetes: { namespace: "engine-split", renderYamlToDirectory: path.join(project.dir, "rendered") },
            chain: { name: "ENGINE-SPLIT", networkId: CHAIN_ID, chainId: CHAIN_ID, stepDuration: 1, accounts: { [member]: "1000000000000000000000000" } },
            authorities: [{ name: "acme-1", org: "acme" }, { name: "acme-2", org: "acme" }],
            client: { kind: "nethermind" },
            permissioning: { admins: [member], rpc: { readers: ["acme"] } },
            poco: { admin: "generated", rpcUrl: anvil.rpcUrl },
            protect: false,
        });
        project.useProgramOf(BEFORE_SPLIT);
        const up = project.pulumi(["up", "--stack", STACK, "--yes", "--non-interactive"], { check: true });
        await applyGenesisAccounts(anvil.rpcUrl, await renderedChainSpec(path.join(project.dir, "rendered"), up));
        await setIntervalMining(anvil.rpcUrl, 1);
        await up;
        stateBefore = await state();
        project.useProgramOf(AFTER_SPLIT);
    });

    afterAll(async () => {
        await anvil?.stop();
        project?.remove();
    });

    test("the previous program left PoCo and permissions inside Consortium", () => {
        const urns = stateBefore.map((resource) => resource.urn);
        for (const { before } of MOVED) expect(urns).toContain(before);
    });

    test("preview: every resource the same, the moved ones found by their aliases", async () => {
        const preview = await project.pulumi(["preview", "--stack", STACK, "--json", "--show-sames", "--expect-no-changes", "--non-interactive"], { check: true });
        const { steps, changeSummary } = JSON.parse(preview.stdout) as { steps: { op: string; urn: string; oldState?: { urn: string } }[]; changeSummary: Record<string, number> };
        // Every resource of the previous state (explicit providers included; the summary leaves out default providers), and nothing else.
        expect(changeSummary).toEqual({ same: stateBefore.filter((resource) => !resource.urn.includes("::pulumi:providers:pulumi-nodejs::default")).length });
        expect(steps.filter((step) => step.op !== "same")).toEqual([]);
        for (const { before, after } of MOVED) expect(steps.find((step) => step.urn === after)?.oldState?.urn).toBe(before);
    });

    test("the current program over the same state creates, deletes and replaces nothing, and finds the moved ones by their aliases", async () => {
        project.useProgramOf();
        try {
            const preview = await project.pulumi(["preview", "--stack", STACK, "--json", "--show-sames", "--non-interactive"], { check: true });
            const { steps } = JSON.parse(preview.stdout) as { steps: { op: string; urn: string; oldState?: { urn: string } }[] };
            // The default deny, which the program of these commits made inside the platform, moved to the stack's
            // isolation in the same unreleased change: no released state holds it there.
            const moved = (step: { urn: string }) => /default-deny$|DefaultDeny/.test(step.urn);
            expect(steps.filter((step) => !["same", "update"].includes(step.op) && !moved(step)).map((step) => `${step.op} ${step.urn}`)).toEqual([]);
            for (const { before, after } of MOVED) expect(steps.find((step) => step.urn === after)?.oldState?.urn).toBe(before);
        } finally {
            project.useProgramOf(AFTER_SPLIT);
        }
    });

    test("up moves them in the state under the same IDs and sends no transaction; nothing else changes", async () => {
        const outputs = JSON.parse((await project.pulumi(["stack", "output", "--json", "--stack", STACK], { check: true })).stdout);
        const senders = [outputs.poco.admin, outputs.permissioning.operator];
        const provider = new JsonRpcProvider(anvil.rpcUrl, CHAIN_ID, { staticNetwork: true });
        const nonces = await Promise.all(senders.map((sender) => provider.getTransactionCount(sender)));
        expect(Math.min(...nonces)).toBeGreaterThan(0);
        await project.pulumi(["up", "--stack", STACK, "--yes", "--expect-no-changes", "--non-interactive"], { check: true });
        expect(await Promise.all(senders.map((sender) => provider.getTransactionCount(sender)))).toEqual(nonces);
        provider.destroy();
        const stateAfter = await state();
        const movedTo = new Map(MOVED.map(({ before, after }) => [before, after]));
        const renamed = (value: string | undefined) => (value === undefined ? undefined : (movedTo.get(value) ?? value));
        const root = stateBefore.find((resource) => resource.urn.includes("::pulumi:pulumi:Stack::"))!.urn;
        const expected = stateBefore.map((resource) => ({
            urn: renamed(resource.urn),
            id: resource.id,
            parent: movedTo.has(resource.urn) && resource.parent === urn(CONSORTIUM, "consortium") ? root : renamed(resource.parent),
        }));
        const actual = stateAfter.map(({ urn: resourceUrn, id, parent }) => ({ urn: resourceUrn, id, parent }));
        expect(new Set(actual.map((resource) => JSON.stringify(resource)))).toEqual(new Set(expected.map((resource) => JSON.stringify(resource))));
    });
});
