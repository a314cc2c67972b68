/**
 * A seeded, deterministic generator of a realistic ERP event feed (spec/DOMAIN.md §2) as
 * NDJSON lines, for load tests, demos and end-to-end checks.
 *
 * Shape of the feed, in log order:
 * - a `ProgramPublished` (4 tiers, quarterly review, volume bands) effective at `startMonth`,
 *   published the month before;
 * - then month by month: at mid-year (month index ⌊months/2⌋; none when months = 1) a program change
 *   effective from that still-open month (3 tiers, higher growth bonus); the month's
 *   `PromotionScheduled`s; then day by day, sorted by time of day, the partners'
 *   registrations, sales, returns, trainings and (in calendar quarter-end months) surveys,
 *   late sales dated in already closed months, exact resends of earlier lines and bad lines;
 *   finally a `PeriodClosed` for the month, dated day 1 or 2 of the next month (the last
 *   month stays open).
 *
 * Everything is valid against the spec except the deliberate bad lines (about
 * `badLineRatio` extra lines per good line): truncated JSON, schema violations (quantity 0,
 * a missing field, a timestamp without offset, too many decimals), unknown channel, currency
 * mismatch, and conflicting duplicates (an earlier sale's eventId with a different amount).
 *
 * Channel events are dated between 08:00 and 20:00 in `timeZoneOffset` (any day of the
 * month, month-end included), so their day and month are the same in any reporting zone
 * within 4 hours of that offset (`+08:00`: Asia/Shanghai, the spec's default zone).
 * `PeriodClosed` is dated 09:00–12:00 on day 1 or 2 of the next month: after the month's
 * end in any zone ahead of the offset or at most 9 hours behind it.
 *
 * The feed is produced lazily: the generator keeps per-partner state (a month's plan, the last
 * 8 sales) and the current day's schedule as small numbers, and builds each line as it is
 * yielded, so 10M-line feeds stream in constant memory. Money is integer minor units
 * throughout (bigint where products could exceed 2^53), formatted to decimal strings.
 *
 * Volumes: `salesPerPartnerMonth` sale lines per partner-month on average (distributors more,
 * agents fewer), plus about 5% returns, 0.3% late sales, 0.4% resends, trainings, surveys,
 * promotions, closes and bad lines: lines ≈ partners × months × (salesPerPartnerMonth + 0.75)
 * (the default feed: about 16,000 lines; 10,000 partners × 12 months × 8: about 1,050,000).
 *
 * With `v2: true` the feed also exercises spec v2 (v2Feed.ts): program K and N, targets and
 * revisions, price cuts with stock counts, distributor trees and re-parentings (three of them
 * deliberately bad), silent partners and a late sale into a silence. Off (the default), the
 * feed is the v1 feed, byte for byte: the v2 part draws from a second stream of its own.
 *
 * This module drives the feed: `FeedBuilder` holds its parts (partners.ts, monthPlan.ts,
 * programLines.ts, channelLines.ts, badLines.ts), and `generateFeed` walks it month by month
 * and day by day.
 */
import { drawTrend } from './catalogue.js';
import { ChannelLines } from './channelLines.js';
import { ExtraLines } from './badLines.js';
import { FeedContext } from './feedContext.js';
import { feedConfigOf, type FeedConfig, type FeedOptions, type FeedStats } from './feedOptions.js';
import {
  MonthPlan,
  SLOT_LATE,
  SLOT_REGISTRATION,
  SLOT_RETURN,
  SLOT_SALE,
  SLOT_SURVEY,
  SLOT_TRAINING,
  type LateSale,
} from './monthPlan.js';
import { createPartners, type Partner } from './partners.js';
import { closeLine, programChangeLine, programLine, promotionLines } from './programLines.js';
import { V2Feed } from './v2Feed.js';

const NONE: readonly string[] = [];

/**
 * The state of the feed being generated. The generator drives it month by month and day by
 * day; it holds the partners, the current month's plan and small rings of recent lines.
 */
class FeedBuilder {
  readonly partners: Partner[];
  private readonly ctx: FeedContext;
  private readonly programYear: number;
  /** Index of the month of the program change, or -1. */
  private readonly changeMonth: number;
  private readonly channel: ChannelLines;
  private readonly extra: ExtraLines;
  private readonly plan: MonthPlan;
  /** (v2) The v2 part of the feed, with `v2: true` only. */
  private readonly v2: V2Feed | undefined;

