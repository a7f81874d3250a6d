import { getAddress } from "ethers";
import { OrganisationUsage, UNATTRIBUTED, UsageReport } from "../../components/report/model";
import { formatRlc, reportCsv, reportHtml } from "../../components/report/render";
import { usageReport } from "../fixtures/usageReport";

/** A deep copy of the fixture, changed by `edit` (the fixture itself is shared with other tests). */
function variant(edit: (report: { -readonly [K in keyof UsageReport]: UsageReport[K] }) => void): UsageReport {
    const copy = JSON.parse(JSON.stringify(usageReport)) as UsageReport;
    edit(copy);
    return copy;
}

function withOrganisation(report: UsageReport, name: string, edit: (o: OrganisationUsage) => OrganisationUsage): UsageReport {
    return { ...report, organisations: report.organisations.map((o) => (o.name === name ? edit(o) : o)) };
}

function csvText(lines: readonly string[]): string {
    return lines.map((line) => `${line}\r\n`).join("");
}

describe("the usage report fixture", () => {
    const n = (value: string) => BigInt(value);

    it("has checksummed addresses and 32-byte block hashes", () => {
        const addresses = [
            usageReport.range.hub,
            usageReport.range.rlc,
            ...usageReport.organisations.flatMap((o) => [...o.accounts.map((a) => a.address), ...o.assets.apps, ...o.assets.datasets, ...o.assets.workerpools]),
        ];
        for (const address of addresses) expect(getAddress(address)).toBe(address);
        expect(usageReport.range.fromBlockHash).toMatch(/^0x[0-9a-f]{64}$/);
        expect(usageReport.range.toBlockHash).toMatch(/^0x[0-9a-f]{64}$/);
    });

    it("reconciles every organisation by the model's formulas", () => {
        for (const o of usageReport.organisations) {
            const r = o.reconciliation!;
            const f = o.rlc;
            const hubFlows = n(f.deposited) - n(f.withdrawn) - n(f.locked) + n(f.unlocked) + n(f.earned) + n(f.transferredIn) - n(f.transferredOut);
            expect([o.name, n(r.hubFlows)]).toEqual([o.name, hubFlows]);
            expect([o.name, n(r.hubAfter) - n(r.hubBefore)]).toEqual([o.name, hubFlows]);
            const lockedFlows = n(f.locked) - n(f.unlocked) - n(f.paid) - n(f.seized);
            expect([o.name, n(r.lockedFlows)]).toEqual([o.name, lockedFlows]);
            expect([o.name, n(r.lockedAfter) - n(r.lockedBefore)]).toEqual([o.name, lockedFlows]);
            expect([o.name, n(r.tokenAfter) - n(r.tokenBefore)]).toEqual([o.name, n(r.tokenFlows)]);
            expect(r.holds).toBe(true);
        }
        expect(usageReport.reconciled).toBe(true);
    });

    it("has a timeline adding up to the tasks completed, and settlement rows adding up by role", () => {
        for (const o of usageReport.organisations) {
            const total = usageReport.timeline.reduce((sum, slice) => sum + (slice.completed[o.name] ?? 0), 0);
            expect([o.name, total]).toEqual([o.name, o.tasks.completed]);
        }
        for (const s of usageReport.settlement) {
            const byRole = Object.values(s.byRole).reduce((sum, amount) => sum + n(amount), 0n);
            expect(byRole).toBe(n(s.amount));
        }
        const paid = usageReport.organisations.reduce((sum, o) => sum + n(o.rlc.paid), 0n);
        const earned = usageReport.organisations.reduce((sum, o) => sum + n(o.rlc.earned), 0n);
        expect(paid).toBe(earned);
        expect(usageReport.organisations.map((o) => o.name)).toEqual(["acme", "globex", "initech", UNATTRIBUTED]);
    });
});

