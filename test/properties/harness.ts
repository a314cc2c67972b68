/**
 * Drives the three implementations of the pipeline with the same lines: `runScenario` (pure,
 * in memory), the engine over the in-memory adapters, and the engine over SQLite. The engine is
 * fed in chunks following a batch plan, projecting (`catchUp`) between some chunks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultSettings,
  normalizeLine,
  runScenario,
  type Report,
  type ScenarioOutcome,
} from '@chanperf/domain';
import {
  InMemoryEventLog,
  InMemoryReadStore,
  Ingestor,
  ProjectionRunner,
  reportOf,
  type EventLog,
  type Feed,
  type Outcome,
  type RawInput,
  type ReadStore,
  type RejectedStore,
} from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { expect } from 'vitest';
import { chunksOf, type BatchStep, type Line } from './arbitraries.js';

export const settings = defaultSettings;

/** What the file reader hands the engine: BOM (first line) and trailing CR removed. */
export function toInputs(lines: readonly Line[]): RawInput[] {
  return lines.map((l, i) => {
    const text = normalizeLine(l.text, i === 0);
    return l.bytes === undefined
      ? { text, source: 'prop.ndjson', line: i + 1 }
      : { text, source: 'prop.ndjson', line: i + 1, bytes: l.bytes };
  });
}

/** Non-blank lines, by the spec's words (§2), computed independently of the code under test. */
export function nonBlankCount(lines: readonly Line[]): number {
  return lines.filter((l, i) => {
    let t = i === 0 && l.text.startsWith('\ufeff') ? l.text.slice(1) : l.text;
    if (t.endsWith('\r')) t = t.slice(0, -1);
    return !/^[ \t\r]*$/.test(t);
  }).length;
}

export interface RunResult {
  readonly report: Report;
  readonly outcomes: Outcome[];
}

export function scenario(lines: readonly Line[]): { report: Report; outcomes: ScenarioOutcome[] } {
  const r = runScenario(
    lines.map((l) => l.text),
    settings,
  );
  return { report: r.report, outcomes: r.outcomes };
}

async function drive(
  log: EventLog & Feed & RejectedStore,
  store: ReadStore,
  lines: readonly Line[],
  plan: readonly BatchStep[],
): Promise<RunResult> {
  const ingestor = new Ingestor(log, settings);
  await ingestor.init();
  const runner = new ProjectionRunner(log, store, settings);
  const outcomes: Outcome[] = [];
  for (const chunk of chunksOf(toInputs(lines), plan)) {
    outcomes.push(...(await ingestor.ingest(chunk.items)));
    if (chunk.catchUp) await runner.catchUp();
  }
  return { report: await reportOf(runner, log, store, log, settings), outcomes };
}

export function runMemory(lines: readonly Line[], plan: readonly BatchStep[]): Promise<RunResult> {
  const log = new InMemoryEventLog();
  return drive(log, new InMemoryReadStore(), lines, plan);
}

/** A fresh database file in its own temp folder, removed (with its WAL files) afterwards. */
export async function withTempDb<T>(f: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-prop-'));
  try {
    return await f(join(dir, 'chanperf.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SQLite; `indexFingerprintBits: 4` makes most order and sale lookups confirm a false candidate. */
export function runSqlite(
  lines: readonly Line[],
  plan: readonly BatchStep[],
  options: { indexFingerprintBits?: number } = {},
): Promise<RunResult> {
  return withTempDb(async (path) => {
    const db = sqliteStore({ path, settings, ...options });
    try {
      return await drive(db.log, db.readStore, lines, plan);
    } finally {
      db.close();
    }
  });
}

/**
 * SQLite with restarts: after some chunks the store is closed and reopened, and a new ingestor
 * and projection runner resume from what the file holds.
 */
export function runSqliteRestarting(
  lines: readonly Line[],
  plan: readonly BatchStep[],
  restartAfter: readonly boolean[],
): Promise<RunResult> {
  return withTempDb(async (path) => {
    let db = sqliteStore({ path, settings });
    try {
      let ingestor = new Ingestor(db.log, settings);
      await ingestor.init();
      let runner = new ProjectionRunner(db.log, db.readStore, settings);
      const outcomes: Outcome[] = [];
      let i = 0;
      for (const chunk of chunksOf(toInputs(lines), plan)) {
        outcomes.push(...(await ingestor.ingest(chunk.items)));
        if (chunk.catchUp) await runner.catchUp();
        if (restartAfter[i++ % Math.max(restartAfter.length, 1)] === true) {
          db.close();
          db = sqliteStore({ path, settings });
          ingestor = new Ingestor(db.log, settings);
          await ingestor.init();
          runner = new ProjectionRunner(db.log, db.readStore, settings);
        }
      }
      return { report: await reportOf(runner, db.log, db.readStore, db.log, settings), outcomes };
    } finally {
      db.close();
    }
  });
}

/** The report as the CLI prints it: JSON (so key order counts, undefined fields vanish). */
export function asJson(report: Report): string {
  return JSON.stringify(report);
}

/** A run's result, or how it failed: equal inputs must give equal results, failures included. */
export type Settled =
  | { readonly ok: true; readonly report: Report; readonly outcomes: readonly unknown[] }
  | { readonly ok: false; readonly error: string };

export async function settle(
  run: () => RunResult | Promise<RunResult> | { report: Report; outcomes: readonly unknown[] },
): Promise<Settled> {
  try {
    const r = await run();
    return { ok: true, report: r.report, outcomes: r.outcomes };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** Same report (see below) and, unless `outcomes` is false, the same per-line outcomes. */
export function expectSameResult(actual: Settled, expected: Settled, outcomes = true): void {
  if (!expected.ok || !actual.ok) {
    expect(actual.ok ? 'a report' : actual.error).toBe(expected.ok ? 'a report' : expected.error);
    return;
  }
  expectSameReport(actual.report, expected.report);
  if (outcomes) expect(actual.outcomes).toStrictEqual(expected.outcomes);
}

/** Deep-equal as printed JSON: same values, and the same key order (alerts: id and kind first). */
export function expectSameReport(actual: Report, expected: Report): void {
  expect(JSON.parse(asJson(actual))).toStrictEqual(JSON.parse(asJson(expected)));
  expect(asJson(actual)).toBe(asJson(expected));
}