  constructor(cfg: FeedConfig) {
    const ctx = new FeedContext(cfg);
    this.ctx = ctx;
    this.programYear = ctx.mo.year;
    this.changeMonth = cfg.months >= 2 ? Math.floor(cfg.months / 2) : -1;
    this.channel = new ChannelLines(ctx);
    // The feed's first draw is the gap before the first bad line; the partners' come next.
    this.extra = new ExtraLines(ctx, this.channel);
    this.partners = createPartners(ctx);
    this.plan = new MonthPlan(ctx, this.partners);
    // Its own draws come from a second stream: nothing above draws differently.
    if (cfg.v2) {
      const v2 = new V2Feed(ctx, this.partners);
      this.v2 = v2;
      this.channel.hooks = v2;
      this.plan.hooks = v2;
    }
  }

  /** Bad lines sent so far. */
  get badLines(): number {
    return this.extra.badLines + (this.v2?.badLines ?? 0);
  }

  /** Days of the current month. */
  get days(): number {
    return this.ctx.mo.days;
  }

  /** The program in effect from the first month, published the month before. */
  programLine(): string {
    return programLine(this.ctx, this.programYear);
  }

  /**
   * Starts month `mi` (right after the previous month's close): returns its opening lines
   * (the mid-year program change, the month's promotions) and plans the month.
   */
  startMonth(mi: number): string[] {
    const { ctx } = this;
    ctx.mi = mi;
    ctx.mo = ctx.month(mi);
    const out: string[] = [];
    if (mi === this.changeMonth) {
      out.push(programChangeLine(ctx, this.programYear));
      // Some partners change course in the second half.
      for (const p of this.partners) if (ctx.rnd.chance(0.25)) p.trend = drawTrend(ctx.rnd, p.kind);
    }
    out.push(...promotionLines(ctx, this.partners));
    if (this.v2 !== undefined) out.push(...this.v2.monthStart());
    this.plan.planMonth();
    return out;
  }

  /** Plans day `day` of the current month (see MonthPlan.planDay); returns the number of slots. */
  planDay(day: number): number {
    this.ctx.day = day;
    return this.plan.planDay(day);
  }

  /**
   * The line of the i-th slot of the day in log order (null when a planned return finds no
   * earlier sale to return), with the bookkeeping of sending it.
   */
  line(i: number): string | null {
    const { plan, channel } = this;
    const slot = plan.slotInOrder(i);
    const at = plan.at(slot);
    const ref = plan.ref(slot);
    let line: string | null;
    switch (plan.kind(slot)) {
      case SLOT_REGISTRATION:
        line = channel.registration(this.partnerAt(ref), at);
        break;
      case SLOT_SALE:
        line = channel.plannedSale(this.partnerAt(ref), at);
        break;
      case SLOT_RETURN:
        line = channel.saleReturn(this.partnerAt(ref), at);
        break;
      case SLOT_TRAINING:
        line = channel.training(this.partnerAt(ref), at);
        break;
      case SLOT_SURVEY:
        line = channel.survey(this.partnerAt(ref), at);
        break;
      case SLOT_LATE:
        line = channel.lateSale(plan.late[ref] as LateSale, at);
        break;
      default:
        throw new Error('generateFeed: unknown slot kind');
    }
    if (line !== null) this.extra.sent(line);
    return line;
  }

  private partnerAt(index: number): Partner {
    return this.partners[index] as Partner;
  }

  /** Lines to send after a good line of `day`: resends of earlier lines and bad lines. */
  extras(day: number): readonly string[] {
    return this.extra.after(day);
  }

  /** (v2) Lines to send after the day's lines (none in a v1 feed). */
  dayEnd(day: number): readonly string[] {
    return this.v2?.dayEnd(day) ?? NONE;
  }

  /** The close of the current month, dated day 1 or 2 of the next; none for the last month. */
  closeLine(): string | null {
    return closeLine(this.ctx);
  }
}

/**
 * Yields NDJSON lines (no trailing newline) lazily — must not build the whole feed in memory, so 10M-line feeds work.
 * Invalid options throw a RangeError right away.
 */
export function generateFeed(options: FeedOptions = {}): Generator<string, FeedStats> {
  return feedLines(feedConfigOf(options));
}

function* feedLines(cfg: FeedConfig): Generator<string, FeedStats> {
  const feed = new FeedBuilder(cfg);
  let lines = 0;
  yield feed.programLine();
  lines++;
  for (let mi = 0; mi < cfg.months; mi++) {
    for (const line of feed.startMonth(mi)) {
      yield line;
      lines++;
    }
    const days = feed.days;
    for (let day = 1; day <= days; day++) {
      const slots = feed.planDay(day);
      for (let i = 0; i < slots; i++) {
        const line = feed.line(i);
        if (line === null) continue;
        yield line;
        lines++;
        for (const extra of feed.extras(day)) {
          yield extra;
          lines++;
        }
      }
      for (const line of feed.dayEnd(day)) {
        yield line;
        lines++;
      }
    }
    const close = feed.closeLine();
    if (close !== null) {
      yield close;
      lines++;
    }
  }
  return { lines, badLines: feed.badLines, partners: feed.partners.length, months: cfg.months };
}
