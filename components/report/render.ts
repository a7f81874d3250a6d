import { OrganisationUsage, PartyAccount, Reconciliation, Settlement, TimelineSlice, UNATTRIBUTED, UsageReport } from "./model";

/**
 * The usage report for people: one self-contained HTML page (inline style and SVG, no script, no external resource)
 * and one CSV file per table. Both are pure functions of the report, byte for byte, so that every member renders the
 * same files from the same report.
 */

const NRLC_PER_RLC = 1_000_000_000n;
const RLC_DECIMALS = 9;

const UNAVAILABLE_VERDICT = "not checked: the node has no state at the range's ends";

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies, and in print. */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"] as const;
const UNATTRIBUTED_COLOUR = "#999999";

// ---------------------------------------------------------------------------------------------------------------
// Figures

function parseInteger(decimal: string): bigint {
    if (!/^-?[0-9]+$/.test(decimal)) {
        throw new Error(`Not a decimal integer amount: ${JSON.stringify(decimal)}`);
    }
    return BigInt(decimal);
}

/** nRLC as RLC with exactly 9 decimals, by integer arithmetic: "1500000000" → "1.500000000 RLC". */
export function formatRlc(nrlc: string): string {
    const value = parseInteger(nrlc);
    const magnitude = value < 0n ? -value : value;
    const whole = magnitude / NRLC_PER_RLC;
    const fraction = (magnitude % NRLC_PER_RLC).toString().padStart(RLC_DECIMALS, "0");
    return `${value < 0n ? "-" : ""}${whole.toString()}.${fraction} RLC`;
}

function sumAmounts(amounts: readonly string[]): string {
    return amounts.reduce((total, amount) => total + parseInteger(amount), 0n).toString();
}

function difference(after: string, before: string): string {
    return (parseInteger(after) - parseInteger(before)).toString();
}

function sumCounts(counts: readonly number[]): number {
    return counts.reduce((total, count) => total + count, 0);
}

export function reconciliationVerdict(report: UsageReport): string {
    if (report.reconciled === "unavailable") return UNAVAILABLE_VERDICT;
    if (report.reconciled) return "reconciled";
    const failing = report.organisations.filter((o) => o.reconciliation === undefined || !o.reconciliation.holds).map((o) => o.name);
    return `does not reconcile: ${failing.join(", ")}`;
}

/** The organisations in the report's order, then any name only the timeline mentions, so that no count is dropped. */
function timelineOrganisations(report: UsageReport): string[] {
    const names = report.organisations.map((o) => o.name);
    const extra = new Set<string>();
    for (const slice of report.timeline) {
        for (const name of Object.keys(slice.completed)) {
            if (!names.includes(name)) extra.add(name);
        }
    }
    return [...names, ...[...extra].sort()];
}

function completedIn(slice: TimelineSlice, organisation: string): number {
    return slice.completed[organisation] ?? 0;
}

const KNOWN_ROLES = ["app", "dataset", "workerpool", "worker"] as const;

function settlementRoles(settlement: readonly Settlement[]): string[] {
    const extra = new Set<string>();
    for (const row of settlement) {
        for (const role of Object.keys(row.byRole)) {
            if (!(KNOWN_ROLES as readonly string[]).includes(role)) extra.add(role);
        }
    }
    return [...KNOWN_ROLES, ...[...extra].sort()];
}

