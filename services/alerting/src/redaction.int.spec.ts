/**
 * A webhook URL with credentials never reaches the logs or the delivery ledger: the
 * configuration refuses one, but the alerting service must not leak it either when it gets
 * one (here: a config built by hand). Real fetch (it refuses such a URL, quoting it in its
 * error), real SQLite, pino output captured as raw text.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../test/support/sharedSpec.js';
import type { Alert } from '@chanperf/domain';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection } from '@chanperf/projection';
import { loadConfig, openRuntime } from '@chanperf/runtime';
import { deliveryLedger } from './deliveryLedger.js';
import { startAlerting } from './index.js';
import { redactUrl, redactUrls } from './redact.js';

const IDS = (
  JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as { alerts: Alert[] }
).alerts.map((a) => a.id);

const SECRETS = ['alice', 'hunter2-s3cret', 't0ken-s3cret'];
const URL_WITH_CREDENTIALS = 'https://alice:hunter2-s3cret@127.0.0.1:1/hooks/chanperf?token=t0ken-s3cret';

const teardown: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-redaction-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('redactUrl', () => {
  it('keeps the origin, marks credentials and what was left out', () => {
    expect(redactUrl(URL_WITH_CREDENTIALS)).toBe('https://***@127.0.0.1:1/…');
    expect(redactUrl('https://token@alerts.example.com')).toBe('https://***@alerts.example.com');
    expect(redactUrl('https://alerts.example.com/')).toBe('https://alerts.example.com');
    expect(redactUrl('http://alerts.example.com:8443/x?y=1')).toBe('http://alerts.example.com:8443/…');
    expect(redactUrl('not a url')).toBe('[URL]');
  });

  it('redacts every URL quoted in a text', () => {
    expect(
      redactUrls(
        `Request cannot be constructed from a URL that includes credentials: ${URL_WITH_CREDENTIALS}`,
      ),
    ).toBe('Request cannot be constructed from a URL that includes credentials: https://***@127.0.0.1:1/…');
    expect(redactUrls('HTTP 503')).toBe('HTTP 503');
  });
});

describe('a webhook URL with credentials', () => {
  it('given a failing delivery, then neither the logs nor the ledger hold the credentials', async () => {
    const dir = tempDir();
    const config = loadConfig({ CHANPERF_DATA_DIR: dir });
    if (E.isLeft(config)) throw new Error(config.left);
    const raw: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => raw.push(line) });
    const runtime = openRuntime(
      { ...config.right, webhook: { url: URL_WITH_CREDENTIALS, secret: 'k' } },
      logger,
    );
    teardown.push(() => runtime.close());
    const alerting = startAlerting(runtime, {
      initialDelayMs: 1,
      maxDelayMs: 2,
      // Long enough for a second attempt on a loaded machine (each one is a refused connection).
      maxElapsedMs: 1000,
      random: () => 0.5,
      pollMs: 50,
    });
    const projection = startProjection(runtime, { pollMs: 50 });
    teardown.push(async () => {
      await alerting.stop();
      await projection.stop();
    });
    const lines = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    await createIngestion(runtime).ingest(
      lines.map((text, i) => ({ text, source: 'basic.ndjson', line: i + 1 })),
    );

    const record = await alerting.waitForAlert(IDS[0]!);
    expect(record.status).toBe('failed');
    expect(record.attempts).toBeGreaterThan(1);
    const log = raw.join('');
    expect(log).toContain('webhook delivery failed');
    expect(log).toContain('webhook delivery given up');
    const file = new Database(runtime.dbPath, { readonly: true });
    const rows = JSON.stringify(file.prepare('SELECT * FROM alert_deliveries').all());
    file.close();
    for (const secret of SECRETS) {
      expect(log).not.toContain(secret);
      expect(rows).not.toContain(secret);
    }
    expect(record.lastError).toContain('https://***@127.0.0.1:1/…');
  });

  it('given an error quoting such a URL, then the ledger stores it redacted', () => {
    const dir = tempDir();
    const config = loadConfig({ CHANPERF_DATA_DIR: dir });
    if (E.isLeft(config)) throw new Error(config.left);
    const runtime = openRuntime(config.right, pino({ level: 'silent' }));
    teardown.push(() => runtime.close());
    const ledger = deliveryLedger(runtime.store.deliveryLedger());
    ledger.recordLogged('a/1', 'pending', '2026-01-01T00:00:00Z');
    ledger.recordAttemptFailed('a/1', `fetch failed: ${URL_WITH_CREDENTIALS}`);
    expect(ledger.get('a/1')?.lastError).toBe('fetch failed: https://***@127.0.0.1:1/…');
    ledger.recordGivenUp('a/1', `fetch failed: ${URL_WITH_CREDENTIALS}`);
    expect(ledger.get('a/1')?.lastError).toBe('fetch failed: https://***@127.0.0.1:1/…');
  });
});
