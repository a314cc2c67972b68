/**
 * Puts a connection's file in WAL mode. A new file is in rollback-journal mode until the first
 * connection switches it, and the switch needs the file to itself: two processes opening the
 * same new file at once both hold it shared and both ask for it whole, and SQLite answers one
 * of them SQLITE_BUSY at once rather than wait (a deadlock its busy handler cannot wait out).
 * That one tries again, until the other has switched the file (then there is nothing to do).
 */
import type { Database } from 'better-sqlite3';
import { EngineError } from '@chanperf/engine/runner';

const TRY_FOR_MS = 30_000;
const PAUSE_MS = 10;

const pause = new Int32Array(new SharedArrayBuffer(4));

/** `PRAGMA journal_mode = WAL`, tried again while the file is busy (at most 30 s). */
export function useWal(db: Database, path: string): void {
  const until = performance.now() + TRY_FOR_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || performance.now() > until) {
        throw new EngineError(
          'DB_OPEN_FAILED',
          `cannot put database ${path} in WAL mode: ${(err as Error).message}`,
          true,
          { cause: err },
        );
      }
      // A synchronous pause: opening a store is synchronous.
      Atomics.wait(pause, 0, 0, PAUSE_MS);
    }
  }
}
