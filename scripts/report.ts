/**
 * npm run report -- <stack> [--from <block|date>] [--to <block|date>] [--format json|html|csv[,...]] [--out <dir>]
 *                           [--outputs <stack-outputs.json>] [--members <members.json>] [--rpc-url <url>]
 *
 * The stack's public outputs come from `pulumi stack output --json` (the local backend, through scripts/pulumi-local.sh)
 * or, for a member without the stack's state, from a saved copy (--outputs). Behind the RPC gateway, the member's
 * credentials come from CONSORTIUM_RPC_USER and CONSORTIUM_RPC_PASSWORD, never from the command line.
 * Exit status: 0 written and reconciled, 3 written but not reconciled, 1 refused or failed, 2 bad arguments.
 */
import { execFileSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { membersFrom, parseReportArguments, runReport, type ReportArguments } from "../components/report/cli";
import type { StackOutputs } from "../components/report/parties";

const repo = path.join(__dirname, "..");

function stackOutputs(args: ReportArguments): StackOutputs {
    if (args.outputs) return JSON.parse(readFileSync(args.outputs, "utf8")) as StackOutputs;
    const text = execFileSync("bash", [path.join(repo, "scripts", "pulumi-local.sh"), "stack", "output", "--json", "--stack", args.stack], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return JSON.parse(text) as StackOutputs;
}

function members(args: ReportArguments): unknown {
    if (args.members) return JSON.parse(readFileSync(args.members, "utf8"));
    const stackFile = path.join(repo, "stacks", `Pulumi.${args.stack}.yaml`);
    if (!existsSync(stackFile)) return undefined;
    return (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config?.["consortium:members"];
}

async function main(): Promise<number> {
    let args: ReportArguments;
    try {
        args = parseReportArguments(process.argv.slice(2));
    } catch (error) {
        console.error((error as Error).message);
        return 2;
    }
    const user = process.env.CONSORTIUM_RPC_USER;
    const password = process.env.CONSORTIUM_RPC_PASSWORD;
    if ((user === undefined) !== (password === undefined)) {
        console.error("set both CONSORTIUM_RPC_USER and CONSORTIUM_RPC_PASSWORD (a member's gateway credentials), or neither");
        return 2;
    }
    const { folder, report, files } = await runReport({
        args,
        outputs: stackOutputs(args),
        members: membersFrom(members(args)),
        ...(user !== undefined && password !== undefined ? { credentials: { username: user, password } } : {}),
        progress: (message) => console.error(message),
    });
    console.log(`report of blocks ${report.range.fromBlock} (${report.range.fromBlockHash}) to ${report.range.toBlock} (${report.range.toBlockHash}) written to ${folder}: ${files.join(", ")}`);
    if (report.reconciled === true) return 0;
    const failing = report.organisations.filter((organisation) => organisation.reconciliation && !organisation.reconciliation.holds).map((organisation) => organisation.name);
    console.log(report.reconciled === "unavailable" ? "not reconciled: the node has no state at the range's ends" : `does not reconcile: ${failing.join(", ")}`);
    return 3;
}

main().then(
    (status) => process.exit(status),
    (error: Error) => {
        console.error(`report: ${error.message}`);
        process.exit(1);
    },
);
