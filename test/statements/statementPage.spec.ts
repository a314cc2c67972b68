/**
 * The printable statement in Chromium (Debian's, through playwright-core): D1's 2026-Q1
 * statement of examples/v2-basic.ndjson as `chanperf statement` writes it. Opened from the file
 * with every network request refused (it is self-contained), its figures and SHA-256 are the
 * JSON's; printed (print media) it fits the A4 width. The screenshot linked from the README is
 * taken here (test/e2e/screenshots/statement.png with UPDATE_SCREENSHOTS=1). Then
 * `--format pdf` prints a PDF with the same Chromium, and says so when there is none.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { chromiumMissing, launchChromium, type Browser } from '../support/headlessChromium.js';
import { screenshotsDir } from '../support/webServer.js';
import { issue } from './support.js';

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`statementPage.spec: the Chromium tests are skipped — ${missing}`);

const SCREENSHOTS = screenshotsDir();
let dir: string;
let db: string;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-statement-page-'));
  db = join(dir, 'v2.db');
  const feed = new URL('../../examples/v2-basic.ndjson', import.meta.url).pathname;
  expect(chanperf(['ingest', feed, '--db', db, '--quiet']).status).toBe(0);
  if (missing === undefined) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  SCREENSHOTS.cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('the printable statement in Chromium', () => {
  it('shows the JSON’s figures and seal, loads nothing, fits A4 when printed; the README’s screenshot', async () => {
    const { statement, summary } = issue(db, join(dir, 'out'), 'D1', '2026-Q1');
    const page = await (browser as Browser).newPage({ viewport: { width: 1100, height: 1500 } });
    const requests: string[] = [];
    await page.route('**/*', (route) => {
      if (!route.request().url().startsWith('file:')) requests.push(route.request().url());
      return route.request().url().startsWith('file:') ? route.continue() : route.abort();
    });
    await page.goto(pathToFileURL(summary.files[1] ?? '').href);
    expect(await page.locator('.seal').innerText()).toBe(`SHA-256 ${statement.seal.sha256}`);
    const net = await page.locator('table').first().locator('tbody tr td:nth-child(4)').allInnerTexts();
    expect(net).toEqual([...statement.months.map((m) => String(m['net'])), '2100000.00']);
    expect(await page.getByText('pc-1').count()).toBeGreaterThan(0);
    expect(requests).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS.dir, 'statement.png'), animations: 'disabled' });

    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 718, height: 1000 }); // A4 less the margins, at 96 dpi
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('--format pdf prints the page to a PDF with headless Chromium', () => {
    const { summary } = issue(db, join(dir, 'pdf'), 'D1', '2026-Q1', ['--format', 'pdf']);
    expect(summary.files.map((f) => f.split('.').pop())).toEqual(['json', 'html', 'pdf']);
    expect(
      readFileSync(summary.files[2] ?? '')
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 120_000);
});

describe('--format pdf without Chromium', () => {
  it('says so and exits 2', () => {
    const run = chanperf(
      ['statement', '--db', db, '--channel', 'D1', '--quarter', '2026-Q1', '--out', dir, '--format', 'pdf'],
      { CHANPERF_CHROMIUM: join(dir, 'no-chromium') },
    );
    expect(run.stderr).toBe(
      `chanperf: statement: --format pdf needs headless Chromium, and there is none at ${join(dir, 'no-chromium')} (set CHANPERF_CHROMIUM)\n`,
    );
    expect(run.status).toBe(2);
  });
});
