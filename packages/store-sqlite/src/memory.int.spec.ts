/**
 * Memory does not grow with the log: the projection's JavaScript state grows with channels ×
 * months, while what grows with every sale (distinct orders, the sale a return refers to,
 * certified trainees) lives in SQLite, or (orders, sales) in typed arrays of ~8 bytes a slot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings, type ProjectionState } from '@chanperf/domain';
import { Ingestor, ProjectionRunner } from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { sqliteConnections } from './connections.js';
import { sqliteStore } from './sqliteStore.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Counts every array element, map/set entry and object key reachable from `root`. */
function graphSize(root: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  let n = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    const children: unknown[] =
      v instanceof Map
        ? [...v.entries()]
        : v instanceof Set
          ? [...v]
          : Array.isArray(v)
            ? v
            : Object.values(v);
    n += children.length;
    stack.push(...children);
  }
  return n;
}

async function project(salesPerPartnerMonth: number) {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-memory-'));
  dirs.push(dir);
  const store = sqliteStore({ path: join(dir, 'm.db'), settings: defaultSettings });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  const runner = new ProjectionRunner(store.log, store.readStore, defaultSettings);
  const lines = [
    ...generateFeed({ seed: 3, partners: 40, months: 6, salesPerPartnerMonth, badLineRatio: 0 }),
  ];
  for (let i = 0; i < lines.length; i += 2000) {
    await ingestor.ingest(
      lines.slice(i, i + 2000).map((text, j) => ({ text, source: 'gen', line: i + j + 1 })),
    );
    await runner.catchUp();
  }
  const state: ProjectionState = (await store.readStore.load()).state;
  const files = sqliteConnections(store);
  const orders = files.readModel
    .prepare('SELECT COALESCE(MAX(first + length(hashes) / 4), 0) FROM rm_order_keys')
    .pluck()
    .get() as number;
  const sales = files.log
    .prepare(`SELECT COUNT(*) FROM events WHERE type = 'SaleRecorded'`)
    .pluck()
    .get() as number;
  const size = graphSize(state);
  store.close();
  return { size, orders, sales };
}

describe('memory does not grow with the log', () => {
  it('given 15× more sales over the same partners and months, the JS state stays the same size', async () => {
    const small = await project(2);
    const large = await project(30);
    expect(large.sales).toBeGreaterThan(small.sales * 8);
    // Every order's key is on disk…
    expect(large.orders).toBeGreaterThan(small.orders * 8);
    // …and the in-memory state barely moves (promotions and late events vary a little).
    expect(large.size).toBeLessThan(small.size * 1.2);
  }, 120_000);
});