describe("formatRlc", () => {
    it.each([
        ["0", "0.000000000 RLC"],
        ["1", "0.000000001 RLC"],
        ["1500000000", "1.500000000 RLC"],
        ["65098765413", "65.098765413 RLC"],
        ["-10000000000", "-10.000000000 RLC"],
        ["-1", "-0.000000001 RLC"],
        ["123456789012345678901234567", "123456789012345678.901234567 RLC"],
    ])("formats %s nRLC as %s", (nrlc, rlc) => {
        expect(formatRlc(nrlc)).toBe(rlc);
    });

    it.each(["", "1.5", "1e9", " 1", "0x10", "--1"])("refuses %j", (bad) => {
        expect(() => formatRlc(bad)).toThrow(/Not a decimal integer/);
    });
});

describe("reportCsv", () => {
    const csv = reportCsv(usageReport);

    it("writes one file per table", () => {
        expect(Object.keys(csv)).toEqual(["organisations.csv", "settlement.csv", "accounts.csv", "timeline.csv", "reconciliation.csv"]);
    });

    it("writes the organisations' summary columns", () => {
        expect(csv["organisations.csv"]).toBe(
            csvText([
                "organisation,tasksCompleted,tasksClaimed,tasksFailed,dealsRequested,dealsServedAsApp,dealsServedAsDataset,dealsServedAsWorkerpool,rlcPaid,rlcEarned,rlcSeized,bridgeDeposits,bridgeDeposited,bridgeWithdrawals,bridgeWithdrawn,transactions,gasUsed,blocksSealed",
                "acme,42,0,1,9,17,0,0,65098765413,29500000000,0,2,100000000000,0,0,58,18734522,20000",
                "globex,5,0,0,2,0,0,17,7870370367,66000000000,300000000,0,0,1,40000000000,2150,412880190,20001",
                "initech,19,1,0,6,2,5,0,25000000000,2469135780,0,1,35000000000,0,0,31,9120344,20000",
                "unattributed,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,51234,0",
            ]),
        );
    });

    it("writes the settlement, with the payee's roles as columns", () => {
        expect(csv["settlement.csv"]).toBe(
            csvText([
                "payer,payee,amount,tasks,app,dataset,workerpool,worker",
                "acme,globex,42000000000,42,,,4200000000,37800000000",
                "acme,initech,2098765413,17,,2098765413,,",
                "globex,acme,2500000000,5,2500000000,,,",
                "globex,initech,370370367,3,,370370367,,",
                "initech,acme,6000000000,12,6000000000,,,",
                "initech,globex,19000000000,19,,,1900000000,17100000000",
            ]),
        );
    });

    it("writes every account with its roles joined by ';'", () => {
        expect(csv["accounts.csv"]).toBe(
            csvText([
                "organisation,address,roles",
                "acme,0x545b8af585C9f1f31EAF37ab147e8CE3284577a6,authority;bridge validator",
                "acme,0xE9E2525D113A94507707dceeAcDbf24BB14Ef20d,member;PoCo admin",
                "globex,0xa79C3E4863EA5d8336c8858a018884291EC402A2,authority;bridge validator",
                "globex,0xbd29F1FD1D49bAcb11D0c8AefAab8223F38A8b02,scheduler;member",
                "globex,0x695E8735e0f1b95D58FE37e2E4E22aB39A641404,worker",
                "globex,0xD15bA14C2cEa1B964DE02d30D1cE51d02Df251Bd,worker",
                "initech,0x05E5B5D3e8404BA297402d0e0191995207C709cd,authority;bridge validator",
                "initech,0x0724115C67C8AcFb562B5693dB7e95c1B8Faa007,member",
                "unattributed,0x7C4f1F4D24dA909002B1AefC5043360B891C5123,",
            ]),
        );
    });

    it("writes the timeline with one column per organisation, zero where a slice has none", () => {
        expect(csv["timeline.csv"]).toBe(
            csvText([
                "fromBlock,toBlock,acme,globex,initech,unattributed",
                "1200000,1209999,5,0,2,0",
                "1210000,1219999,8,1,3,0",
                "1220000,1229999,6,0,4,0",
                "1230000,1239999,9,2,3,0",
                "1240000,1249999,7,1,4,0",
                "1250000,1260000,7,1,3,0",
            ]),
        );
    });

    it("writes every figure of the reconciliation", () => {
        expect(csv["reconciliation.csv"]).toBe(
            csvText([
                "organisation,hubBefore,hubAfter,hubFlows,lockedBefore,lockedAfter,lockedFlows,tokenBefore,tokenAfter,tokenFlows,holds",
                "acme,12000000000,44901234587,32901234587,3000000000,4500000000,1500000000,5000000000,35000000000,30000000000,true",
                "globex,15000000000,42829629633,27829629633,2000000000,2000000000,0,25000000000,15000000000,-10000000000,true",
                "initech,1000000000,10469135780,9469135780,500000000,500000000,0,0,5000000000,5000000000,true",
                "unattributed,2000000000,0,-2000000000,0,0,0,750000000,750000000,0,true",
            ]),
        );
    });

    it("keeps an organisation the node could not check, with empty figures", () => {
        const report = withOrganisation(usageReport, "globex", ({ reconciliation: _dropped, ...o }) => o);
        expect(reportCsv(report)["reconciliation.csv"].split("\r\n")[2]).toBe("globex,,,,,,,,,,");
    });

    it("quotes a field with a comma, a quote or a line break as RFC 4180 says", () => {
        const report = withOrganisation(usageReport, "globex", (o) => ({
            ...o,
            accounts: [{ ...o.accounts[0], roles: ['member, "founding"', "worker"] }, { ...o.accounts[1], roles: ["line\nbreak"] }],
        }));
        const lines = reportCsv(report)["accounts.csv"].split("\r\n");
        expect(lines[3]).toBe('globex,0xa79C3E4863EA5d8336c8858a018884291EC402A2,"member, ""founding"";worker"');
        expect(lines[4]).toBe('globex,0xbd29F1FD1D49bAcb11D0c8AefAab8223F38A8b02,"line\nbreak"');
    });

    it("copies amounts as the report's strings, beyond what a double holds", () => {
        const huge = "123456789012345678901234567";
        const report = withOrganisation(usageReport, "acme", (o) => ({ ...o, rlc: { ...o.rlc, paid: huge } }));
        expect(reportCsv(report)["organisations.csv"].split("\r\n")[1].split(",")[8]).toBe(huge);
        for (const o of usageReport.organisations) {
            const row = csv["organisations.csv"].split("\r\n").find((line) => line.startsWith(`${o.name},`))!.split(",");
            expect([row[8], row[9], row[10]]).toEqual([o.rlc.paid, o.rlc.earned, o.rlc.seized]);
        }
    });
});

