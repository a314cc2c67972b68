/**
 * The read model's growing index (`ProjectionIndex`: distinct orders, the sales a return may
 * claw a bonus back from, certified trainees), used by `readStore.ts`.
 */
import type { NewOrders, ProjectionIndex } from '@chanperf/domain';
import { OrderKey, SaleKey } from './indexKeys.js';
import { KeyIndex } from './keyIndex.js';
import type { IndexStatements } from './readModelRows.js';

/**
 * Orders and sales as exact in-memory key sets (`keyIndex.ts`: a fingerprint table of ~8 bytes
 * a slot, every hit confirmed against the real key), their keys appended to the read model's
 * file in the batch's transaction (`keyChunks.ts`); certified trainees stay rows of `rm_certs`
 * (a few per channel).
 *
 * - Orders: a channel-month's order is new unless the set holds (month, channel, order).
 * - Sales: the set holds the sales that may carry a bonus to claw back, with their bps. A sale
 *   without a bonus is held only when it replaces a held one (not held means no bonus).
 *
 * The sets are read from the file on first use after a load or reset. A failed batch drops
 * them (its keys are in memory but were never written): the next use reads them again.
 */
export class SqliteProjectionIndex implements ProjectionIndex {
  private readonly newCounts = new Map<string, { channelId: string; month: number; count: number }>();
  private orderKeys: KeyIndex | undefined;
  private saleKeys: KeyIndex | undefined;
  /** The key being looked up (reused: a lookup builds no string unless it must). */
  private readonly orderKey = new OrderKey();
  private readonly saleKey = new SaleKey();

  constructor(
    /** The read store's current statements (made again after a reset). */
    private readonly stmts: () => IndexStatements,
    /** Fingerprint bits (32; fewer in tests, to force collisions). */
    private readonly fingerprintBits = 32,
  ) {}

  addOrder(channelId: string, month: number, orderId: string): void {
    const orders = this.orders();
    const key = this.orderKey.set(month, channelId, orderId);
    if (orders.find(key) >= 0) return;
    orders.add(key);
    const cm = `${channelId}\u0000${month}`;
    const c = this.newCounts.get(cm);
    if (c === undefined) this.newCounts.set(cm, { channelId, month, count: 1 });
    else c.count++;
  }

  takeNewOrders(): NewOrders[] {
    const counts = [...this.newCounts.values()];
    this.newCounts.clear();
    return counts;
  }

  recordSale(channelId: string, orderId: string, sku: string, bps: number): void {
    const sales = this.sales();
    const key = this.saleKey.set(channelId, orderId, sku);
    const ref = sales.find(key);
    if (ref < 0) {
      if (bps !== 0) sales.setValue(sales.add(key), bps);
    } else if (sales.value(ref) !== bps) sales.setValue(ref, bps);
  }

  saleBonusBps(channelId: string, orderId: string, sku: string): number | undefined {
    const sales = this.sales();
    const ref = sales.find(this.saleKey.set(channelId, orderId, sku));
    return ref < 0 ? undefined : sales.value(ref);
  }

  addCertification(channelId: string, traineeId: string, month: number): void {
    this.stmts().addCert.run(channelId, traineeId, month);
  }

  countCertified(channelId: string, from: number, to: number): number {
    return this.stmts().countCerts.get(channelId, from, to) ?? 0;
  }

  /** Appends the batch's new keys and changed values (inside the batch's transaction). */
  flush(): void {
    this.orderKeys?.flush();
    this.saleKeys?.flush();
  }

  /** Forgets a batch that failed: its keys were never written, so the sets are read again. */
  discard(): void {
    this.newCounts.clear();
    this.forgetKeys();
  }

  /** The tables were loaded or reset: read the sets again when next needed. */
  forgetKeys(): void {
    this.orderKeys = undefined;
    this.saleKeys = undefined;
  }

  /** Bytes the sets hold in memory (0 for a set not read yet). */
  get bytes(): number {
    return (this.orderKeys?.bytes ?? 0) + (this.saleKeys?.bytes ?? 0);
  }

  private orders(): KeyIndex {
    return (this.orderKeys ??= this.read('orders'));
  }

  private sales(): KeyIndex {
    return (this.saleKeys ??= this.read('sales'));
  }

  private read(which: 'orders' | 'sales'): KeyIndex {
    const s = this.stmts();
    return new KeyIndex(which === 'orders' ? s.orderKeys : s.saleKeys, {
      seed: s.indexSeed(),
      bits: this.fingerprintBits,
      values: which === 'sales',
    });
  }
}
