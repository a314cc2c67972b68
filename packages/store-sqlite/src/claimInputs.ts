/**
 * (v2) The price-protection claim inputs in the read model, so the projection's memory does not
 * grow with every sale. Every sale, return and inventory count is an input (a change accepted
 * later may reach back to it), but nothing reads them before the first price change — and the
 * log holds them all already: the events themselves, which `claimInputOf` turns into inputs.
 *
 * - Before the first price change (`lookupsAhead` was never called) an input is only counted:
 *   the read model keeps how many of the log's inputs (of the channels it projects) it has
 *   applied (`rm_settings` 'claimInputsInLog', written with the batch). A v1 log pays nothing
 *   else. (Each input used to be written as text, 2 048 to a row: 6–7 % of a rebuild's part.)
 * - With the first price change (inside its batch's transaction) the counted inputs are read
 *   from the log, in log order (`logClaimInputs`), into `rm_claim_inputs` — one typed row an
 *   input — and its lookup index is made. From then on `flush` appends the batch's inputs there
 *   as multi-row INSERTs.
 *
 * The count is exact because the projection applies the log's inputs of its channels in log
 * order, each once (an input is applied after its event is in the log), so the first N of them
 * are the N counted. A lookup before the first change (the rules make none) reads them too.
 */
import type { Database as DB, Statement } from 'better-sqlite3';
import type { ClaimInputRecord, ClaimInputStore, Instant, SkuClaimInputs } from '@chanperf/domain';
import { addClaimInput, claimInputOf, emptySkuClaimInputs, parseLoggedPayload } from '@chanperf/domain/rules';
import { IN_RANGE, inRangeArgs, type ChannelRange } from './partFeed.js';

/**
 * The first `count` claim inputs of the log among the channels a read model projects, in log
 * order; throws when the log holds fewer.
 */
export type ClaimInputLog = (count: number) => Iterable<ClaimInputRecord>;

/** Log rows read at a time. */
const LOG_CHUNK = 1000;

/** The claim inputs of the log on connection `log`, of the channels in `range` (absent: all). */
export function logClaimInputs(log: DB, range: ChannelRange = { from: null, below: null }): ClaimInputLog {
  let rows: Statement<unknown[], [number, string]> | undefined;
  return function* inputs(count: number): Generator<ClaimInputRecord> {
    rows ??= log
      .prepare<unknown[], [number, string]>(
        `SELECT position, payload FROM events
          WHERE position > ? AND type IN ('SaleRecorded', 'SaleReturned', 'InventoryReported')
            AND ${IN_RANGE}
          ORDER BY position LIMIT ?`,
      )
      .raw();
    const inRange = inRangeArgs(range);
    let after = 0;
    for (let taken = 0; taken < count;) {
      const chunk = rows.all(after, ...inRange, Math.min(LOG_CHUNK, count - taken));
      if (chunk.length === 0) {
        throw new Error(
          `the log holds ${taken} claim inputs of the read model's channels; it counted ${count}`,
        );
      }
      for (const [position, payload] of chunk) {
        const input = claimInputOf(parseLoggedPayload(payload));
        if (input === undefined) throw new Error(`the log's entry ${position} is not a claim input`);
        after = position;
        taken++;
        yield input;
      }
    }
  };
}

/**
 * The embedded ClaimInputStore: what a batch recorded is written by `flush` (and every
 * FLUSH_EVERY records while its transaction is open), in its transaction.
 */
export interface SqliteClaimInputs extends ClaimInputStore {
  /** Writes the inputs recorded since the last flush (call inside the batch's transaction). */
  flush(): void;
  /** The batch's transaction rolled back: forgets its inputs and whether the index was made. */
  discard(): void;
}

/** One input as a typed row's cells: kind, channel, sku, order, eventId, quantity/onHand, instant. */
type Cell = string | number | null;
const CELLS = 8;

