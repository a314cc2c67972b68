/**
 * The month plan: at the start of each month, what every partner sends on which day (its
 * target net, sales, returns, trainings, surveys) and which late sales go out in the first
 * days; then, day by day, the day's lines as small slot descriptors sorted by time of day.
 * Lines are built one by one from the slots as they are sent, so a day's lines never pile up
 * in memory.
 */
import { HOUR } from './calendar.js';
import { PROFILES } from './catalogue.js';
import type { FeedContext } from './feedContext.js';
import { scaleBps } from './money.js';
import { PLAN_RETURN, PLAN_SALE, PLAN_SURVEY, PLAN_TRAINING, type Partner } from './partners.js';

// Kinds of the slots of a day.
export const SLOT_REGISTRATION = 0;
export const SLOT_SALE = 1;
export const SLOT_RETURN = 2;
export const SLOT_TRAINING = 3;
export const SLOT_SURVEY = 4;
export const SLOT_LATE = 5;
/** Most lines in a day (the sort key is time of day × SLOT_LIMIT + slot). */
const SLOT_LIMIT = 2 ** 22;

/** Late sales per sale line of the month. */
const LATE_RATIO = 0.003;
/** Returns per sale line. */
const RETURN_RATIO = 0.05;

/** A sale dated in a closed month, sent in the first days of the current one. */
export interface LateSale {
  /** Day of the current month on which it is sent. */
  readonly day: number;
  readonly partner: Partner;
  /** The (closed) month it is dated in (index), and its day. */
  readonly month: number;
  readonly date: number;
}

/** (v2) How the v2 part of the feed bends the plan. */
export interface PlanHooks {
  /** Whether `p` sells nothing in month `mi` (`quiet`: the v1 plan's own draw). */
  quiet(p: Partner, mi: number, quiet: boolean): boolean;
  /** A late sale the v2 part sends this month, if any. */
  lateSale(mi: number): LateSale | undefined;
}

export class MonthPlan {
  /** Late sales to send this month. */
  readonly late: LateSale[] = [];
  /** Per day of the current month, the partners with something to send that day. */
  private readonly busy: Partner[][] = [];
  /** The current day's slots, in planning order: time of day, kind, partner index (late sale index). */
  private slots = 0;
  private readonly slotAt: number[] = [];
  private readonly slotKind: number[] = [];
  private readonly slotRef: number[] = [];
  /** Sort keys of the slots, in log order. */
  private order = new Float64Array(0);

  /** (v2) Set in a v2 feed only: silent spells and the late sale into one (v2Feed.ts). */
  hooks: PlanHooks | undefined;

  constructor(
    private readonly ctx: FeedContext,
    private readonly partners: readonly Partner[],
  ) {}

  /** Plans the current month (`ctx.mi`): the partners' days, then the late sales. */
  planMonth(): void {
    this.planLateSales(this.planPartners());
  }

  /** Plans every partner's month: its target net and what it sends on which day. */
  private planPartners(): number {
    const { rnd, mo, mi, cfg } = this.ctx;
    const lastDay = mo.days;
    const quarterEnd = mo.month % 3 === 0;
    for (let day = 0; day <= 31; day++) {
      const list = this.busy[day];
      if (list === undefined) this.busy.push([]);
      else list.length = 0;
    }
    let monthSales = 0;
    for (const p of this.partners) {
      p.plan.fill(0);
      p.salesLeft = 0;
      p.amountLeft = 0;
      p.orderSeq = 0;
      p.returnSeq = 0;
      p.trainingSeq = 0;
      if (p.joinMonth > mi) continue;
      if (p.joinMonth === mi) this.busy[p.regDay]?.push(p);
      else p.level = Math.max(this.ctx.minorPerMajor, scaleBps(p.level, p.trend.growthBps));
      const first = p.joinMonth === mi ? p.regDay + 1 : 1;
      const profile = PROFILES[p.kind];
      let quiet = p.joinMonth < mi && rnd.chance(0.02);
      if (this.hooks !== undefined) quiet = this.hooks.quiet(p, mi, quiet);
      const sales = quiet ? 0 : rnd.round(cfg.salesPerPartnerMonth * profile.lines * (0.5 + rnd.float()));
      p.salesLeft = sales;
      p.amountLeft = sales === 0 ? 0 : scaleBps(p.level, rnd.int(-p.trend.noiseBps, p.trend.noiseBps));
      monthSales += sales;
      for (let s = 0; s < sales; s++) this.bump(p, rnd.int(first, lastDay), PLAN_SALE);
      const returns = rnd.round(sales * RETURN_RATIO);
      for (let s = 0; s < returns; s++) this.bump(p, rnd.int(first, lastDay), PLAN_RETURN);
      const trainings = rnd.round(profile.trainings);
      for (let s = 0; s < trainings; s++) this.bump(p, rnd.int(first, lastDay), PLAN_TRAINING);
      if (quarterEnd && rnd.chance(0.75)) this.bump(p, rnd.int(first, lastDay), PLAN_SURVEY);
    }
    return monthSales;
  }

