/**
 * (spec v2) The v2 lines' common parts: a channel or program event as a JSON line, the net
 * each partner has recorded per month so far (the generator's own count of what the engine
 * will see, for targets that are kept or missed on purpose), and lines scheduled for a later
 * day of the feed.
 */
import type { JsonObject } from './eventLines.js';
import type { FeedContext } from './feedContext.js';
import type { Partner } from './partners.js';

/** A channel event (`channelId` set) or a program event as an NDJSON line. */
export function eventLine(
  eventId: string,
  type: string,
  occurredAt: string,
  channelId: string | undefined,
  data: JsonObject,
  source: string,
): string {
  return JSON.stringify(
    channelId === undefined
      ? { eventId, type, occurredAt, data, source }
      : { eventId, type, occurredAt, channelId, data, source },
  );
}

/** Net (minor units) and whether it sold, per partner and month index, as sent so far. */
export class NetBook {
  private readonly net: Float64Array;
  private readonly sold: Uint8Array;

  constructor(
    private readonly ctx: FeedContext,
    partners: number,
  ) {
    this.net = new Float64Array(partners * ctx.cfg.months);
    this.sold = new Uint8Array(partners * ctx.cfg.months);
  }

  add(p: Partner, mi: number, amount: number, sale: boolean): void {
    const at = p.index * this.ctx.cfg.months + mi;
    this.net[at] = (this.net[at] ?? 0) + amount;
    if (sale) this.sold[at] = 1;
  }

  /** Net of month `mi` (0 outside the feed). */
  netOf(p: Partner, mi: number): number {
    if (mi < 0 || mi >= this.ctx.cfg.months) return 0;
    return this.net[p.index * this.ctx.cfg.months + mi] ?? 0;
  }

  soldIn(p: Partner, mi: number): boolean {
    return this.sold[p.index * this.ctx.cfg.months + mi] === 1;
  }

  /** The month index of calendar month `month` (1–12) of `year` (may be outside the feed). */
  indexOf(year: number, month: number): number {
    const { startYear, startMonth } = this.ctx.cfg;
    return year * 12 + month - 1 - (startYear * 12 + startMonth - 1);
  }
}

/** Lines to send after the good lines of a later day (month index and day). */
export class Schedule {
  private readonly byDay = new Map<number, string[]>();

  add(mi: number, day: number, line: string): void {
    const key = mi * 32 + day;
    const list = this.byDay.get(key);
    if (list === undefined) this.byDay.set(key, [line]);
    else list.push(line);
  }

  /** The lines of day `day` of month `mi`, taken off the schedule. */
  take(mi: number, day: number): string[] {
    const key = mi * 32 + day;
    const list = this.byDay.get(key) ?? [];
    this.byDay.delete(key);
    return list;
  }
}
