/**
 * The merge of a rebuild in parts (`partsBuild.ts`): the worker's part, in its scratch file, is
 * moved into the side read model that holds this thread's part, in one transaction.
 *
 * - Channels, months and certifications: the parts' channels are disjoint; copied as they are.
 * - Order and sale keys: the scratch file's are numbered after the side's (the same index
 *   seed, so their hashes are copied as they are); its value changes' key numbers likewise.
 * - Claim inputs: appended after the side's (lookups go by channel and SKU, in log order).
 * - Alerts and tier movements: in the one thread's order — by the position of the event that
 *   raised them, then (a close of several months, several channels) by month, then by channel
 *   id — each part's own order kept; renumbered from 1.
 * - The program-wide facts: the same in both parts but for the latest month, whether any sale
 *   carried a bonus, and whether the log is a v2 log, which either part may have seen alone.
 */
import type { Database as DB } from 'better-sqlite3';
import type { GlobalBody } from './readModelRows.js';

/** The event position of each alert and tier movement a part wrote, in the order written. */
export interface PartOutputs {
  readonly alerts: readonly number[];
  readonly movements: readonly number[];
}

type OutputRow = [
  id: string | null,
  channelId: string,
  kind: string | null,
  batch: number,
  body: string,
  month: string,
];

/** `table`'s rows of schema `schema`, with the month `monthPath` of their body, in seq order. */
function outputRows(
  db: DB,
  schema: string,
  table: 'rm_alerts' | 'rm_tier_movements',
  monthPath: string,
): OutputRow[] {
  const columns = table === 'rm_alerts' ? 'alert_id, channel_id, kind' : 'NULL, channel_id, NULL';
  return db
    .prepare(
      `SELECT ${columns}, position, body, COALESCE(json_extract(body, '${monthPath}'), '')
         FROM ${schema}.${table} ORDER BY seq`,
    )
    .raw()
    .all() as OutputRow[];
}

/** Both parts' rows in the one thread's order (see the module's comment). */
export function mergeOutputs<T extends readonly unknown[]>(
  a: readonly T[],
  atA: readonly number[],
  b: readonly T[],
  atB: readonly number[],
  key: (row: T) => readonly [month: string, channelId: string],
): T[] {
  if (a.length !== atA.length || b.length !== atB.length) {
    throw new Error(`a part wrote ${a.length}/${b.length} rows but told of ${atA.length}/${atB.length}`);
  }
  const out: T[] = [];
  let i = 0;
  let j = 0;
  const aFirst = (x: T, px: number, y: T, py: number): boolean => {
    if (px !== py) return px < py;
    const [mx, cx] = key(x);
    const [my, cy] = key(y);
    if (mx !== my) return mx < my;
    return cx <= cy;
  };
  while (i < a.length && j < b.length) {
    if (aFirst(a[i] as T, atA[i] as number, b[j] as T, atB[j] as number)) out.push(a[i++] as T);
    else out.push(b[j++] as T);
  }
  while (i < a.length) out.push(a[i++] as T);
  while (j < b.length) out.push(b[j++] as T);
  return out;
}

/** Shifts every 32-bit little-endian key number of `refs` by `by`. */
function shiftRefs(refs: Buffer, by: number): Buffer {
  const out = Buffer.allocUnsafe(refs.length);
  for (let at = 0; at < refs.length; at += 4) out.writeInt32LE((refs.readInt32LE(at) + by) | 0, at);
  return out;
}

/**
 * Moves the part in the file `partPath` (projected to `upTo`, its outputs at `theirs`) into the
 * side read model `db` (projected to `upTo`, its outputs at `own`), in one transaction.
 */
export function mergePart(
  db: DB,
  partPath: string,
  upTo: number,
  own: PartOutputs,
  theirs: PartOutputs,
): void {
  db.prepare(`ATTACH DATABASE ? AS part`).run(partPath);
  try {
    db.transaction(() => mergeAttached(db, upTo, own, theirs)).immediate();
  } finally {
    db.exec(`DETACH DATABASE part`);
  }
}

