/**
 * Spec §4 (v2) "Quarterly satisfaction" per partner and §6 (v2) program coverage per quarter.
 * Cross-checked with spec/examples-v2 ("Satisfaction").
 */
import { describe, expect, it } from 'vitest';
import { formatAmount } from '../money.js';
import { parseMonth, type Month } from '../calendar.js';
import { formatQuarter } from './quarters.js';
import {
  channelSatisfaction,
  programQuarters,
  type SurveyMonth,
  type SurveyedChannel,
} from './satisfaction.js';

const month = (text: string): Month => parseMonth(text)!;
/** Surveys as [month, score, respondents]. */
const surveys =
  (...list: [string, number, number][]) =>
  (m: Month): SurveyMonth | undefined => {
    const here = list.filter(([at]) => month(at) === m);
    if (here.length === 0) return undefined;
    return {
      surveys: here.length,
      points: here.reduce((s, [, score, r]) => s + BigInt(score * r), 0n),
      respondents: here.reduce((s, [, , r]) => s + BigInt(r), 0n),
    };
  };
const avg = (centis: bigint | null): string | null => (centis === null ? null : formatAmount(centis, 2));
const janToApr = { first: month('2026-01'), last: month('2026-04') };

describe('satisfaction per partner and quarter (examples-v2)', () => {
  it('given D1 surveyed in February (80, 5 respondents) and April (70, 4), when listed, then Q1 80.00 and Q2 70.00', () => {
    const rows = channelSatisfaction(janToApr, surveys(['2026-02', 80, 5], ['2026-04', 70, 4]));
    expect(
      rows.map((r) => [formatQuarter(r.quarter), r.surveys, r.respondents, avg(r.satisfactionCentis)]),
    ).toEqual([
      ['2026-Q1', 1, 5n, '80.00'],
      ['2026-Q2', 1, 4n, '70.00'],
    ]);
  });

  it('given a partner never surveyed, when listed, then every quarter overlapping its months with 0 surveys and a null average', () => {
    const rows = channelSatisfaction({ first: month('2026-03'), last: month('2026-04') }, surveys());
    expect(rows).toEqual([
      { quarter: 2026 * 4, surveys: 0, respondents: 0n, satisfactionCentis: null },
      { quarter: 2026 * 4 + 1, surveys: 0, respondents: 0n, satisfactionCentis: null },
    ]);
  });

  it('given two surveys in a quarter (score 1 by 1 respondent, 0 by 7), when averaged, then 1/8 = 0.125 rounds half away from zero to 0.13', () => {
    const rows = channelSatisfaction(
      { first: month('2026-01'), last: month('2026-02') },
      surveys(['2026-01', 1, 1], ['2026-02', 0, 7]),
    );
    expect(rows.map((r) => [r.surveys, r.respondents, avg(r.satisfactionCentis)])).toEqual([[2, 8n, '0.13']]);
  });

  it('given months spanning a year end, when listed, then the quarters run from Q4 into Q1 of the next year', () => {
    const rows = channelSatisfaction({ first: month('2025-11'), last: month('2026-01') }, surveys());
    expect(rows.map((r) => formatQuarter(r.quarter))).toEqual(['2025-Q4', '2026-Q1']);
  });
});

describe('program coverage per quarter (examples-v2)', () => {
  const channels: SurveyedChannel[] = [
    { firstMonth: month('2026-01'), surveysOf: surveys(['2026-02', 80, 5], ['2026-04', 70, 4]) }, // D1
    { firstMonth: month('2026-01'), surveysOf: surveys() }, // E1
    { firstMonth: month('2026-03'), surveysOf: surveys() }, // N1
    { firstMonth: month('2026-01'), surveysOf: surveys(['2026-03', 90, 2]) }, // S1
    { firstMonth: month('2026-01'), surveysOf: surveys(['2026-03', 60, 3]) }, // S2
  ];

  it('given five partners (N1 first seen in March), when Q1 and Q2 are counted, then 3 of 5 surveyed (6000 bps, 76.00) and 1 of 5 (2000 bps, 70.00)', () => {
    expect(programQuarters(janToApr, channels)).toEqual([
      {
        quarter: 2026 * 4,
        channels: 5,
        surveyedChannels: 3,
        surveyCoverageBps: 6000,
        satisfactionCentis: 7600n,
      },
      {
        quarter: 2026 * 4 + 1,
        channels: 5,
        surveyedChannels: 1,
        surveyCoverageBps: 2000,
        satisfactionCentis: 7000n,
      },
    ]);
  });

  it('given a partner whose first month is after the quarter, when counted, then it is not among the quarter’s channels', () => {
    const rows = programQuarters({ first: month('2026-01'), last: month('2026-04') }, [
      { firstMonth: month('2026-01'), surveysOf: surveys(['2026-01', 50, 1]) },
      { firstMonth: month('2026-04'), surveysOf: surveys() },
      { firstMonth: month('2026-04'), surveysOf: surveys() },
    ]);
    expect(rows.map((r) => [r.channels, r.surveyedChannels, r.surveyCoverageBps])).toEqual([
      [1, 1, 10000],
      [3, 0, 0],
    ]);
  });

  it('given 1 surveyed of 3, when the coverage is computed, then floor(3333.3) = 3333', () => {
    const rows = programQuarters({ first: month('2026-01'), last: month('2026-01') }, [
      { firstMonth: month('2026-01'), surveysOf: surveys(['2026-01', 50, 1]) },
      { firstMonth: month('2026-01'), surveysOf: surveys() },
      { firstMonth: month('2026-01'), surveysOf: surveys() },
    ]);
    expect(rows[0]?.surveyCoverageBps).toBe(3333);
  });

  it('given no channels, then no quarters; given a quarter with no counted channel, then null coverage', () => {
    expect(programQuarters(null, [])).toEqual([]);
    expect(programQuarters({ first: month('2026-01'), last: month('2026-01') }, [])).toEqual([
      {
        quarter: 2026 * 4,
        channels: 0,
        surveyedChannels: 0,
        surveyCoverageBps: null,
        satisfactionCentis: null,
      },
    ]);
  });
});
