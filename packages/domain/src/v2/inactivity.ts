/**
 * (v2) Partners with no deal for a long time (spec §4 "Inactivity", 业绩评估): "inactive at
 * M", the close-time CHANNEL_INACTIVE and the re-judgment after a late SaleRecorded. Plain
 * inputs: the months in which the channel has at least one accepted SaleRecorded, its first
 * month, and K of the program in effect for a month. Alert ids are the projection's.
 */
import type { Month } from '../calendar.js';

export interface InactivityInput {
  /**
   * The months with ≥ 1 accepted SaleRecorded (a "0" sale counts, a return does not): a Set,
   * or a view over the month facts (`saleCount > 0`) — only `has` is asked.
   */
  readonly soldMonths: Pick<ReadonlySet<Month>, 'has'>;
  readonly firstMonth: Month;
  /** `inactivityMonths` of the program in effect for a month; undefined: no program or no K. */
  readonly inactivityMonthsFor: (month: Month) => number | undefined;
}

/** Months M−K+1 … M are all ≥ the first month and none has a sale, with K of M's program. */
export function inactiveAt(input: InactivityInput, month: Month): boolean {
  const k = input.inactivityMonthsFor(month);
  if (k === undefined || month - k + 1 < input.firstMonth) return false;
  for (let m = month - k + 1; m <= month; m++) if (input.soldMonths.has(m)) return false;
  return true;
}

/** A silent spell starts at M: inactive at M and not at M − 1 (each with its own program). */
export function becameInactiveAt(input: InactivityInput, month: Month): boolean {
  return inactiveAt(input, month) && !inactiveAt(input, month - 1);
}

export interface IdleSpell {
  /** Consecutive months without a sale ending at M, counted back no further than the first month. */
  readonly idleMonths: number;
  /** The month before them; null when the channel has not sold since its first month. */
  readonly lastSaleMonth: Month | null;
}

export function idleSpell(input: InactivityInput, month: Month): IdleSpell {
  let m = month;
  while (m >= input.firstMonth && !input.soldMonths.has(m)) m--;
  return { idleMonths: month - m, lastSaleMonth: m >= input.firstMonth ? m : null };
}

/** An inactivity alert without its id (the projection numbers alerts). */
export type InactivityAlert =
  | {
      readonly kind: 'CHANNEL_INACTIVE';
      readonly month: Month;
      readonly idleMonths: number;
      /** K in effect for the month. */
      readonly inactivityMonths: number;
      readonly lastSaleMonth: Month | null;
      readonly restated: boolean;
    }
  | { readonly kind: 'CHANNEL_INACTIVE_RETRACTED'; readonly month: Month };

function inactive(input: InactivityInput, month: Month, restated: boolean): InactivityAlert {
  return {
    kind: 'CHANNEL_INACTIVE',
    month,
    ...idleSpell(input, month),
    inactivityMonths: input.inactivityMonthsFor(month) ?? 0,
    restated,
  };
}

/**
 * Closing step 4, for a channel whose first month is ≤ M: CHANNEL_INACTIVE (`restated:
 * false`) when a silent spell starts at M — once per spell.
 */
export function inactivityAtClose(input: InactivityInput, month: Month): InactivityAlert[] {
  return becameInactiveAt(input, month) ? [inactive(input, month, false)] : [];
}

/**
 * After an accepted SaleRecorded into closed month `saleMonth`: every closed month M from
 * `saleMonth` through `lastClosed` is re-judged, ascending, `before` (the sold months and
 * first month as they were before the sale) against `after`. A spell start that disappears
 * gives CHANNEL_INACTIVE_RETRACTED; one that appears gives CHANNEL_INACTIVE (`restated: true`).
 */
export function rejudgeInactivity(
  before: InactivityInput,
  after: InactivityInput,
  saleMonth: Month,
  lastClosed: Month,
): InactivityAlert[] {
  const out: InactivityAlert[] = [];
  for (let m = saleMonth; m <= lastClosed; m++) {
    const was = becameInactiveAt(before, m);
    const is = becameInactiveAt(after, m);
    if (was && !is) out.push({ kind: 'CHANNEL_INACTIVE_RETRACTED', month: m });
    if (is && !was) out.push(inactive(after, m, true));
  }
  return out;
}
