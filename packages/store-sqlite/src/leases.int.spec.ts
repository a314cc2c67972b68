/** Leases in a SQLite file: one live holder at a time, taken over on expiry or a dead pid. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLease } from './leases.js';

let dir: string;
let dbs: Database.Database[];

/** A connection of its own to the test's file, as another process would have. */
function connection(): Database.Database {
  const db = new Database(join(dir, 'leases.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  dbs.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-leases-'));
  dbs = [];
});

afterEach(() => {
  for (const db of dbs) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteLease', () => {
  it('has one holder at a time; the holder renews and releases; then another takes it', () => {
    let now = 1_000;
    const a = new SqliteLease(connection(), 'projector', { what: 'A', ttlMs: 100, now: () => now });
    const b = new SqliteLease(connection(), 'projector', { what: 'B', ttlMs: 100, now: () => now });
    expect(a.tryAcquire()).toBe(true);
    expect(a.tryAcquire()).toBe(true); // already ours
    expect(b.tryAcquire()).toBe(false);
    expect(b.holder()).toMatchObject({ owner: a.owner, pid: process.pid, what: 'A', expiresAt: 1_100 });
    now = 1_090;
    expect(a.renew()).toBe(true);
    now = 1_150; // past the first expiry, not the renewed one
    expect(b.tryAcquire()).toBe(false);
    a.release();
    expect(b.holder()).toBeUndefined();
    expect(b.tryAcquire()).toBe(true);
    expect(a.renew()).toBe(false);
  });

  it('is taken over once it expires; the old holder learns it on its next renewal', () => {
    let now = 0;
    const a = new SqliteLease(connection(), 'alerting', { what: 'A', ttlMs: 50, now: () => now });
    const b = new SqliteLease(connection(), 'alerting', { what: 'B', ttlMs: 50, now: () => now });
    expect(a.tryAcquire()).toBe(true);
    now = 49;
    expect(b.tryAcquire()).toBe(false);
    now = 50;
    expect(b.tryAcquire()).toBe(true);
    expect(a.renew()).toBe(false);
    expect(a.holder()?.owner).toBe(b.owner);
  });

  it('is taken over at once when its holder process on this host is gone (SIGKILL)', () => {
    const db = connection();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    expect(dead).toBeGreaterThan(0);
    const b = new SqliteLease(db, 'projector', { what: 'B', ttlMs: 60_000 });
    // A row as a process that died holding the lease left it, valid for another minute.
    db.prepare(`INSERT INTO leases VALUES ('projector', 'gone', ?, ?, 'chanperf serve', ?)`).run(
      dead,
      hostname(),
      Date.now() + 60_000,
    );
    expect(b.holder()).toBeUndefined();
    expect(b.tryAcquire()).toBe(true);
  });

  it('leases of different names are independent', () => {
    const a = new SqliteLease(connection(), 'ingest:file:1', { what: 'A' });
    const b = new SqliteLease(connection(), 'ingest:file:2', { what: 'B' });
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(true);
  });
});
