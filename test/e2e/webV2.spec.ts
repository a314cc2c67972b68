/**
 * (v2) The page's spec v2 views end to end, in Debian's Chromium driven by playwright-core:
 * the services composed on a real socket (test/support/webServer.ts), the spec's
 * `examples-v2/v2-basic.ndjson` posted, then every v2 view opened like an analyst would and
 * each figure it shows compared with what the query API answers for it — D1's target and
 * attainment, its tree, its claim (whose explanation's lines add up to the credit, to the
 * cent), satisfaction per quarter; the price-protection view with its filters, the trees view
 * and the program's quarters — and like D1's partner key, which is offered no analyst view,
 * reads no analyst route, and sees a refused read as a message, not a broken page.
 *
 * One server and one browser for the file. Screenshots (targets, claims, trees, satisfaction)
 * go to test/e2e/screenshots/ with UPDATE_SCREENSHOTS=1 only. Skipped, with the reason
 * printed, when /usr/bin/chromium is missing (`apt-get install -y chromium`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, type Browser, type Page } from '../support/headlessChromium.js';
import { sharedSpec } from '../support/sharedSpec.js';
import {
  attributes,
  screenshot,
  screenshotsDir,
  signIn,
  startWebServer,
  type WebServer,
} from '../support/webServer.js';

const FEED = readFileSync(sharedSpec('examples-v2', 'v2-basic.ndjson'), 'utf8');
const SCREENSHOTS = screenshotsDir();

const ADMIN = 'admin-key-webv2-0123456789';
const ANALYST = 'analyst-key-webv2-0123456789';
const PARTNER_D1 = 'partner-key-webv2-d1-0123';

interface Target {
  year: string;
  annualTarget: string;
  ytdNet: string;
  attainmentBps: number;
  projectedNet: string | null;
  status: string;
  quarters: { quarter: string; cumulativeTarget: string; cumulativeNet: string; status: string }[];
}
interface Claim {
  channelId: string;
  changeId: string;
  sku: string;
  eligibleUnits: number;
  credit: string;
  restated: boolean;
  basis: { sales: string[]; returns: string[]; inventory: string | null };
}
interface ClaimExplain {
  credit: string;
  eligibleUnits: number;
  lines: { eventId: string | null; units: number; credit: string }[];
}
interface Rollup {
  channelId: string;
  months: { month: string; members: string[]; net: string; growthStatus: string }[];
}

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`webV2.spec: skipped — ${missing}`);

let server: WebServer;
let browser: Browser;

/** What the query API answers (JSON), with a key. */
async function api<T>(path: string, key = ANALYST): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A page for one test, collecting the page's uncaught errors. */
async function openPage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
}

/** The `data-value` of the first element `selector` matches, once it is there. */
async function valueOf(page: Page, selector: string): Promise<string | null> {
  const el = page.locator(selector).first();
  await el.waitFor();
  return el.getAttribute('data-value');
}

/** Opens a claim's explanation; checks its lines and their sums against the API's. */
async function checkClaimExplained(page: Page, table: string, claim: Claim): Promise<void> {
  const key = `${claim.channelId}/${claim.changeId}`;
  const path = `/v1/channels/${claim.channelId}/claims/${claim.changeId}/explain`;
  const explained = await api<ClaimExplain>(path);
  // The contract's invariants, which the page relies on to show Σ = credit.
  expect(explained.credit).toBe(claim.credit);
  expect(explained.lines.reduce((n, l) => n + l.units, 0)).toBe(claim.eligibleUnits);
  const row = page.locator(`${table} tr[data-claim="${key}"]`);
  expect(await row.locator('[data-field="credit"]').getAttribute('data-value')).toBe(claim.credit);
  await row.locator('button[aria-expanded]').click();
  const why = page.locator(`${table} tr[data-explains="${key}"]`);
  await why.locator('tr.sum').waitFor();
  expect(await attributes(why.locator('tbody tr[data-event]'), 'data-event')).toEqual(
    explained.lines.map((l) => l.eventId ?? ''),
  );
  for (const id of [...claim.basis.sales, ...claim.basis.returns, claim.basis.inventory])
    if (id !== null) expect(await why.locator(`tr[data-event="${id}"]`).count(), id).toBeGreaterThan(0);
  expect(await why.locator('tr.sum [data-field="credit"]').getAttribute('data-value')).toBe(claim.credit);
  expect(await why.locator('tr.sum [data-field="units"]').getAttribute('data-value')).toBe(
    String(claim.eligibleUnits),
  );
  expect(await why.locator('[role="alert"]').count()).toBe(0);
}

