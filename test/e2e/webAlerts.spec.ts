/**
 * The alerts view at scale, in Debian's Chromium driven by playwright-core: 60 partners that
 * each fall by half in February (basic.ndjson's program) raise 60 "growth target missed"
 * alerts; the view shows them 50 at a time, newest first, and filters them by partner, month
 * and tier (the counts and the ids shown are checked against the API's alert log). A live
 * sale updates its partner by reading that partner (and the program's months), not the report.
 *
 * Skipped, with the reason printed, when /usr/bin/chromium is missing
 * (`apt-get install -y chromium`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser } from '../support/headlessChromium.js';
import { sharedSpec } from '../support/sharedSpec.js';
import { attributes, signIn, startWebServer, type WebServer } from '../support/webServer.js';

const PROGRAM = readFileSync(sharedSpec('examples', 'basic.ndjson'), 'utf8').split('\n')[0]!;
const ANALYST = 'analyst-key-webalerts-0123456789';
const INGEST = 'ingest-key-webalerts-0123456789';
const PARTNERS = Array.from({ length: 60 }, (_, i) => `P${String(i + 1).padStart(2, '0')}`);

/** The program, 60 partners selling 1,000.00 in January and 500.00 in February, both months closed. */
function feed(): string {
  const lines = [PROGRAM];
  const event = (eventId: string, type: string, occurredAt: string, data: object, channelId?: string) =>
    lines.push(JSON.stringify({ eventId, type, occurredAt, ...(channelId ? { channelId } : {}), data }));
  for (const id of PARTNERS) {
    event(
      `reg-${id}`,
      'ChannelRegistered',
      '2026-01-02T09:00:00+08:00',
      { name: `伙伴 ${id}`, kind: 'reseller' },
      id,
    );
    for (const [month, amount] of [
      ['01', '1000.00'],
      ['02', '500.00'],
    ] as const)
      event(
        `sale-${id}-${month}`,
        'SaleRecorded',
        `2026-${month}-10T10:00:00+08:00`,
        { orderId: `o-${id}-${month}`, sku: 'P1', quantity: 1, netAmount: amount, currency: 'CNY' },
        id,
      );
  }
  event('close-01', 'PeriodClosed', '2026-02-01T00:00:00+08:00', { month: '2026-01' });
  event('close-02', 'PeriodClosed', '2026-03-01T00:00:00+08:00', { month: '2026-02' });
  return `${lines.join('\n')}\n`;
}

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`webAlerts.spec: skipped — ${missing}`);

let server: WebServer;
let browser: Browser;

describe.skipIf(missing !== undefined)('the alerts view with many partners', () => {
  beforeAll(async () => {
    server = await startWebServer([
      { key: ANALYST, role: 'analyst' },
      { key: INGEST, role: 'ingest' },
    ]);
    await server.post(feed(), INGEST);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the alerts 50 at a time and filters them by partner, month and tier', async () => {
    const log = (await (
      await fetch(`${server.url}/v1/alerts?limit=1000`, { headers: { authorization: `Bearer ${ANALYST}` } })
    ).json()) as { alerts: { alert: { id: string; kind: string; channelId: string; month: string } }[] };
    const missed = log.alerts.map((a) => a.alert).filter((a) => a.kind === 'GROWTH_TARGET_MISSED');
    expect(missed.map((a) => a.channelId).sort()).toEqual(PARTNERS);
    const newestFirst = log.alerts.map((a) => a.alert.id).reverse();

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, ANALYST, server.url);
      await page.locator('#partners-table tr[data-channel="P60"]').waitFor();
      await page.evaluate('location.hash = "#/alerts"');
      const items = page.locator('#alerts-feed li[data-alert-id]');
      await items.first().waitFor();
      expect(await attributes(items, 'data-alert-id')).toEqual(newestFirst.slice(0, 50));
      expect(await page.locator('.pager .page-of').textContent()).toBe(`1–50 of ${newestFirst.length}`);

      await page.click('.pager button[data-page="next"]');
      await page.waitForSelector('.pager button[data-page="next"][disabled]');
      expect(await attributes(items, 'data-alert-id')).toEqual(newestFirst.slice(50));

      // One partner: its alert only, and no pages.
      await page.selectOption('select[name="channelId"]', 'P07');
      await page.locator('.pager').waitFor({ state: 'detached' });
      expect(await attributes(items, 'data-alert-id')).toEqual(
        log.alerts.filter((a) => a.alert.channelId === 'P07').map((a) => a.alert.id),
      );
      expect(await page.locator('.filters .count').textContent()).toBe(`1 of ${newestFirst.length} alerts`);

      // Back to every partner; a month with no alert, then February's.
      await page.selectOption('select[name="channelId"]', '');
      expect(await page.locator('select[name="month"] option').allTextContents()).toEqual([
        'all',
        'Feb 2026',
      ]);
      await page.selectOption('select[name="month"]', '2026-02');
      await page.locator('.pager').waitFor();
      expect(await items.count()).toBe(50);
      // Every partner holds the program's first tier: filtering by it keeps them all.
      const options = page.locator('select[name="tier"] option');
      expect(await options.count()).toBe(2);
      await page.selectOption('select[name="tier"]', await options.nth(1).getAttribute('value'));
      await page.selectOption('select[name="month"]', '');
      expect(await page.locator('.filters .count').textContent()).toBe(
        `${newestFirst.length} of ${newestFirst.length} alerts`,
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('updates a partner from a live sale by reading that partner only, not the whole report', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const reads: string[] = [];
    page.on('request', (r) => reads.push(new URL(r.url()).pathname));
    let reports = 0;
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/v1/report') reports++;
    });
    try {
      await signIn(page, ANALYST, server.url);
      const open = page.locator('#partners-table tr[data-channel="P07"] [data-col="open"]');
      await open.waitFor();
      expect(await open.textContent()).toBe('—'); // January and February are closed: no open month
      // The report is read at sign-in and again once the live stream is connected (which
      // replays nothing): both reads answered, the page is quiet.
      await page.waitForSelector('#live-status[data-state="connected"]');
      await expect.poll(() => reports).toBeGreaterThanOrEqual(2);
      const before = reads.length;
      await server.post(
        `${JSON.stringify({
          eventId: 'sale-P07-03',
          type: 'SaleRecorded',
          occurredAt: '2026-03-10T10:00:00+08:00',
          channelId: 'P07',
          data: { orderId: 'o-P07-03', sku: 'P1', quantity: 1, netAmount: '600.00', currency: 'CNY' },
        })}\n`,
        INGEST,
      );
      // March is open: 600.00 against February's 500.00 is +20.00%, provisional.
      await expect.poll(() => open.textContent()).toMatch(/^\+20\.00%/);
      const after = reads.slice(before);
      expect(after).toContain('/v1/channels/P07');
      expect(after).toContain('/v1/program/months');
      expect(after).not.toContain('/v1/report');
      expect(after.filter((p) => /^\/v1\/channels\/P(?!07)/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
