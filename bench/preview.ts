/**
 * Whole `pulumi preview` runs with the real engine (the CLI and Kubernetes provider scripts/build-pulumi.sh builds,
 * a Kubernetes stack in render mode, the README's scripts/pulumi-local.sh): wall time, CPU time of the whole process
 * tree and the machine's load, for 5, 25 and 100 authorities, one fresh project and process per run.
 * `npm run bench`; the figures go into the README.
 */
import { execFile } from "child_process";
import { cpus, loadavg } from "os";
import * as path from "path";
import { EngineProject } from "../tests/engine/harness";

const SIZES = [5, 25, 100];
const RUNS = 3;

function stack(project: EngineProject, authorities: number): Record<string, unknown> {
    return {
        platform: "kubernetes",
        kubernetes: { namespace: "bench", renderYamlToDirectory: path.join(project.dir, "rendered") },
        chain: { name: "bench", networkId: 4242, chainId: 4242, stepDuration: 5 },
        authorities: Array.from({ length: authorities }, (_, index) => ({ name: `authority-${index + 1}`, org: `org-${index % 5}` })),
        rpc: {},
    };
}

/** Runs a command under bash's `time`: wall, user and system seconds of it and its children. */
function timed(project: EngineProject, args: string[]): Promise<{ wall: number; cpu: number }> {
    const script = `TIMEFORMAT='%R %U %S'; { time bash scripts/pulumi-local.sh ${args.map((arg) => `'${arg}'`).join(" ")} >/dev/null 2>"$BENCH_ERRORS"; } 2>&1`;
    return new Promise((resolve, reject) => {
        execFile("bash", ["-c", script], { cwd: project.dir, env: { ...project.env, BENCH_ERRORS: path.join(project.dir, "bench-errors.log") } }, (error, stdout) => {
            if (error) return reject(new Error(`preview failed: see ${path.join(project.dir, "bench-errors.log")}`));
            const [wall, user, system] = stdout.trim().split(/\s+/).map(Number);
            resolve({ wall, cpu: user + system });
        });
    });
}

async function main() {
    console.log(`machine: ${cpus().length} × ${cpus()[0].model}; Node ${process.version}`);
    console.log(`| authorities | resources planned | wall, median of ${RUNS} (s) | CPU, median (s) | wall per authority (ms) | load (1 min) before |`);
    console.log("|---:|---:|---:|---:|---:|---:|");
    for (const size of SIZES) {
        const runs: { wall: number; cpu: number; load: number }[] = [];
        let resources = 0;
        for (let run = 0; run < RUNS; run++) {
            const project = await EngineProject.create(`bench-${size}`);
            try {
                project.writeStack("bench", stack(project, size));
                await project.pulumi(["stack", "init", "--secrets-provider", "passphrase", "bench"], { check: true });
                const load = loadavg()[0];
                runs.push({ ...(await timed(project, ["preview", "--stack", "bench", "--non-interactive"])), load });
                if (run === 0) {
                    const json = await project.pulumi(["preview", "--stack", "bench", "--json", "--non-interactive"], { check: true });
                    resources = JSON.parse(json.stdout).steps.length;
                }
            } finally {
                project.remove();
            }
        }
        const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
        const wall = median(runs.map((run) => run.wall));
        console.log(`| ${size} | ${resources} | ${wall.toFixed(2)} | ${median(runs.map((run) => run.cpu)).toFixed(2)} | ${((wall * 1000) / size).toFixed(0)} | ${median(runs.map((run) => run.load)).toFixed(2)} |`);
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
