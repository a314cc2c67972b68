/**
 * The log's append, 64 rows to a statement: the positions it answers are the rows' rowids, in
 * order, across statements and the rest written a row at a time; an eventId already in the
 * log, or twice in one batch (its first copy not written yet, or written by an earlier
 * statement), answers 0 and is written once. A log made with a unique index on its eventIds
 * (before the in-memory index) appends a row at a time, with the same answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestBatch, NewLogEntry } from '@chanperf/engine';
import { SqliteEventLog } from './eventLog.js';
import { migrate } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-log-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(id: string): NewLogEntry {
  const payload = JSON.stringify({ eventId: id, type: 'TrainingCompleted', channelId: 'CH-1' });
  return { eventId: id, type: 'TrainingCompleted', channelId: 'CH-1', payload };
}

function batchOf(ids: readonly string[]): IngestBatch {
  const counts = { lines: ids.length, accepted: ids.length, duplicates: 0, rejected: 0 };
  return { accepted: ids.map(entry), rejected: [], counts };
}

function openLog(name: string, uniqueIndex: boolean) {
  const db = new Database(join(dir, `${name}.db`));
  migrate(db);
  if (uniqueIndex) db.exec(`CREATE UNIQUE INDEX legacy_event_ids ON events (event_id)`);
  return { db, log: new SqliteEventLog(db) };
}

describe.each([
  ['64 rows to a statement', false],
  ['a log with a unique eventId index, a row at a time', true],
])('the log append (%s)', (name, uniqueIndex) => {
  it('answers each new entry its rowid in order, and 0 for an id held or repeated in the batch', async () => {
    const { db, log } = openLog(name.replaceAll(' ', '-'), uniqueIndex);
    try {
      const first = Array.from({ length: 70 }, (_, i) => `A-${i}`);
      expect((await log.commit(batchOf(first))).positions).toEqual(first.map((_, i) => i + 1));
      // 200 ids: A-3 is in the log; B-5 is repeated while its first copy is unwritten (same
      // statement) and again after its statement ran; the batch ends with 200 − 3 rows, 197 =
      // 3 × 64 + 5 (the rest a row at a time).
      const ids = Array.from({ length: 200 }, (_, i) => `B-${i}`);
      ids[10] = 'A-3';
      ids[20] = 'B-5';
      ids[150] = 'B-5';
      const { positions } = await log.commit(batchOf(ids));
      const zeros = positions.flatMap((p, i) => (p === 0 ? [i] : []));
      expect(zeros).toEqual([10, 20, 150]);
      const written = positions.filter((p) => p !== 0);
      expect(written).toEqual(Array.from({ length: 197 }, (_, i) => 71 + i));
      expect(await log.head()).toBe(70 + 197);
      const rows = db.prepare(`SELECT position, event_id FROM events ORDER BY position`).all() as {
        position: number;
        event_id: string;
      }[];
      const expected = [...first, ...ids.filter((_, i) => !zeros.includes(i))];
      expect(rows.map((r) => r.event_id)).toEqual(expected);
      expect(rows.map((r) => r.position)).toEqual(expected.map((_, i) => i + 1));
      // What is read back is what was appended, payload for payload.
      expect((await log.read(70, 3)).map((e) => e.payload)).toEqual(
        ids.slice(0, 3).map((id) => entry(id).payload),
      );
    } finally {
      db.close();
    }
  });
});
