/**
 * Opening one of the embedded database's files with the store's pragmas (WAL, page cache, no
 * memory-mapped I/O by default, a writer waiting up to 30 s for the file's lock).
 */
import Database from 'better-sqlite3';
import type { Database as DB } from 'better-sqlite3';
import { EngineError } from '@chanperf/engine/runner';
import { useWal } from './walMode.js';

export interface OpenConfig {
  readonly cacheMiB: number;
  readonly mmapMiB: number;
  readonly synchronous: 'FULL' | 'NORMAL' | 'OFF';
}

/** One connection per file: a transaction of one never takes the other's writer lock. */
export function openDatabase(path: string, config: OpenConfig): DB {
  let db: DB;
  try {
    db = new Database(path);
  } catch (cause) {
    throw new EngineError(
      'DB_OPEN_FAILED',
      `cannot open database ${path}: ${(cause as Error).message}`,
      false,
      {
        cause,
      },
    );
  }
  // Writers queue on the file's lock: appends and projection batches take well under a second
  // each (a command's group of batches, 50 000 events, a few seconds), so 30 s of waiting only
  // runs out when a process holds the lock far longer than any of ours does.
  db.pragma('busy_timeout = 30000');
  useWal(db, path);
  db.pragma(`synchronous = ${config.synchronous}`);
  // No memory-mapped I/O by default: mapped pages count in the process's resident memory,
  // which must stay under 1 GiB however large the files grow.
  db.pragma(`cache_size = -${config.cacheMiB * 1024}`);
  db.pragma(`mmap_size = ${config.mmapMiB * 1024 * 1024}`);
  db.pragma('temp_store = MEMORY');
  // Checkpoint every ~40 MB of WAL rather than 4 MB: ten times fewer fsyncs of the log.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}
