/**
 * The as-of history (`AsOfStore` of `@chanperf/engine`) in a file of its own beside the log,
 * `PATH-history`: derived from the log and disposable like the read model (emptied when made
 * for another log or in another format, `HISTORY_FORMAT`; `reset` drops it), so it is not
 * fsynced. Rows of what each event changed, indexed by position (a window after a snapshot)
 * and by kind and key (a channel's rows, the alerts, a channel-SKU's claim inputs); a snapshot
 * of the state every K positions.
 */
import Database from 'better-sqlite3';
import type { Database as DB } from 'better-sqlite3';
import {
  HISTORY_FORMAT,
  type AsOfStore,
  type HistoryKind,
  type HistoryRow,
  type StateSnapshot,
} from '@chanperf/engine';
import { useWal } from './walMode.js';

/** The history's file beside the log's `path`. */
export function historyPath(path: string): string {
  return `${path}-history`;
}

function migrateHistory(db: DB, logId: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS h_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const setting = db.prepare<[string], string>(`SELECT value FROM h_settings WHERE key = ?`).pluck();
  const made = setting.get('logId');
  const format = setting.get('format') ?? '1';
  // Made for another log, or written in another format: built again.
  if (made !== undefined && (made !== logId || format !== String(HISTORY_FORMAT))) {
    db.exec(`DROP TABLE IF EXISTS h_rows; DROP TABLE IF EXISTS h_snapshots;`);
    db.exec(`DELETE FROM h_settings WHERE key = 'checkpoint'`);
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS h_rows (
      seq INTEGER PRIMARY KEY, position INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
      body BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS h_rows_position ON h_rows (position);
    CREATE INDEX IF NOT EXISTS h_rows_key ON h_rows (kind, key, position);
    CREATE TABLE IF NOT EXISTS h_snapshots (position INTEGER PRIMARY KEY, body BLOB NOT NULL);
  `);
  db.prepare(`INSERT OR REPLACE INTO h_settings VALUES ('logId', ?)`).run(logId);
  db.prepare(`INSERT OR REPLACE INTO h_settings VALUES ('format', ?)`).run(String(HISTORY_FORMAT));
  db.prepare(`INSERT OR IGNORE INTO h_settings VALUES ('checkpoint', '0')`).run();
}

interface Row {
  position: number;
  kind: HistoryKind;
  key: string;
  body: Buffer;
}

/** The history store in `path` (`:memory:` for an in-memory log), for the log `logId`. */
export function sqliteAsOfStore(path: string, logId: string): AsOfStore & { close(): void } {
  const db = new Database(path);
  db.pragma('busy_timeout = 30000');
  useWal(db, path);
  db.pragma('synchronous = OFF');
  migrateHistory(db, logId);
  const checkpoint = db.prepare<[], string>(`SELECT value FROM h_settings WHERE key = 'checkpoint'`).pluck();
  const setCheckpoint = db.prepare(`UPDATE h_settings SET value = ? WHERE key = 'checkpoint'`);
  const insertRow = db.prepare(`INSERT INTO h_rows (position, kind, key, body) VALUES (?, ?, ?, ?)`);
  const insertSnapshot = db.prepare(`INSERT OR REPLACE INTO h_snapshots VALUES (?, ?)`);
  const between = db.prepare<[number, number], Row>(
    // By the position index (whose ties are in rowid order, the order written): ordering by seq
    // made SQLite scan the whole table for every window.
    `SELECT position, kind, key, body FROM h_rows INDEXED BY h_rows_position
      WHERE position > ? AND position <= ? ORDER BY position`,
  );
  const ofKey = db.prepare<[string, string, number], Row>(
    `SELECT position, kind, key, body FROM h_rows WHERE kind = ? AND key = ? AND position <= ? ORDER BY seq`,
  );
  const ofPrefix = db.prepare<[string, string, string, number], Row>(
    `SELECT position, kind, key, body FROM h_rows
      WHERE kind = ? AND key >= ? AND key < ? AND position <= ? ORDER BY seq`,
  );
  // By the (kind, key, position) index, whose ties are in rowid order: the last written first.
  const latest = db.prepare<[string, string, number], Row>(
    `SELECT position, kind, key, body FROM h_rows INDEXED BY h_rows_key
      WHERE kind = ? AND key = ? AND position <= ? ORDER BY position DESC, seq DESC LIMIT 1`,
  );
  const keys = db
    .prepare<[string, number], string>(
      `SELECT DISTINCT key FROM h_rows INDEXED BY h_rows_key WHERE kind = ? AND position <= ?`,
    )
    .pluck();
  const snapshot = db.prepare<[number], StateSnapshot>(
    `SELECT position, body FROM h_snapshots WHERE position <= ? ORDER BY position DESC LIMIT 1`,
  );
  const commit = db.transaction(
    (from: number, to: number, rows: readonly HistoryRow[], snapshots: readonly StateSnapshot[]) => {
      if (Number(checkpoint.get()) !== from) return false;
      for (const r of rows) insertRow.run(r.position, r.kind, r.key, r.body);
      for (const s of snapshots) insertSnapshot.run(s.position, s.body);
      setCheckpoint.run(String(to));
      return true;
    },
  );
  return {
    checkpoint: () => Number(checkpoint.get()),
    commit: (from, to, rows, snapshots) => commit.immediate(from, to, rows, snapshots),
    snapshotAtOrBefore: (position) => snapshot.get(position),
    *rowsBetween(after, upTo, kinds) {
      const wanted = new Set(kinds);
      for (const r of between.iterate(after, upTo)) if (wanted.has(r.kind)) yield r;
    },
    rowsOf: (kind, key, upTo, prefix) =>
      prefix === true ? ofPrefix.all(kind, key, `${key}\uffff`, upTo) : ofKey.all(kind, key, upTo),
    latestOf: (kind, key, upTo) => latest.get(kind, key, upTo),
    keysOf: (kind, upTo) => keys.all(kind, upTo),
    reset() {
      db.transaction(() => {
        db.exec(`DELETE FROM h_rows; DELETE FROM h_snapshots;`);
        setCheckpoint.run('0');
      })();
    },
    close: () => db.close(),
  };
}
