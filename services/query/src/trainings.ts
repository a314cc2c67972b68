/**
 * A channel's trainings and certifications, read from the log: per month how many courses
 * were completed and how many of them certified someone, who was trained and certified in
 * what, and how many distinct trainees were certified in the 12 months ending with the
 * latest month — the count a tier review of that month compares with `minCertifiedTrainees`
 * (spec §4).
 *
 * The months are the channel's months in the read model (first month … latest month), and
 * the log is read only up to the read model's position, so the answer and the figures next to
 * it describe the same moment. The per-month training counts are compared with the read
 * model's; `consistent` says whether they agree.
 */
import {
  formatMonth,
  parseTimestamp,
  type ChannelState,
  type Month,
  type MonthClock,
  type ProjectionState,
} from '@chanperf/domain';
import type { ChannelLog } from '@chanperf/engine';
import type { Trainings } from './schemas.js';

/** The window of the certified-trainee count: M−11 … M (spec §4). */
export const CERTIFICATION_WINDOW_MONTHS = 12;

export interface TrainingsInput {
  readonly state: ProjectionState;
  /** The log position `state` reflects: no event after it is read. */
  readonly position: number;
  readonly channel: ChannelState;
  readonly clock: MonthClock;
  readonly log: ChannelLog;
}

export interface TrainingsResult {
  readonly trainings: Trainings;
  /** Whether the per-month counts read from the log equal the read model's. */
  readonly consistent: boolean;
}

interface Certified {
  readonly month: Month;
  readonly position: number;
  readonly certification: string;
  readonly courseId: string;
  readonly eventId: string;
}

function corrupt(position: number): Error {
  return Object.assign(new Error(`the log holds an unreadable event at position ${position}`), {
    code: 'LOG_UNREADABLE',
  });
}

export function channelTrainings(input: TrainingsInput): TrainingsResult {
  const { state, channel, clock, log } = input;
  const first = channel.firstMonth;
  const last = state.maxMonth ?? first;
  const counts = new Map<Month, { trainings: number; certifications: number }>();
  for (let m = first; m <= last; m++) counts.set(m, { trainings: 0, certifications: 0 });
  const trainees = new Map<string, Certified[]>();
  let consistent = true;

  for (const row of log.trainingEvents(channel.channelId, input.position)) {
    const at = parseTimestamp(row.occurredAt);
    if (at === undefined || typeof row.traineeId !== 'string') throw corrupt(row.position);
    const month = clock.monthOf(at);
    const count = counts.get(month);
    // Every accepted event is within its channel's months: one outside means the read model
    // and the log disagree.
    if (count === undefined) consistent = false;
    else count.trainings++;
    let certified = trainees.get(row.traineeId);
    if (certified === undefined) {
      certified = [];
      trainees.set(row.traineeId, certified);
    }
    if (row.certification !== null) {
      if (count !== undefined) count.certifications++;
      certified.push({
        month,
        position: row.position,
        certification: row.certification,
        courseId: row.courseId,
        eventId: row.eventId,
      });
    }
  }

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
    },
  };
}
