/**
 * Which stacks a change concerns, as a GitHub Actions matrix:
 *   git diff --name-only BASE HEAD | ts-node scripts/changed-stacks.ts [--shared-only]
 *   ts-node scripts/changed-stacks.ts --all [--shared-only]
 * prints `matrix={"include":[{"stack":"acme-prod","backend":"shared"},...]}` and `any=true|false`
 * (lines for $GITHUB_OUTPUT).
 */
import { readdirSync, readFileSync } from "fs";
import * as path from "path";

/**
 * Stacks whose state lives on each developer's machine (scripts/pulumi-local.sh's ./.pulumi-state),
 * not in the shared backend: CI previews them from scratch and never deploys them.
 */
export const LOCAL_STACKS: readonly string[] = ["dev"];

/** Files that change nothing any stack deploys: documentation, tests, benchmarks, the test CI. */
const NO_STACK_EFFECT = [/\.md$/, /^tests\//, /^bench\//, /^\.ci\//, /^LICENSE$/, /^\.gitignore$/, /^\.github\/dependabot\.yml$/];

export interface StackEntry {
    readonly stack: string;
    readonly backend: "shared" | "local";
}

/** The stacks defined in `stacksDir` (`Pulumi.<stack>.yaml`). */
export function listStacks(stacksDir: string): string[] {
    return readdirSync(stacksDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => Boolean(stack))
        .sort();
}

/**
 * The stacks a change touches: a stack's own files (its stack file, its policy settings) touch that
 * stack; any other file that is not documentation or tests (the program, the policy pack, the
 * dependencies, the workflows) touches every stack.
 */
export function stacksToPreview(changedFiles: readonly string[], stacks: readonly string[]): string[] {
    const touched = new Set<string>();
    for (const file of changedFiles.map((name) => name.trim()).filter(Boolean)) {
        const own = /^stacks\/Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? /^policy\/stacks\/(.+)\.json$/.exec(file)?.[1];
        if (own !== undefined) {
            if (stacks.includes(own)) touched.add(own);
            continue;
        }
        if (NO_STACK_EFFECT.some((pattern) => pattern.test(file))) continue;
        return [...stacks];
    }
    return stacks.filter((stack) => touched.has(stack));
}

export function matrixOf(stacks: readonly string[], sharedOnly: boolean): StackEntry[] {
    return stacks
        .map((stack): StackEntry => ({ stack, backend: LOCAL_STACKS.includes(stack) ? "local" : "shared" }))
        .filter((entry) => !sharedOnly || entry.backend === "shared");
}

function main(argv: string[]): void {
    const stacks = listStacks(path.join(__dirname, "..", "stacks"));
    const selected = argv.includes("--all") ? stacks : stacksToPreview(readFileSync(0, "utf8").split("\n"), stacks);
    const include = matrixOf(selected, argv.includes("--shared-only"));
    process.stdout.write(`matrix=${JSON.stringify({ include })}\nany=${include.length > 0}\n`);
}

if (require.main === module) main(process.argv.slice(2));
