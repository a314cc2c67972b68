/**
 * The embedded SQLite store against the port contracts. A peer is a second connection to the
 * same file (as a second `serve --only` process has); a reopen closes the file and opens it
 * again (a process restart). The read store runs with its in-memory key filters and without
 * them (every order and sale lookup on disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings } from '@chanperf/domain';
import { sqliteConnections, sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import {
  eventLogContract,
  readStoreContract,
  type EventLogHarness,
  type ReadStoreHarness,
} from '../../packages/testing/src/contracts/index.js';

/** A temporary database file and every store opened on it, closed and deleted together. */
function tempDatabase(options: { indexFingerprintBits?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-contract-'));
  const path = join(dir, 'chanperf.db');
  const open: SqliteStore[] = [];
  return {
    open(): SqliteStore {
      const store = sqliteStore({ path, settings: defaultSettings, ...options });
      open.push(store);
      return store;
    },
    closeAll(): void {
      for (const s of open.splice(0)) if (sqliteConnections(s).log.open) s.close();
    },
    close(): Promise<void> {
      this.closeAll();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

eventLogContract('sqlite', (): Promise<EventLogHarness> => {
  const db = tempDatabase();
  return Promise.resolve({
    log: db.open().log,
    close: () => db.close(),
    peer: () => Promise.resolve(db.open().log),
    reopen: () => {
      db.closeAll();
      return Promise.resolve(db.open().log);
    },
  });
});

for (const indexFingerprintBits of [32, 2]) {
  const name = indexFingerprintBits === 32 ? 'sqlite' : 'sqlite with colliding index fingerprints';
  readStoreContract(name, (): Promise<ReadStoreHarness> => {
    const db = tempDatabase({ indexFingerprintBits });
    return Promise.resolve({
      store: db.open().readStore,
      close: () => db.close(),
      reopen: () => {
        db.closeAll();
        return Promise.resolve(db.open().readStore);
      },
      peer: () => Promise.resolve(db.open().readStore),
    });
  });
}
