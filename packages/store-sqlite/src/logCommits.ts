/**
 * The log's commit records (issue 18, as-of reads): one row per commit of the log's file, in
 * the commit's own transaction, with the head after it, when it was made (Unix ms of the
 * appending process's clock: the log's `events` rows carry no time), the ingestion counts and
 * the last rejected input's id by then. `asOf=<instant>` resolves to the last commit made at
 * or before the instant; the report as of a position shows the counts and rejections of the
 * last commit whose head is at or before it. Logs written before this table existed have no
 * rows for their earlier commits.
 */
import type { Database as DB, Statement } from 'better-sqlite3';
import type { RejectionCode } from '@chanperf/domain';
import type { LogCommit, LogCommits } from '@chanperf/engine';
import { eventIdOf } from './rejectedStore.js';

function migrateLogCommits(db: DB): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS log_commits (
      id INTEGER PRIMARY KEY, head INTEGER NOT NULL, appended_at INTEGER NOT NULL,
      lines INTEGER NOT NULL, accepted INTEGER NOT NULL, duplicates INTEGER NOT NULL,
      rejected INTEGER NOT NULL, last_rejected INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS log_commits_head ON log_commits (head);
    CREATE INDEX IF NOT EXISTS log_commits_appended_at ON log_commits (appended_at);
  `);
}

/** Records a commit: call inside the commit's transaction, after its writes. */
export function logCommitRecorder(db: DB): (appendedAt: number) => void {
  migrateLogCommits(db);
  const insert = db.prepare(
    `INSERT INTO log_commits (head, appended_at, lines, accepted, duplicates, rejected, last_rejected)
     SELECT (SELECT COALESCE(MAX(position), 0) FROM events), ?, lines, accepted, duplicates, rejected,
            (SELECT COALESCE(MAX(id), 0) FROM rejected)
       FROM ingest_counts WHERE id = 1`,
  );
  return (appendedAt) => {
    insert.run(appendedAt);
  };
}

interface CommitRow {
  head: number;
  appended_at: number;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  last_rejected: number;
}

function commitOf(r: CommitRow | undefined): LogCommit | undefined {
  if (r === undefined) return undefined;
  return {
    head: r.head,
    appendedAt: r.appended_at,
    counts: { lines: r.lines, accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected },
    lastRejectedId: r.last_rejected,
  };
}

/** The commit records of the log in `db`. */
export function sqliteLogCommits(db: DB): LogCommits {
  migrateLogCommits(db);
  const atPosition: Statement<[number], CommitRow> = db.prepare(
    `SELECT * FROM log_commits WHERE head <= ? ORDER BY head DESC, id DESC LIMIT 1`,
  );
  const atInstant: Statement<[number], CommitRow> = db.prepare(
    `SELECT * FROM log_commits WHERE id = (SELECT MAX(id) FROM log_commits WHERE appended_at <= ?)`,
  );
  const rejected = db.prepare<
    [number],
    { line: number | null; event_id: string | null; code: RejectionCode }
  >(`SELECT line, event_id, code FROM rejected WHERE id <= ? ORDER BY id`);
  return {
    atPosition: (position) => commitOf(atPosition.get(position)),
    atInstant: (instantMs) => commitOf(atInstant.get(instantMs)),
    recorded: () => db.prepare(`SELECT 1 FROM log_commits LIMIT 1`).get() !== undefined,
    rejectedUpTo: (lastId) =>
      rejected.all(lastId).map((r) => ({ line: r.line ?? 0, eventId: eventIdOf(r.event_id), code: r.code })),
  };
}