/**
 * Records kept before they are written, within a batch's transaction: a rebuild's batch of 50 000
 * events held all its records until the end (+70 MiB peak RSS on 292k events).
 */
const FLUSH_EVERY = 2048;

/** Rows a multi-row INSERT writes at once (8 parameters each). */
const ROWS_PER_INSERT = 64;

/** The setting that holds, before the first price change, how many of the log's inputs were applied. */
export const COUNTED = 'claimInputsInLog';

const COLUMNS = `kind, channel_id, sku, order_id, event_id, n, at_seconds, at_fraction`;

function cellsOf(r: ClaimInputRecord, out: Cell[]): void {
  switch (r.kind) {
    case 'sale': {
      const at = r.occurredAt;
      out.push('s', r.channelId, r.sku, r.orderId, r.eventId, r.quantity, at.seconds, at.fraction);
      return;
    }
    case 'return':
      out.push('r', r.channelId, r.sku, r.orderId, r.eventId, r.quantity, null, null);
      return;
    case 'count':
      out.push('c', r.channelId, r.sku, null, r.eventId, r.onHand, r.asOf.seconds, r.asOf.fraction);
      return;
  }
}

/** The record of a typed row. */
function recordOf(row: readonly Cell[]): ClaimInputRecord {
  const [kind, channelId, sku, orderId, eventId, n] = row as [string, string, string, string, string, number];
  const at = (): Instant => ({ seconds: row[6] as number, fraction: row[7] as string });
  switch (kind as 's' | 'r' | 'c') {
    case 's':
      return { kind: 'sale', channelId, sku, orderId, eventId, occurredAt: at(), quantity: n };
    case 'r':
      return { kind: 'return', channelId, sku, orderId, eventId, quantity: n };
    case 'c':
      return { kind: 'count', channelId, sku, eventId, onHand: n, asOf: at() };
  }
}

