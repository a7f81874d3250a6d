/**
 * Prints the policy pack config for one stack's preview:
 *   ts-node scripts/policy-config.ts <stack> [--state <pulumi stack export file>]
 * Its settings come from policy/stacks/<stack>.json (absent: the pack's production defaults) and
 * the genesis of every chain the stack has launched from its state.
 */
import { readFileSync } from "fs";
import { packConfigFor, readStackSettings } from "../policy/packConfig";
import { CONSORTIUM_POLICIES } from "../policy/policies";

function main(argv: string[]): void {
    const [stack, ...rest] = argv;
    if (!stack || stack.startsWith("-")) throw new Error("usage: policy-config <stack> [--state <pulumi stack export file>]");
    const stateIndex = rest.indexOf("--state");
    const stateFile = stateIndex >= 0 ? rest[stateIndex + 1] : undefined;
    const settings = readStackSettings(stack, CONSORTIUM_POLICIES);
    const stateText = stateFile ? readFileSync(stateFile, "utf8").trim() : "";
    process.stdout.write(`${JSON.stringify(packConfigFor(settings, stateText ? JSON.parse(stateText) : undefined), null, 2)}\n`);
}

try {
    main(process.argv.slice(2));
} catch (error) {
    process.stderr.write(`policy-config: ${(error as Error).message}\n`);
    process.exit(1);
}
