/**
 * The rejected inputs as read back from the log's `rejected` table (`RejectedStore`, and
 * `RejectedBytes`: each input's bytes as received). They are written by the append
 * (`eventLog.ts`), in the same transaction as the rest of their batch.
 */
import type { Database } from 'better-sqlite3';
import type { RejectedReport, RejectionCode } from '@chanperf/domain';
import type { RejectedBytes, RejectedRecord, RejectedStore } from '@chanperf/engine';

interface RejectedRow {
  id: number;
  source: string;
  line: number | null;
  event_id: string | null;
  code: RejectionCode;
  message: string;
  raw: Buffer;
  status: 'open' | 'redriven';
}

/** A stored eventId: kept as a JSON string literal, so any string survives the UTF-8 round trip. */
export function eventIdOf(stored: string | null): string | null {
  return stored === null ? null : (JSON.parse(stored) as string);
}

function toRecord(r: RejectedRow): RejectedRecord {
  return {
    id: r.id,
    source: r.source,
    line: r.line,
    eventId: eventIdOf(r.event_id),
    code: r.code,
    message: r.message,
    raw: r.raw.toString('utf8'),
    status: r.status,
  };
}

/** The rejected store over the log's connection `db`. */
export function sqliteRejectedStore(db: Database): RejectedStore & RejectedBytes {
  const raw = db.prepare<[number], Buffer>(`SELECT raw FROM rejected WHERE id = ?`).pluck();
  return {
    list(options: { afterId?: number; limit?: number } = {}): Promise<RejectedRecord[]> {
      const rows = db
        .prepare(`SELECT * FROM rejected WHERE id > ? ORDER BY id LIMIT ?`)
        .all(options.afterId ?? 0, options.limit ?? 100) as RejectedRow[];
      return Promise.resolve(rows.map(toRecord));
    },

    get(id: number): Promise<RejectedRecord | undefined> {
      const row = db.prepare(`SELECT * FROM rejected WHERE id = ?`).get(id) as RejectedRow | undefined;
      return Promise.resolve(row === undefined ? undefined : toRecord(row));
    },

    forReport(): Promise<RejectedReport[]> {
      const rows = db.prepare(`SELECT line, event_id, code FROM rejected ORDER BY id`).all() as {
        line: number | null;
        event_id: string | null;
        code: RejectionCode;
      }[];
      return Promise.resolve(
        rows.map((r) => ({ line: r.line ?? 0, eventId: eventIdOf(r.event_id), code: r.code })),
      );
    },

    rawBytes: (id) => Promise.resolve(raw.get(id)),
  };
}
