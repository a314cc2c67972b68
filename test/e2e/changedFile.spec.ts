/**
 * `chanperf ingest` of a second export that shares its first 113 KB with one already
 * ingested (so the same first 64 KiB, which name a file): every new sale is ingested, and
 * stderr says the file changed and was read from the start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-changed-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (eventId: string, type: string, data: object, channelId = 'CH-A') =>
  JSON.stringify({ eventId, type, occurredAt: '2026-01-10T10:00:00+08:00', channelId, data });
const sale = (id: string) =>
  line(id, 'SaleRecorded', { orderId: id, sku: 'P1', quantity: 1, netAmount: '10.00', currency: 'CNY' });

describe('chanperf ingest: a different file with the same beginning', () => {
  it('ingests every line of the second file, exit 0, and says why on stderr', () => {
    const common = [
      line('reg-a', 'ChannelRegistered', { name: 'A', kind: 'reseller' }),
      ...Array.from({ length: 650 }, (_, i) => sale(`common-${i}`)),
    ];
    const day1 = join(dir, 'day1.ndjson');
    const day2 = join(dir, 'day2.ndjson');
    writeFileSync(
      day1,
      `${[...common, ...Array.from({ length: 300 }, (_, i) => sale(`day1-${i}`))].join('\n')}\n`,
    );
    writeFileSync(
      day2,
      `${[...common, ...Array.from({ length: 500 }, (_, i) => sale(`day2-${i}`))].join('\n')}\n`,
    );
    expect(common.join('\n').length).toBeGreaterThan(113_000);
    const db = join(dir, 'chanperf.db');

    const first = chanperf(['ingest', day1, '--db', db, '--no-project']);
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ accepted: 951 });

    const second = chanperf(['ingest', day2, '--db', db, '--no-project']);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      lines: 1151,
      accepted: 500,
      duplicates: 651,
      rejected: 0,
      resumedFromLine: 0,
    });
    expect(second.stderr).toMatch(/file changed since it was ingested/);
    expect(second.stderr).toMatch(/ingesting it from the start/);

    const again = chanperf(['ingest', day2, '--db', db, '--no-project']);
    expect(JSON.parse(again.stdout)).toMatchObject({ lines: 0, resumedFromLine: 1151 });
    expect(again.stderr).toBe('');
  });
});
