/**
 * (v2) Two-level distribution (spec §4 "Two-level distribution", 总代 → 二级代理): the parent
 * of a channel in a month, the INVALID_PARENT check of a new assignment, and the roll-up rows
 * of the top-level partners. Plain inputs: each channel's assignments in log order (its
 * registration, then each accepted ChannelReparented), first month and month nets.
 */
import type { Month } from '../calendar.js';
import { monthlyGrowth, type GrowthStatus } from '../projection/monthlyGrowth.js';

/** One assignment: from month `effective` on, the channel sells under `parentId` (null: top-level). */
export interface Assignment {
  readonly parentId: string | null;
  readonly effective: Month;
}

/**
 * The parent of a channel in `month`: that of the latest assignment in log order whose
 * effective month is ≤ `month` (it overrides every earlier one, even one effective later);
 * null when none is.
 */
export function parentIn(assignments: readonly Assignment[], month: Month): string | null {
  for (let i = assignments.length - 1; i >= 0; i--) {
    const a = assignments[i];
    if (a !== undefined && a.effective <= month) return a.parentId;
  }
  return null;
}

/**
 * Whether `holds(parent)` is true in some month ≥ `from`. The parent is a step function of
 * the month that can only change at an assignment's effective month, so `from` and the later
 * change points are every month that needs a look.
 */
function parentSomewhereFrom(
  assignments: readonly Assignment[],
  from: Month,
  holds: (parentId: string | null) => boolean,
): boolean {
  if (holds(parentIn(assignments, from))) return true;
  return assignments.some((a) => a.effective > from && holds(parentIn(assignments, a.effective)));
}

/** Why a new assignment would break the two levels. */
export type InvalidParentReason =
  /** P = C. */
  | 'OWN_PARENT'
  /** P has a parent in some month ≥ F. */
  | 'PARENT_HAS_PARENT'
  /** Some channel has C as its parent in some month ≥ F. */
  | 'CHANNEL_HAS_SUB_PARTNERS';

export interface NewAssignment {
  readonly channelId: string;
  /** The new parent P; null (no `parentId`) is always valid. */
  readonly parentId: string | null;
  /** F: the registration's month, or `effectiveFrom`. */
  readonly effective: Month;
}

/**
 * The INVALID_PARENT check of spec §2/§4 for assigning P to C from month F: null when valid.
 * `assignmentsOf` gives the accepted assignments (log order) of a channel; `possibleSubPartners`
 * lists the assignment lists to search for C as a parent — every registered channel, or, as
 * an index, those that ever named C as parent (only they can have C as parent in any month).
 */
export function invalidParent(
  next: NewAssignment,
  assignmentsOf: (channelId: string) => readonly Assignment[],
  possibleSubPartners: Iterable<readonly Assignment[]>,
): InvalidParentReason | null {
  const { channelId, parentId, effective } = next;
  if (parentId === null) return null;
  if (parentId === channelId) return 'OWN_PARENT';
  if (parentSomewhereFrom(assignmentsOf(parentId), effective, (p) => p !== null)) return 'PARENT_HAS_PARENT';
  for (const list of possibleSubPartners) {
    if (parentSomewhereFrom(list, effective, (p) => p === channelId)) return 'CHANNEL_HAS_SUB_PARTNERS';
  }
  return null;
}

/** What a roll-up needs of one registered channel. */
export interface RollupChannel {
  readonly channelId: string;
  readonly firstMonth: Month;
  /** Assignments in log order. */
  readonly assignments: readonly Assignment[];
  /** Net of a month (0 outside the channel's months). */
  readonly net: (month: Month) => bigint;
}

export interface RollupInput {
  /** Every registered channel (any order). */
  readonly channels: readonly RollupChannel[];
  /** The report's month range; null when there is none (no channels). */
  readonly range: { readonly first: Month; readonly last: Month } | null;
  readonly lastClosed: Month | null;
  /** growthTargetBps of the program in effect for a month (1000 without one). */
  readonly targetBpsFor: (month: Month) => number;
}

export interface RollupMonth {
  readonly month: Month;
  /** The partner and its sub-partners of the month whose first month is ≤ it, ascending channelId. */
  readonly members: readonly string[];
  readonly net: bigint;
  /** The same members' net of the month before (like for like). */
  readonly previousNet: bigint;
  readonly growthBps: number | null;
  readonly growthStatus: GrowthStatus;
  readonly targetBps: number;
}

export interface Rollup {
  /** The top-level partner. */
  readonly channelId: string;
  readonly months: readonly RollupMonth[];
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One roll-up per channel that is the parent of some channel in some month of the range
 * (by channelId), with a row for each month in which it is top-level and has a member.
 */
export function rollups(input: RollupInput): Rollup[] {
  const { channels, range } = input;
  if (range === null) return [];
  const byId = new Map(channels.map((c) => [c.channelId, c]));
  const subPartners = new Map<string, Map<Month, RollupChannel[]>>();
  for (const c of channels) {
    for (let m = range.first; m <= range.last; m++) {
      const p = parentIn(c.assignments, m);
      if (p === null) continue;
      const months = subPartners.get(p) ?? new Map<Month, RollupChannel[]>();
      subPartners.set(p, months);
      const members = months.get(m);
      if (members === undefined) months.set(m, [c]);
      else members.push(c);
    }
  }
  const out: Rollup[] = [];
  for (const parentId of [...subPartners.keys()].sort(byCodeUnit)) {
    const parent = byId.get(parentId);
    const months: RollupMonth[] = [];
    for (let m = range.first; parent !== undefined && m <= range.last; m++) {
      if (parentIn(parent.assignments, m) !== null) continue;
      const members = [parent, ...(subPartners.get(parentId)?.get(m) ?? [])].filter((c) => c.firstMonth <= m);
      if (members.length > 0) months.push(rollupMonth(input, members, m));
    }
    out.push({ channelId: parentId, months });
  }
  return out;
}

function rollupMonth(input: RollupInput, members: readonly RollupChannel[], month: Month): RollupMonth {
  let net = 0n;
  let previousNet = 0n;
  for (const c of members) {
    net += c.net(month);
    previousNet += c.net(month - 1);
  }
  const targetBps = input.targetBpsFor(month);
  const growth = monthlyGrowth(net, previousNet, targetBps);
  let growthStatus: GrowthStatus = 'OPEN';
  if (input.lastClosed !== null && month <= input.lastClosed) {
    growthStatus = growth.met === null ? 'NO_BASELINE' : growth.met ? 'MET' : 'MISSED';
  }
  return {
    month,
    members: members.map((c) => c.channelId).sort(byCodeUnit),
    net,
    previousNet,
    growthBps: growth.growthBps,
    growthStatus,
    targetBps,
  };
}
