/**
 * (spec v2) Price protection (价保, spec §4): a few list-price cuts, each announced at the start
 * of its month and effective on day 20 at 00:00 (E), one price rise, and around each cut the
 * partners' stock counts and late inputs:
 * - every partner that bought the SKU in the window [E − N days, E) (N =
 *   `priceProtectionDays`) has a claim; most send an `InventoryReported` as of E, some a count
 *   from earlier in the window (and one after E, which is not used), some only after E (their
 *   claim has no stock: credit 0), some none, and some send theirs as of E only after the
 *   accrual month is closed (the claim is `restated`);
 * - one or two of them return a unit of a window sale after the close (`restated` too).
 */
import { HOUR } from './calendar.js';
import { SKUS, type Sku } from './catalogue.js';
import { saleLine } from './eventLines.js';
import type { FeedContext } from './feedContext.js';
import { formatMinor } from './money.js';
import type { Partner } from './partners.js';
import { PRICE_PROTECTION_DAYS } from './programLines.js';
import type { SaleSeen } from './channelLines.js';
import type { Random } from './random.js';
import { eventLine, type NetBook, type Schedule } from './v2Lines.js';

/** Day of the month on which every change takes effect (00:00). */
export const CUT_DAY = 20;
const DAY = 24 * HOUR;

interface Cut {
  readonly mi: number;
  readonly sku: Sku;
  readonly changeId: string;
  /** E and the window start, in seconds from 1970-01-01 in the feed's offset. */
  readonly at: number;
  readonly windowStart: number;
  /** Window sales by partner index, in log order. */
  readonly buys: Map<number, { partner: Partner; sales: SaleSeen[] }>;
}

/** Seconds from 1970-01-01 of `second` on day `day` of month index `mi`, in the feed's offset. */
function instant(ctx: FeedContext, mi: number, day: number, second: number): number {
  const mo = ctx.month(mi);
  const date = new Date(0);
  date.setUTCFullYear(mo.year, mo.month - 1, day); // not Date.UTC, which maps years 0–99 to 19xx
  return date.getTime() / 1000 + second;
}

export class PriceLines {
  private readonly cuts: Cut[] = [];
  /** The month of the price rise, or -1. */
  private readonly riseMonth: number;
  private readonly riseSku: Sku;

  constructor(
    private readonly ctx: FeedContext,
    private readonly rnd: Random,
    private readonly book: NetBook,
    private readonly schedule: Schedule,
  ) {
    const { months } = ctx.cfg;
    const wanted = [Math.floor(months / 4), Math.floor(months / 2) + 1, Math.floor((3 * months) / 4)];
    const cutMonths = [...new Set(wanted)].filter((mi) => mi >= 1 && mi <= months - 2);
    const skus = rnd.sample(SKUS, SKUS.length);
    cutMonths.forEach((mi, k) => {
      const sku = skus[k % skus.length] as Sku;
      const at = instant(ctx, mi, CUT_DAY, 0);
      const changeId = `PC-${ctx.month(mi).label}-${sku.id}`;
      this.cuts.push({
        mi,
        sku,
        changeId,
        at,
        windowStart: at - PRICE_PROTECTION_DAYS * DAY,
        buys: new Map(),
      });
    });
    this.riseMonth = cutMonths[1] ?? -1;
    this.riseSku = skus[skus.length - 1] as Sku;
  }

  /** A sale was sent: a window sale of a cut's SKU joins that cut's claims. */
  sold(p: Partner, mi: number, day: number, second: number, sale: SaleSeen): void {
    const t = instant(this.ctx, mi, day, second);
    for (const cut of this.cuts) {
      if (cut.sku !== sale.sku || t < cut.windowStart || t >= cut.at) continue;
      const buys = cut.buys.get(p.index);
      if (buys === undefined) cut.buys.set(p.index, { partner: p, sales: [sale] });
      else buys.sales.push(sale);
    }
  }

  /** The month's price changes, announced on day 3 (the cut's month is still open). */
  monthStart(): string[] {
    const { ctx } = this;
    const out: string[] = [];
    for (const cut of this.cuts) {
      if (cut.mi !== ctx.mi) continue;
      const old = cut.sku.price;
      out.push(this.change(cut.changeId, cut.sku, old, Math.round((old * this.rnd.int(85, 95)) / 100)));
    }
    if (ctx.mi === this.riseMonth) {
      const old = this.riseSku.price;
      const id = `PC-${ctx.mo.label}-${this.riseSku.id}-UP`;
      out.push(this.change(id, this.riseSku, old, Math.round((old * 105) / 100)));
    }
    return out;
  }

