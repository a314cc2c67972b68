/**
 * The projection keeps only recent months in memory (spillingMonths.ts): after a year closed
 * month by month, each channel holds the last two closed months and the open ones; older
 * months are read back from the read model by late events, the report and a reloaded state,
 * and the figures are those of the pure reference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSettings, parseMonth, runScenario } from '@chanperf/domain';
import { Ingestor, ProjectionRunner, reportOf } from '@chanperf/engine';
import { generateFeed } from '@chanperf/testing';
import { HOT_CLOSED_MONTHS } from './spillingMonths.js';
import { sqliteStore } from './sqliteStore.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-spill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const year = [...generateFeed({ seed: 11, partners: 30, months: 12, salesPerPartnerMonth: 4 })];
interface SaleLine {
  type?: string;
  data?: Record<string, unknown>;
}

/** Late events for a month well behind the last close: a sale and a return of the feed's first sale. */
function lateLines(): string[] {
  const parsed = (l: string): SaleLine | undefined => {
    try {
      return JSON.parse(l) as SaleLine;
    } catch {
      return undefined; // one of the feed's bad lines
    }
  };
  const first = year.map(parsed).find((e) => e?.type === 'SaleRecorded' && e.data !== undefined);
  if (first === undefined) throw new Error('the feed has no sale');
  const late = (type: string, id: string) =>
    JSON.stringify({ ...first, eventId: id, type, data: { ...first.data, netAmount: '12.34', quantity: 1 } });
  return [late('SaleRecorded', 'late-sale-1'), late('SaleReturned', 'late-return-1')];
}

async function replay(lines: readonly string[], path: string) {
  const store = sqliteStore({ path, settings: defaultSettings });
  const ingestor = new Ingestor(store.log, defaultSettings);
  await ingestor.init();
  const runner = new ProjectionRunner(store.log, store.readStore, defaultSettings, { batchSize: 500 });
  for (let i = 0; i < lines.length; i += 1000) {
    await ingestor.ingest(
      lines.slice(i, i + 1000).map((text, j) => ({ text, source: 'gen', line: i + j + 1 })),
    );
    await runner.catchUp();
  }
  return { store, runner };
}

describe('months that left memory', () => {
  it('given a year closed month by month, memory holds the last two closed months and the open ones', async () => {
    const { store, runner } = await replay(year, join(dir, 'year.db'));
    const state = await runner.current();
    expect(state.lastClosed).not.toBeNull();
    const hotFrom = (state.lastClosed ?? 0) - HOT_CLOSED_MONTHS + 1;
    let held = 0;
    for (const c of state.channels.values()) {
      for (const m of c.months.keys()) {
        expect(m).toBeGreaterThanOrEqual(hotFrom);
        held++;
      }
    }
    expect(held).toBeGreaterThan(0);
    // …while the report still has every month, as the reference computes it.
    const report = await reportOf(runner, store.log, store.readStore, store.log, defaultSettings);
    expect(JSON.parse(JSON.stringify(report))).toEqual(
      JSON.parse(JSON.stringify(runScenario(year, defaultSettings).report)),
    );
    expect(report.channels[0]?.months[0]?.month).toBe('2026-01');
    store.close();
  }, 120_000);

  it('given late events for a month on disk, they restate it and the report equals the reference, before and after reopening', async () => {
    const lines = [...year, ...lateLines()];
    const path = join(dir, 'late.db');
    const { store, runner } = await replay(lines, path);
    const reference = JSON.parse(JSON.stringify(runScenario(lines, defaultSettings).report)) as {
      channels: { months: { month: string; restated: boolean }[] }[];
    };
    const report = JSON.parse(
      JSON.stringify(await reportOf(runner, store.log, store.readStore, store.log, defaultSettings)),
    ) as unknown;
    expect(report).toEqual(reference);
    const state = await runner.current();
    const january = parseMonth('2026-01') ?? 0;
    expect(january).toBeLessThan((state.lastClosed ?? 0) - HOT_CLOSED_MONTHS + 1);
    expect(reference.channels.some((c) => c.months.some((m) => m.month === '2026-01' && m.restated))).toBe(
      true,
    );
    // The restated month left memory again once saved.
    for (const c of state.channels.values()) expect([...c.months.keys()]).not.toContain(january);
    store.close();

    const reopened = sqliteStore({ path, settings: defaultSettings });
    const again = new ProjectionRunner(reopened.log, reopened.readStore, defaultSettings);
    expect(
      JSON.parse(
        JSON.stringify(
          await reportOf(again, reopened.log, reopened.readStore, reopened.log, defaultSettings),
        ),
      ),
    ).toEqual(reference);
    reopened.close();
  }, 120_000);
});