describe.skipIf(missing !== undefined)('the page’s spec v2 views', () => {
  beforeAll(async () => {
    server = await startWebServer([
      { key: ADMIN, role: 'admin' },
      { key: ANALYST, role: 'analyst' },
      { key: PARTNER_D1, role: 'partner', channelId: 'D1' },
    ]);
    await server.post(FEED, ADMIN);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    SCREENSHOTS.cleanUp();
  });

  it('shows an analyst D1’s target, tree, claim and satisfaction as the API answers them', async () => {
    const { page, errors, close } = await openPage();
    try {
      const { targets } = await api<{ targets: Target[] }>('/v1/channels/D1/targets');
      const { rollup } = await api<{ rollup: Rollup | null }>('/v1/channels/D1/rollup');
      const { claims } = await api<{ claims: Claim[] }>('/v1/channels/D1/claims');
      const satisfaction = await api<{ quarters: { quarter: string; satisfactionAvg: string | null }[] }>(
        '/v1/channels/D1/satisfaction',
      );
      // The example's figures (examples-v2/README.md), so that the comparisons below compare something.
      expect(targets.map((t) => [t.year, t.projectedNet, t.status])).toEqual([
        ['2026', '9000000.00', 'BEHIND'],
      ]);
      expect(claims.map((c) => [c.changeId, c.credit])).toEqual([['pc-1', '48000.00']]);
      expect(rollup?.months.map((m) => m.members.join(' '))).toEqual([
        'D1 S1',
        'D1 S1',
        'D1 S1 S2',
        'D1 S1 S2',
      ]);

      await signIn(page, ANALYST, server.url);
      await page.waitForSelector('#partners-table tr[data-channel="D1"]');
      await page.goto(`${server.url}/#/channel/D1`);

      const year = `#targets .target-year[data-year="${targets[0]!.year}"]`;
      for (const field of ['annualTarget', 'ytdNet', 'attainmentBps', 'projectedNet', 'status'] as const)
        expect(await valueOf(page, `${year} .card[data-field="${field}"]`), field).toBe(
          String(targets[0]![field]),
        );
      for (const q of targets[0]!.quarters) {
        const row = page.locator(`${year} tr[data-quarter="${q.quarter}"]`);
        expect(await row.locator('[data-field="cumulativeNet"]').getAttribute('data-value')).toBe(
          q.cumulativeNet,
        );
        expect(await row.locator('[data-field="cumulativeTarget"]').getAttribute('data-value')).toBe(
          q.cumulativeTarget,
        );
        expect(await row.locator('[data-pace]').getAttribute('data-pace')).toBe(q.status);
      }
      expect(await page.locator(`${year} figure.chart svg rect.bar`).count()).toBe(8);

      for (const m of rollup!.months) {
        const cell = page.locator(`#rollup tr[data-month="${m.month}"] [data-field="members"]`);
        await cell.waitFor();
        expect(await cell.getAttribute('data-value')).toBe(m.members.join(' '));
        expect(
          await page
            .locator(`#rollup tr[data-month="${m.month}"] [data-field="net"]`)
            .getAttribute('data-value'),
        ).toBe(m.net);
      }

      await page.locator('#channel-claims').waitFor();
      await checkClaimExplained(page, '#channel-claims', claims[0]!);

      for (const q of satisfaction.quarters)
        expect(
          await valueOf(page, `#satisfaction tr[data-quarter="${q.quarter}"] [data-field="satisfactionAvg"]`),
        ).toBe(q.satisfactionAvg ?? '');
      await screenshot(page, SCREENSHOTS.dir, 'targets.png');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows an analyst every claim (filtered by SKU and partner), every tree and the program’s quarters', async () => {
    const { page, errors, close } = await openPage();
    try {
      const { changes } = await api<{ changes: { changeId: string; protected: boolean }[] }>(
        '/v1/price-changes',
      );
      const { claims } = await api<{ claims: Claim[] }>('/v1/claims');
      const { rollups } = await api<{ rollups: Rollup[] }>('/v1/rollups');
      const { quarters } = await api<{
        quarters: { quarter: string; surveyCoverageBps: number | null; satisfactionAvg: string | null }[];
      }>('/v1/program/quarters');
      expect(claims.length).toBe(4);

      await signIn(page, ANALYST, server.url);
      await page.waitForSelector('#partners-table tr[data-channel="D1"]');
      await page.click('#nav a[href="#/price-protection"]');
      await page.waitForSelector('#claims-table');
      expect(await attributes(page.locator('#price-changes tbody tr'), 'data-change')).toEqual(
        changes.map((c) => c.changeId),
      );
      const rows = page.locator('#claims-table tbody tr[data-claim]');
      expect(await attributes(rows, 'data-claim')).toEqual(claims.map((c) => `${c.channelId}/${c.changeId}`));
      for (const c of claims)
        expect(
          await page
            .locator(`#claims-table tr[data-claim="${c.channelId}/${c.changeId}"] [data-field="credit"]`)
            .getAttribute('data-value'),
        ).toBe(c.credit);

      // Filters: partner S2 keeps its one claim; SKU P2 (a price rise) has none.
      await page.selectOption('select[name="channelId"]', 'S2');
      await page.waitForFunction(
        `document.querySelectorAll('#claims-table tbody tr[data-claim]').length === 1`,
      );
      const s2 = claims.find((c) => c.channelId === 'S2')!;
      expect(s2.restated).toBe(true);
      expect(await page.locator('#claims-table tr[data-claim="S2/pc-1"] .restated').count()).toBe(1);
      await checkClaimExplained(page, '#claims-table', s2);
      // S1's claim had no inventory report: its cut line names no event, and nothing is eligible.
      await page.selectOption('select[name="channelId"]', 'S1');
      await page.waitForSelector('#claims-table tr[data-claim="S1/pc-1"]');
      await checkClaimExplained(
        page,
        '#claims-table',
        claims.find((c) => c.channelId === 'S1')!,
      );
      await page.selectOption('select[name="channelId"]', 'S2');
      await page.waitForSelector('#claims-table tr[data-claim="S2/pc-1"]');
      await page.selectOption('select[name="channelId"]', '');
      await page.selectOption('select[name="sku"]', 'P2');
      await page.waitForFunction(
        `document.querySelectorAll('#claims-table tbody tr[data-claim]').length === 0`,
      );
      await page.selectOption('select[name="sku"]', '');
      await page.waitForFunction(
        `document.querySelectorAll('#claims-table tbody tr[data-claim]').length === 4`,
      );
      await screenshot(page, SCREENSHOTS.dir, 'claims.png');

      await page.click('#nav a[href="#/trees"]');
      await page.waitForSelector('section.tree');
      expect(await attributes(page.locator('section.tree'), 'data-tree')).toEqual(
        rollups.map((r) => r.channelId),
      );
      for (const r of rollups)
        for (const m of r.months)
          expect(
            await page
              .locator(`#tree-months-${r.channelId} tr[data-month="${m.month}"] [data-field="members"]`)
              .getAttribute('data-value'),
          ).toBe(m.members.join(' '));
      await screenshot(page, SCREENSHOTS.dir, 'trees.png');
      // A member opens its partner page.
      await page.click('#tree-months-D1 tr[data-month="2026-04"] a[data-partner="S2"]');
      await page.waitForSelector('[data-channel-id="S2"]');

      await page.click('#nav a[href="#/program"]');
      for (const q of quarters) {
        const row = `#program-quarters-table tr[data-quarter="${q.quarter}"]`;
        expect(await valueOf(page, `${row} [data-field="surveyCoverageBps"]`)).toBe(
          String(q.surveyCoverageBps),
        );
        expect(await valueOf(page, `${row} [data-field="satisfactionAvg"]`)).toBe(q.satisfactionAvg ?? '');
      }
      expect(quarters.map((q) => [q.quarter, q.surveyCoverageBps, q.satisfactionAvg])).toEqual([
        ['2026-Q1', 6000, '76.00'],
        ['2026-Q2', 2000, '70.00'],
      ]);
      expect(await page.locator('figure.chart[data-chart="program-quarters"] rect.bar').count()).toBe(
        quarters.length * 2,
      );
      await screenshot(page, SCREENSHOTS.dir, 'satisfaction.png');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('offers D1’s partner key no analyst view, reads no analyst route, and shows a refused read as a message', async () => {
    const { page, errors, close } = await openPage();
    const answers: { path: string; status: number }[] = [];
    const bodies: Promise<string>[] = [];
    page.on('response', (res) => {
      const path = new URL(res.url()).pathname;
      answers.push({ path, status: res.status() });
      if (path.startsWith('/v1/') && path !== '/v1/live') bodies.push(res.text());
    });
    // A read the server refuses (as it would a foreign channel's): the panel says so.
    await page.route('**/v1/channels/D1/satisfaction', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'FORBIDDEN', message: 'forbidden' } }),
      }),
    );
    try {
      await signIn(page, PARTNER_D1, server.url);
      const asked = await Promise.race([
        page.waitForSelector('#channel-field:not([hidden])').then(() => true),
        page.waitForSelector('[data-channel-id]').then(() => false),
      ]);
      if (asked) {
        await page.fill('#channel-id', 'D1');
        await page.click('#login-form button[type="submit"]');
      }
      await page.waitForSelector('[data-channel-id="D1"]');
      await page.waitForSelector('#targets .target-year');
      await page.waitForSelector('#rollup [data-field="members"]');
      await page.waitForSelector('#channel-claims');
      await page.waitForSelector('#satisfaction [data-denied]');
      expect(await page.locator('#nav a').allTextContents()).toEqual(['My channel', 'Alerts']);
      // The tree's other members are ids, not links to pages the key may not read.
      expect(await page.locator('#rollup a[data-partner="S1"]').count()).toBe(0);
      expect(await page.locator('#rollup [data-member="S1"]').count()).toBeGreaterThan(0);

      for (const hash of ['#/price-protection', '#/trees', '#/program']) {
        await page.goto(`${server.url}/${hash}`);
        await page.waitForSelector('[data-channel-id="D1"]');
        expect(await page.locator('h1').first().textContent()).not.toMatch(/Price protection|trees|Program/);
      }
      // The v2 analyst routes are never asked; the probes of who the key is are refused.
      const v2AnalystOnly = /^\/v1\/(claims|targets|rollups|satisfaction|program\/quarters)$/;
      expect(answers.filter((a) => v2AnalystOnly.test(a.path))).toEqual([]);
      for (const a of answers.filter((x) => /^\/v1\/(report|program|channels)$/.test(x.path)))
        expect([401, 403], a.path).toContain(a.status);
      // Nothing of the partners outside D1's tree reached the page.
      for (const body of await Promise.all(bodies))
        for (const foreign of ['"E1"', '"N1"', 'Tmall store', 'Suzhou New Retail'])
          expect(body).not.toContain(foreign);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