  private change(changeId: string, sku: Sku, oldMajor: number, newMajor: number): string {
    const { ctx } = this;
    const money = (major: number) => formatMinor(major * ctx.minorPerMajor, ctx.cfg.digits);
    const data = {
      changeId,
      sku: sku.id,
      oldUnitPrice: money(oldMajor),
      newUnitPrice: money(newMajor),
      currency: ctx.cfg.currency,
      effectiveAt: ctx.ts(ctx.mo, CUT_DAY, 0),
    };
    return eventLine(
      changeId,
      'PriceChanged',
      ctx.ts(ctx.mo, 3, this.rnd.int(9 * HOUR, 11 * HOUR)),
      undefined,
      data,
      'pricing-01',
    );
  }

  /** After the good lines of day `day`: on a cut's day, its claimants' stock counts (some later). */
  dayEnd(day: number): string[] {
    const out: string[] = [];
    for (const cut of this.cuts) if (cut.mi === this.ctx.mi && day === CUT_DAY) out.push(...this.counts(cut));
    return out;
  }

  private counts(cut: Cut): string[] {
    const { ctx, rnd } = this;
    const out: string[] = [];
    let returns = 0;
    for (const { partner: p, sales } of cut.buys.values()) {
      const units = sales.reduce((a, s) => a + s.quantity, 0);
      const onHand = () => rnd.int(0, Math.ceil(units * 1.3));
      const id = (k: number) => `INV-${p.id}-${cut.changeId}-${k}`;
      const r = rnd.float();
      if (r < 0.45) out.push(this.count(p, cut, id(1), CUT_DAY, onHand(), ctx.ts(ctx.mo, CUT_DAY, 0)));
      else if (r < 0.6) {
        out.push(this.count(p, cut, id(1), CUT_DAY, onHand(), ctx.ts(ctx.mo, CUT_DAY - 6, 16 * HOUR)));
        this.schedule.add(
          ctx.mi,
          CUT_DAY + 3,
          this.count(p, cut, id(2), CUT_DAY + 3, onHand(), ctx.ts(ctx.mo, CUT_DAY + 3, 9 * HOUR)),
        );
      } else if (r < 0.7) {
        this.schedule.add(
          ctx.mi,
          CUT_DAY + 3,
          this.count(p, cut, id(1), CUT_DAY + 3, onHand(), ctx.ts(ctx.mo, CUT_DAY + 3, 9 * HOUR)),
        );
      } else if (r < 0.85) {
        // Sent after the accrual month is closed: the claim is restated.
        const next = ctx.month(cut.mi + 1);
        const line = eventLine(
          id(1),
          'InventoryReported',
          ctx.ts(next, 3, rnd.int(9 * HOUR, 18 * HOUR)),
          p.id,
          { sku: cut.sku.id, onHand: onHand(), asOf: ctx.ts(ctx.mo, CUT_DAY, 0) },
          'erp-stock',
        );
        this.schedule.add(cut.mi + 1, 3, line);
      }
      if (returns < 2 && (returns === 0 || rnd.chance(0.3))) {
        returns++;
        this.schedule.add(cut.mi + 1, 4, this.lateReturn(p, cut, rnd.pick(sales)));
      }
    }
    return out;
  }

  /** A stock count of `p` for the cut's SKU as of `asOf`, sent on day `day` of the cut's month. */
  private count(p: Partner, cut: Cut, eventId: string, day: number, onHand: number, asOf: string): string {
    const at = this.ctx.ts(this.ctx.mo, day, this.rnd.int(9 * HOUR, 18 * HOUR));
    return eventLine(eventId, 'InventoryReported', at, p.id, { sku: cut.sku.id, onHand, asOf }, 'erp-stock');
  }

  /** One unit of a window sale sent back on day 4 of the month after the cut's (closed by then). */
  private lateReturn(p: Partner, cut: Cut, sale: SaleSeen): string {
    const { ctx } = this;
    const next = ctx.month(cut.mi + 1);
    const refund = Math.floor(sale.amount / sale.quantity);
    this.book.add(p, cut.mi + 1, -refund, false);
    return saleLine(
      'SaleReturned',
      `RMA-${p.id}-${next.label}-${cut.changeId}/1`,
      ctx.ts(next, 4, this.rnd.int(9 * HOUR, 18 * HOUR)),
      p.id,
      sale.orderId,
      sale.sku.id,
      1,
      formatMinor(refund, ctx.cfg.digits),
      ctx.cfg.currency,
      p.source,
    );
  }
}
