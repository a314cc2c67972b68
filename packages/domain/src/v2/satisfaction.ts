/**
 * (v2) Quarterly satisfaction per partner (spec §4 "Quarterly satisfaction", 每季度满意度调查)
 * and the program's survey coverage per quarter (spec §6 "Per quarter"). Plain inputs: per
 * channel, its first month and its survey facts per month (count, Σ score × respondents,
 * Σ respondents). The average is `satisfactionCentis` of spec §6 (two decimals, half away
 * from zero); the report formats hundredths with `formatAmount(centis, 2)`.
 */
import type { Month } from '../calendar.js';
import { floorDiv } from '../projection/monthlyGrowth.js';
import { satisfactionCentis } from '../projection/programKpis.js';
import { firstMonthOfQuarter, lastMonthOfQuarter, quartersOverlapping, type Quarter } from './quarters.js';

/** The SatisfactionSurveyed events of one channel in one month. */
export interface SurveyMonth {
  /** Number of SatisfactionSurveyed events. */
  readonly surveys: number;
  /** Σ score × respondents. */
  readonly points: bigint;
  readonly respondents: bigint;
}

export interface QuarterSatisfaction {
  readonly quarter: Quarter;
  readonly surveys: number;
  readonly respondents: bigint;
  /** Hundredths of a point; null without surveys. */
  readonly satisfactionCentis: bigint | null;
}

/** Σ of a channel's survey facts over the three months of a quarter. */
function quarterSums(quarter: Quarter, surveysOf: (month: Month) => SurveyMonth | undefined): SurveyMonth {
  let surveys = 0;
  let points = 0n;
  let respondents = 0n;
  for (let m = firstMonthOfQuarter(quarter); m <= lastMonthOfQuarter(quarter); m++) {
    const s = surveysOf(m);
    if (s === undefined) continue;
    surveys += s.surveys;
    points += s.points;
    respondents += s.respondents;
  }
  return { surveys, points, respondents };
}

/** A channel's quarters: every quarter overlapping its months `first` … `last`, ascending. */
export function channelSatisfaction(
  months: { readonly first: Month; readonly last: Month },
  surveysOf: (month: Month) => SurveyMonth | undefined,
): QuarterSatisfaction[] {
  return quartersOverlapping(months.first, months.last).map((quarter) => {
    const { surveys, points, respondents } = quarterSums(quarter, surveysOf);
    return { quarter, surveys, respondents, satisfactionCentis: satisfactionCentis(points, respondents) };
  });
}

export interface SurveyedChannel {
  readonly firstMonth: Month;
  readonly surveysOf: (month: Month) => SurveyMonth | undefined;
}

export interface ProgramQuarter {
  readonly quarter: Quarter;
  /** Registered channels whose first month is ≤ the quarter's last month. */
  readonly channels: number;
  /** Those of them with ≥ 1 SatisfactionSurveyed in the quarter. */
  readonly surveyedChannels: number;
  /** floor(surveyedChannels × 10000 / channels); null when channels = 0. */
  readonly surveyCoverageBps: number | null;
  /** Over all the quarter's surveys; null without any. */
  readonly satisfactionCentis: bigint | null;
}

/**
 * The program's quarters overlapping the program months `first` … `last` (null: no channels,
 * no quarters), over every registered channel.
 */
export function programQuarters(
  months: { readonly first: Month; readonly last: Month } | null,
  channels: readonly SurveyedChannel[],
): ProgramQuarter[] {
  if (months === null) return [];
  return quartersOverlapping(months.first, months.last).map((quarter) => {
    let counted = 0;
    let surveyed = 0;
    let points = 0n;
    let respondents = 0n;
    for (const c of channels) {
      if (c.firstMonth > lastMonthOfQuarter(quarter)) continue;
      counted++;
      const sums = quarterSums(quarter, c.surveysOf);
      if (sums.surveys > 0) surveyed++;
      points += sums.points;
      respondents += sums.respondents;
    }
    return {
      quarter,
      channels: counted,
      surveyedChannels: surveyed,
      surveyCoverageBps: counted === 0 ? null : Number(floorDiv(BigInt(surveyed) * 10000n, BigInt(counted))),
      satisfactionCentis: satisfactionCentis(points, respondents),
    };
  });
}