function one<T>(db: DB, sql: string): T | undefined {
  return db.prepare(sql).pluck().get() as T | undefined;
}

function mergeAttached(db: DB, upTo: number, own: PartOutputs, theirs: PartOutputs): void {
  for (const schema of ['main', 'part']) {
    const at = one<number>(db, `SELECT position FROM ${schema}.rm_checkpoint WHERE id = 1`) ?? 0;
    if (at !== upTo) throw new Error(`the ${schema} part is at ${at}, not ${upTo}`);
  }
  const seeds = ['main', 'part'].map((s) =>
    one<string>(db, `SELECT value FROM ${s}.rm_settings WHERE key = 'indexSeed'`),
  );
  if (seeds[0] !== seeds[1]) throw new Error('the parts hashed their keys with different seeds');
  for (const table of ['rm_channels', 'rm_months', 'rm_certs']) {
    db.exec(`INSERT INTO main.${table} SELECT * FROM part.${table}`);
  }
  for (const table of ['rm_order_keys', 'rm_sale_keys']) {
    const count =
      one<number>(db, `SELECT COALESCE(MAX(first + length(hashes) / 4), 0) FROM main.${table}`) ?? 0;
    db.prepare(
      `INSERT INTO main.${table} (first, hashes, vals, ends, keys, wide)
       SELECT first + ?, hashes, vals, ends, keys, wide FROM part.${table} ORDER BY first`,
    ).run(count);
    if (table === 'rm_sale_keys') {
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
  const indexed = ['main', 'part'].map(
    (s) =>
      one<number>(
        db,
        `SELECT 1 FROM ${s}.sqlite_master WHERE type = 'index' AND name = 'rm_claim_inputs_key'`,
      ) !== undefined,
  );
  if (indexed[0] !== indexed[1]) throw new Error('one part indexed its claim inputs and the other did not');
  db.exec(`INSERT INTO main.rm_claim_batches (body) SELECT body FROM part.rm_claim_batches ORDER BY seq`);
  const claimColumns = 'kind, channel_id, sku, order_id, event_id, n, at_seconds, at_fraction';
  db.exec(
    `INSERT INTO main.rm_claim_inputs (${claimColumns}) SELECT ${claimColumns} FROM part.rm_claim_inputs ORDER BY seq`,
  );
  mergeTable(db, 'rm_alerts', '$.month', own.alerts, theirs.alerts);
  mergeTable(db, 'rm_tier_movements', '$.reviewMonth', own.movements, theirs.movements);
  mergeGlobal(db);
  db.exec(`UPDATE main.rm_settings SET value = 'building' WHERE key = 'build'`);
}

function mergeTable(
  db: DB,
  table: 'rm_alerts' | 'rm_tier_movements',
  monthPath: string,
  own: readonly number[],
  theirs: readonly number[],
): void {
  const merged = mergeOutputs(
    outputRows(db, 'main', table, monthPath),
    own,
    outputRows(db, 'part', table, monthPath),
    theirs,
    (row) => [row[5], row[1]],
  );
  if (theirs.length === 0) return;
  db.exec(`DELETE FROM main.${table}`);
  if (table === 'rm_alerts') {
    const put = db.prepare(
      `INSERT INTO main.rm_alerts (seq, alert_id, channel_id, kind, position, body) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    merged.forEach(([id, channelId, kind, batch, body], i) =>
      put.run(i + 1, id, channelId, kind, batch, body),
    );
  } else {
    const put = db.prepare(
      `INSERT INTO main.rm_tier_movements (seq, channel_id, position, body) VALUES (?, ?, ?, ?)`,
    );
    merged.forEach(([, channelId, , batch, body], i) => put.run(i + 1, channelId, batch, body));
  }
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
