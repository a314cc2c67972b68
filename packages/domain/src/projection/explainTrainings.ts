/**
 * A channel's trainings and certifications, re-derived from its TrainingCompleted events: per
 * month how many courses were completed and how many of them certified someone, who was
 * trained and certified in what, and how many distinct trainees were certified in the
 * certification window ending with the latest month — the count a tier review of that month
 * compares with `minCertifiedTrainees` (spec §4 "Tiers").
 *
 * The months are the channel's months in the projection state (first month … latest month);
 * the events are the log's up to the position the state reflects, so the answer and the
 * figures next to it describe the same moment. The per-month training counts are compared
 * with the state's; `consistent` says whether they agree.
 */
import { formatMonth, parseTimestamp, type Month, type MonthClock } from '../calendar.js';
import { logUnreadable, type TrainingRow } from './explainRows.js';
import type { ChannelState, ProjectionState } from './state.js';
import { CERTIFICATION_WINDOW_MONTHS } from './tierReview.js';

export interface TrainingMonth {
  readonly month: string;
  /** TrainingCompleted events of the month. */
  readonly trainings: number;
  /** Of them, those carrying a certification. */
  readonly certifications: number;
}

export interface TraineeCertification {
  readonly certification: string;
  readonly courseId: string;
  /** Month of the TrainingCompleted (its occurredAt, reporting time zone). */
  readonly month: string;
  readonly eventId: string;
}

export interface ChannelTrainings {
  readonly channelId: string;
  /** Every month of the channel, ascending (months without training count 0). */
  readonly months: TrainingMonth[];
  /** Everyone of the channel who completed a course, by traineeId, with the certifications earned. */
  readonly trainees: { traineeId: string; certifications: TraineeCertification[] }[];
  /** Distinct trainees with a certification in the window ending with the latest month. */
  readonly certifiedLast12Months: number;
  /** The months that count: M−11 … M, M the latest month (spec §4). */
  readonly certificationWindow: { readonly from: string; readonly to: string };
}

export interface TrainingsExplanation {
  readonly trainings: ChannelTrainings;
  /** Whether the per-month counts read from the log equal the projection state's. */
  readonly consistent: boolean;
}

export interface ExplainTrainingsInput {
  readonly state: ProjectionState;
  readonly channel: ChannelState;
  readonly clock: MonthClock;
  /** The channel's TrainingCompleted events up to the position `state` reflects, in log order. */
  readonly trainings: Iterable<TrainingRow>;
}

interface Certified {
  readonly month: Month;
  readonly position: number;
  readonly certification: string;
  readonly courseId: string;
  readonly eventId: string;
}

interface Tally {
  /** Per channel month (first … latest), ascending. */
  readonly counts: Map<Month, { trainings: number; certifications: number }>;
  /** Per trainee, the certifications earned (log order). */
  readonly trainees: Map<string, Certified[]>;
  /** Every event fell in one of the channel's months. */
  readonly withinMonths: boolean;
}

/** Counts the events per month and collects each trainee's certifications. */
function tally(input: ExplainTrainingsInput, first: Month, last: Month): Tally {
  const counts = new Map<Month, { trainings: number; certifications: number }>();
  for (let m = first; m <= last; m++) counts.set(m, { trainings: 0, certifications: 0 });
  const trainees = new Map<string, Certified[]>();
  let withinMonths = true;
  for (const row of input.trainings) {
    const at = parseTimestamp(row.occurredAt);
    if (at === undefined || typeof row.traineeId !== 'string') {
      throw logUnreadable(`event at position ${row.position}`);
    }
    const month = input.clock.monthOf(at);
    const count = counts.get(month);
    // Every accepted event is within its channel's months: one outside means the projection
    // state and the log disagree.
    if (count === undefined) withinMonths = false;
    else count.trainings++;
    let certified = trainees.get(row.traineeId);
    if (certified === undefined) {
      certified = [];
      trainees.set(row.traineeId, certified);
    }
    if (row.certification === null) continue;
    if (count !== undefined) count.certifications++;
    const { position, certification, courseId, eventId } = row;
    certified.push({ month, position, certification, courseId, eventId });
  }
  return { counts, trainees, withinMonths };
}

/** The channel's trainings and certifications, re-derived from its TrainingCompleted events. */
export function explainTrainings(input: ExplainTrainingsInput): TrainingsExplanation {
  const { state, channel } = input;
  const last = state.maxMonth ?? channel.firstMonth;
  const { counts, trainees, withinMonths } = tally(input, channel.firstMonth, last);
  let consistent = withinMonths;
  for (const [m, count] of counts) {
    if ((channel.months.get(m)?.trainings ?? 0) !== count.trainings) consistent = false;
  }

  const from = last - (CERTIFICATION_WINDOW_MONTHS - 1);
  let certifiedLast12Months = 0;
  for (const list of trainees.values()) {
    if (list.some((c) => c.month >= from && c.month <= last)) certifiedLast12Months++;
  }

  const ids = [...trainees.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    consistent,
    trainings: {
      channelId: channel.channelId,
      months: [...counts].map(([m, c]) => ({ month: formatMonth(m), ...c })),
      trainees: ids.map((traineeId) => ({
        traineeId,
        certifications: (trainees.get(traineeId) ?? [])
          .sort((a, b) => a.month - b.month || a.position - b.position)
          .map((c) => ({
            certification: c.certification,
            courseId: c.courseId,
            month: formatMonth(c.month),
            eventId: c.eventId,
          })),
      })),
      certifiedLast12Months,
      certificationWindow: { from: formatMonth(from), to: formatMonth(last) },
    },
  };
}
