/**
 * (v2) The report's v2 sections (spec §7): `program.quarters`, `targets`, `priceProtection`,
 * `rollups` and `satisfaction`, computed on demand from the projection state by the pure
 * rules of `v2/`. Present only for a v2 log (spec §8); `buildReport` and the streamed text
 * place them between `tierMovements` and `alerts`.
 */
import { formatMonth, type Month } from './calendar.js';
import { formatAmount } from './money.js';
import { targetBpsFor, type GrowthStatus } from './projection/monthlyGrowth.js';
import { firstProgramMonth } from './projection/programKpis.js';
import { netOf, type ChannelState, type ProjectionState } from './projection/state.js';
import { targetFigures } from './projection/v2Judgements.js';
import { termsOf } from './projection/v2State.js';
import { rollups } from './v2/distribution.js';
import { priceProtectionClaim, type PriceProtectionClaim } from './v2/priceProtection.js';
import { formatQuarter } from './v2/quarters.js';
import { channelSatisfaction, programQuarters, type SurveyMonth } from './v2/satisfaction.js';
import type { CommitmentStatus, PaceStatus } from './v2/targets.js';

export interface ProgramQuarterReport {
  quarter: string;
  channels: number;
  surveyedChannels: number;
  surveyCoverageBps: number | null;
  satisfactionAvg: string | null;
}

export interface TargetQuarterReport {
  quarter: string;
  target: string;
  net: string;
  cumulativeTarget: string;
  cumulativeNet: string;
  status: CommitmentStatus;
}

export interface TargetReport {
  channelId: string;
  year: string;
  annualTarget: string;
  targetEventId: string;
  ytdNet: string;
  attainmentBps: number;
  closedMonths: number;
  sellingMonths: number;
  closedNet: string;
  projectedNet: string | null;
  status: PaceStatus;
  quarters: TargetQuarterReport[];
}

export interface PriceChangeReport {
  changeId: string;
  sku: string;
  oldUnitPrice: string;
  newUnitPrice: string;
  effectiveAt: string;
  month: string;
  windowDays: number | null;
  protected: boolean;
}

export interface ClaimReport {
  channelId: string;
  sku: string;
  changeId: string;
  month: string;
  purchasedUnits: number;
  returnedUnits: number;
  windowUnits: number;
  onHand: number | null;
  eligibleUnits: number;
  unitCredit: string;
  credit: string;
  restated: boolean;
  basis: { sales: string[]; returns: string[]; inventory: string | null };
}

export interface PriceProtectionReport {
  changes: PriceChangeReport[];
  claims: ClaimReport[];
}

export interface RollupReport {
  channelId: string;
  months: {
    month: string;
    members: string[];
    net: string;
    previousNet: string;
    growthBps: number | null;
    growthStatus: GrowthStatus;
    targetBps: number;
  }[];
}

export interface SatisfactionReport {
  channelId: string;
  quarters: { quarter: string; surveys: number; respondents: number; satisfactionAvg: string | null }[];
}

/** The v2 sections after `tierMovements`, in report order. */
export interface V2Sections {
  targets: TargetReport[];
  priceProtection: PriceProtectionReport;
  rollups: RollupReport[];
  satisfaction: SatisfactionReport[];
}

function channelsInOrder(state: ProjectionState): ChannelState[] {
  return state.channelOrder.flatMap((id) => {
    const c = state.channels.get(id);
    return c === undefined ? [] : [c];
  });
}

function surveysOf(channel: ChannelState): (month: Month) => SurveyMonth | undefined {
  return (m) => {
    const f = channel.months.get(m);
    return f === undefined
      ? undefined
      : { surveys: f.surveys, points: f.satisfactionPoints, respondents: f.satisfactionRespondents };
  };
}

const centis = (c: bigint | null): string | null => (c === null ? null : formatAmount(c, 2));

/** `program.quarters`: the quarters overlapping the program months. */
export function programQuartersReport(state: ProjectionState): ProgramQuarterReport[] {
  const first = firstProgramMonth(state);
  const range = first === null || state.maxMonth === null ? null : { first, last: state.maxMonth };
  const channels = channelsInOrder(state).map((c) => ({ firstMonth: c.firstMonth, surveysOf: surveysOf(c) }));
  return programQuarters(range, channels).map((q) => ({
    quarter: formatQuarter(q.quarter),
    channels: q.channels,
    surveyedChannels: q.surveyedChannels,
    surveyCoverageBps: q.surveyCoverageBps,
    satisfactionAvg: centis(q.satisfactionCentis),
  }));
}