function colours(names: readonly string[]): Map<string, string> {
    const map = new Map<string, string>();
    let next = 0;
    for (const name of names) {
        map.set(name, name === UNATTRIBUTED ? UNATTRIBUTED_COLOUR : PALETTE[next++ % PALETTE.length]);
    }
    return map;
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

const CSV_NEEDS_QUOTES = /[",\r\n]/;

function csvField(value: string | number | boolean): string {
    const text = String(value);
    return CSV_NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: CRLF line breaks, a header line, fields quoted only when they must be. */
function csvTable(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): string {
    return [header, ...rows].map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

const ORGANISATION_COLUMNS: readonly (readonly [string, (o: OrganisationUsage) => string | number])[] = [
    ["organisation", (o) => o.name],
    ["tasksCompleted", (o) => o.tasks.completed],
    ["tasksClaimed", (o) => o.tasks.claimed],
    ["tasksFailed", (o) => o.tasks.failed],
    ["dealsRequested", (o) => o.deals.requested],
    ["dealsServedAsApp", (o) => o.deals.servedAsApp],
    ["dealsServedAsDataset", (o) => o.deals.servedAsDataset],
    ["dealsServedAsWorkerpool", (o) => o.deals.servedAsWorkerpool],
    ["rlcPaid", (o) => o.rlc.paid],
    ["rlcEarned", (o) => o.rlc.earned],
    ["rlcSeized", (o) => o.rlc.seized],
    ["bridgeDeposits", (o) => o.bridge.deposits],
    ["bridgeDeposited", (o) => o.bridge.deposited],
    ["bridgeWithdrawals", (o) => o.bridge.withdrawals],
    ["bridgeWithdrawn", (o) => o.bridge.withdrawn],
    ["transactions", (o) => o.chain.transactions],
    ["gasUsed", (o) => o.chain.gasUsed],
    ["blocksSealed", (o) => o.chain.blocksSealed],
];

const RECONCILIATION_FIGURES = [
    "hubBefore",
    "hubAfter",
    "hubFlows",
    "lockedBefore",
    "lockedAfter",
    "lockedFlows",
    "tokenBefore",
    "tokenAfter",
    "tokenFlows",
] as const satisfies readonly (keyof Reconciliation)[];

function organisationsCsv(report: UsageReport): string {
    return csvTable(
        ORGANISATION_COLUMNS.map(([header]) => header),
        report.organisations.map((o) => ORGANISATION_COLUMNS.map(([, value]) => value(o))),
    );
}

function settlementCsv(report: UsageReport): string {
    const roles = settlementRoles(report.settlement);
    return csvTable(
        ["payer", "payee", "amount", "tasks", ...roles],
        report.settlement.map((s) => [s.payer, s.payee, s.amount, s.tasks, ...roles.map((role) => s.byRole[role] ?? "")]),
    );
}

function accountsCsv(report: UsageReport): string {
    return csvTable(
        ["organisation", "address", "roles"],
        report.organisations.flatMap((o) => o.accounts.map((a) => [o.name, a.address, a.roles.join(";")])),
    );
}

function timelineCsv(report: UsageReport): string {
    const names = timelineOrganisations(report);
    return csvTable(
        ["fromBlock", "toBlock", ...names],
        report.timeline.map((slice) => [slice.fromBlock, slice.toBlock, ...names.map((name) => completedIn(slice, name))]),
    );
}

function reconciliationCsv(report: UsageReport): string {
    return csvTable(
        ["organisation", ...RECONCILIATION_FIGURES, "holds"],
        report.organisations.map((o) => {
            const r = o.reconciliation;
            // An organisation the node could not check keeps its row, with empty figures.
            return [o.name, ...RECONCILIATION_FIGURES.map((figure) => (r === undefined ? "" : r[figure])), r === undefined ? "" : r.holds];
        }),
    );
}

/** One CSV file per table, by file name. Amounts stay the report's nRLC strings. */
export function reportCsv(report: UsageReport): Record<string, string> {
    return {
        "organisations.csv": organisationsCsv(report),
        "settlement.csv": settlementCsv(report),
        "accounts.csv": accountsCsv(report),
        "timeline.csv": timelineCsv(report),
        "reconciliation.csv": reconciliationCsv(report),
    };
}

// ---------------------------------------------------------------------------------------------------------------
// HTML building blocks

const HTML_ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function esc(value: string | number): string {
    return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Numbered ids, not ids made from names: any name stays valid, and the page stays the same for the same report. */
function organisationId(index: number): string {
    return `org-${index + 1}`;
}

function amountCell(column: string, nrlc: string): string {
    return `<td class="num" data-column="${column}">${esc(formatRlc(nrlc))}</td>`;
}

function countCell(column: string, count: number | string): string {
    return `<td class="num" data-column="${column}">${esc(count)}</td>`;
}

function addressHtml(address: string): string {
    return `<code class="address">${esc(address)}</code>`;
}

function organisationLabel(name: string): string {
    return name === UNATTRIBUTED ? `<em>${esc(name)}</em>` : esc(name);
}

const STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --band: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --unknown: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 24px 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
code, .address, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.hash { word-break: break-all; }
dl.range { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.range dt { color: var(--muted); }
dl.range dd { margin: 0; }
.verdict { font-weight: 600; padding: 1px 8px; border-radius: 4px; border: 1px solid currentColor; }
.verdict.ok { color: var(--ok); } .verdict.bad { color: var(--bad); } .verdict.unknown { color: var(--unknown); }
nav { margin-top: 12px; color: var(--muted); }
nav a { color: inherit; margin-right: 12px; }
table { border-collapse: collapse; margin: 4px 0 8px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { background: var(--band); font-weight: 600; white-space: nowrap; }
tfoot td, tfoot th { font-weight: 600; border-top: 2px solid var(--rule); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td small { color: var(--muted); }
.wide { overflow-x: auto; }
figure { margin: 16px 0 24px; }
figcaption { color: var(--muted); margin-top: 4px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .grid { stroke: var(--rule); stroke-width: 1; }
svg .caption { fill: var(--muted); }
.holds { color: var(--ok); font-weight: 600; } .fails { color: var(--bad); font-weight: 600; }
.org + .org { border-top: 1px solid var(--rule); margin-top: 24px; }
.org-grid { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
table.summary { font-size: 13px; }
table.summary th, table.summary td { padding: 4px 6px; }
thead th[colspan] { text-align: center; border-bottom: 1px solid var(--rule); }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } .org { break-inside: avoid-page; } nav { display: none; } }
`;

// ---------------------------------------------------------------------------------------------------------------
// Header

function verdictClass(report: UsageReport): string {
    if (report.reconciled === "unavailable") return "unknown";
    return report.reconciled ? "ok" : "bad";
}

function blockEndHtml(end: "from" | "to", block: number, hash: string, time: string): string {
    return (
        `block <span data-field="${end}Block">${esc(block)}</span>, ` +
        `hash <code class="hash" data-field="${end}BlockHash">${esc(hash)}</code>, ` +
        `<time data-field="${end}Time" datetime="${esc(time)}">${esc(time)}</time>`
    );
}

function headerHtml(report: UsageReport): string {
    const r = report.range;
    const links = report.organisations.map((o, i) => `<a href="#${organisationId(i)}">${organisationLabel(o.name)}</a>`).join("");
    return `<header id="header">
<h1>Consortium usage report</h1>
<dl class="range">
<dt>Chain id</dt><dd data-field="chainId">${esc(r.chainId)}</dd>
<dt>Hub</dt><dd data-field="hub">${addressHtml(r.hub)}</dd>
<dt>RLC</dt><dd data-field="rlc">${addressHtml(r.rlc)}</dd>
<dt>Blocks</dt><dd data-field="blockRange">${esc(r.fromBlock)} to ${esc(r.toBlock)} (${esc(r.toBlock - r.fromBlock + 1)} blocks)</dd>
<dt>First block</dt><dd data-field="firstBlock">${blockEndHtml("from", r.fromBlock, r.fromBlockHash, r.fromTime)}</dd>
<dt>Last block</dt><dd data-field="lastBlock">${blockEndHtml("to", r.toBlock, r.toBlockHash, r.toTime)}</dd>
<dt>Reconciliation</dt><dd><span class="verdict ${verdictClass(report)}" data-field="verdict">${esc(reconciliationVerdict(report))}</span></dd>
</dl>
<nav><a href="#summary">Summary</a><a href="#charts">Charts</a><a href="#settlement">Settlement</a><a href="#timeline">Timeline</a><a href="#organisations">Organisations</a> · ${links}</nav>
</header>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Summary: two tables of one row per organisation, activity and RLC, since all the columns side by side do not fit
// a screen or a page.

interface ActivityFigures {
    readonly tasksCompleted: number;
    readonly tasksClaimed: number;
    readonly tasksFailed: number;
    readonly dealsRequested: number;
    readonly dealsServedAsApp: number;
    readonly dealsServedAsDataset: number;
    readonly dealsServedAsWorkerpool: number;
    readonly transactions: number;
    readonly gasUsed: string;
    readonly blocksSealed: number;
}

interface RlcFigures {
    readonly rlcPaid: string;
    readonly rlcEarned: string;
    readonly rlcSeized: string;
    readonly bridgeDeposited: string;
    readonly bridgeDeposits: number;
    readonly bridgeWithdrawn: string;
    readonly bridgeWithdrawals: number;
}

function activityFigures(o: OrganisationUsage): ActivityFigures {
    return {
        tasksCompleted: o.tasks.completed,
        tasksClaimed: o.tasks.claimed,
        tasksFailed: o.tasks.failed,
        dealsRequested: o.deals.requested,
        dealsServedAsApp: o.deals.servedAsApp,
        dealsServedAsDataset: o.deals.servedAsDataset,
        dealsServedAsWorkerpool: o.deals.servedAsWorkerpool,
        transactions: o.chain.transactions,
        gasUsed: o.chain.gasUsed,
        blocksSealed: o.chain.blocksSealed,
    };
}

function rlcFigures(o: OrganisationUsage): RlcFigures {
    return {
        rlcPaid: o.rlc.paid,
        rlcEarned: o.rlc.earned,
        rlcSeized: o.rlc.seized,
        bridgeDeposited: o.bridge.deposited,
        bridgeDeposits: o.bridge.deposits,
        bridgeWithdrawn: o.bridge.withdrawn,
        bridgeWithdrawals: o.bridge.withdrawals,
    };
}

/** Field by field: counts added as numbers, amounts (decimal strings) as bigints. */
function totalFigures<T extends object>(rows: readonly T[]): T {
    const total: Record<string, number | string> = {};
    for (const row of rows) {
        for (const [key, value] of Object.entries(row) as [string, number | string][]) {
            const sum = total[key];
            if (typeof value === "number") total[key] = (typeof sum === "number" ? sum : 0) + value;
            else total[key] = sumAmounts([typeof sum === "string" ? sum : "0", value]);
        }
    }
    return total as T;
}

function activityCells(f: ActivityFigures): string {
    return (
        countCell("tasksCompleted", f.tasksCompleted) +
        countCell("tasksClaimed", f.tasksClaimed) +
        countCell("tasksFailed", f.tasksFailed) +
        countCell("dealsRequested", f.dealsRequested) +
        countCell("dealsServedAsApp", f.dealsServedAsApp) +
        countCell("dealsServedAsDataset", f.dealsServedAsDataset) +
        countCell("dealsServedAsWorkerpool", f.dealsServedAsWorkerpool) +
        countCell("transactions", f.transactions) +
        countCell("gasUsed", f.gasUsed) +
        countCell("blocksSealed", f.blocksSealed)
    );
}

function transfers(count: number): string {
    return `${count} ${count === 1 ? "transfer" : "transfers"}`;
}

function rlcCells(f: RlcFigures): string {
    return (
        amountCell("rlcPaid", f.rlcPaid) +
        amountCell("rlcEarned", f.rlcEarned) +
        amountCell("rlcSeized", f.rlcSeized) +
        amountCell("bridgeIn", f.bridgeDeposited) +
        countCell("bridgeDeposits", transfers(f.bridgeDeposits)) +
        amountCell("bridgeOut", f.bridgeWithdrawn) +
        countCell("bridgeWithdrawals", transfers(f.bridgeWithdrawals))
    );
}

function summaryRows<T extends object>(
    report: UsageReport,
    figures: (o: OrganisationUsage) => T,
    cells: (f: T) => string,
): string {
    const rows = report.organisations.map(
        (o, i) =>
            `<tr data-organisation="${esc(o.name)}"><th scope="row" data-column="organisation">` +
            `<a href="#${organisationId(i)}">${organisationLabel(o.name)}</a></th>${cells(figures(o))}</tr>`,
    );
    const total = `<tr><th scope="row">Total</th>${cells(totalFigures(report.organisations.map(figures)))}</tr>`;
    return `<tbody>\n${rows.join("\n")}\n</tbody>\n<tfoot>${total}</tfoot>`;
}

function summaryHtml(report: UsageReport): string {
    return `<section id="summary">
<h2>Summary</h2>
<h3>Activity</h3>
<div class="wide"><table class="summary" id="summary-activity">
<thead>
<tr><th rowspan="2">Organisation</th><th colspan="3">Tasks requested</th><th rowspan="2" class="num">Deals<br>requested</th><th colspan="3">Deals served as</th><th rowspan="2" class="num">Transactions</th><th rowspan="2" class="num">Gas used</th><th rowspan="2" class="num">Blocks<br>sealed</th></tr>
<tr><th class="num">Completed</th><th class="num">Claimed</th><th class="num">Failed</th><th class="num">App</th><th class="num">Dataset</th><th class="num">Workerpool</th></tr>
</thead>
${summaryRows(report, activityFigures, activityCells)}
</table></div>
<h3>RLC</h3>
<div class="wide"><table class="summary" id="summary-rlc">
<thead>
<tr><th rowspan="2">Organisation</th><th colspan="3">On the hub</th><th colspan="4">Bridge</th></tr>
<tr><th class="num">Paid</th><th class="num">Earned</th><th class="num">Seized</th><th class="num" colspan="2">In</th><th class="num" colspan="2">Out</th></tr>
</thead>
${summaryRows(report, rlcFigures, rlcCells)}
</table></div>
<p><small>Tasks are counted for the organisation that requested them. Failed: past their final deadline, neither finalized nor claimed. Paid: seized from it as the sponsor of completed tasks. Earned: its rewards as app, dataset or workerpool owner or worker. Seized: penalties (stakes of claimed tasks and faulty contributions).</small></p>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Settlement

function byRoleText(byRole: Readonly<Record<string, string>>, roles: readonly string[]): string {
    const parts = roles.filter((role) => byRole[role] !== undefined).map((role) => `${esc(role)} ${esc(formatRlc(byRole[role]))}`);
    return parts.join("<br>");
}

function settlementHtml(report: UsageReport): string {
    if (report.settlement.length === 0) {
        return `<section id="settlement"><h2>Settlement</h2><p class="empty">No organisation owes another anything for this range.</p></section>`;
    }
    const roles = settlementRoles(report.settlement);
    const rows = report.settlement.map(
        (s) =>
            `<tr data-payer="${esc(s.payer)}" data-payee="${esc(s.payee)}">` +
            `<td data-column="payer">${organisationLabel(s.payer)}</td>` +
            `<td data-column="payee">${organisationLabel(s.payee)}</td>` +
            amountCell("amount", s.amount) +
            countCell("tasks", s.tasks) +
            `<td class="num" data-column="byRole">${byRoleText(s.byRole, roles)}</td></tr>`,
    );
    const total = sumAmounts(report.settlement.map((s) => s.amount));
    return `<section id="settlement">
<h2>Settlement</h2>
<p>What each payer owes each payee for the range: the part of its tasks' prices that went to the payee's assets and workers.</p>
<table>
<thead><tr><th>Payer</th><th>Payee</th><th class="num">Amount</th><th class="num">Tasks</th><th class="num">By role of the payee</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
<tfoot><tr><th scope="row" colspan="2">Total</th>${amountCell("amount", total)}${countCell("tasks", sumCounts(report.settlement.map((s) => s.tasks)))}<td></td></tr></tfoot>
</table>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Charts: inline SVG, integer coordinates, no script

const CHART_WIDTH = 760;

/** 1, 2 or 5 times a power of ten, at least `raw`: round figures on the axis. */
function niceStep(raw: number): number {
    let power = 1;
    while (power * 10 <= raw) power *= 10;
    for (const factor of [1, 2, 5, 10]) {
        if (factor * power >= raw) return factor * power;
    }
    return 10 * power;
}

function legendSvg(names: readonly string[], palette: Map<string, string>, y: number, x0: number): string {
    let x = x0;
    return names
        .map((name) => {
            const item =
                `<g class="legend-item"><rect x="${x}" y="${y - 9}" width="10" height="10" fill="${palette.get(name)}"></rect>` +
                `<text x="${x + 14}" y="${y}">${esc(name)}</text></g>`;
            // Text width is not measurable here; reserve room by character count.
            x += 24 + 7 * name.length;
            return item;
        })
        .join("");
}

function timelineChartSvg(report: UsageReport): string {
    const names = timelineOrganisations(report);
    const palette = colours(names);
    const slices = report.timeline;
    const left = 56;
    const right = 16;
    const top = 40;
    const plotHeight = 200;
    const bottom = top + plotHeight;
    const height = bottom + 48;
    const plotWidth = CHART_WIDTH - left - right;
    const maxTotal = Math.max(1, ...slices.map((slice) => sumCounts(names.map((name) => completedIn(slice, name)))));
    const step = niceStep(maxTotal / 4);
    const axisMax = step * Math.ceil(maxTotal / step);
    const yOf = (count: number) => bottom - Math.round((count * plotHeight) / axisMax);
    const slot = Math.floor(plotWidth / slices.length);
    const barWidth = Math.max(4, Math.floor(slot * 0.6));

    const ticks: string[] = [];
    for (let value = 0; value <= axisMax; value += step) {
        const y = yOf(value);
        ticks.push(`<line class="grid" x1="${left}" y1="${y}" x2="${CHART_WIDTH - right}" y2="${y}"></line><text x="${left - 6}" y="${y + 4}" text-anchor="end">${value}</text>`);
    }

    const bars = slices.map((slice, i) => {
        const x = left + i * slot + Math.floor((slot - barWidth) / 2);
        let cumulative = 0;
        const segments = names.map((name) => {
            const count = completedIn(slice, name);
            if (count === 0) return "";
            // Cumulative rounding: the segments of a bar add up to its total exactly, in pixels.
            const y1 = yOf(cumulative);
            cumulative += count;
            const y2 = yOf(cumulative);
            return (
                `<rect class="bar" x="${x}" y="${y2}" width="${barWidth}" height="${y1 - y2}" fill="${palette.get(name)}">` +
                `<title>${esc(name)}: ${count} completed in blocks ${slice.fromBlock} to ${slice.toBlock}</title></rect>`
            );
        });
        const centre = x + Math.floor(barWidth / 2);
        return (
            `<g class="slice">${segments.join("")}` +
            `<text x="${centre}" y="${yOf(cumulative) - 4}" text-anchor="middle">${cumulative}</text>` +
            `<text class="caption" x="${centre}" y="${bottom + 16}" text-anchor="middle">${slice.fromBlock}</text>` +
            `<text class="caption" x="${centre}" y="${bottom + 30}" text-anchor="middle">to ${slice.toBlock}</text></g>`
        );
    });

    return (
        `<svg viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-labelledby="chart-timeline-title">` +
        `<title id="chart-timeline-title">Tasks completed per organisation over time</title>` +
        legendSvg(names, palette, 16, left) +
        ticks.join("") +
        `<line class="axis" x1="${left}" y1="${bottom}" x2="${CHART_WIDTH - right}" y2="${bottom}"></line>` +
        `<line class="axis" x1="${left}" y1="${top - 8}" x2="${left}" y2="${bottom}"></line>` +
        bars.join("") +
        `<text class="caption" x="${left}" y="${height - 4}">blocks</text>` +
        `</svg>`
    );
}

function settlementChartSvg(report: UsageReport): string {
    const palette = colours(timelineOrganisations(report));
    const labelWidth = 200;
    const amountWidth = 150;
    const barMax = CHART_WIDTH - labelWidth - amountWidth;
    const rowHeight = 26;
    const top = 8;
    const height = top + rowHeight * report.settlement.length + 8;
    const maxAmount = report.settlement.reduce((max, s) => (parseInteger(s.amount) > max ? parseInteger(s.amount) : max), 0n);

    const rows = report.settlement.map((s, i) => {
        const amount = parseInteger(s.amount);
        // Integer pixels from integer amounts; a non-zero amount keeps a visible sliver.
        const scaled = maxAmount === 0n ? 0 : Number((amount * BigInt(barMax)) / maxAmount);
        const width = amount > 0n ? Math.max(1, scaled) : 0;
        const y = top + i * rowHeight;
        return (
            `<g class="pair">` +
            `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(s.payer)} → ${esc(s.payee)}</text>` +
            `<rect class="bar" x="${labelWidth}" y="${y + 3}" width="${width}" height="${rowHeight - 8}" fill="${palette.get(s.payer) ?? UNATTRIBUTED_COLOUR}">` +
            `<title>${esc(s.payer)} owes ${esc(s.payee)} ${esc(formatRlc(s.amount))} for ${s.tasks} tasks</title></rect>` +
            `<text x="${labelWidth + width + 6}" y="${y + 15}">${esc(formatRlc(s.amount))}</text>` +
            `</g>`
        );
    });
    return (
        `<svg viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-labelledby="chart-settlement-title">` +
        `<title id="chart-settlement-title">RLC owed between organisations</title>` +
        `<line class="axis" x1="${labelWidth}" y1="${top}" x2="${labelWidth}" y2="${height - 8}"></line>` +
        rows.join("") +
        `</svg>`
    );
}

function chartsHtml(report: UsageReport): string {
    const timeline =
        report.timeline.length === 0 ? `<p class="empty">No timeline in this report.</p>` : timelineChartSvg(report);
    const settlement =
        report.settlement.length === 0 ? `<p class="empty">No settlement in this range.</p>` : settlementChartSvg(report);
    return `<section id="charts">
<h2>Charts</h2>
<figure id="chart-timeline">${timeline}<figcaption>Tasks completed per requesting organisation, per slice of the block range (stacked).</figcaption></figure>
<figure id="chart-settlement">${settlement}<figcaption>RLC owed per payer → payee pair over the range (the settlement table).</figcaption></figure>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Timeline table

function timelineHtml(report: UsageReport): string {
    const names = timelineOrganisations(report);
    const rows = report.timeline.map(
        (slice) =>
            `<tr>${countCell("fromBlock", slice.fromBlock)}${countCell("toBlock", slice.toBlock)}` +
            names.map((name) => countCell(`completed-${esc(name)}`, completedIn(slice, name))).join("") +
            `</tr>`,
    );
    return `<section id="timeline">
<h2>Timeline</h2>
<table>
<thead><tr><th class="num">From block</th><th class="num">To block</th>${names.map((name) => `<th class="num">${organisationLabel(name)}</th>`).join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Per organisation

function accountsTable(accounts: readonly PartyAccount[]): string {
    if (accounts.length === 0) return `<p class="empty">No accounts.</p>`;
    const rows = accounts.map(
        (a) => `<tr><td>${addressHtml(a.address)}</td><td>${a.roles.length === 0 ? `<span class="empty">no known role</span>` : a.roles.map(esc).join(", ")}</td></tr>`,
    );
    return `<table class="accounts"><thead><tr><th>Address</th><th>Roles</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function addressList(addresses: readonly string[]): string {
    return addresses.length === 0 ? `<span class="empty">none</span>` : addresses.map(addressHtml).join("<br>");
}

function assetsTable(o: OrganisationUsage): string {
    const a = o.assets;
    return `<table class="assets"><tbody>
<tr><th scope="row">Apps</th><td>${addressList(a.apps)}</td></tr>
<tr><th scope="row">Datasets</th><td>${addressList(a.datasets)}</td></tr>
<tr><th scope="row">Workerpools</th><td>${addressList(a.workerpools)}</td></tr>
<tr><th scope="row">Created in the range</th><td class="num">${esc(a.created)}</td></tr>
<tr><th scope="row">Transferred in / out</th><td class="num">${esc(a.transfersIn)} / ${esc(a.transfersOut)}</td></tr>
</tbody></table>`;
}

function activityTable(o: OrganisationUsage): string {
    const row = (label: string, column: string, value: number | string) => `<tr><th scope="row">${label}</th>${countCell(column, value)}</tr>`;
    return `<table class="activity"><tbody>
${row("Tasks completed", "tasksCompleted", o.tasks.completed)}
${row("Tasks claimed", "tasksClaimed", o.tasks.claimed)}
${row("Tasks failed, claimable", "tasksFailed", o.tasks.failed)}
${row("Tasks its workers contributed to", "tasksContributed", o.tasks.contributed)}
${row("Deals requested", "dealsRequested", o.deals.requested)}
${row("Deals served as app / dataset / workerpool", "dealsServed", `${o.deals.servedAsApp} / ${o.deals.servedAsDataset} / ${o.deals.servedAsWorkerpool}`)}
${row("Transactions", "transactions", o.chain.transactions)}
${row("Gas used", "gasUsed", o.chain.gasUsed)}
${row("Blocks sealed", "blocksSealed", o.chain.blocksSealed)}
</tbody></table>`;
}

function flowsTable(o: OrganisationUsage): string {
    const r = o.rlc;
    const b = o.bridge;
    const row = (label: string, column: string, nrlc: string) => `<tr><th scope="row">${label}</th>${amountCell(column, nrlc)}</tr>`;
    return `<table class="flows"><tbody>
${row("Deposited into the hub", "deposited", r.deposited)}
${row("Withdrawn from the hub", "withdrawn", r.withdrawn)}
${row("Locked", "locked", r.locked)}
${row("Unlocked", "unlocked", r.unlocked)}
${row("Paid", "paid", r.paid)}
${row("Earned", "earned", r.earned)}
${row("Seized", "seized", r.seized)}
${row("Transferred in (SRLC)", "transferredIn", r.transferredIn)}
${row("Transferred out (SRLC)", "transferredOut", r.transferredOut)}
${row(`Bridged in (${esc(b.deposits)} ${b.deposits === 1 ? "transfer" : "transfers"})`, "bridgeDeposited", b.deposited)}
${row(`Bridged out (${esc(b.withdrawals)} ${b.withdrawals === 1 ? "transfer" : "transfers"})`, "bridgeWithdrawn", b.withdrawn)}
</tbody></table>`;
}

function reconciliationTable(reconciliation: Reconciliation | undefined): string {
    if (reconciliation === undefined) return `<p class="empty" data-field="reconciliation">${esc(UNAVAILABLE_VERDICT)}</p>`;
    const r = reconciliation;
    const row = (label: string, key: string, before: string, after: string, flows: string) => {
        const change = difference(after, before);
        const agrees = change === parseInteger(flows).toString();
        return (
            `<tr data-balance="${key}"><th scope="row">${label}</th>${amountCell(`${key}Before`, before)}${amountCell(`${key}After`, after)}` +
            `${amountCell(`${key}Change`, change)}${amountCell(`${key}Flows`, flows)}<td class="${agrees ? "holds" : "fails"}">${agrees ? "yes" : "no"}</td></tr>`
        );
    };
    return `<table class="reconciliation">
<thead><tr><th>Balance</th><th class="num">Before the range</th><th class="num">At its end</th><th class="num">Change</th><th class="num">Flows</th><th>Agree</th></tr></thead>
<tbody>
${row("Hub (free SRLC)", "hub", r.hubBefore, r.hubAfter, r.hubFlows)}
${row("Hub (locked SRLC)", "locked", r.lockedBefore, r.lockedAfter, r.lockedFlows)}
${row("RLC token", "token", r.tokenBefore, r.tokenAfter, r.tokenFlows)}
</tbody>
</table>
<p data-field="reconciliation" class="${r.holds ? "holds" : "fails"}">${r.holds ? "Balances reconcile with the flows." : "Balances do not reconcile with the flows."}</p>`;
}

function organisationHtml(o: OrganisationUsage, index: number): string {
    const title = o.name === UNATTRIBUTED ? `${organisationLabel(o.name)} <small>(accounts no party claims)</small>` : organisationLabel(o.name);
    return `<article class="org" id="${organisationId(index)}" data-organisation="${esc(o.name)}">
<h3>${title}</h3>
<h4>Accounts</h4>
${accountsTable(o.accounts)}
<div class="org-grid">
<div><h4>Activity</h4>
${activityTable(o)}</div>
<div><h4>RLC flows</h4>
${flowsTable(o)}</div>
<div><h4>Assets</h4>
${assetsTable(o)}</div>
</div>
<h4>Reconciliation</h4>
${reconciliationTable(o.reconciliation)}
</article>`;
}

function organisationsHtml(report: UsageReport): string {
    return `<section id="organisations">
<h2>Organisations</h2>
${report.organisations.map(organisationHtml).join("\n")}
</section>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Page

/** The report as one self-contained HTML page. */
export function reportHtml(report: UsageReport): string {
    const r = report.range;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Consortium usage report: chain ${esc(r.chainId)}, blocks ${esc(r.fromBlock)} to ${esc(r.toBlock)}</title>
<style>${STYLE}</style>
</head>
<body>
${headerHtml(report)}
<main>
${summaryHtml(report)}
${chartsHtml(report)}
${settlementHtml(report)}
${timelineHtml(report)}
${organisationsHtml(report)}
</main>
<footer>Report version ${esc(report.version)}. Amounts in RLC with 9 decimals (1 RLC = 1000000000 nRLC), computed from the report's nRLC figures without rounding. Times are block timestamps, UTC.</footer>
</body>
</html>
`;
}
