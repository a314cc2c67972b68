/**
 * The partners' own lines, sent by their ERP, CRM, LMS and survey systems: registrations,
 * sales (planned and late), returns of earlier sales, trainings and satisfaction surveys,
 * with the bookkeeping of sending them (what is left of the month's plan, recent sales).
 */
import { pad2 } from './calendar.js';
import { COURSES, SKUS, type Sku } from './catalogue.js';
import { LineRing, saleLine, type JsonObject } from './eventLines.js';
import type { FeedContext } from './feedContext.js';
import { formatMinor, mulDiv } from './money.js';
import type { LateSale } from './monthPlan.js';
import {
  R_AMOUNT,
  R_FIELDS,
  R_MONTH,
  R_QUANTITY,
  R_SENT,
  R_SEQ,
  R_SKU,
  RECENT,
  type Partner,
} from './partners.js';

/** (v2) A sale as the v2 part of the feed sees it (v2Feed.ts: price-protection windows). */
export interface SaleSeen {
  readonly eventId: string;
  readonly orderId: string;
  readonly sku: Sku;
  readonly quantity: number;
  /** Minor units. */
  readonly amount: number;
}

/** (v2) What the v2 part of the feed adds to the partners' lines, and learns from them. */
export interface ChannelHooks {
  /** The `parentId` of `p`'s registration, if any. */
  parentAtRegistration(p: Partner): string | undefined;
  /** A sale of `p` dated `second` of day `day` of month `mi`. */
  sold(p: Partner, mi: number, day: number, second: number, sale: SaleSeen): void;
  /** A return of `p` refunding `refund` minor units, dated in the current month. */
  returned(p: Partner, refund: number): void;
}

export class ChannelLines {
  /** The partners registered so far, in order of registration. */
  readonly registered: Partner[] = [];
  /** (v2) Set in a v2 feed only. */
  hooks: ChannelHooks | undefined;
  /** Recent sale lines, for conflicting duplicates. */
  readonly recentSales = new LineRing(64);
  private lateSeq = 0;

  constructor(private readonly ctx: FeedContext) {}

  registration(p: Partner, second: number): string {
    const data: JsonObject = { name: p.name, kind: p.kind };
    if (p.online !== undefined) data['online'] = p.online;
    if (p.region !== undefined) data['region'] = p.region;
    const parentId = this.hooks?.parentAtRegistration(p);
    if (parentId !== undefined) data['parentId'] = parentId;
    p.registered = true;
    this.registered.push(p);
    return JSON.stringify({
      eventId: `REG-${p.id}`,
      type: 'ChannelRegistered',
      occurredAt: this.ctx.ts(this.ctx.mo, this.ctx.day, second),
      channelId: p.id,
      data,
      source: 'crm-01',
    });
  }

  /** One of the month's planned sales of `p`: its share of what is left of the month's net. */
  plannedSale(p: Partner, second: number): string {
    const amount =
      p.salesLeft <= 1 ? p.amountLeft : mulDiv(p.amountLeft, this.ctx.rnd.int(50, 150), 100 * p.salesLeft);
    p.salesLeft--;
    p.amountLeft -= amount;
    p.orderSeq++;
    return this.sale(p, this.ctx.mi, this.ctx.day, second, p.orderSeq, amount);
  }

  /** A late sale: dated in a closed month, sent today; order ids `L1`, `L2`… across the feed. */
  lateSale(late: LateSale, second: number): string {
    const p = late.partner;
    this.lateSeq++;
    const amount = Math.max(this.ctx.minorPerMajor, mulDiv(p.level, this.ctx.rnd.int(20, 120), 1000));
    return this.sale(p, late.month, late.date, second, -this.lateSeq, amount);
  }

  /** Order id of the `seq`-th order of `p` in month `mi` (late sale -seq: `L<seq>`). */
  private orderId(p: Partner, mi: number, seq: number): string {
    return `O-${p.id}-${this.ctx.month(mi).label}-${seq < 0 ? `L${-seq}` : seq}`;
  }

