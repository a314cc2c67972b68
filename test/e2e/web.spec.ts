/**
 * The analysts' page end to end, in Debian's Chromium driven by playwright-core: the services
 * composed on a real socket, `basic.ndjson` posted, then the page read like an analyst would —
 * partners table against the report, CH-A's rebate of 2026-03 and its certified trainees, an
 * alert arriving live after a `PeriodClosed` — and like a partner, who must never receive
 * another partner's figures.
 * Screenshots of the four views go to test/e2e/screenshots/ (linked from the README) only when
 * asked, with UPDATE_SCREENSHOTS=1; otherwise to a temporary folder, so a test run leaves the
 * work tree as it found it (test/support/webServer.ts, shared with webV2.spec.ts).
 *
 * Skipped, with the reason printed, when /usr/bin/chromium is missing
 * (`apt-get install -y chromium`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumMissing,
  launchChromium,
  type Browser,
  type Page,
  type Response,
} from '../support/headlessChromium.js';
import { sharedSpec } from '../support/sharedSpec.js';
import {
  attributes,
  screenshot as screenshotIn,
  screenshotsDir,
  signIn as signInAt,
  startWebServer,
  type WebServer,
} from '../support/webServer.js';

const BASIC = readFileSync(sharedSpec('examples', 'basic.ndjson'), 'utf8');
const SCREENSHOTS = screenshotsDir();

interface ReportMonth {
  month: string;
  growthStatus: string;
  rebate: { total: string };
}
interface ReportChannel {
  channelId: string;
  name: string;
  tier: string | null;
  months: ReportMonth[];
}
const REPORT = JSON.parse(readFileSync(sharedSpec('examples', 'basic.report.json'), 'utf8')) as {
  lastClosedMonth: string;
  channels: ReportChannel[];
};

const ADMIN = 'admin-key-web-0123456789';
const ANALYST = 'analyst-key-web-0123456789';
const PARTNER_B = 'partner-key-web-ch-b-0123';

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`web.spec: skipped — ${missing}`);

let server: WebServer;
let url: string;
/** A second server on the same runtime (query and page only), for the partner sign-in through `GET /v1/me`. */
let urlWithMe: string;
let browser: Browser;

function post(body: string, key = ADMIN): Promise<void> {
  return server.post(body, key);
}

function sale(eventId: string, channelId: string, occurredAt: string, amount: string): string {
  return JSON.stringify({
    eventId,
    type: 'SaleRecorded',
    occurredAt,
    channelId,
    data: { orderId: `${eventId}-o`, sku: 'P1', quantity: 1, netAmount: amount, currency: 'CNY' },
  });
}

function screenshot(page: Page, name: string): Promise<void> {
  return screenshotIn(page, SCREENSHOTS.dir, name);
}

function signIn(page: Page, key: string, base = url): Promise<void> {
  return signInAt(page, key, base);
}

/** The status the partners table shows: the last closed month's, else the open month's. */
function expectedStatus(c: ReportChannel): string {
  const closed = c.months.find((m) => m.month === REPORT.lastClosedMonth);
  return (closed ?? c.months[c.months.length - 1]!).growthStatus;
}