function targetsReport(state: ProjectionState, digits: number): TargetReport[] {
  const money = (v: bigint) => formatAmount(v, digits);
  const out: TargetReport[] = [];
  for (const channel of channelsInOrder(state)) {
    for (const year of [...channel.targets.keys()].sort((a, b) => a - b)) {
      const target = channel.targets.get(year);
      const f = targetFigures(state, channel, year);
      if (target === undefined || f === null) continue;
      out.push({
        channelId: channel.channelId,
        year: String(year).padStart(4, '0'),
        annualTarget: money(target.annualTarget),
        targetEventId: target.eventId,
        ytdNet: money(f.ytdNet),
        attainmentBps: f.attainmentBps,
        closedMonths: f.closedMonths,
        sellingMonths: f.sellingMonths,
        closedNet: money(f.closedNet),
        projectedNet: f.projectedNet === null ? null : money(f.projectedNet),
        status: f.status,
        quarters: f.quarters.map((q) => ({
          quarter: formatQuarter(q.quarter),
          target: money(q.target),
          net: money(q.net),
          cumulativeTarget: money(q.cumulativeTarget),
          cumulativeNet: money(q.cumulativeNet),
          status: q.status,
        })),
      });
    }
  }
  return out;
}

function claimReport(c: PriceProtectionClaim, digits: number): ClaimReport {
  return {
    channelId: c.channelId,
    sku: c.sku,
    changeId: c.changeId,
    month: formatMonth(c.month),
    purchasedUnits: Number(c.purchasedUnits),
    returnedUnits: Number(c.returnedUnits),
    windowUnits: Number(c.windowUnits),
    onHand: c.onHand,
    eligibleUnits: Number(c.eligibleUnits),
    unitCredit: formatAmount(c.unitCredit, digits),
    credit: formatAmount(c.credit, digits),
    restated: c.restated,
    basis: c.basis,
  };
}

function priceProtectionReport(state: ProjectionState, digits: number): PriceProtectionReport {
  const terms = state.priceChanges.map((change) => termsOf(state, change));
  const changes = state.priceChanges.map((change, i) => ({
    changeId: change.changeId,
    sku: change.sku,
    oldUnitPrice: formatAmount(change.oldUnitPrice, digits),
    newUnitPrice: formatAmount(change.newUnitPrice, digits),
    effectiveAt: change.effectiveAtText,
    month: formatMonth(change.accrualMonth),
    windowDays: terms[i]?.windowDays ?? null,
    protected: terms[i]?.protected ?? false,
  }));
  const claims: ClaimReport[] = [];
  const skus = [...new Set(terms.filter((t) => t.protected).map((t) => t.change.sku))].sort();
  for (const channel of channelsInOrder(state)) {
    for (const sku of skus) {
      const inputs = state.claimInputs.inputsOf(channel.channelId, sku);
      if (inputs === undefined) continue;
      for (const t of terms) {
        if (t.change.sku !== sku) continue;
        const claim = priceProtectionClaim(t, {
          channelId: channel.channelId,
          ...inputs,
          restated: channel.restatedClaims.has(t.change.changeId),
        });
        if (claim !== null) claims.push(claimReport(claim, digits));
      }
    }
  }
  return { changes, claims };
}

function rollupsReport(state: ProjectionState, digits: number): RollupReport[] {
  const money = (v: bigint) => formatAmount(v, digits);
  const first = firstProgramMonth(state);
  const rows = rollups({
    channels: channelsInOrder(state).map((c) => ({
      channelId: c.channelId,
      firstMonth: c.firstMonth,
      assignments: c.assignments,
      net: (m) => netOf(c, m),
    })),
    range: first === null || state.maxMonth === null ? null : { first, last: state.maxMonth },
    lastClosed: state.lastClosed,
    targetBpsFor: (m) => targetBpsFor(state, m),
  });
  return rows.map((r) => ({
    channelId: r.channelId,
    months: r.months.map((m) => ({
      month: formatMonth(m.month),
      members: [...m.members],
      net: money(m.net),
      previousNet: money(m.previousNet),
      growthBps: m.growthBps,
      growthStatus: m.growthStatus,
      targetBps: m.targetBps,
    })),
  }));
}

function satisfactionReport(state: ProjectionState): SatisfactionReport[] {
  return channelsInOrder(state).map((c) => ({
    channelId: c.channelId,
    quarters:
      state.maxMonth === null
        ? []
        : channelSatisfaction({ first: c.firstMonth, last: state.maxMonth }, surveysOf(c)).map((q) => ({
            quarter: formatQuarter(q.quarter),
            surveys: q.surveys,
            respondents: Number(q.respondents),
            satisfactionAvg: centis(q.satisfactionCentis),
          })),
  }));
}

/** The v2 sections of the report (call only for a v2 log). */
export function v2Sections(state: ProjectionState, digits: number): V2Sections {
  return {
    targets: targetsReport(state, digits),
    priceProtection: priceProtectionReport(state, digits),
    rollups: rollupsReport(state, digits),
    satisfaction: satisfactionReport(state),
  };
}