  private bump(p: Partner, day: number, what: number): void {
    const at = day * 4;
    const { plan } = p;
    if (plan[at] === 0 && plan[at + 1] === 0 && plan[at + 2] === 0 && plan[at + 3] === 0) {
      this.busy[day]?.push(p);
    }
    plan[at + what] = (plan[at + what] ?? 0) + 1;
  }

  /** Late sales: dated in a closed month (mostly the one just closed), sent in days 1–6. */
  private planLateSales(monthSales: number): void {
    const { rnd, mi } = this.ctx;
    this.late.length = 0;
    if (mi < 1) return;
    const count = Math.max(1, rnd.round(monthSales * LATE_RATIO));
    for (let k = 0; k < count; k++) {
      const target = mi >= 2 && rnd.chance(0.1) ? mi - 2 : mi - 1;
      const tm = this.ctx.month(target);
      for (let attempt = 0; attempt < 20; attempt++) {
        const p = rnd.pick(this.partners);
        if (p.joinMonth > target) continue;
        // (v2) A silent partner stays silent: only the v2 part sends a late sale into a spell.
        if (this.hooks?.quiet(p, target, false) === true) continue;
        const from = Math.max(p.joinMonth === target ? p.regDay + 1 : 1, 15);
        if (from > tm.days) continue;
        const day = rnd.int(1, 6);
        this.late.push({ day, partner: p, month: target, date: rnd.int(from, tm.days) });
        break;
      }
    }
    const extra = this.hooks?.lateSale(mi);
    if (extra !== undefined) this.late.push(extra);
  }

  /**
   * Plans day `day` of the current month: what each busy partner sends and when, sorted by
   * time of day. Returns the number of slots; `slotInOrder(i)` is the i-th in log order.
   */
  planDay(day: number): number {
    const { rnd } = this.ctx;
    this.slots = 0;
    const busy = this.busy[day] ?? [];
    for (let i = 0; i < busy.length; i++) {
      const p = busy[i] as Partner;
      if (p.joinMonth === this.ctx.mi && p.regDay === day) {
        this.slot(rnd.int(8 * HOUR, 10 * HOUR), SLOT_REGISTRATION, p.index);
        continue;
      }
      const at = day * 4;
      for (let r = p.plan[at + PLAN_RETURN] ?? 0; r > 0; r--) {
        this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_RETURN, p.index);
      }
      for (let s = p.plan[at + PLAN_SALE] ?? 0; s > 0; s--) {
        this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_SALE, p.index);
      }
      for (let t = p.plan[at + PLAN_TRAINING] ?? 0; t > 0; t--) {
        this.slot(rnd.int(9 * HOUR, 18 * HOUR), SLOT_TRAINING, p.index);
      }
      if ((p.plan[at + PLAN_SURVEY] ?? 0) > 0) this.slot(rnd.int(10 * HOUR, 16 * HOUR), SLOT_SURVEY, p.index);
    }
    for (let i = 0; i < this.late.length; i++) {
      if (this.late[i]?.day === day) this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_LATE, i);
    }
    // Sort by time of day, ties in planning order: the key is time × 2^22 + slot number.
    const keys = new Float64Array(this.slots);
    for (let i = 0; i < this.slots; i++) keys[i] = (this.slotAt[i] as number) * SLOT_LIMIT + i;
    keys.sort();
    this.order = keys;
    return this.slots;
  }

  private slot(at: number, kind: number, ref: number): void {
    const i = this.slots++;
    if (i >= SLOT_LIMIT) throw new RangeError('generateFeed: too many lines in a day');
    this.slotAt[i] = at;
    this.slotKind[i] = kind;
    this.slotRef[i] = ref;
  }

  /** The i-th slot of the day in log order. */
  slotInOrder(i: number): number {
    return (this.order[i] as number) % SLOT_LIMIT;
  }
  /** The time of day of `slot`, in seconds. */
  at(slot: number): number {
    return this.slotAt[slot] as number;
  }
  /** The kind of `slot` (SLOT_…). */
  kind(slot: number): number {
    return this.slotKind[slot] as number;
  }
  /** The partner's index of `slot` (for SLOT_LATE, the late sale's index in `late`). */
  ref(slot: number): number {
    return this.slotRef[slot] as number;
  }
}