  /** A sale of `p` dated day `day` of month `mi` (sent today), order number `seq`. */
  private sale(p: Partner, mi: number, day: number, second: number, seq: number, amount: number): string {
    const { ctx } = this;
    const { rnd } = ctx;
    const orderId = this.orderId(p, mi, seq);
    const sku = rnd.pick(p.skus);
    // Quantity from the list price less a 0–20% discount (the amount itself is exact).
    const unit = sku.price * ctx.minorPerMajor * (0.8 + 0.2 * rnd.float());
    const quantity = Math.max(1, Math.round(amount / unit));
    const line = saleLine(
      'SaleRecorded',
      `${orderId}/1`,
      ctx.ts(ctx.month(mi), day, second, p.millis ? rnd.int(0, 999) : -1),
      p.id,
      orderId,
      sku.id,
      quantity,
      formatMinor(amount, ctx.cfg.digits),
      ctx.cfg.currency,
      p.source,
    );
    const r = p.recentNext * R_FIELDS;
    p.recent[r + R_MONTH] = mi;
    p.recent[r + R_SEQ] = seq;
    p.recent[r + R_SKU] = SKUS.indexOf(sku);
    p.recent[r + R_QUANTITY] = quantity;
    p.recent[r + R_AMOUNT] = amount;
    p.recent[r + R_SENT] = ctx.mi * 32 + ctx.day;
    p.recentNext = (p.recentNext + 1) % RECENT;
    p.recentCount = Math.min(RECENT, p.recentCount + 1);
    this.recentSales.add(line);
    this.hooks?.sold(p, mi, day, second, { eventId: `${orderId}/1`, orderId, sku, quantity, amount });
    return line;
  }

  /** A credit note for part of one of `p`'s recent sales sent before today, if any. */
  saleReturn(p: Partner, second: number): string | null {
    const { ctx } = this;
    const { rnd } = ctx;
    const r = this.returnable(p);
    if (r < 0) return null;
    const { recent } = p;
    const sold = recent[r + R_QUANTITY] as number;
    const left = recent[r + R_AMOUNT] as number;
    let quantity: number;
    let refund: number;
    if (sold >= 2) {
      quantity = rnd.int(1, sold - 1);
      refund = mulDiv(left, quantity, sold);
      recent[r + R_QUANTITY] = sold - quantity;
    } else {
      quantity = 1; // a partial refund (price adjustment) of a single unit
      refund = mulDiv(left, rnd.int(10, 60), 100);
    }
    recent[r + R_AMOUNT] = left - refund;
    this.hooks?.returned(p, refund);
    p.returnSeq++;
    const rma = `RMA-${p.id}-${ctx.mo.label}-${p.returnSeq}`;
    return saleLine(
      'SaleReturned',
      `${rma}/1`,
      ctx.ts(ctx.mo, ctx.day, second, p.millis ? rnd.int(0, 999) : -1),
      p.id,
      this.orderId(p, recent[r + R_MONTH] as number, recent[r + R_SEQ] as number),
      (SKUS[recent[r + R_SKU] as number] as Sku).id,
      quantity,
      formatMinor(refund, ctx.cfg.digits),
      ctx.cfg.currency,
      p.source,
    );
  }

  /**
   * Where in `p.recent` the sale to return is: one picked uniformly among those sent before
   * today with an amount left to refund; -1 when there is none.
   */
  private returnable(p: Partner): number {
    const today = this.ctx.mi * 32 + this.ctx.day;
    const { recent } = p;
    let r = -1;
    let seen = 0;
    for (let k = 0; k < p.recentCount; k++) {
      const at = k * R_FIELDS;
      if ((recent[at + R_SENT] as number) < today && (recent[at + R_AMOUNT] as number) > 0) {
        if (this.ctx.rnd.float() * ++seen < 1) r = at;
      }
    }
    return r;
  }

  training(p: Partner, second: number): string {
    const { rnd, mo } = this.ctx;
    const course = rnd.pick(COURSES);
    const data: JsonObject = {
      courseId: course.id,
      traineeId: `${p.id}-T${pad2(rnd.int(1, p.traineePool))}`,
    };
    if (course.certification !== undefined && rnd.chance(0.85)) data['certification'] = course.certification;
    p.trainingSeq++;
    return JSON.stringify({
      eventId: `TRN-${p.id}-${mo.label}-${p.trainingSeq}`,
      type: 'TrainingCompleted',
      occurredAt: this.ctx.ts(mo, this.ctx.day, second),
      channelId: p.id,
      data,
      source: 'lms-01',
    });
  }

  survey(p: Partner, second: number): string {
    const { rnd, mo } = this.ctx;
    const score = rnd.chance(0.1) ? rnd.int(10, 60) : Math.min(100, rnd.int(55, 85) + rnd.int(0, 15));
    return JSON.stringify({
      eventId: `SRV-${p.id}-${mo.year}-Q${mo.month / 3}`,
      type: 'SatisfactionSurveyed',
      occurredAt: this.ctx.ts(mo, this.ctx.day, second),
      channelId: p.id,
      data: { score, respondents: rnd.int(1, 15) },
      source: 'survey-01',
    });
  }
}
