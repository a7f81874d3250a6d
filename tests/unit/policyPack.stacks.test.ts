import * as path from "path";
import { packConfigFor, readStackSettings } from "../../policy/packConfig";
import { CONSORTIUM_POLICIES } from "../../policy/policies";
import { listStacks } from "../../scripts/changed-stacks";
import { resourcesOf, runPack, type Resource } from "../helpers/policy";
import { evaluate, installMocks, settle, useDevStack, useStackConfig } from "../helpers/pulumiMocks";

/**
 * The policy pack over what each stack in stacks/ really registers (the program under mocks, every
 * value known), with the pack config the preview gives that stack: what `npm run preview -- <stack>`
 * and the pull-request workflow run, short of the engine.
 */

const STACKS = listStacks(path.join(__dirname, "..", "..", "stacks"));

async function registeredResources(stack: string, overrides: Record<string, unknown> = {}): Promise<Resource[]> {
    jest.resetModules();
    const registrations = await installMocks({ stack });
    if (stack === "dev") useDevStack(overrides);
    else useStackConfig(stack, overrides);
    const { runProgram } = await import("../../components/program");
    await evaluate(runProgram);
    await settle();
    return resourcesOf(registrations);
}

describe("the policy pack over every stack of the repository", () => {
    test("there are stacks to check", () => {
        expect(STACKS).toEqual(expect.arrayContaining(["dev", "acme-prod"]));
    });

    test.each(STACKS)("stack %s passes every mandatory policy", async (stack) => {
        const resources = await registeredResources(stack);
        const result = runPack(resources, packConfigFor(readStackSettings(stack, CONSORTIUM_POLICIES), undefined));
        expect(result.mandatory).toEqual([]);
    });
});

describe("the policy pack refuses what would hurt the acme-prod consortium", () => {
    const config = () => packConfigFor(readStackSettings("acme-prod", CONSORTIUM_POLICIES), undefined);

    test("two authorities", async () => {
        const resources = await registeredResources("acme-prod", {
            authorities: [
                { name: "acme-1", org: "acme" },
                { name: "globex-1", org: "globex" },
            ],
            externalAuthorities: undefined,
        });
        expect(runPack(resources, config()).mandatory).toEqual([expect.stringMatching(/^authority-count: chain 'consortium-genesis' has 2 authorities in the validator set from block 0; at least 3 are required/)]);
    });

    test("four authorities pass with a warning", async () => {
        const resources = await registeredResources("acme-prod", { externalAuthorities: undefined });
        const result = runPack(resources, config());
        expect(result.mandatory).toEqual([]);
        expect(result.advisory).toEqual([expect.stringMatching(/^authority-count-odd: chain 'consortium-genesis' has 4 authorities .* an even number/)]);
    });

    test("an unprotected stack", async () => {
        const resources = await registeredResources("acme-prod", { protect: false });
        const mandatory = runPack(resources, config()).mandatory;
        for (const name of ["consortium-kubernetes-namespace", "consortium-kubernetes-acme-1-keys", "consortium-acme-1-signer-key", "consortium-acme-1-node-key"]) {
            expect(mandatory).toContainEqual(expect.stringContaining(`chain-state-protected: '${name}'`));
        }
    });

    test("node RPC published through the Ingress without the gateway", async () => {
        const resources = await registeredResources("acme-prod", { permissioning: undefined });
        expect(runPack(resources, config()).mandatory).toContainEqual(
            expect.stringMatching(/^rpc-requires-authentication: Ingress '.*-rpc' routes to node RPC \(Service '.*-rpc'\) without authentication/),
        );
    });

    test("an image on latest: the config refuses it; a workload that runs one anyway fails the pack", async () => {
        const { parseConfig } = await import("../../components/config");
        expect(() => parseConfig({ authorities: [{ name: "a1" }], chain: { name: "c", networkId: 1234, stepDuration: 5 }, client: { kind: "nethermind", image: "nethermind/nethermind:latest" } })).toThrow(
            "consortium:client.image must be pinned to a version or digest, not latest",
        );
        const resources = await registeredResources("acme-prod");
        const node = resources.find((resource) => resource.type === "kubernetes:apps/v1:StatefulSet" && resource.props.metadata.name === "acme-1")!;
        node.props.spec.template.spec.containers[0].image = "nethermind/nethermind:latest";
        expect(runPack(resources, config()).mandatory).toContainEqual(expect.stringContaining("images-pinned: container 'node' runs nethermind/nethermind:latest, which uses the tag latest"));
    });
});
