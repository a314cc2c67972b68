/**
 * Partner statements on a generated v2 stream (packages/feed-generator: 40 partners, 6 months,
 * returns, promotions, targets, price cuts, bad lines), through the built CLI: a partner with a
 * price-protection claim in 2026-Q1 gets a statement whose figures are the report's (months,
 * target, claims), verified identical; after a late return into one of its closed months the
 * statement still verifies at its position and names the restated figures, each of them the
 * figure of a statement issued at the new head.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { statementAt } from '@chanperf/query';
import { sqliteStore } from '@chanperf/store-sqlite';
import { writeFeed } from '@chanperf/testing';
import { chanperf } from '../support/cli.js';
import { hashOfFigures, issue, lateReturn, verify } from './support.js';

interface Report {
  channels: { channelId: string; months: { month: string }[] }[];
  targets: { channelId: string; year: string; attainmentBps: number }[];
  priceProtection: { claims: { channelId: string; month: string; credit: string }[] };
}

const inQ1 = (month: string) => month >= '2026-01' && month <= '2026-03';

let dir: string;
let db: string;
let feed: string;
let report: Report;
let channelId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-statement-gen-'));
  db = join(dir, 'c.db');
  feed = join(dir, 'feed.ndjson');
  await writeFeed(feed, { seed: 18, partners: 40, months: 6, v2: true });
  expect(chanperf(['ingest', feed, '--db', db, '--quiet']).status).toBe(0);
  report = JSON.parse(chanperf(['report', '--db', db]).stdout) as Report;
  const claimed = report.priceProtection.claims.find((c) => inQ1(c.month) && c.credit !== '0.00');
  expect(claimed).toBeDefined();
  channelId = claimed?.channelId ?? '';
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a statement of a generated v2 stream', () => {
  it('has the report’s months, target and claims of the quarter, and verifies identical', () => {
    const { statement, file } = issue(db, join(dir, 'out'), channelId, '2026-Q1', ['--format', 'json']);
    expect(hashOfFigures(statement)).toBe(statement.seal.sha256);
    const months = report.channels
      .find((c) => c.channelId === channelId)
      ?.months.filter((m) => inQ1(m.month));
    expect(statement.months.map(({ previousNet: _p, ...m }) => m)).toEqual(months);
    expect(statement.rebates.every((r) => r.consistent)).toBe(true);
    const target = report.targets.find((t) => t.channelId === channelId && t.year === '2026');
    expect(statement.target).toMatchObject({ year: '2026', attainmentBps: target?.attainmentBps });
    const claims = report.priceProtection.claims.filter((c) => c.channelId === channelId && inQ1(c.month));
    expect(statement.claims).toEqual(claims);
    expect(claims.length).toBeGreaterThan(0);

    const { status, lines } = verify(file, db);
    expect(lines.slice(1)).toEqual([
      `identical: recomputed at position ${statement.position}, every figure is the file's`,
      `restated since: nothing (position ${statement.position} → head ${statement.position})`,
    ]);
    expect(status).toBe(0);
  });

  it('after a late return into a closed month of the quarter: identical at its position, restated figures named', () => {
    const pinned = issue(db, join(dir, 'pinned'), channelId, '2026-Q1', ['--format', 'json']);
    const sale = readFileSync(feed, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"SaleRecorded"') && l.includes(`"${channelId}"`) && l.includes('"2026-02-'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e['channelId'] === channelId && String(e['occurredAt']).startsWith('2026-02-1'));
    expect(sale).toBeDefined();
    writeFileSync(join(dir, 'late.ndjson'), lateReturn(sale ?? {}, 'late-statement-1', '1.00'));
    const ingested = chanperf(['ingest', join(dir, 'late.ndjson'), '--db', db, '--quiet']);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ accepted: 1 });

    const { status, lines } = verify(pinned.file, db);
    expect(status).toBe(0);
    expect(lines[1]).toBe(
      `identical: recomputed at position ${pinned.statement.position}, every figure is the file's`,
    );
    const head = issue(db, join(dir, 'head'), channelId, '2026-Q1', ['--format', 'json']).statement;
    expect(head.position).toBe(pinned.statement.position + 1);
    const since = lines.slice(3);
    expect(lines[2]).toBe(
      `restated since (position ${pinned.statement.position} → head ${head.position}): ${since.length} figure(s)`,
    );
    const before = pinned.statement.months.find((m) => m.month === '2026-02');
    const after = head.months.find((m) => m.month === '2026-02');
    expect(after?.['restated']).toBe(true);
    expect(since).toContain(
      `  months[2026-02].returns: ${String(before?.['returns'])} → ${String(after?.['returns'])}`,
    );
    expect(since).toContain(`  months[2026-02].net: ${String(before?.['net'])} → ${String(after?.['net'])}`);
    expect(
      since.some((l) => l.startsWith('  rebates[2026-02].base.events[late-statement-1]: (none) → ')),
    ).toBe(true);
  });

  it('is the same document from the read model as saved and from a replay of the log (every quarter)', async () => {
    const store = sqliteStore({ path: db, settings: defaultSettings });
    try {
      const source = { log: store.log, channelLog: store.channelLog(), settings: defaultSettings };
      const saved = await store.readStore.load();
      expect(saved.position).toBe(await store.log.head());
      for (const quarter of ['2026-Q1', '2026-Q2']) {
        const fromReadModel = await statementAt(source, channelId, quarter, saved.position, saved);
        const replayed = await statementAt(source, channelId, quarter, saved.position);
        expect(fromReadModel).toEqual(replayed);
        expect(fromReadModel).toHaveProperty('seal');
      }
    } finally {
      store.close();
    }
  });
});
