import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { Checker, ConfigError } from "../config/checker";
import { canonicalJson } from "./build";
import { usageReport, type RangeBound } from "./collect";
import type { UsageReport } from "./model";
import { parseMembers, partiesOf, type MembersConfig, type StackOutputs } from "./parties";
import { reportCsv, reportHtml } from "./render";

/**
 * `npm run report -- <stack> [options]`: the usage report of a stack's chain, from the stack's public outputs and its
 * config's `members`, read through a node the member trusts. The pure parts (arguments, what to write) are here;
 * scripts/report.ts reads the files and the environment.
 */

export const REPORT_FORMATS = ["json", "html", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportArguments {
    readonly stack: string;
    readonly from?: RangeBound;
    readonly to?: RangeBound;
    readonly formats: readonly ReportFormat[];
    readonly out?: string;
    /** A saved `pulumi stack output --json`: a member without the stack's state reports from it. */
    readonly outputs?: string;
    /** A JSON file of `members` (organisation to addresses), instead of the stack file's. */
    readonly members?: string;
    readonly rpcUrl?: string;
}

export const REPORT_USAGE =
    "usage: npm run report -- <stack> [--from <block|date>] [--to <block|date>] [--format json|html|csv[,...]] [--out <dir>] [--outputs <stack-outputs.json>] [--members <members.json>] [--rpc-url <url>]";

function bound(flag: string, value: string): RangeBound {
    if (/^\d+$/.test(value)) return Number(value);
    const moment = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(moment.getTime())) throw new Error(`${flag} must be a block number or an ISO-8601 date such as 2026-11-01 or 2026-11-01T12:00:00Z (got '${value}')\n${REPORT_USAGE}`);
    return moment;
}

export function parseReportArguments(argv: readonly string[]): ReportArguments {
    const [stack, ...rest] = argv;
    if (!stack || stack.startsWith("--")) throw new Error(`the stack name comes first\n${REPORT_USAGE}`);
    const values: Record<string, string> = {};
    for (let index = 0; index < rest.length; index += 2) {
        const flag = rest[index];
        const value = rest[index + 1];
        if (!["--from", "--to", "--format", "--out", "--outputs", "--members", "--rpc-url"].includes(flag)) throw new Error(`unknown option '${flag}'\n${REPORT_USAGE}`);
        if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value\n${REPORT_USAGE}`);
        if (flag in values) throw new Error(`${flag} is given twice\n${REPORT_USAGE}`);
        values[flag] = value;
    }
    const formats = (values["--format"] ?? "json").split(",");
    for (const format of formats) if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one or more of ${REPORT_FORMATS.join(", ")}, comma-separated (got '${format}')\n${REPORT_USAGE}`);
    const from = values["--from"] === undefined ? undefined : bound("--from", values["--from"]);
    const to = values["--to"] === undefined ? undefined : bound("--to", values["--to"]);
    return {
        stack,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        formats: [...new Set(formats as ReportFormat[])],
        ...(values["--out"] ? { out: values["--out"] } : {}),
        ...(values["--outputs"] ? { outputs: values["--outputs"] } : {}),
        ...(values["--members"] ? { members: values["--members"] } : {}),
        ...(values["--rpc-url"] ? { rpcUrl: values["--rpc-url"] } : {}),
    };
}

/** `members` from the stack's config value, validated as `pulumi up` validates it. */
export function membersFrom(raw: unknown): MembersConfig {
    const check = new Checker();
    const members = parseMembers(check, raw);
    if (check.issues.length > 0) throw new ConfigError(check.issues);
    return members ?? {};
}

/** The files of a report: canonical JSON, one HTML file, a CSV per table. */
export function reportFiles(report: UsageReport, formats: readonly ReportFormat[]): Record<string, string> {
    const files: Record<string, string> = {};
    if (formats.includes("json")) files["report.json"] = canonicalJson(report);
    if (formats.includes("html")) files["report.html"] = reportHtml(report);
    if (formats.includes("csv")) for (const [name, text] of Object.entries(reportCsv(report))) files[path.join("csv", name)] = text;
    return files;
}

export interface RunInput {
    readonly args: ReportArguments;
    readonly outputs: StackOutputs;
    readonly members: MembersConfig;
    readonly credentials?: { readonly username: string; readonly password: string };
    readonly progress: (message: string) => void;
}

/** Collects, builds and writes the report; the folder it wrote and the report. */
export async function runReport(input: RunInput): Promise<{ readonly folder: string; readonly report: UsageReport; readonly files: readonly string[] }> {
    const { args, outputs } = input;
    if (!outputs.poco) throw new Error(`stack ${args.stack} has no PoCo (its poco output is null): there is nothing to report`);
    const report = await usageReport(
        {
            rpcUrl: args.rpcUrl ?? outputs.rpcUrl,
            chainId: outputs.chainId,
            ...(input.credentials ? { credentials: input.credentials } : {}),
            contracts: {
                hub: outputs.poco.addresses.diamond,
                registries: outputs.poco.addresses.registries,
                pocoDeploymentBlock: outputs.poco.deploymentBlock,
                ...(outputs.bridge ? { homeBridge: outputs.bridge.contracts.homeBridge } : {}),
            },
            ...(args.from !== undefined ? { from: args.from } : {}),
            ...(args.to !== undefined ? { to: args.to } : {}),
            progress: input.progress,
        },
        partiesOf(outputs, input.members),
    );
    const folder = args.out ?? path.join("reports", `${args.stack}-${report.range.fromBlock}-${report.range.toBlock}`);
    const files = reportFiles(report, args.formats);
    for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
        writeFileSync(path.join(folder, name), text);
    }
    return { folder, report, files: Object.keys(files).sort() };
}
