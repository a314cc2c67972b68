/**
 * (v2) The price-protection claim inputs in the read model, so the projection's memory does not
 * grow with every sale. Every sale, return and inventory count is recorded (a change accepted
 * later may reach back to it), but what a record costs depends on whether anything reads them:
 *
 * - Before the first price change nothing does (`lookupsAhead` was never called): the batch's
 *   records are written as one text (`claimInputText.ts`), one row of `rm_claim_batches`
 *   per 2 048 records and at `flush`, inside the batch's transaction. A v1 log pays a record
 *   kept until then and one statement per 2 048; the per-sale JSON row with its own INSERT was
 *   6 % of a replay's profile, a JSON array of the records as a batch row still 5 %.
 * - With the first price change (inside its batch's transaction) the batch rows are moved, in
 *   log order, into `rm_claim_inputs` — one typed row an input — and its lookup index is made.
 *   From then on `flush` appends the batch's inputs there as multi-row INSERTs.
 *
 * Lookups read the batch rows, then the typed rows, then the batch not yet flushed: that is log
 * order, since batch rows only precede the move and the move is one transaction, so a reader at
 * any snapshot sees every input once.
 */
import type { Database as DB } from 'better-sqlite3';
import type { ClaimInputRecord, ClaimInputStore, Instant, SkuClaimInputs } from '@chanperf/domain';
import { addClaimInput, emptySkuClaimInputs } from '@chanperf/domain/rules';
import { ClaimInputEncoder, claimInputsOfText } from './claimInputText.js';

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

/**
 * A batch row's body: the records' text as UTF-8 bytes (a BLOB: written as encoded, with no
 * string between), or as TEXT in rows written before.
 */
type BatchBody = Buffer | string;

function recordsOf(body: BatchBody): ClaimInputRecord[] {
  return claimInputsOfText(typeof body === 'string' ? body : body.toString('utf8'));
}

/** The statements over the read model's connection (made again by each load, after a reset). */
function statements(d: DB) {
  const values = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  return {
    addBatch: d.prepare<[Buffer]>(`INSERT INTO rm_claim_batches (body) VALUES (?)`),
    batches: d.prepare<[], BatchBody>(`SELECT body FROM rm_claim_batches ORDER BY seq`).pluck(),
    batchSeqs: d.prepare<[], number>(`SELECT seq FROM rm_claim_batches ORDER BY seq`).pluck(),
    batchAt: d.prepare<[number], BatchBody>(`SELECT body FROM rm_claim_batches WHERE seq = ?`).pluck(),
    dropBatches: d.prepare(`DELETE FROM rm_claim_batches`),
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
function insertRows(s: ReturnType<typeof statements>, records: readonly ClaimInputRecord[]): void {
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
  /** The inputs recorded since the last flush, in log order. */
  private pending: ClaimInputRecord[] = [];
  /** Until indexed: writes the pending records' text, the batch row `flush` writes. */
  private readonly encoder = new ClaimInputEncoder();
  /** Once indexed: the latest pending sale of each channel, SKU and order (a return's lookup). */
  private readonly pendingSales = new Map<string, Instant>();
  /** Whether the typed rows and their index are in use (undefined: ask the file). */
  private indexed: boolean | undefined;

  constructor(private readonly d: DB) {
    this.s = statements(d);
  }

  private isIndexed(): boolean {
    return (this.indexed ??= this.s.indexed.get() !== undefined);
  }

  /** The records of the batch rows, batch by batch, in log order. */
  private *batches(): Generator<ClaimInputRecord[]> {
    for (const body of this.s.batches.iterate()) yield recordsOf(body);
  }

  add(r: ClaimInputRecord): void {
    this.pending.push(r);
    if (this.isIndexed() && r.kind === 'sale')
      this.pendingSales.set(saleKey(r.channelId, r.sku, r.orderId), r.occurredAt);
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
    for (const records of this.batches()) records.forEach(take);
    for (const row of this.s.of.iterate(channelId, sku)) take(recordOf(row));
    this.pending.forEach(take);
    return any ? inputs : undefined;
  }

  originalSaleAt(channelId: string, sku: string, orderId: string): Instant | null {
    const saleAt = (r: ClaimInputRecord | undefined) =>
      r?.kind === 'sale' && r.orderId === orderId && r.channelId === channelId && r.sku === sku
        ? r.occurredAt
        : null;
    if (this.isIndexed()) {
      const recent = this.pendingSales.get(saleKey(channelId, sku, orderId));
      if (recent !== undefined) return recent;
    } else {
      for (let i = this.pending.length - 1; i >= 0; i--) {
        const at = saleAt(this.pending[i]);
        if (at !== null) return at;
      }
    }
    const row = this.s.lastSale.get(channelId, sku, orderId);
    if (row !== undefined) return saleAt(recordOf(row));
    let found: Instant | null = null;
    for (const records of this.batches()) for (const r of records) found = saleAt(r) ?? found;
    return found;
  }

  lookupsAhead(): void {
    if (this.isIndexed()) return;
    // One batch row in memory at a time (no statement may run while another iterates).
    for (const seq of this.s.batchSeqs.all()) {
      insertRows(this.s, recordsOf(this.s.batchAt.get(seq) ?? ''));
    }
    this.s.dropBatches.run();
    this.d.exec(`CREATE INDEX rm_claim_inputs_key ON rm_claim_inputs (channel_id, sku, order_id)`);
    this.indexed = true;
    for (const r of this.pending) {
      if (r.kind === 'sale') this.pendingSales.set(saleKey(r.channelId, r.sku, r.orderId), r.occurredAt);
    }
  }

  flush(): void {
    if (this.pending.length === 0) return;
    if (this.isIndexed()) insertRows(this.s, this.pending);
    else this.s.addBatch.run(this.encoder.encode(this.pending));
    this.pending = [];
    this.pendingSales.clear();
  }

  discard(): void {
    this.pending = [];
    this.pendingSales.clear();
    this.indexed = undefined;
  }
}

/** The claim inputs over the read model's connection `d`. */
export function sqliteClaimInputs(d: DB): SqliteClaimInputs {
  return new Inputs(d);
}
