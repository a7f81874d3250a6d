import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { TOP_LEVEL_KEYS } from "../../components/config";
import { evaluate, installMocks, promiseOf, settle, useDevStack, useStackConfig } from "../helpers/pulumiMocks";

const project = parse(readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));

describe("Pulumi.yaml", () => {
    test("is the consortium project, a TypeScript program with its stacks in stacks/", () => {
        expect(project.name).toBe("consortium");
        expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true } });
        expect(project.stackConfigDir).toBe("stacks");
    });

    test("declares every top-level config key the program reads, with a description", () => {
        const declared = Object.keys(project.config).filter((key) => !key.includes(":"));
        expect(declared.sort()).toEqual([...TOP_LEVEL_KEYS].sort());
        for (const key of TOP_LEVEL_KEYS) expect(project.config[key].description).toEqual(expect.any(String));
    });

    test("requires platform, chain and authorities, and defaults every other key", () => {
        const required = TOP_LEVEL_KEYS.filter((key) => !("default" in project.config[key]));
        expect(required.sort()).toEqual(["authorities", "chain", "platform"]);
    });

    test("disables the default Docker, Kubernetes and random providers", () => {
        expect(project.config["pulumi:disable-default-providers"]).toEqual(["docker", "kubernetes", "random"]);
    });
});

describe.each(["dev", "acme-prod"])("the %s stack", (stack) => {
    test("registers every Docker, Kubernetes and random resource with an explicit provider", async () => {
        const registrations = await installMocks();
        if (stack === "dev") useDevStack();
        else useStackConfig(stack);
        const { runProgram } = await import("../../components/program");
        await promiseOf((await evaluate(runProgram)).authorities);
        await settle();
        const managed = registrations.filter((registration) => /^(docker|kubernetes|random):/.test(registration.type));
        expect(managed.length).toBeGreaterThan(5);
        for (const registration of managed) {
            const pkg = registration.type.split(":")[0];
            expect([registration.name, registration.provider]).toEqual([registration.name, expect.stringContaining(`pulumi:providers:${pkg}::${pkg}::`)]);
        }
    });
});

describe("index.ts, the program Pulumi runs", () => {
    test("exports exactly the outputs runProgram() returns, and the README documents each", async () => {
        await installMocks();
        useDevStack();
        const { runProgram } = await import("../../components/program");
        const returned = Object.keys(await evaluate(runProgram)).sort();
        await settle();
        const source = readFileSync(path.join(__dirname, "..", "..", "index.ts"), "utf8");
        const exported = [...source.matchAll(/^export const (\w+) = outputs\.(\w+);$/gm)].map(([, name, property]) => {
            expect(property).toBe(name);
            return name;
        });
        expect(source.match(/^export /gm)).toHaveLength(exported.length);
        expect(exported.sort()).toEqual(returned);
        const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
        const table = readme.slice(readme.indexOf("### Stack outputs"));
        const documented = [...table.slice(0, table.indexOf("\n#")).matchAll(/^\| `(\w+)` \|/gm)].map(([, name]) => name);
        expect(documented.sort()).toEqual(returned);
    });
});
