/**
 * Leases in a SQLite file: who may project into a read model, deliver alerts, or ingest a
 * given file, one process at a time. A lease row names its holder (owner id, pid, host, what)
 * and an expiry; taking it over is a transaction that sees the row as it is (IMMEDIATE), so two
 * processes never both believe they hold it. A holder renews well before expiry; a process
 * that dies stops renewing, and on the same host its lease is taken over at once once its pid
 * is gone (SIGKILL), elsewhere after the expiry.
 *
 * Time here is infrastructure time (the wall clock), never the domain's.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database as DB } from 'better-sqlite3';
import type { Lease, LeaseHolder } from '@chanperf/engine';

export interface LeaseOptions {
  /** How long a hold lasts without renewal (default 10 s). */
  readonly ttlMs?: number;
  /** For people: what holds the lease (`chanperf serve`, `chanperf ingest day1.ndjson`). */
  readonly what: string;
  /** Infrastructure clock (tests); default `Date.now`. */
  readonly now?: () => number;
  /** Owner id; default a new UUID (one per lease object). */
  readonly owner?: string;
}

interface LeaseRow {
  owner: string;
  pid: number;
  host: string;
  what: string;
  expires_at: number;
}

function createLeaseTable(db: DB): void {
  db.exec(`CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY, owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    what TEXT NOT NULL, expires_at INTEGER NOT NULL
  )`);
}

/** Whether a process with this pid runs on this host (false only when it surely does not). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const HOST = hostname();

export class SqliteLease implements Lease {
  readonly owner: string;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly get;
  private readonly put;
  private readonly extend;
  private readonly drop;
  private readonly acquireTx;

  constructor(
    private readonly db: DB,
    readonly name: string,
    private readonly options: LeaseOptions,
  ) {
    createLeaseTable(db);
    this.owner = options.owner ?? randomUUID();
    this.ttl = options.ttlMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.get = db.prepare<[string], LeaseRow>(
      `SELECT owner, pid, host, what, expires_at FROM leases WHERE name = ?`,
    );
    this.put = db.prepare(`INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?, ?, ?)`);
    this.extend = db.prepare(`UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?`);
    this.drop = db.prepare(`DELETE FROM leases WHERE name = ? AND owner = ?`);
    this.acquireTx = db.transaction((): boolean => {
      const row = this.get.get(this.name);
      if (row !== undefined && row.owner !== this.owner && this.live(row)) return false;
      this.put.run(this.name, this.owner, process.pid, HOST, this.options.what, this.now() + this.ttl);
      return true;
    });
  }

  /** A row's holder is live: not expired, and (on this host) its process still runs. */
  private live(row: LeaseRow): boolean {
    if (row.expires_at <= this.now()) return false;
    if (row.host === HOST && row.pid !== process.pid && !processAlive(row.pid)) return false;
    return true;
  }

  tryAcquire(): boolean {
    return this.acquireTx.immediate();
  }

  renew(): boolean {
    return this.extend.run(this.now() + this.ttl, this.name, this.owner).changes === 1;
  }

  release(): void {
    try {
      this.drop.run(this.name, this.owner);
    } catch {
      // closing: the lease expires on its own
    }
  }

  holder(): LeaseHolder | undefined {
    const row = this.get.get(this.name);
    if (row === undefined || !this.live(row)) return undefined;
    return { owner: row.owner, pid: row.pid, host: row.host, what: row.what, expiresAt: row.expires_at };
  }
}