/** The statements over the read model's connection (made again by each load, after a reset). */
function statements(d: DB) {
  const values = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  return {
    counted: d.prepare<[], string>(`SELECT value FROM rm_settings WHERE key = '${COUNTED}'`).pluck(),
    putCounted: d.prepare<[string]>(`INSERT OR REPLACE INTO rm_settings VALUES ('${COUNTED}', ?)`),
    dropCounted: d.prepare(`DELETE FROM rm_settings WHERE key = '${COUNTED}'`),
    addMany: d.prepare<[Cell[]]>(
      `INSERT INTO rm_claim_inputs (${COLUMNS}) VALUES ${values(ROWS_PER_INSERT)}`,
    ),
    addOne: d.prepare<[Cell[]]>(`INSERT INTO rm_claim_inputs (${COLUMNS}) VALUES ${values(1)}`),
    of: d
      .prepare<[string, string], Cell[]>(
        `SELECT ${COLUMNS} FROM rm_claim_inputs WHERE channel_id = ? AND sku = ? ORDER BY seq`,
      )
      .raw(),
    lastSale: d
      .prepare<[string, string, string], Cell[]>(
        `SELECT ${COLUMNS} FROM rm_claim_inputs WHERE channel_id = ? AND sku = ? AND order_id = ?
         AND kind = 's' ORDER BY seq DESC LIMIT 1`,
      )
      .raw(),
    indexed: d
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'rm_claim_inputs_key'`)
      .pluck(),
  };
}

/** Appends `records` as typed rows, ROWS_PER_INSERT at a time. */
function insertRows(s: ReturnType<typeof statements>, records: Iterable<ClaimInputRecord>): void {
  const cells: Cell[] = [];
  for (const r of records) {
    cellsOf(r, cells);
    if (cells.length === ROWS_PER_INSERT * CELLS) {
      s.addMany.run(cells);
      cells.length = 0;
    }
  }
  for (let i = 0; i < cells.length; i += CELLS) s.addOne.run(cells.slice(i, i + CELLS));
}

const saleKey = (channelId: string, sku: string, orderId: string) =>
  `${channelId}\u0000${sku}\u0000${orderId}`;

class Inputs implements SqliteClaimInputs {
  private readonly s: ReturnType<typeof statements>;
  /** Once indexed: the inputs recorded since the last flush, in log order. */
  private pending: ClaimInputRecord[] = [];
  /** Once indexed: the latest pending sale of each channel, SKU and order (a return's lookup). */
  private readonly pendingSales = new Map<string, Instant>();
  /** Whether the typed rows and their index are in use (undefined: ask the file). */
  private indexed: boolean | undefined;
  /** Until indexed: the log's inputs applied, the file's and this batch's (undefined: ask the file). */
  private counted: number | undefined;

  constructor(
    private readonly d: DB,
    private readonly log: ClaimInputLog,
  ) {
    this.s = statements(d);
  }

  private isIndexed(): boolean {
    return (this.indexed ??= this.s.indexed.get() !== undefined);
  }

  private inLog(): number {
    return (this.counted ??= Number(this.s.counted.get() ?? 0));
  }

  add(r: ClaimInputRecord): void {
    if (!this.isIndexed()) {
      this.counted = this.inLog() + 1;
      return;
    }
    this.pending.push(r);
    if (r.kind === 'sale') this.pendingSales.set(saleKey(r.channelId, r.sku, r.orderId), r.occurredAt);
    // Inside the batch's transaction a long batch writes as it goes, so its records die young.
    if (this.pending.length >= FLUSH_EVERY && this.d.inTransaction) this.flush();
  }

  inputsOf(channelId: string, sku: string): SkuClaimInputs | undefined {
    const inputs = emptySkuClaimInputs();
    let any = false;
    const take = (r: ClaimInputRecord) => {
      if (r.channelId !== channelId || r.sku !== sku) return;
      addClaimInput(inputs, r);
      any = true;
    };
    if (!this.isIndexed()) {
      for (const r of this.log(this.inLog())) take(r);
      return any ? inputs : undefined;
    }
    for (const row of this.s.of.iterate(channelId, sku)) take(recordOf(row));
    this.pending.forEach(take);
    return any ? inputs : undefined;
  }

  originalSaleAt(channelId: string, sku: string, orderId: string): Instant | null {
    const saleAt = (r: ClaimInputRecord | undefined) =>
      r?.kind === 'sale' && r.orderId === orderId && r.channelId === channelId && r.sku === sku
        ? r.occurredAt
        : null;
    if (!this.isIndexed()) {
      let found: Instant | null = null;
      for (const r of this.log(this.inLog())) found = saleAt(r) ?? found;
      return found;
    }
    const recent = this.pendingSales.get(saleKey(channelId, sku, orderId));
    if (recent !== undefined) return recent;
    const row = this.s.lastSale.get(channelId, sku, orderId);
    return row === undefined ? null : saleAt(recordOf(row));
  }

  lookupsAhead(): void {
    if (this.isIndexed()) return;
    insertRows(this.s, this.log(this.inLog()));
    this.s.dropCounted.run();
    this.d.exec(`CREATE INDEX rm_claim_inputs_key ON rm_claim_inputs (channel_id, sku, order_id)`);
    this.indexed = true;
  }

  flush(): void {
    if (!this.isIndexed()) {
      if (this.counted !== undefined) this.s.putCounted.run(String(this.counted));
      return;
    }
    if (this.pending.length === 0) return;
    insertRows(this.s, this.pending);
    this.pending = [];
    this.pendingSales.clear();
  }

  discard(): void {
    this.pending = [];
    this.pendingSales.clear();
    this.indexed = undefined;
    this.counted = undefined;
  }
}

/** The claim inputs over the read model's connection `d`, those before the first price change read from `log`. */
export function sqliteClaimInputs(d: DB, log: ClaimInputLog): SqliteClaimInputs {
  return new Inputs(d, log);
}
