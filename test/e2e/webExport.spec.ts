/**
 * The page's Export buttons end to end, in Debian's Chromium driven by playwright-core: the
 * services on a real socket with `basic.ndjson` posted, an analyst signs in, clicks Export →
 * Excel on the partners table, and the download (fetched with the API key, saved through a
 * `blob:` link under the server's file name) is read back with exceljs: numbers are numbers and
 * the totals equal the report's. CSV from a partner's months, the same way. Every table view
 * offers both buttons.
 *
 * Skipped, with the reason printed, when /usr/bin/chromium is missing
 * (`apt-get install -y chromium`).
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser, type Page } from '../support/headlessChromium.js';
import { sharedSpec } from '../support/sharedSpec.js';
import { signIn, startWebServer, type WebServer } from '../support/webServer.js';

const BASIC = readFileSync(sharedSpec('examples', 'basic.ndjson'), 'utf8');
const REPORT = JSON.parse(readFileSync(sharedSpec('examples', 'basic.report.json'), 'utf8')) as {
  channels: { channelId: string; months: { month: string; net: string; closed: boolean }[] }[];
};
const ADMIN = 'admin-key-export-0123456789';
const ANALYST = 'analyst-key-export-0123456789';

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`webExport.spec: skipped — ${missing}`);

/** An exact decimal string in hundredths. */
const cents = (text: string): bigint => {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not an amount: ${text}`);
  const v = BigInt(m[2] ?? '') * 100n + BigInt(m[3] ?? '');
  return m[1] === '-' ? -v : v;
};

/** Clicks an Export button and returns the saved file's name and bytes. */
async function exportFrom(page: Page, group: string, format: 'csv' | 'xlsx') {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`${group} button[data-export="${format}"]`).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), body: await readFile(path) };
}

let server: WebServer;
let browser: Browser;

describe.skipIf(missing !== undefined)('the Export buttons', () => {
  beforeAll(async () => {
    server = await startWebServer([
      { key: ADMIN, role: 'admin' },
      { key: ANALYST, role: 'analyst' },
    ]);
    await server.post(BASIC, ADMIN);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads the partners table as xlsx: numbers are numbers and the totals are the report’s', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, ANALYST, server.url);
      await page.locator('#partners-table tbody tr[data-channel]').first().waitFor();
      const group = '[data-export-path="/v1/channels"]';
      expect(await page.locator(`${group} button`).allTextContents()).toEqual(['Export CSV', 'Export Excel']);

      const { name, body } = await exportFrom(page, group, 'xlsx');
      expect(name).toBe('chanperf-partners-2026-04.xlsx');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
      const col = (h: string) => headers.indexOf(h) + 1;
      const rows = Array.from({ length: sheet.rowCount - 1 }, (_, i) => sheet.getRow(i + 2));
      expect(rows.map((r) => r.getCell(col('channelId')).value)).toEqual(
        REPORT.channels.map((c) => c.channelId),
      );

      // Each partner's last closed net, as a number cell, sums to the report's to the cent.
      let total = 0n;
      let want = 0n;
      for (const [i, c] of REPORT.channels.entries()) {
        const closed = c.months.filter((m) => m.closed);
        const last = closed[closed.length - 1];
        const cell = rows[i]!.getCell(col('lastClosedNet'));
        if (last === undefined) {
          expect(cell.value).toBeNull();
          continue;
        }
        expect(typeof cell.value, c.channelId).toBe('number');
        expect(cell.numFmt).toBe('#,##0.00');
        total += BigInt(Math.round((cell.value as number) * 100));
        want += cents(last.net);
      }
      expect(total).toBe(want);
      expect(want).toBeGreaterThan(0n);
      const growth = rows.map((r) => r.getCell(col('lastClosedGrowthPercent')));
      expect(growth.some((c) => typeof c.value === 'number' && c.numFmt === '0.00%')).toBe(true);

      // A partner's months as CSV, from its page: every month, net as the report has it.
      const a = REPORT.channels[0]!;
      await page.goto(`${server.url}/#/channel/${a.channelId}`);
      const csv = await exportFrom(page, `[data-export-path="/v1/channels/${a.channelId}"]`, 'csv');
      expect(csv.name).toBe(`chanperf-partner-${a.channelId}-2026-04.csv`);
      const lines = csv.body
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      const header = lines[0]!.split(',');
      expect(lines.slice(1).map((l) => l.split(',')[header.indexOf('net')])).toEqual(
        a.months.map((m) => m.net),
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('offers CSV and Excel on the program and alerts tables, in Chinese when the page is', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await signIn(page, ANALYST, server.url);
      await page.locator('#partners-table').waitFor();
      for (const [view, path] of [
        ['program', '/v1/program/months'],
        ['alerts', '/v1/alerts?limit=1000'],
        ['alerts', '/v1/tier-movements'],
      ] as const) {
        await page.goto(`${server.url}/#/${view}`);
        const group = page.locator(`[data-export-path="${path}"]`);
        await group.waitFor();
        expect(await group.locator('button').count(), path).toBe(2);
      }
      // The labels follow <html lang> when the buttons are drawn: Chinese on a Chinese page.
      // A string, so the test runner does not rewrite the page's own import().
      const labels = await page.evaluate<string[]>(`(async () => {
        document.documentElement.lang = 'zh-CN';
        const { exportButtons } = await import('/assets/js/exports.js');
        return [...exportButtons('/v1/program/months').querySelectorAll('button')].map((b) => b.textContent);
      })()`);
      expect(labels).toEqual(['导出 CSV', '导出 Excel']);
    } finally {
      await context.close();
    }
  });
});
