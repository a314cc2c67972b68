/** The `RejectedBytes` port over the log's `rejected` table, which keeps each input's bytes as received. */
import type { Database } from 'better-sqlite3';
import type { RejectedBytes } from '@chanperf/engine';

/** The rejected store's bytes over the log's connection `db`. */
export function sqliteRejectedBytes(db: Database): RejectedBytes {
  const raw = db.prepare<[number], Buffer>(`SELECT raw FROM rejected WHERE id = ?`).pluck();
  return {
    rawBytes: (id) => Promise.resolve(raw.get(id)),
  };
}
