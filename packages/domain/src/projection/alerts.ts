/**
 * Alerts of spec §5 (v1 and the four v2 kinds), with deterministic ids `<kind>/<channelId>/<month>/<n>`.
 */
import { formatMonth, type Month } from '../calendar.js';
import type { ChannelState } from './state.js';

export type Alert =
  | {
      readonly id: string;
      readonly kind: 'GROWTH_TARGET_MISSED';
      readonly channelId: string;
      readonly month: string;
      readonly growthBps: number | null;
      readonly targetBps: number;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'GROWTH_TARGET_MISS_RETRACTED';
      readonly channelId: string;
      readonly month: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TIER_DOWNGRADE_WARNING';
      readonly channelId: string;
      readonly month: string;
      readonly tier: string;
      readonly qualifyingTier: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TIER_DOWNGRADED';
      readonly channelId: string;
      readonly month: string;
      readonly from: string;
      readonly to: string;
    }
  | {
      readonly id: string;
      readonly kind: 'TARGET_BEHIND';
      readonly channelId: string;
      /** The quarter's last month. */
      readonly month: string;
      readonly quarter: string;
      readonly cumulativeNet: string;
      readonly cumulativeTarget: string;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'TARGET_BEHIND_RETRACTED';
      readonly channelId: string;
      readonly month: string;
      readonly quarter: string;
    }
  | {
      readonly id: string;
      readonly kind: 'CHANNEL_INACTIVE';
      readonly channelId: string;
      readonly month: string;
      readonly idleMonths: number;
      readonly inactivityMonths: number;
      readonly lastSaleMonth: string | null;
      readonly restated: boolean;
    }
  | {
      readonly id: string;
      readonly kind: 'CHANNEL_INACTIVE_RETRACTED';
      readonly channelId: string;
      readonly month: string;
    };

export type AlertKind = Alert['kind'];

/**
 * Each alert kind's code: a channel's alert count is kept under its kind's code × 2^17 + its
 * month (months to the year 9999 are below 2^17), a small integer, not a `kind/month` string.
 * A `Record` over `AlertKind`, so a kind added to `Alert` does not compile until it has a code.
 * The codes live in memory only (saved counts name their kind), so they need not stay stable.
 */
const KIND_CODES: Readonly<Record<AlertKind, number>> = {
  GROWTH_TARGET_MISSED: 0,
  GROWTH_TARGET_MISS_RETRACTED: 1,
  TIER_DOWNGRADE_WARNING: 2,
  TIER_DOWNGRADED: 3,
  TARGET_BEHIND: 4,
  TARGET_BEHIND_RETRACTED: 5,
  CHANNEL_INACTIVE: 6,
  CHANNEL_INACTIVE_RETRACTED: 7,
};
const ALERT_KINDS: readonly string[] = Object.entries(KIND_CODES)
  .sort(([, a], [, b]) => a - b)
  .map(([kind]) => kind);
const MONTH_KEYS = 2 ** 17;

function countKey(kind: string, month: Month): number {
  const code = Object.hasOwn(KIND_CODES, kind) ? KIND_CODES[kind as AlertKind] : undefined;
  if (code === undefined || !(Number.isInteger(month) && month >= 0 && month < MONTH_KEYS)) {
    throw new RangeError(`no alert count for ${kind} in month ${month}`);
  }
  return code * MONTH_KEYS + month;
}

/** The next deterministic id for an alert of `kind` on a channel-month; counts it. */
export function nextAlertId(channel: ChannelState, kind: AlertKind, month: Month): string {
  const key = countKey(kind, month);
  const counts = channel.alertCounts;
  let i = 0;
  while (i < counts.length && counts[i] !== key) i += 2;
  let n = 1;
  if (i < counts.length) {
    n = (counts[i + 1] as number) + 1;
    counts[i + 1] = n;
  } else {
    counts.push(key, 1);
  }
  return `${kind}/${channel.channelId}/${formatMonth(month)}/${n}`;
}

/**
 * A channel's alert counts as `[kind/month, count]` entries, first counted first: the form the
 * read model's channel rows and the as-of snapshots keep (`kind/month` with the month as its
 * number, as when the counts were a `Map` keyed by that text).
 */
export function alertCountEntries(counts: readonly number[]): [string, number][] {
  const entries: [string, number][] = [];
  for (let i = 0; i < counts.length; i += 2) {
    const key = counts[i] as number;
    const month = key % MONTH_KEYS;
    entries.push([`${ALERT_KINDS[(key - month) / MONTH_KEYS] as string}/${month}`, counts[i + 1] as number]);
  }
  return entries;
}

/** The alert counts `alertCountEntries` wrote. */
export function alertCountsOf(entries: readonly (readonly [string, number])[]): number[] {
  const counts: number[] = [];
  for (const [text, n] of entries) {
    const slash = text.lastIndexOf('/');
    counts.push(countKey(text.slice(0, slash), Number(text.slice(slash + 1))), n);
  }
  return counts;
}

export interface TierMovement {
  readonly channelId: string;
  readonly from: string;
  readonly to: string;
  readonly reviewMonth: string;
  readonly effectiveMonth: string;
  readonly kind: 'UPGRADE' | 'DOWNGRADE';
}

/** Where the projection reports what it derived; the runner stores and publishes them. */
export interface ProjectionSink {
  alert(alert: Alert): void;
  tierMovement(movement: TierMovement): void;
}
