/**
 * The merge of a rebuild in parts (`partsBuild.ts`): the second half, in its scratch file, is
 * moved into the side read model that holds the first, in one transaction.
 *
 * - Channels, months and certifications: the halves' channels are disjoint; copied as they are.
 * - Order and sale keys: the scratch file's are numbered after the side's (the same index
 *   seed, so their hashes are copied as they are); its value changes' key numbers likewise.
 * - Claim inputs: appended after the side's (lookups go by channel and SKU, in log order).
 * - Alerts and tier movements: each half stages them (`stagedOutputs`) with the position of the
 *   event that raised them and the month closed last when it did; the merge writes them once,
 *   in the one thread's order, numbered from 1. One event raises them for one channel, in the
 *   order its rules go (a late sale: growth flips, then commitments, then inactivity — not in
 *   month order), except a close, which goes month by month (the month closed last is the one
 *   being closed), channel by channel: so by event position, then that month, then channel id
 *   (ASCII: SQLite's order of text is JavaScript's), then the half's own order.
 * - The program-wide facts: the same in both halves but for the latest month, whether any sale
 *   carried a bonus, and whether the log is a v2 log, which either half may have seen alone.
 */
import type { Database as DB } from 'better-sqlite3';
import { COUNTED } from './claimInputs.js';
import type { OutputWriter } from './readStore.js';
import type { GlobalBody } from './readModelRows.js';

/**
 * Stages a half's alerts and tier movements in its file (`rm_part_alerts`, `rm_part_movements`:
 * made empty here), each with `eventPosition()` — the position of the event being applied —
 * and the month closed last as it was raised (`step`; −1 before any close).
 */
