/**
 * Resuming a file: `ingest` identifies a file by its first 64 KiB and resumes at the stored
 * offset only when the bytes before it are the ones ingested (their sha256 is kept with the
 * checkpoint). A different file that merely shares a long prefix is ingested from the start.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultEngineConfig } from '@chanperf/runtime/engine';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from './commandEngine.js';
import { estimateLines, ingestFile, reservationFor } from './pipeline.js';
import { fileKey } from './resumePoint.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-resume-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const REG = JSON.stringify({
  eventId: 'reg-a',
  type: 'ChannelRegistered',
  occurredAt: '2026-01-02T10:00:00+08:00',
  channelId: 'CH-A',
  data: { name: 'A', kind: 'reseller' },
});
const sale = (id: string) =>
  JSON.stringify({
    eventId: id,
    type: 'SaleRecorded',
    occurredAt: '2026-01-10T10:00:00+08:00',
    channelId: 'CH-A',
    data: { orderId: id, sku: 'P1', quantity: 1, netAmount: '10.00', currency: 'CNY' },
  });
const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => sale(`${prefix}-${i}`));

/** The registration and 800 sales: about 140 KB, well past the 64 KiB that name a file. */
const COMMON = [REG, ...lines('common', 800)];
const write = (name: string, body: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${body.join('\n')}\n`);
  return path;
};

function capture() {
  const logs: { msg: string; level: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(l) as never);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), logs };
}

async function ingest(db: string, path: string) {
  const { logger, logs } = capture();
  const engine = await openEngine(db, defaultEngineConfig, logger);
  try {
    const summary = await ingestFile(engine, path, { project: false, batchSize: 300, logger });
    return { summary, logs, counts: await engine.store.log.counts() };
  } finally {
    engine.close();
  }
}

describe('ingest: a different file sharing a long prefix', () => {
  it('is ingested from the start, and says so, instead of being resumed in the middle', async () => {
    const db = join(dir, 'days.db');
    const day1 = write('day1.ndjson', [...COMMON, ...lines('day1', 200)]);
    const day2 = write('day2.ndjson', [...COMMON, ...lines('day2', 400)]);
    expect(fileKey(day1)).toBe(fileKey(day2));

    const first = await ingest(db, day1);
    expect(first.summary).toMatchObject({ lines: 1001, accepted: 1001, resumedFromLine: 0 });

    const second = await ingest(db, day2);
    expect(second.summary).toMatchObject({
      lines: 1201,
      accepted: 400,
      duplicates: 801,
      rejected: 0,
      resumedFromLine: 0,
    });
    expect(
      second.logs.some((l) => l.level === 40 && /changed/.test(l.msg) && /from the start/.test(l.msg)),
    ).toBe(true);
    expect(second.counts.accepted).toBe(1401);

    // Each file now resumes at its own end: nothing is read twice.
    expect((await ingest(db, day2)).summary).toMatchObject({ lines: 0, resumedFromLine: 1201 });
    expect((await ingest(db, day1)).summary).toMatchObject({ lines: 0, resumedFromLine: 1001 });

    // A third file with the same start gets a checkpoint of its own as well.
    const day3 = write('day3.ndjson', [...COMMON, ...lines('day3', 10)]);
    expect((await ingest(db, day3)).summary).toMatchObject({ lines: 811, accepted: 10, resumedFromLine: 0 });
    expect((await ingest(db, day3)).summary).toMatchObject({ lines: 0, resumedFromLine: 811 });
    expect((await ingest(db, day2)).summary).toMatchObject({ lines: 0, resumedFromLine: 1201 });
  });

  it('still resumes a file that grew (an export appended to), after the lines already ingested', async () => {
    const db = join(dir, 'grown.db');
    const path = join(dir, 'grown.ndjson');
    writeFileSync(path, `${[...COMMON, ...lines('g', 100)].join('\n')}\n`);
    expect((await ingest(db, path)).summary).toMatchObject({ lines: 901, resumedFromLine: 0 });
    writeFileSync(path, `${[...COMMON, ...lines('g', 150)].join('\n')}\n`);
    const again = await ingest(db, path);
    expect(again.summary).toMatchObject({ lines: 50, accepted: 50, duplicates: 0, resumedFromLine: 901 });
    expect(again.logs.some((l) => l.level >= 40)).toBe(false);
  });

  it('resumes a changed file that was itself cut short, under its own checkpoint', async () => {
    const db = join(dir, 'cut.db');
    const day1 = write('cut1.ndjson', [...COMMON, ...lines('c1', 50)]);
    await ingest(db, day1);
    const partial = write('cut2.ndjson', [...COMMON, ...lines('c2', 30)]);
    expect((await ingest(db, partial)).summary).toMatchObject({ accepted: 30, resumedFromLine: 0 });
    const whole = write('cut2.ndjson', [...COMMON, ...lines('c2', 80)]);
    expect((await ingest(db, whole)).summary).toMatchObject({
      lines: 50,
      accepted: 50,
      resumedFromLine: 831,
    });
  });

  it('ingests a file shorter than what was recorded under its key from the start', async () => {
    const db = join(dir, 'short.db');
    await ingest(db, write('long.ndjson', [...COMMON, ...lines('l', 100)]));
    const short = await ingest(db, write('short.ndjson', [...COMMON.slice(0, 700), sale('short-1')]));
    expect(short.summary).toMatchObject({ lines: 701, accepted: 1, duplicates: 700, resumedFromLine: 0 });
  });

  it('resumes a checkpoint of an older database (no hash) as before, and hashes from then on', async () => {
    const db = join(dir, 'legacy.db');
    const path = write('legacy.ndjson', [...COMMON, ...lines('old', 20)]);
    await ingest(db, path);
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db);
    conn.prepare(`UPDATE sources SET prefix_sha256 = NULL`).run();
    conn.close();
    writeFileSync(path, `${[...COMMON, ...lines('old', 30)].join('\n')}\n`);
    const resumed = await ingest(db, path);
    expect(resumed.summary).toMatchObject({ lines: 10, accepted: 10, resumedFromLine: 821 });
    expect(resumed.logs.some((l) => l.level === 40 && /unverified/.test(l.msg))).toBe(true);
    const engine = await openEngine(db, defaultEngineConfig, pino({ level: 'silent' }));
    try {
      expect((await engine.store.log.sourceCheckpoint(fileKey(path)))?.prefixHash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      engine.close();
    }
  });
});

describe('estimateLines (room made once in the eventId index)', () => {
  it('estimates the lines after an offset from a sample in their middle', () => {
    const equal = Array.from({ length: 5000 }, (_, i) => sale(`e-${String(i).padStart(5, '0')}`));
    const path = write('estimate.ndjson', equal);
    const size = statSync(path).size;
    const each = size / 5000;
    expect(estimateLines(path, 0, size)).toBe(5000);
    expect(estimateLines(path, 1000 * each, size)).toBe(4000);
    expect(estimateLines(path, size, size)).toBeUndefined();
  });

  it('is not misled by an untypical start, and gives nothing for a sample without a line end', () => {
    // 200 long lines (400 KB: registrations, say), then 200 000 short ones (4 MB).
    const long = Array.from({ length: 200 }, () => 'x'.repeat(2000));
    const path = write('skewed.ndjson', [...long, ...Array.from({ length: 200_000 }, () => 'y'.repeat(19))]);
    const size = statSync(path).size;
    const estimate = estimateLines(path, 0, size) ?? 0;
    expect(estimate).toBeGreaterThan(200_200);
    expect(estimate).toBeLessThan(200_200 * 1.15);
    const oneLine = write('one.ndjson', ['z'.repeat(3 << 20)]);
    expect(estimateLines(oneLine, 0, statSync(oneLine).size - 1)).toBeUndefined();
  });

  it('reserves a tenth more than estimated, and never more than 2^27 entries', () => {
    expect(reservationFor(1000)).toBe(1100);
    expect(reservationFor(9_904_828)).toBe(10_895_311);
    expect(reservationFor(500_000_000)).toBe(2 ** 27);
  });
});
