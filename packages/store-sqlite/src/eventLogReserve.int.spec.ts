/**
 * `SqliteEventLog.reserve`: a hint that makes the eventId index's room at once, before the log's
 * first append or after some. Whatever the hint (too small, too large, given twice), every id
 * the log holds is still known: a line sent again is a duplicate, a new one is accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import { Ingestor } from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { sqliteStore } from './sqliteStore.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-reserve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  ...generateFeed({ seed: 5, partners: 20, months: 3, salesPerPartnerMonth: 6, badLineRatio: 0 }),
];

async function run(name: string, hints: { before?: number; after?: number }) {
  const store = sqliteStore({ path: join(dir, `${name}.db`), settings: defaultSettings });
  try {
    const ingestor = new Ingestor(store.log, defaultSettings);
    await ingestor.init();
    const inputs = (from: number, to: number) =>
      LINES.slice(from, to).map((text, i) => ({ text, source: 'gen', line: from + i + 1 }));
    const statuses = async (from: number, to: number) => {
      const counts: Record<string, number> = {};
      for (const o of await ingestor.ingest(inputs(from, to))) counts[o.status] = (counts[o.status] ?? 0) + 1;
      return counts;
    };
    if (hints.before !== undefined) store.log.reserve?.(hints.before);
    const half = Math.floor(LINES.length / 2);
    const first = await statuses(0, half);
    if (hints.after !== undefined) store.log.reserve?.(hints.after);
    const again = await statuses(0, half);
    const rest = await statuses(half, LINES.length);
    return { first, again, rest, head: await store.log.head() };
  } finally {
    store.close();
  }
}

describe('the event log’s reserve hint', () => {
  it('changes no outcome, given before the first append, after some, too small or too large', async () => {
    const plain = await run('plain', {});
    expect(plain.first.accepted).toBeGreaterThan(100);
    // The same lines again: nothing accepted, every accepted one now a duplicate.
    expect(plain.again.accepted).toBeUndefined();
    expect(plain.again.duplicate).toBeGreaterThanOrEqual(plain.first.accepted ?? 0);
    for (const [name, hints] of [
      ['before', { before: LINES.length }],
      ['after', { after: LINES.length * 4 }],
      ['small', { before: 3, after: 5 }],
      ['both', { before: 100_000, after: 200_000 }],
    ] as const) {
      expect(await run(name, hints)).toEqual(plain);
    }
  });
});
