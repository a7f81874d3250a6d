import { copyFileSync, existsSync, mkdirSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Browser, chromium, Locator, Page } from "playwright-core";
import { reportHtml } from "../../components/report/render";
import { usageReport } from "../fixtures/usageReport";

/**
 * The HTML report as a finance team sees it: Debian's Chromium, headless, with JavaScript off and every request
 * refused, renders the charts and shows the fixture's figures. A full-page screenshot is left for a person to look at.
 */

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(tmpdir(), "consortium-report.png");

/** The expected text, written independently of the renderer: nRLC with the decimal point nine digits from the right. */
function rlc(nrlc: string): string {
    const negative = nrlc.startsWith("-");
    const digits = (negative ? nrlc.slice(1) : nrlc).padStart(10, "0");
    return `${negative ? "-" : ""}${digits.slice(0, -9)}.${digits.slice(-9)} RLC`;
}

let browser: Browser;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
        throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (Debian's package) to run this test`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM });
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on("request", (request) => requested.push(request.url()));
    await page.route("**/*", async (route) => {
        requested.push(route.request().url());
        await route.abort();
    });
    await page.setContent(reportHtml(usageReport), { waitUntil: "load" });
}, 30_000);

afterAll(async () => {
    await browser?.close();
});

async function text(locator: Locator): Promise<string> {
    return (await locator.innerText()).trim();
}

async function expectVisibleBox(locator: Locator): Promise<void> {
    const box = await locator.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(0);
    expect(box!.height).toBeGreaterThan(0);
}

describe("the HTML report in Chromium", () => {
    it("renders both charts as inline SVG with drawn bars", async () => {
        for (const id of ["chart-timeline", "chart-settlement"]) {
            const svg = page.locator(`#${id} svg`);
            await expect(svg.count()).resolves.toBe(1);
            await expectVisibleBox(svg);
            const bars = svg.locator("rect.bar");
            expect(await bars.count()).toBeGreaterThan(0);
            await expectVisibleBox(bars.first());
        }
        await expect(page.locator("#chart-settlement svg rect.bar").count()).resolves.toBe(usageReport.settlement.length);
        for (const o of ["acme", "globex", "initech"]) {
            await expect(page.locator("#chart-timeline svg .legend-item text", { hasText: o }).count()).resolves.toBe(1);
        }
    });

    it("shows each organisation's figures in the summary", async () => {
        for (const o of usageReport.organisations) {
            const rows = page.locator(`#summary tbody tr[data-organisation="${o.name}"]`);
            const cell = (column: string) => text(rows.locator(`[data-column="${column}"]`));
            await expect(rows.count()).resolves.toBe(2);
            expect(await rows.locator('[data-column="organisation"]').allInnerTexts()).toEqual([o.name, o.name]);
            expect(await cell("tasksCompleted")).toBe(String(o.tasks.completed));
            expect(await cell("tasksClaimed")).toBe(String(o.tasks.claimed));
            expect(await cell("tasksFailed")).toBe(String(o.tasks.failed));
            expect(await cell("rlcPaid")).toBe(rlc(o.rlc.paid));
            expect(await cell("rlcEarned")).toBe(rlc(o.rlc.earned));
            expect(await cell("rlcSeized")).toBe(rlc(o.rlc.seized));
            expect(await cell("blocksSealed")).toBe(String(o.chain.blocksSealed));
            expect(await cell("bridgeIn")).toBe(rlc(o.bridge.deposited));
            expect(await cell("bridgeOut")).toBe(rlc(o.bridge.withdrawn));
        }
    });

    it("shows every settlement row", async () => {
        const rows = page.locator("#settlement tbody tr");
        await expect(rows.count()).resolves.toBe(usageReport.settlement.length);
        for (const [i, s] of usageReport.settlement.entries()) {
            const row = rows.nth(i);
            const cells = await Promise.all(["payer", "payee", "amount", "tasks"].map((column) => text(row.locator(`[data-column="${column}"]`))));
            expect(cells).toEqual([s.payer, s.payee, rlc(s.amount), String(s.tasks)]);
        }
    });

    it("shows the block range, its ends' hashes and the verdict", async () => {
        const r = usageReport.range;
        const header = page.locator("#header");
        expect(await text(header.locator('[data-field="fromBlock"]'))).toBe(String(r.fromBlock));
        expect(await text(header.locator('[data-field="toBlock"]'))).toBe(String(r.toBlock));
        expect(await text(header.locator('[data-field="fromBlockHash"]'))).toBe(r.fromBlockHash);
        expect(await text(header.locator('[data-field="toBlockHash"]'))).toBe(r.toBlockHash);
        expect(await text(header.locator('[data-field="fromTime"]'))).toBe(r.fromTime);
        expect(await text(header.locator('[data-field="toTime"]'))).toBe(r.toTime);
        expect(await text(header.locator('[data-field="chainId"]'))).toBe(String(r.chainId));
        expect(await text(header.locator('[data-field="verdict"]'))).toBe("reconciled");
        await expectVisibleBox(header.locator('[data-field="verdict"]'));
    });

    it("shows each organisation's reconciliation", async () => {
        for (const o of usageReport.organisations) {
            const article = page.locator(`article[data-organisation="${o.name}"]`);
            expect(await text(article.locator('[data-column="hubAfter"]'))).toBe(rlc(o.reconciliation!.hubAfter));
            expect(await text(article.locator('[data-column="tokenFlows"]'))).toBe(rlc(o.reconciliation!.tokenFlows));
            expect(await text(article.locator('p[data-field="reconciliation"]'))).toBe("Balances reconcile with the flows.");
        }
    });

    it("requested nothing from the network", () => {
        expect(requested).toEqual([]);
    });

    it("leaves a full-page screenshot", async () => {
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        expect(existsSync(SCREENSHOT)).toBe(true);
        console.log(`report screenshot: ${SCREENSHOT}`);
        const artifacts = process.env.REPORT_ARTIFACTS_DIR;
        if (artifacts) {
            mkdirSync(artifacts, { recursive: true });
            const copy = path.join(artifacts, "report.png");
            copyFileSync(SCREENSHOT, copy);
            console.log(`report screenshot copied to ${copy}`);
        }
    });
});