export function stagedOutputs(db: DB, eventPosition: () => number): OutputWriter {
  db.exec(`
    DROP TABLE IF EXISTS rm_part_alerts;
    DROP TABLE IF EXISTS rm_part_movements;
    CREATE TABLE rm_part_alerts (
      ord INTEGER PRIMARY KEY, event_position INTEGER NOT NULL, step INTEGER NOT NULL,
      alert_id TEXT NOT NULL, channel_id TEXT NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE TABLE rm_part_movements (
      ord INTEGER PRIMARY KEY, event_position INTEGER NOT NULL, step INTEGER NOT NULL,
      channel_id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL
    );`);
  const alert = db.prepare(
    `INSERT INTO rm_part_alerts (event_position, step, alert_id, channel_id, kind, position, body)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const movement = db.prepare(
    `INSERT INTO rm_part_movements (event_position, step, channel_id, position, body) VALUES (?, ?, ?, ?, ?)`,
  );
  return {
    alert: (a, position, lastClosed) =>
      alert.run(eventPosition(), lastClosed ?? -1, a.id, a.channelId, a.kind, position, JSON.stringify(a)),
    movement: (m, position, lastClosed) =>
      movement.run(eventPosition(), lastClosed ?? -1, m.channelId, position, JSON.stringify(m)),
  };
}

/** Shifts every 32-bit little-endian key number of `refs` by `by`. */
function shiftRefs(refs: Buffer, by: number): Buffer {
  const out = Buffer.allocUnsafe(refs.length);
  for (let at = 0; at < refs.length; at += 4) out.writeInt32LE((refs.readInt32LE(at) + by) | 0, at);
  return out;
}

/**
 * Moves the half in the file `partPath` into the side read model `db` (both projected to
 * `upTo`), in one transaction; throws, changing nothing, when the halves do not fit together.
 */
export function mergePart(db: DB, partPath: string, upTo: number): void {
  db.prepare(`ATTACH DATABASE ? AS part`).run(partPath);
  try {
    db.transaction(() => mergeAttached(db, upTo)).immediate();
  } finally {
    db.exec(`DETACH DATABASE part`);
  }
}

function one<T>(db: DB, sql: string): T | undefined {
  return db.prepare(sql).pluck().get() as T | undefined;
}

const HALVES = ['main', 'part'] as const;

function mergeAttached(db: DB, upTo: number): void {
  for (const schema of HALVES) {
    const at = one<number>(db, `SELECT position FROM ${schema}.rm_checkpoint WHERE id = 1`) ?? 0;
    if (at !== upTo) throw new Error(`the ${schema} half is at ${at}, not ${upTo}`);
  }
  const seeds = HALVES.map((s) =>
    one<string>(db, `SELECT value FROM ${s}.rm_settings WHERE key = 'indexSeed'`),
  );
  if (seeds[0] !== seeds[1]) throw new Error('the halves hashed their keys with different seeds');
  for (const table of ['rm_channels', 'rm_months', 'rm_certs']) {
    db.exec(`INSERT INTO main.${table} SELECT * FROM part.${table}`);
  }
  mergeKeys(db);
  mergeClaimInputs(db);
  mergeOutputs(db);
  mergeGlobal(db);
  db.exec(`UPDATE main.rm_settings SET value = 'building' WHERE key = 'build'`);
}

function mergeKeys(db: DB): void {
  for (const table of ['rm_order_keys', 'rm_sale_keys']) {
    const count =
      one<number>(db, `SELECT COALESCE(MAX(first + length(hashes) / 4), 0) FROM main.${table}`) ?? 0;
    db.prepare(
      `INSERT INTO main.${table} (first, hashes, vals, ends, keys, wide)
       SELECT first + ?, hashes, vals, ends, keys, wide FROM part.${table} ORDER BY first`,
    ).run(count);
    if (table !== 'rm_sale_keys') continue;
    const add = db.prepare<[Buffer, Buffer]>(
      `INSERT INTO main.rm_sale_key_updates (refs, vals) VALUES (?, ?)`,
    );
    const updates = db
      .prepare(`SELECT refs, vals FROM part.rm_sale_key_updates ORDER BY seq`)
      .raw()
      .all() as [Buffer, Buffer][];
    for (const [refs, vals] of updates) add.run(shiftRefs(refs, count), vals);
  }
}

function mergeClaimInputs(db: DB): void {
  const indexed = HALVES.map(
    (s) =>
      one<number>(
        db,
        `SELECT 1 FROM ${s}.sqlite_master WHERE type = 'index' AND name = 'rm_claim_inputs_key'`,
      ) !== undefined,
  );
  if (indexed[0] !== indexed[1]) throw new Error('one half indexed its claim inputs and the other did not');
  if (!indexed[0]) {
    // Before the first price change each half counted the log's inputs of its own channels: the
    // whole counts them all (claimInputs.ts).
    const counted = HALVES.map((s) =>
      Number(one<string>(db, `SELECT value FROM ${s}.rm_settings WHERE key = '${COUNTED}'`) ?? 0),
    );
    const total = (counted[0] ?? 0) + (counted[1] ?? 0);
    if (total > 0)
      db.prepare(`INSERT OR REPLACE INTO main.rm_settings VALUES ('${COUNTED}', ?)`).run(String(total));
    return;
  }
  const columns = 'kind, channel_id, sku, order_id, event_id, n, at_seconds, at_fraction';
  db.exec(
    `INSERT INTO main.rm_claim_inputs (${columns}) SELECT ${columns} FROM part.rm_claim_inputs ORDER BY seq`,
  );
}

/**
 * Both halves' staged alerts and tier movements, in the one thread's order, then unstaged: the
 * tables are empty (checked), so the rows inserted in that order are numbered 1, 2, … as they
 * come (a `row_number()` window beside the same ORDER BY cost the merge ~38 ms of ~375).
 */
function mergeOutputs(db: DB): void {
  const both = (table: string) => `(SELECT * FROM main.${table} UNION ALL SELECT * FROM part.${table})`;
  const order = `ORDER BY event_position, step, channel_id, ord`;
  for (const schema of HALVES) {
    for (const table of ['rm_alerts', 'rm_tier_movements']) {
      if (one<number>(db, `SELECT COUNT(*) FROM ${schema}.${table}`) !== 0) {
        throw new Error(`the ${schema} half wrote ${table} outside its staging table`);
      }
    }
  }
  db.exec(`
    INSERT INTO main.rm_alerts (alert_id, channel_id, kind, position, body)
      SELECT alert_id, channel_id, kind, position, body FROM ${both('rm_part_alerts')} ${order};
    INSERT INTO main.rm_tier_movements (channel_id, position, body)
      SELECT channel_id, position, body FROM ${both('rm_part_movements')} ${order};
    DROP TABLE main.rm_part_alerts;
    DROP TABLE main.rm_part_movements;`);
}

function mergeGlobal(db: DB): void {
  const body = (schema: string) => {
    const text = one<string>(db, `SELECT body FROM ${schema}.rm_global WHERE id = 1`);
    return text === undefined ? undefined : (JSON.parse(text) as GlobalBody);
  };
  const mine = body('main');
  const theirs = body('part');
  if (theirs === undefined) return;
  const latest = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  const merged: GlobalBody =
    mine === undefined
      ? theirs
      : {
          ...mine,
          maxMonth: latest(mine.maxMonth, theirs.maxMonth),
          anyPromotedSale: mine.anyPromotedSale || theirs.anyPromotedSale,
          v2Log: mine.v2Log || theirs.v2Log,
        };
  db.prepare(`INSERT OR REPLACE INTO main.rm_global (id, body) VALUES (1, ?)`).run(JSON.stringify(merged));
}
