/**
 * The report of spec §7: every figure of every channel-month, the program KPIs, tier
 * movements, alerts and rejected inputs. Figures are computed from the projection state on
 * demand, so a late event is reflected everywhere at once.
 */
import { formatMonth, type Month } from './calendar.js';
import { formatAmount } from './money.js';
import { programInEffect } from './programRules.js';
import type { Alert, TierMovement } from './projection/alerts.js';
import {
  channelGrowth,
  growthStatus,
  isClosed,
  targetBpsFor,
  type GrowthStatus,
} from './projection/monthlyGrowth.js';
import { programMonths } from './projection/programKpis.js';
import { rebateFor, tierIndexInEffect } from './projection/rebateAccrual.js';
import { clampIndex } from './projection/tierReview.js';
import type { ChannelState, ProjectionState } from './projection/state.js';
import type { RejectionCode } from './rejection.js';
import { programQuartersReport, v2Sections, type ProgramQuarterReport, type V2Sections } from './v2Report.js';

export interface Counts {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface RebateReport {
  base: string;
  growthBonus: string;
  promotion: string;
  volume: string;
  total: string;
}

export interface MonthReport {
  month: string;
  sales: string;
  returns: string;
  net: string;
  orders: number;
  units: number;
  closed: boolean;
  restated: boolean;
  tier: string | null;
  growthBps: number | null;
  growthStatus: GrowthStatus;
  targetBps: number;
  rebate: RebateReport;
}

export interface ChannelReport {
  channelId: string;
  name: string;
  kind: string;
  online: boolean;
  tier: string | null;
  months: MonthReport[];
}

export interface ProgramMonthReport {
  month: string;
  net: string;
  onlineNet: string;
  onlineShareBps: number | null;
  activeChannels: number;
  newChannels: number;
  trainingsCompleted: number;
  satisfactionAvg: string | null;
}

export interface RejectedReport {
  line: number;
  eventId: string | null;
  code: RejectionCode;
}

/** (v2) `program.quarters` is present only for a v2 log. */
export interface ProgramReport {
  months: ProgramMonthReport[];
  quarters?: ProgramQuarterReport[];
}

/** The report; the v2 sections (between `tierMovements` and `alerts`) only for a v2 log. */
export type Report = {
  counts: Counts;
  lastClosedMonth: string | null;
  channels: ChannelReport[];
  program: ProgramReport;
  tierMovements: TierMovement[];
} & Partial<V2Sections> & {
    alerts: Alert[];
    rejected: RejectedReport[];
  };

/** One channel-month with every figure of the report. */
export function monthReport(
  state: ProjectionState,
  channel: ChannelState,
  month: Month,
  digits: number,
): MonthReport {
  const f = channel.months.get(month);
  const money = (v: bigint) => formatAmount(v, digits);
  const program = programInEffect(state.programs, month);
  const rebate = rebateFor(state, channel, month);
  const sales = f?.sales ?? 0n;
  const returns = f?.returns ?? 0n;
  return {
    month: formatMonth(month),
    sales: money(sales),
    returns: money(returns),
    net: money(sales - returns),
    orders: f?.orders ?? 0,
    units: Number((f?.unitsSold ?? 0n) - (f?.unitsReturned ?? 0n)),
    closed: isClosed(state, month),
    restated: f?.restated ?? false,
    tier:
      program === undefined ? null : (program.tiers[tierIndexInEffect(program, channel, month)]?.id ?? null),
    growthBps: channelGrowth(state, channel, month).growthBps,
    growthStatus: growthStatus(state, channel, month),
    targetBps: targetBpsFor(state, month),
    rebate: {
      base: money(rebate.base),
      growthBonus: money(rebate.growthBonus),
      promotion: money(rebate.promotion),
      volume: money(rebate.volume),
      total: money(rebate.total),
    },
  };
}

/** The tier a channel holds now, in the program in effect for the report's last month. */
export function currentTier(state: ProjectionState, channel: ChannelState): string | null {
  if (state.maxMonth === null) return null;
  const program = programInEffect(state.programs, state.maxMonth);
  if (program === undefined) return null;
  return program.tiers[clampIndex(program, channel.tierIndex)]?.id ?? null;
}

export function channelReport(state: ProjectionState, channel: ChannelState, digits: number): ChannelReport {
  const months: MonthReport[] = [];
  if (state.maxMonth !== null) {
    for (let m = channel.firstMonth; m <= state.maxMonth; m++) {
      months.push(monthReport(state, channel, m, digits));
    }
  }
  return {
    channelId: channel.channelId,
    name: channel.name,
    kind: channel.kind,
    online: channel.online,
    tier: currentTier(state, channel),
    months,
  };
}

/** `program`: its months, and (v2 log) its quarters. */
function programSection(state: ProjectionState, digits: number): ProgramReport {
  const months = programReport(state, digits);
  return state.v2Log ? { months, quarters: programQuartersReport(state) } : { months };
}

export function programReport(state: ProjectionState, digits: number): ProgramMonthReport[] {
  return programMonths(state).map((p) => ({
    month: formatMonth(p.month),
    net: formatAmount(p.net, digits),
    onlineNet: formatAmount(p.onlineNet, digits),
    onlineShareBps: p.onlineShareBps,
    activeChannels: p.activeChannels,
    newChannels: p.newChannels,
    trainingsCompleted: p.trainingsCompleted,
    satisfactionAvg: p.satisfactionCentis === null ? null : formatAmount(p.satisfactionCentis, 2),
  }));
}

export interface ReportInputs {
  readonly counts: Counts;
  readonly tierMovements: TierMovement[];
  readonly alerts: Alert[];
  readonly rejected: RejectedReport[];
}

export function buildReport(state: ProjectionState, digits: number, inputs: ReportInputs): Report {
  return {
    counts: inputs.counts,
    lastClosedMonth: state.lastClosed === null ? null : formatMonth(state.lastClosed),
    channels: state.channelOrder.flatMap((id) => {
      const c = state.channels.get(id);
      return c === undefined ? [] : [channelReport(state, c, digits)];
    }),
    program: programSection(state, digits),
    tierMovements: inputs.tierMovements,
    ...(state.v2Log ? v2Sections(state, digits) : {}),
    alerts: inputs.alerts,
    rejected: inputs.rejected,
  };
}

/** `JSON.stringify(value, null, 2)` for a value nested `depth` spaces deep. */
function jsonAt(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${' '.repeat(depth)}`);
}

/** The report's text up to its lists: counts, lastClosedMonth, channels (a piece each), program. */
function* reportHeadChunks(state: ProjectionState, digits: number, counts: Counts): Generator<string> {
  yield `{\n  "counts": ${jsonAt(counts, 2)},\n  "lastClosedMonth": ${jsonAt(
    state.lastClosed === null ? null : formatMonth(state.lastClosed),
    2,
  )},\n  "channels": [`;
  let first = true;
  for (const id of state.channelOrder) {
    const c = state.channels.get(id);
    if (c === undefined) continue;
    yield `${first ? '' : ','}\n    ${jsonAt(channelReport(state, c, digits), 4)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}],\n  "program": ${jsonAt(programSection(state, digits), 2)}`;
}

/** A list given page by page, as an array is (`pagesOf`) or as a store reads it. */
export type Pages<T> = Iterable<readonly T[]> | AsyncIterable<readonly T[]>;

/**
 * One of the report's lists (`tierMovements`, `alerts`, `rejected`), after the head: a piece
 * per page of items, so a list of any length is never one string. `last` closes the document.
 */
export async function* reportListChunks(
  name: 'tierMovements' | 'alerts' | 'rejected',
  pages: Pages<unknown>,
  last = name === 'rejected',
): AsyncGenerator<string> {
  let first = true;
  yield `,\n  "${name}": [`;
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield `${first ? '' : ','}\n    ${page.map((item) => jsonAt(item, 4)).join(',\n    ')}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]${last ? '\n}' : ''}`;
}

/** Splits a list into pages of `size` items, for `reportListChunks`. */
export function* pagesOf<T>(items: readonly T[], size = 1000): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** What the report needs besides the projection state, its lists page by page. */
export interface ReportPages {
  readonly counts: Counts;
  readonly tierMovements: Pages<TierMovement>;
  readonly alerts: Pages<Alert>;
  readonly rejected: Pages<RejectedReport>;
}

/**
 * The report as JSON text in pieces, one channel at a time and lists a page at a time, so a
 * report of many channels is printed without holding the whole document (or its text) in
 * memory. The concatenation is exactly `JSON.stringify(buildReport(…), null, 2)`.
 */
export async function* reportJsonChunks(
  state: ProjectionState,
  digits: number,
  inputs: ReportPages,
): AsyncGenerator<string> {
  yield* reportHeadChunks(state, digits, inputs.counts);
  yield* reportListChunks('tierMovements', inputs.tierMovements);
  if (state.v2Log) {
    for (const [name, section] of Object.entries(v2Sections(state, digits))) {
      yield `,\n  "${name}": ${jsonAt(section, 2)}`;
    }
  }
  yield* reportListChunks('alerts', inputs.alerts);
  yield* reportListChunks('rejected', inputs.rejected);
}