describe.skipIf(missing !== undefined)('the analysts page', () => {
  beforeAll(async () => {
    server = await startWebServer([
      { key: ADMIN, role: 'admin' },
      { key: ANALYST, role: 'analyst' },
      { key: PARTNER_B, role: 'partner', channelId: 'CH-B' },
    ]);
    url = server.url;
    await post(BASIC);
    urlWithMe = await server.alsoServeQueryAndPage();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    SCREENSHOTS.cleanUp();
  });

  it('serves the page and its assets itself, with a strict content security policy', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) expect((await fetch(`${url}${asset}`)).status).toBe(200);
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${url}/assets/../package.json`)).status).toBe(404);
    expect((await fetch(`${url}/assets/nothing.js`)).status).toBe(404);
  });

  it('shows an analyst the partners, a partner page, the program, and alerts arriving live', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(page, ANALYST);

      // Partners table: the four channels with the report's tiers and statuses.
      const rows = page.locator('#partners-table tbody tr[data-channel]');
      await rows.first().waitFor();
      expect(await attributes(rows, 'data-channel')).toEqual(['CH-A', 'CH-B', 'CH-C', 'CH-D']);
      for (const c of REPORT.channels) {
        const row = page.locator(`#partners-table tr[data-channel="${c.channelId}"]`);
        expect(await row.locator('[data-col="tier"] .tier').textContent()).toBe(c.tier);
        expect(await row.locator('[data-col="status"] [data-status]').getAttribute('data-status')).toBe(
          expectedStatus(c),
        );
      }
      expect(await page.locator('#heatmap tbody tr').count()).toBe(4);

      // Sorting by the status column (keyboard: Enter on the header button) puts CH-B's miss first.
      await page.focus('button[data-sort="status"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('th[aria-sort="ascending"] button[data-sort="status"]');
      expect(await rows.first().getAttribute('data-channel')).toBe('CH-B');
      expect(await page.evaluate('document.activeElement?.getAttribute("data-sort")')).toBe('status');
      // The "missed the target" filter keeps only CH-B.
      await page.check('input[name="missed"]');
      await page.waitForFunction(
        `document.querySelectorAll('#partners-table tbody tr[data-channel]').length === 1`,
      );
      expect(await rows.first().getAttribute('data-channel')).toBe('CH-B');
      await page.uncheck('input[name="missed"]');
      await page.click('button[data-sort="channelId"]');
      await page.waitForFunction(
        `document.querySelectorAll('#partners-table tbody tr[data-channel]').length === 4`,
      );

      await page.waitForSelector('#live-status[data-state="connected"]');
      await screenshot(page, 'partners.png');

      // CH-A: the rebate total of 2026-03, and its explanation.
      await page.click('#partners-table tr[data-channel="CH-A"] a');
      const total = page.locator('#months-table tr[data-month="2026-03"] td[data-field="total"]');
      await total.waitFor();
      const expectedTotal = REPORT.channels
        .find((c) => c.channelId === 'CH-A')!
        .months.find((m) => m.month === '2026-03')!.rebate.total;
      expect(expectedTotal).toBe('18300.00');
      expect(await total.getAttribute('data-value')).toBe('18300.00');
      expect((await total.textContent())?.replace(/[¥,]/g, '')).toBe('18300.00'); // shown as ¥18,300.00
      await total.locator('button').click();
      const explained = page.locator('#explain tfoot [data-value]');
      await explained.waitFor();
      expect(await explained.getAttribute('data-value')).toBe('18300.00');
      expect(await page.locator('#explain tbody tr[data-component]').count()).toBe(4);

      // Training & certifications: a-li and a-wang (Jan), a-chen (Feb, Mar) — 3 certified.
      const certified = page.locator('#training [data-certified]');
      await certified.waitFor();
      expect(await certified.getAttribute('data-certified')).toBe('3');
      expect(await certified.textContent()).toBe('3');
      // A v1 log: the v2 panels have answered with nothing and stay hidden.
      for (const panel of ['targets', 'rollup', 'claims', 'satisfaction'])
        await page.waitForSelector(`#${panel}[data-empty][hidden]`, { state: 'attached' });
      // The window is the 12 months ending with the latest month (spec §4: M−11 … M).
      expect(await page.locator('#training .window').textContent()).toBe('May 2025 – Apr 2026');
      expect(await attributes(page.locator('#trainees-table tbody tr'), 'data-trainee')).toEqual([
        'a-chen',
        'a-li',
        'a-wang',
      ]);
      expect(await page.locator('#trainees-table tr[data-trainee="a-chen"] .cert').allTextContents()).toEqual(
        ['CERT-SALES', 'CERT-ADV'],
      );
      expect(await page.locator('#training figure.chart[data-chart="trainings"]').count()).toBe(1);
      await screenshot(page, 'partner.png');

      // Program KPIs.
      await page.click('#nav a[href="#/program"]');
      await page.waitForSelector('#program-table tbody tr[data-month="2026-04"]');
      await page.waitForSelector('#program-quarters[data-empty][hidden]', { state: 'attached' });
      expect(await page.locator('figure.chart').count()).toBe(5);
      await screenshot(page, 'program.png');

      // Alerts: the report's four, then a new one live after closing 2026-04.
      await page.click('#nav a[href="#/alerts"]');
      await page.waitForSelector('#alerts-feed li[data-alert-id="GROWTH_TARGET_MISSED/CH-B/2026-03/1"]');
      expect(await page.locator('#alerts-feed li').count()).toBe(4);
      await page.waitForSelector('#live-status[data-state="connected"]');
      await post(
        JSON.stringify({
          eventId: 'close-04',
          type: 'PeriodClosed',
          occurredAt: '2026-05-01T09:00:00+08:00',
          data: { month: '2026-04' },
        }),
      );
      const fresh = page.locator(
        '#alerts-feed li.fresh[data-alert-id="GROWTH_TARGET_MISSED/CH-A/2026-04/1"]',
      );
      await fresh.waitFor();
      expect(await fresh.textContent()).toContain('−62.13%');
      await page.waitForSelector('#alerts-feed li[data-alert-id="GROWTH_TARGET_MISSED/CH-C/2026-04/1"]');
      await screenshot(page, 'alerts.png');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a partner key only its own channel, and no response carries another partner', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const bodies: Promise<{ url: string; status: number; body: string }>[] = [];
    page.on('response', (res: Response) => {
      if (!res.url().startsWith(url) || res.url().endsWith('/v1/live')) return;
      bodies.push(res.text().then((body) => ({ url: res.url(), status: res.status(), body })));
    });
    // The live stream never ends, so its bytes are read from the browser as they arrive.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const liveIds = new Set<string>();
    const live: string[] = [];
    cdp.on('Network.responseReceived', (e) => {
      if (!e.response.url.endsWith('/v1/live')) return;
      liveIds.add(e.requestId);
      cdp
        .send('Network.streamResourceContent', { requestId: e.requestId })
        .then((r) => live.push(Buffer.from(r.bufferedData, 'base64').toString('utf8')))
        .catch(() => undefined);
    });
    cdp.on('Network.dataReceived', (e) => {
      if (liveIds.has(e.requestId) && e.data !== undefined)
        live.push(Buffer.from(e.data, 'base64').toString('utf8'));
    });

    try {
      await signIn(page, PARTNER_B);
      // Without GET /v1/me the page asks which channel the key reads (and checks it).
      const asked = await Promise.race([
        page.waitForSelector('#channel-field:not([hidden])').then(() => true),
        page.waitForSelector('[data-channel-id]').then(() => false),
      ]);
      if (asked) {
        await page.fill('#channel-id', 'CH-B');
        await page.click('#login-form button[type="submit"]');
      }
      await page.waitForSelector('[data-channel-id="CH-B"]');
      await page.waitForSelector('#months-table tr[data-month="2026-04"]');
      expect(await page.locator('#nav a').allTextContents()).toEqual(['My channel', 'Alerts']);
      // Its trainings too: b-zhao, certified in February.
      await page.waitForSelector('#training [data-certified="1"]');
      expect(await attributes(page.locator('#trainees-table tbody tr'), 'data-trainee')).toEqual(['b-zhao']);
      await page.waitForSelector('#live-status[data-state="connected"]');
      await page.click('#months-table tr[data-month="2026-04"] td[data-field="net"] button');
      await page.waitForSelector('#explain[data-month="2026-04"] dl.facts-list');

      // Foreign and own activity while the page is live: only CH-B's reaches it.
      await post(
        [
          sale('web-a-1', 'CH-A', '2026-05-03T10:00:00+08:00', '99000.00'),
          sale('web-b-1', 'CH-B', '2026-05-03T10:00:00+08:00', '180000.00'),
        ].join('\n'),
      );
      await page.waitForSelector('#months-table tr[data-month="2026-05"]');
      // The open explanation is read again for the new figures.
      await page.waitForSelector('#explain[data-month="2026-04"] dl.facts-list');
      await screenshot(page, 'partner-key.png');

      await page.click('#nav a[href="#/alerts"]');
      await page.waitForSelector('#alerts-feed li');
      const ids = await attributes(page.locator('#alerts-feed li'), 'data-alert-id');
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/\/CH-B\//);

      const text = await page.locator('body').innerText();
      const responses = await Promise.all(bodies);
      const foreign = REPORT.channels.filter((c) => c.channelId !== 'CH-B');
      for (const c of foreign) {
        expect(text).not.toContain(c.channelId);
        for (const r of responses) {
          expect(r.body, r.url).not.toContain(c.channelId);
          expect(r.body, r.url).not.toContain(c.name);
        }
        expect(live.join('')).not.toContain(c.channelId);
      }
      expect(live.join('')).toContain('"channelId":"CH-B"');
      // No request for a list, the report or the program totals returned any figure.
      for (const r of responses) {
        const path = new URL(r.url).pathname;
        if (/^\/v1\/(report|program|channels$)/.test(path)) expect([401, 403]).toContain(r.status);
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('learns a partner key’s channel from GET /v1/me when the server has it, asking nothing', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const paths: string[] = [];
    page.on('request', (req) => paths.push(new URL(req.url()).pathname));
    try {
      await signIn(page, PARTNER_B, urlWithMe);
      await page.waitForSelector('[data-channel-id="CH-B"]');
      expect(await page.locator('#channel-field').isHidden()).toBe(true);
      expect(paths).toContain('/v1/me');
      // Knowing its channel, the page never probes a list endpoint with the partner key.
      expect(paths.filter((p) => /^\/v1\/(channels|report|program)(\/months)?$/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
