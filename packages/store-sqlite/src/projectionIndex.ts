/**
 * The read model's growing index (`ProjectionIndex`: distinct orders, the sales a return may
 * claw a bonus back from, certified trainees) in the read model's file, used by `readStore.ts`.
 */
import type { NewOrders, ProjectionIndex } from '@chanperf/domain';
import { KeyFilter } from './keyFilter.js';
import type { ReadModelStatements } from './readModelRows.js';

/**
 * The growing index in SQLite, with a Bloom filter of each table's keys in front of it.
 *
 * - Orders: a channel-month's order is new unless the batch has it or, when the filter says
 *   it may be there, `rm_orders` has it. Nearly every order is new, so nearly every order is
 *   decided without reading the B-tree, and the batch's new orders are inserted at its end
 *   (the key is month first: the batch's rows land in the months being sold).
 * - Sales: `rm_sales` holds the sales that may carry a bonus to claw back. A sale without a
 *   bonus bps is written only when it replaces a row (no row means no bonus); a return reads
 *   the table only when the filter says a row may be there. The batch's rows are upserted at
 *   its end; lookups see the batch's buffer first.
 *
 * Rows go one prepared statement each: one `INSERT … SELECT … FROM json_each(?)` per batch
 * was ~1 s faster at 1M but kept ~140 MiB more resident at 10M (multi-MB strings copied into
 * the projection thread's malloc arena every batch). They go in the order they were decided:
 * sorting them into key order first took 1.7 s (4 %) of a 1M rebuild's profile and gained nothing
 * measurable at 3M events.
 *
 * A failed batch leaves keys in the filters for rows it did not write: a key in a filter is
 * only ever a reason to read the disk, so that costs a read and changes no answer.
 */
export class SqliteProjectionIndex implements ProjectionIndex {
  /** The batch's new orders: the rows to insert (by key hash), the counts per channel-month. */
  private readonly batchOrders = new Map<number, [number, string, string][]>();
  private newOrderRows: [number, string, string][] = [];
  private readonly newCounts = new Map<string, { channelId: string; month: number; count: number }>();
  private readonly sales = new Map<string, [string, string, string, number]>();
  /** Keys of `rm_orders` and `rm_sales`; read from the tables on first use after a load. */
  private orderKeys: KeyFilter | undefined;
  private saleKeys: KeyFilter | undefined;

  constructor(
    /** The read store's current statements (made again after a reset). */
    private readonly stmts: () => ReadModelStatements,
    private readonly filtering: boolean,
  ) {}

  addOrder(channelId: string, month: number, orderId: string): void {
    const known = this.orders().hash(month, channelId, orderId);
    const inBatch = this.batchOrders.get(known.lastHash);
    if (known.mayHave()) {
      if (inBatch?.some((r) => r[0] === month && r[1] === channelId && r[2] === orderId)) return;
      if (this.stmts().hasOrder.get(month, channelId, orderId) !== undefined) return;
    }
    known.add();
    const row: [number, string, string] = [month, channelId, orderId];
    if (inBatch === undefined) this.batchOrders.set(known.lastHash, [row]);
    else inBatch.push(row);
    this.newOrderRows.push(row);
    const cm = `${channelId}\u0000${month}`;
    const c = this.newCounts.get(cm);
    if (c === undefined) this.newCounts.set(cm, { channelId, month, count: 1 });
    else c.count++;
  }

  takeNewOrders(): NewOrders[] {
    // A plain INSERT: a row that is there already means the filter logic is wrong, and the
    // batch fails rather than miscount.
    const insert = this.stmts().addOrder;
    for (const [month, channelId, orderId] of this.newOrderRows) insert.run(month, channelId, orderId);
    const counts = [...this.newCounts.values()];
    this.clearOrders();
    return counts;
  }

  recordSale(channelId: string, orderId: string, sku: string, bps: number): void {
    const key = `${channelId}\u0000${orderId}\u0000${sku}`;
    if (bps === 0 && !this.sales.has(key) && !this.salesHeld().hash(channelId, orderId, sku).mayHave())
      return;
    this.sales.set(key, [channelId, orderId, sku, bps]);
  }

  saleBonusBps(channelId: string, orderId: string, sku: string): number | undefined {
    const key = `${channelId}\u0000${orderId}\u0000${sku}`;
    const buffered = this.sales.get(key);
    if (buffered !== undefined) return buffered[3];
    return this.salesHeld().hash(channelId, orderId, sku).mayHave()
      ? this.stmts().saleBps.get(channelId, orderId, sku)
      : undefined;
  }

  addCertification(channelId: string, traineeId: string, month: number): void {
    this.stmts().addCert.run(channelId, traineeId, month);
  }

  countCertified(channelId: string, from: number, to: number): number {
    return this.stmts().countCerts.get(channelId, from, to) ?? 0;
  }

  /** Writes the buffered sales (inside the batch's transaction). */
  flush(): void {
    if (this.sales.size === 0) return;
    const upsert = this.stmts().recordSale;
    const held = this.salesHeld();
    for (const [channelId, orderId, sku, bps] of this.sales.values()) {
      upsert.run(channelId, orderId, sku, bps);
      held.hash(channelId, orderId, sku).add();
    }
    this.sales.clear();
  }

  /** Forgets the buffers of a batch that failed. */
  discard(): void {
    this.clearOrders();
    this.sales.clear();
  }

  /** The tables were loaded or reset: read their keys again when next needed. */
  forgetKeys(): void {
    this.orderKeys = undefined;
    this.saleKeys = undefined;
  }

  private clearOrders(): void {
    this.batchOrders.clear();
    this.newOrderRows = [];
    this.newCounts.clear();
  }

  private orders(): KeyFilter {
    return (this.orderKeys ??= this.filterOf(this.stmts().orderKeys.iterate()));
  }

  private salesHeld(): KeyFilter {
    return (this.saleKeys ??= this.filterOf(this.stmts().saleKeys.iterate()));
  }

  /** A filter of a table's keys (each row: the key's three parts). */
  private filterOf(rows: Iterable<readonly [string | number, string, string]>): KeyFilter {
    const keys = new KeyFilter(this.filtering);
    for (const [a, b, c] of rows) keys.hash(a, b, c).add();
    return keys;
  }
}
