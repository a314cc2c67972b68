/**
 * What every part of one feed shares: its configuration, its one PRNG (the order of draws is
 * the output), its months and timestamps, and where the feed is now (month and day).
 */
import { clock, monthAt, pad2, type Month } from './calendar.js';
import type { FeedConfig } from './feedOptions.js';
import { Random } from './random.js';

export class FeedContext {
  readonly rnd: Random;
  /** Minor units per major unit of the currency (10^digits). */
  readonly minorPerMajor: number;
  /** The current month: its index (-1 before the first) and the month. */
  mi = -1;
  mo: Month;
  /** The current day of `mo`. */
  day = 0;
  private readonly months: Month[] = [];

  constructor(readonly cfg: FeedConfig) {
    this.rnd = new Random(cfg.seed);
    this.minorPerMajor = 10 ** cfg.digits;
    this.mo = this.month(0);
  }

  /** Month `i` of the feed (-1 … months). */
  month(i: number): Month {
    const cached = this.months[i + 1];
    if (cached !== undefined) return cached;
    const month = monthAt(this.cfg.startYear, this.cfg.startMonth, i);
    this.months[i + 1] = month;
    return month;
  }

  /** The timestamp of `second` (of the day) on day `day` of `mo`, with `millis` when ≥ 0. */
  ts(mo: Month, day: number, second: number, millis = -1): string {
    const fraction = millis >= 0 ? `.${String(millis).padStart(3, '0')}` : '';
    return `${mo.label}-${pad2(day)}T${clock(second)}${fraction}${this.cfg.offset}`;
  }
}
