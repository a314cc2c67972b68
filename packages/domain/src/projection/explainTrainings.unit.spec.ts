/**
 * A channel's trainings re-derived from its TrainingCompleted events (spec §4 "Tiers"): per
 * month the courses completed and those that certified someone, each trainee's
 * certifications, the distinct trainees certified in the window M−11 … M that a tier review
 * counts, and `consistent` when the counts equal the projection state's.
 */
import { describe, expect, it } from 'vitest';
import { MonthClock } from '../calendar.js';
import { defaultSettings } from '../settings.js';
import { program, register, run, training, type Input } from '../testing/specBuilders.js';
import type { TrainingRow } from './explainRows.js';
import { explainTrainings, type TrainingsExplanation } from './explainTrainings.js';

const clock = new MonthClock(defaultSettings.timeZone);

interface TrainingInput {
  type: string;
  eventId: string;
  occurredAt: string;
  channelId?: string;
  data: { courseId: string; traineeId: string; certification?: string };
}

/** The TrainingCompleted rows of `inputs` for `channelId` (position = index + 1). */
function trainingRows(inputs: readonly Input[], channelId: string): TrainingRow[] {
  return inputs.flatMap((input, i) => {
    const e = input as unknown as TrainingInput;
    if (e.type !== 'TrainingCompleted' || e.channelId !== channelId) return [];
    const { courseId, traineeId, certification } = e.data;
    return [
      {
        position: i + 1,
        eventId: e.eventId,
        occurredAt: e.occurredAt,
        courseId,
        traineeId,
        certification: certification ?? null,
      },
    ];
  });
}

/** Given `inputs` in log order, when CH-A's trainings are explained from `rows` (default: its events). */
function explain(inputs: readonly Input[], rows = trainingRows(inputs, 'CH-A')): TrainingsExplanation {
  const { state } = run(inputs);
  const channel = state.channels.get('CH-A');
  if (channel === undefined) throw new Error('spec setup');
  return explainTrainings({ state, channel, clock, trainings: rows });
}

const REG = register('CH-A', { at: '2025-01-02' });
const course = (at: string, traineeId: string, certification?: string, courseId = 'SALES-101'): Input =>
  training({
    channel: 'CH-A',
    at,
    traineeId,
    courseId,
    ...(certification === undefined ? {} : { certification }),
  });

describe('per month and per trainee', () => {
  const inputs = [
    program(),
    REG,
    course('2025-01-10', 'T-2', 'SALES-CERT'),
    course('2025-01-11', 'T-1'),
    course('2025-03-05', 'T-1', 'SERVICE-CERT', 'SERVICE-201'),
  ];

  it('given three courses over January and March, when explained, then every month of the channel is counted', () => {
    const { trainings, consistent } = explain(inputs);
    expect(consistent).toBe(true);
    expect(trainings.months).toEqual([
      { month: '2025-01', trainings: 2, certifications: 1 },
      { month: '2025-02', trainings: 0, certifications: 0 },
      { month: '2025-03', trainings: 1, certifications: 1 },
    ]);
  });

  it('given two trainees, when explained, then they come by traineeId with their certifications by month', () => {
    const { trainings } = explain(inputs);
    expect(
      trainings.trainees.map((t) => [t.traineeId, t.certifications.map((c) => [c.certification, c.month])]),
    ).toEqual([
      ['T-1', [['SERVICE-CERT', '2025-03']]],
      ['T-2', [['SALES-CERT', '2025-01']]],
    ]);
  });
});

describe('certified in the window M−11 … M that a tier review counts', () => {
  it('given certifications in January 2025 and February 2025, when the latest month is January 2026, then only February’s counts', () => {
    const inputs = [
      program(),
      REG,
      course('2025-01-10', 'T-1', 'SALES-CERT'),
      course('2025-02-10', 'T-2', 'SALES-CERT'),
      course('2026-01-10', 'T-3'),
    ];
    expect(explain(inputs).trainings.certifiedLast12Months).toBe(1);
  });
});

describe('consistency with the projection state', () => {
  it('given the log holds a training the state did not count, when explained, then consistent is false', () => {
    const inputs = [program(), REG, course('2025-01-10', 'T-1')];
    const rows = trainingRows(inputs, 'CH-A');
    const extra = rows.map((r) => ({ ...r, position: 99, eventId: 'extra' }));
    expect(explain(inputs, [...rows, ...extra]).consistent).toBe(false);
  });

  it('given a training whose timestamp does not parse, when explained, then LOG_UNREADABLE names its position', () => {
    const inputs = [program(), REG, course('2025-01-10', 'T-1')];
    const rows = trainingRows(inputs, 'CH-A').map((r) => ({ ...r, occurredAt: 'yesterday' }));
    expect(() => explain(inputs, rows)).toThrow(
      expect.objectContaining({
        code: 'LOG_UNREADABLE',
        message: 'the log holds an unreadable event at position 3',
      }),
    );
  });
});
