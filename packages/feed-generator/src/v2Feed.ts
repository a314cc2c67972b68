/**
 * (spec v2) The v2 part of a feed generated with `v2: true`: what it adds to the v1 feed and
 * when. The programs carry `inactivityMonths` and `priceProtectionDays` (programLines.ts);
 * besides, in log order:
 * - at the start of a month (after the promotions): price changes (v2Prices.ts), targets set
 *   late in the year, next year's targets in December, a target revision after the close of
 *   Q1–Q3 (v2Targets.ts), and in two months re-parentings (`ChannelReparented`) with, the
 *   first time, three deliberately bad ones (one `UNKNOWN_PARENT`, two `INVALID_PARENT`);
 * - after a day's lines: the targets of the partners that registered that day, stock counts
 *   around price cuts, and the late counts and returns scheduled for that day;
 * - in the partners' own lines: `parentId` at registration, silent spells (no sale for more
 *   than `inactivityMonths`) and one late sale into a spell (v2Cast.ts).
 * Its bad lines are counted in `FeedStats.badLines`; every other v2 line is accepted.
 */
import { HOUR } from './calendar.js';
import type { ChannelHooks, SaleSeen } from './channelLines.js';
import type { FeedContext } from './feedContext.js';
import type { LateSale, PlanHooks } from './monthPlan.js';
import type { Partner } from './partners.js';
import { INACTIVITY_MONTHS } from './programLines.js';
import { V2Cast } from './v2Cast.js';
import { eventLine, NetBook, Schedule } from './v2Lines.js';
import { PriceLines } from './v2Prices.js';
import { TargetLines } from './v2Targets.js';

export class V2Feed implements ChannelHooks, PlanHooks {
  /** Deliberately bad v2 lines sent so far. */
  badLines = 0;
  private readonly cast: V2Cast;
  private readonly book: NetBook;
  private readonly schedule = new Schedule();
  private readonly targets: TargetLines;
  private readonly prices: PriceLines;
  /** The current parent of each sub-partner, by partner index. */
  private readonly parentNow = new Map<number, Partner>();
  /** Partners registering in the current month. */
  private joining: Partner[] = [];
  private readonly lateTargetMonth: number;
  private readonly moveMonths: number[];

  constructor(
    private readonly ctx: FeedContext,
    private readonly partners: readonly Partner[],
  ) {
    this.cast = new V2Cast(ctx, partners);
    this.book = new NetBook(ctx, partners.length);
    this.targets = new TargetLines(ctx, this.cast, this.book);
    this.prices = new PriceLines(ctx, this.cast.rnd, this.book, this.schedule);
    const { months } = ctx.cfg;
    this.lateTargetMonth = Math.min(months - 1, 6);
    const moves = [Math.max(1, Math.floor(months / 3)), Math.floor((2 * months) / 3)];
    this.moveMonths = [...new Set(moves)].filter((mi) => mi >= 1 && mi < months);
  }

  parentAtRegistration(p: Partner): string | undefined {
    const head = this.cast.parentAtRegistration.get(p.index);
    if (head !== undefined) this.parentNow.set(p.index, head);
    return head?.id;
  }

  sold(p: Partner, mi: number, day: number, second: number, sale: SaleSeen): void {
    this.book.add(p, mi, sale.amount, true);
    this.prices.sold(p, mi, day, second, sale);
  }

  returned(p: Partner, refund: number): void {
    this.book.add(p, this.ctx.mi, -refund, false);
  }

  quiet(p: Partner, mi: number, quiet: boolean): boolean {
    return this.cast.silent(p, mi) || quiet;
  }

  /**
   * In the month after the first spell's alert month: a sale dated in the month whose close
   * raised `CHANNEL_INACTIVE`, which retracts it.
   */
  lateSale(mi: number): LateSale | undefined {
    const spell = this.cast.spells[0];
    if (spell === undefined || mi !== spell.from + INACTIVITY_MONTHS) return undefined;
    const p = spell.partner;
    const inactive = (m: number) => {
      if (m - INACTIVITY_MONTHS + 1 < p.joinMonth) return false;
      for (let k = m - INACTIVITY_MONTHS + 1; k <= m; k++) if (this.book.soldIn(p, k)) return false;
      return true;
    };
    for (let m = mi - 1; m >= spell.from; m--) {
      if (inactive(m) && !inactive(m - 1))
        return { day: 2, partner: p, month: m, date: this.cast.rnd.int(10, 25) };
    }
    return undefined;
  }

