/**
 * Evaluates the whole program under Pulumi mocks for 5, 25 and 100 authorities on each platform and
 * prints the wall time until every output is resolved (what `pulumi preview` spends in the program,
 * without the engine and providers), then the time the consortium policy pack takes over those
 * resources (what every preview adds). Run with `npm run bench`; the figures go into the README.
 */
import { performance } from "perf_hooks";
import { resourcesOf, runPack } from "../tests/helpers/policy";
import { evaluate, installMocks, promiseOf, settle, useConfig } from "../tests/helpers/pulumiMocks";

const SIZES = [5, 25, 100];
const RUNS = 5;

function stackConfig(platform: "docker" | "kubernetes", authorities: number): Record<string, unknown> {
    return {
        "consortium:platform": platform,
        "consortium:kubernetes": { namespace: "bench" },
        "consortium:chain": { name: "bench", networkId: 4242, stepDuration: 5 },
        "consortium:authorities": Array.from({ length: authorities }, (_, index) => ({ name: `authority-${index + 1}`, org: `org-${index % 5}` })),
        "consortium:protect": true,
    };
}

async function evaluateOnce(platform: "docker" | "kubernetes", authorities: number): Promise<{ ms: number; policyMs: number; resources: number }> {
    const registrations = await installMocks({ seed: `${platform}-${authorities}-${performance.now()}` });
    useConfig(stackConfig(platform, authorities));
    const { runProgram } = await import("../components/program");
    const start = performance.now();
    const outputs = await evaluate(runProgram);
    await Promise.all(Object.values(outputs).map((output) => promiseOf(output as never)));
    await settle();
    const ms = performance.now() - start;
    const resources = await resourcesOf(registrations);
    const policyStart = performance.now();
    const { mandatory } = runPack(resources);
    if (mandatory.length > 0) throw new Error(`the bench stack breaks a policy: ${mandatory[0]}`);
    return { ms, policyMs: performance.now() - policyStart, resources: registrations.length };
}

async function main() {
    await evaluateOnce("docker", 3); // warm-up: module loading and the dynamic provider's serialisation
    console.log(`| platform | authorities | resources | median of ${RUNS} (ms) | fastest (ms) | median per authority (ms) | policy pack, median (ms) |`);
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const platform of ["docker", "kubernetes"] as const) {
        for (const size of SIZES) {
            const runs = [];
            for (let run = 0; run < RUNS; run++) runs.push(await evaluateOnce(platform, size));
            const sorted = runs.map((run) => run.ms).sort((a, b) => a - b);
            const median = sorted[Math.floor(RUNS / 2)];
            const policyMedian = runs.map((run) => run.policyMs).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
            console.log(`| ${platform} | ${size} | ${runs[0].resources} | ${median.toFixed(0)} | ${sorted[0].toFixed(0)} | ${(median / size).toFixed(1)} | ${policyMedian.toFixed(1)} |`);
        }
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
