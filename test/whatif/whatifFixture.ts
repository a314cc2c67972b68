/**
 * What the what-if specs share: a generated log in a database of its own (the feed generator's
 * stream ingested with `chanperf ingest`), its program lines, and a checksum of every row of the
 * database's two files (the log and the read model) to show a what-if run leaves them as they were.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFeed } from '@chanperf/testing';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { chanperf } from '../support/cli.js';

export interface GeneratedLog {
  readonly dir: string;
  readonly feed: string;
  readonly db: string;
  /** The feed's lines, as written. */
  readonly lines: readonly string[];
  /** The index in `lines` of the feed's last `ProgramPublished` (its mid-year revision). */
  readonly revisionLine: number;
  /** That line's payload: the program the log has from its effective month on. */
  readonly revision: Record<string, unknown>;
  remove(): void;
}

/** A seeded feed of `partners` partners over 12 months (11 closed), ingested and projected. */
export async function generatedLog(partners = 24, seed = 18): Promise<GeneratedLog> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-whatif-'));
  const feed = join(dir, 'feed.ndjson');
  await writeFeed(feed, { partners, months: 12, seed });
  const db = join(dir, 'chanperf.db');
  const ingest = chanperf(['ingest', feed, '--db', db, '--quiet']);
  expect(ingest.status, ingest.stderr).toBe(0);
  const lines = readFileSync(feed, 'utf8').split('\n');
  const programs = lines.flatMap((l, i) => (l.includes('"type":"ProgramPublished"') ? [i] : []));
  const revisionLine = programs[programs.length - 1] ?? -1;
  const revision = (JSON.parse(lines[revisionLine] ?? '{}') as { data: Record<string, unknown> }).data;
  return {
    dir,
    feed,
    db,
    lines,
    revisionLine,
    revision,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * sha256 of every row of every table of the database's files (log and read model), the rows of
 * a table sorted: opening a store rewrites its settings rows with the same values (a new rowid),
 * which changes no figure and no row's content.
 */
export function databaseChecksum(db: string): string {
  const hash = createHash('sha256');
  for (const file of [db, `${db}-readmodel`]) {
    const conn = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all() as string[];
      for (const table of tables) {
        hash.update(`\u0000${file === db ? 'log' : 'readmodel'}.${table}`);
        const rows = conn
          .prepare(`SELECT * FROM "${table}"`)
          .raw()
          .all()
          .map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
        for (const row of rows.sort()) hash.update(`${row}\n`);
      }
    } finally {
      conn.close();
    }
  }
  return hash.digest('hex');
}
