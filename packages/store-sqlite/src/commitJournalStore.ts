/**
 * The `CommitJournalStore` port in the local file: one row in `esdb_pending_commit` (created on
 * first use), for the EventStoreDB adapter's commits that span the remote log and this file.
 */
import type { Database } from 'better-sqlite3';
import type { CommitJournalStore, JournalEntry } from '@chanperf/engine';

/** The commit journal over the connection `db`. */
export function sqliteCommitJournal(db: Database): CommitJournalStore {
  db.exec(`CREATE TABLE IF NOT EXISTS esdb_pending_commit (
    id INTEGER PRIMARY KEY CHECK (id = 1), marker TEXT NOT NULL, batch TEXT NOT NULL
  )`);
  const readStmt = db.prepare<[], JournalEntry>(`SELECT marker, batch FROM esdb_pending_commit WHERE id = 1`);
  const writeStmt = db.prepare<[string, string]>(
    `INSERT OR REPLACE INTO esdb_pending_commit VALUES (1, ?, ?)`,
  );
  const clearStmt = db.prepare(`DELETE FROM esdb_pending_commit`);
  return {
    read() {
      const row = readStmt.get();
      return row === undefined ? undefined : { marker: row.marker, batch: row.batch };
    },
    write(entry) {
      writeStmt.run(entry.marker, entry.batch);
    },
    clear() {
      clearStmt.run();
    },
  };
}