describe("reportHtml", () => {
    const html = reportHtml(usageReport);

    it("is the same bytes for the same report", () => {
        const copy = JSON.parse(JSON.stringify(usageReport)) as UsageReport;
        expect(reportHtml(copy)).toBe(html);
        expect(reportCsv(copy)).toEqual(reportCsv(usageReport));
    });

    it("references nothing outside itself", () => {
        expect(html).not.toMatch(/<script\b[^>]*\bsrc/i);
        expect(html).not.toMatch(/<script\b/i);
        expect(html).not.toMatch(/\bsrc\s*=/i);
        expect(html).not.toMatch(/https?:\/\//i);
        expect(html).not.toMatch(/@import/i);
        expect(html).not.toMatch(/url\(/i);
        expect(html).not.toMatch(/<(link|img|iframe|object|embed|video|audio|source|base)\b/i);
        expect(html).not.toMatch(/@font-face/i);
        expect(html).not.toMatch(/xlink:href/i);
    });

    it("links only to its own anchors", () => {
        const targets = [...html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
        expect(targets.length).toBeGreaterThan(0);
        for (const target of targets) {
            expect(target).toMatch(/^#[-a-z0-9]+$/);
            expect(html).toContain(`id="${target.slice(1)}"`);
        }
        expect(html).not.toMatch(/\bhref\s*=\s*[^"\s]/i);
    });

    it("has the header, summary, charts, settlement and per-organisation sections", () => {
        expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
        expect(html).toContain("<h1>Consortium usage report</h1>");
        for (const id of ["header", "summary", "charts", "chart-timeline", "chart-settlement", "settlement", "timeline", "organisations"]) {
            expect(html).toContain(`id="${id}"`);
        }
        expect(html.match(/<svg\b/g)).toHaveLength(2);
        expect(html.match(/<style>/g)).toHaveLength(1);
        expect(html.match(/<article class="org"/g)).toHaveLength(4);
        for (const table of ["summary-activity", "summary-rlc"]) {
            const section = html.slice(html.indexOf(`id="${table}"`), html.indexOf("</table>", html.indexOf(`id="${table}"`)));
            expect(section.match(/<tr data-organisation="/g)).toHaveLength(4);
        }
        expect(html.match(/<tr data-payer="/g)).toHaveLength(usageReport.settlement.length);
        expect(html).not.toMatch(/undefined|NaN|\[object/);
    });

    it("shows the range", () => {
        const r = usageReport.range;
        for (const value of [r.hub, r.rlc, r.fromBlockHash, r.toBlockHash, r.fromTime, r.toTime, String(r.fromBlock), String(r.toBlock)]) {
            expect(html).toContain(value);
        }
        expect(html).toContain(`<dd data-field="chainId">65100</dd>`);
    });

    it("shows amounts in RLC with nine decimals, exactly", () => {
        expect(html).toContain(">65.098765413 RLC<");
        expect(html).toContain(">2.098765413 RLC<");
        expect(html).toContain(">-10.000000000 RLC<");
        const huge = withOrganisation(usageReport, "acme", (o) => ({ ...o, rlc: { ...o.rlc, paid: "123456789012345678901234567" } }));
        expect(reportHtml(huge)).toContain(">123456789012345678.901234567 RLC<");
    });

    it("says whether the report reconciles", () => {
        expect(html).toContain(`data-field="verdict">reconciled<`);
        const failing = withOrganisation(
            variant((r) => (r.reconciled = false)),
            "initech",
            (o) => ({ ...o, reconciliation: { ...o.reconciliation!, holds: false } }),
        );
        expect(reportHtml(failing)).toContain(`data-field="verdict">does not reconcile: initech<`);
        const pruned = variant((r) => {
            r.reconciled = "unavailable";
            r.organisations = r.organisations.map(({ reconciliation: _dropped, ...o }) => o);
        });
        expect(reportHtml(pruned)).toContain(`data-field="verdict">not checked: the node has no state at the range&#39;s ends<`);
    });

    it("escapes every string from the report", () => {
        const hostile = '<img src=x onerror="alert(1)">&';
        const report = withOrganisation(usageReport, "globex", (o) => ({
            ...o,
            name: hostile,
            accounts: [{ ...o.accounts[0], roles: ["</td><script>alert(2)</script>"] }],
        }));
        const page = reportHtml({
            ...report,
            settlement: report.settlement.map((s) => ({ ...s, payer: s.payer === "globex" ? hostile : s.payer })),
            timeline: report.timeline.map((slice) => ({ ...slice, completed: { ...slice.completed, [hostile]: 1 } })),
        });
        expect(page).not.toContain("<img");
        expect(page).not.toContain("<script");
        expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;");
        expect(page).toContain("&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;");
    });

    it("draws a bar per organisation and slice with tasks, and a bar per settlement pair", () => {
        const timeline = html.slice(html.indexOf('id="chart-timeline"'), html.indexOf('id="chart-settlement"'));
        const segments = usageReport.timeline.reduce((sum, slice) => sum + Object.values(slice.completed).filter((c) => c > 0).length, 0);
        expect(timeline.match(/<rect class="bar"/g)).toHaveLength(segments);
        for (const name of ["acme", "globex", "initech", UNATTRIBUTED]) expect(timeline).toContain(`>${name}</text>`);
        const settlement = html.slice(html.indexOf('id="chart-settlement"'), html.indexOf('id="settlement"'));
        expect(settlement.match(/<rect class="bar"/g)).toHaveLength(usageReport.settlement.length);
        expect(settlement).toContain(">42.000000000 RLC</text>");
        expect(settlement).toContain(">acme → globex</text>");
    });

    it("says so rather than drawing an empty chart", () => {
        const empty = reportHtml(variant((r) => ((r.settlement = []), (r.timeline = []))));
        expect(empty.match(/<svg\b/g)).toBeNull();
        expect(empty).toContain("No settlement in this range.");
        expect(empty).toContain("No timeline in this report.");
    });
});