  /** Lines at the start of the current month, after its promotions (see above). */
  monthStart(): string[] {
    const { ctx, targets, cast } = this;
    const { mi, mo } = ctx;
    this.joining = this.partners.filter((p) => p.joinMonth === mi);
    const out = this.prices.monthStart();
    if (mi === this.lateTargetMonth && mi > 0) {
      for (const p of this.partners) {
        if (p.joinMonth < mi && cast.perPartner[p.index]?.target === 'late')
          out.push(targets.initial(p, 3, true));
      }
    }
    if (mo.month === 12 && mi < ctx.cfg.months - 1) {
      for (const p of this.partners)
        if (p.joinMonth < mi && targets.hasTargets(p)) out.push(targets.nextYear(p, 10));
    }
    const prev = ctx.month(mi - 1);
    if (mi >= 1 && prev.month % 3 === 0 && prev.month < 12) {
      const revision = targets.revision(this.partners, prev.year, prev.month / 3, 5);
      if (revision !== null) out.push(revision);
    }
    const batch = this.moveMonths.indexOf(mi);
    if (batch >= 0) out.push(...this.moves(batch));
    return out;
  }

  /** Lines after the good lines of day `day` of the current month (see above). */
  dayEnd(day: number): string[] {
    const { ctx, cast } = this;
    const out: string[] = [];
    for (const p of this.joining) {
      if (p.regDay !== day) continue;
      const plan = cast.perPartner[p.index]?.target;
      if (plan === 'atRegistration' || (plan === 'late' && p.joinMonth >= this.lateTargetMonth)) {
        out.push(this.targets.initial(p, day, false));
      }
    }
    out.push(...this.prices.dayEnd(day), ...this.schedule.take(ctx.mi, day));
    return out;
  }

  /**
   * Re-parentings effective from the current (open) month. Batch 0: a sub-partner moves to
   * another head, a stand-alone partner joins a tree, and three bad lines; batch 1: a
   * sub-partner becomes top-level and another changes head.
   */
  private moves(batch: number): string[] {
    const { cast, ctx } = this;
    const registered = (p: Partner) => p.joinMonth < ctx.mi;
    const movable = this.partners.filter(
      (p) => registered(p) && this.parentNow.has(p.index) && !cast.isStableChild(p),
    );
    const standAlone = this.partners.filter(
      (p) =>
        registered(p) &&
        !cast.heads.includes(p) &&
        !this.parentNow.has(p.index) &&
        !cast.spells.some((s) => s.partner === p),
    );
    const out: string[] = [];
    const first = movable[0];
    if (batch === 1 && first !== undefined) {
      out.push(this.move(first, undefined, ''));
      movable.shift();
    }
    const mover = cast.rnd.chance(0.5) ? movable[0] : movable[movable.length - 1];
    const from = mover === undefined ? undefined : this.parentNow.get(mover.index);
    const to = cast.heads.find((h) => h !== from);
    if (mover !== undefined && to !== undefined) out.push(this.move(mover, to, ''));
    const [joiner, ghostChild, wrongChild] = cast.rnd.sample(standAlone, 3);
    const head = cast.heads[cast.rnd.int(0, cast.heads.length - 1)];
    if (batch === 0 && joiner !== undefined && head !== undefined) out.push(this.move(joiner, head, ''));
    if (batch === 0) out.push(...this.badMoves(ghostChild, wrongChild));
    return out;
  }

  /** `UNKNOWN_PARENT`: an unregistered parent; `INVALID_PARENT`: under a sub-partner, a head under a head. */
  private badMoves(ghostChild: Partner | undefined, wrongChild: Partner | undefined): string[] {
    const { cast } = this;
    const out: string[] = [];
    const bad = (c: Partner, parentId: string, n: number) => {
      this.badLines++;
      out.push(this.move(c, parentId, `-X${n}`));
    };
    if (ghostChild !== undefined) bad(ghostChild, `GHOST-${ghostChild.id}`, 1);
    const [headWithChild, stable] = [...cast.stableChild.entries()][0] ?? [];
    const sub = stable;
    if (wrongChild !== undefined && sub !== undefined) bad(wrongChild, sub.id, 2);
    const parent = this.partners[headWithChild ?? -1];
    const other = cast.heads.find((h) => h !== parent);
    if (parent !== undefined && other !== undefined) bad(parent, other.id, 3);
    return out;
  }

  /** A re-parenting of `c` under `parent` (a partner, an id, or none: top-level) from this month. */
  private move(c: Partner, parent: Partner | string | undefined, suffix: string): string {
    const { ctx } = this;
    const parentId = typeof parent === 'string' ? parent : parent?.id;
    if (suffix === '') {
      if (typeof parent === 'object') this.parentNow.set(c.index, parent);
      else this.parentNow.delete(c.index);
    }
    const data =
      parentId === undefined ? { effectiveFrom: ctx.mo.label } : { effectiveFrom: ctx.mo.label, parentId };
    const at = ctx.ts(ctx.mo, 3, this.cast.rnd.int(12 * HOUR, 17 * HOUR));
    return eventLine(
      `RP-${c.id}-${ctx.mo.label}${suffix}`,
      'ChannelReparented',
      at,
      c.id,
      data,
      'channel-ops',
    );
  }
}
