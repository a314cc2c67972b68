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
import {
  explainClaim,
  priceProtectionClaim,
  type ClaimExplanation,
  type ClaimInputs,
  type PriceChangeTerms,
  type PriceProtectionClaim,
} from './v2/priceProtection.js';
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

/** The targets of one channel, every year ascending (its entries of the `targets` section). */
export function channelTargetsReport(
  state: ProjectionState,
  channel: ChannelState,
  digits: number,
): TargetReport[] {
  const money = (v: bigint) => formatAmount(v, digits);
  const out: TargetReport[] = [];
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
  return out;
}

export function targetsReport(state: ProjectionState, digits: number): TargetReport[] {
  return channelsInOrder(state).flatMap((c) => channelTargetsReport(state, c, digits));
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

/** `priceProtection.changes`: every accepted price change, in log order. */
export function priceChangesReport(state: ProjectionState, digits: number): PriceChangeReport[] {
  return state.priceChanges.map((change) => {
    const terms = termsOf(state, change);
    return {
      changeId: change.changeId,
      sku: change.sku,
      oldUnitPrice: formatAmount(change.oldUnitPrice, digits),
      newUnitPrice: formatAmount(change.newUnitPrice, digits),
      effectiveAt: change.effectiveAtText,
      month: formatMonth(change.accrualMonth),
      windowDays: terms.windowDays,
      protected: terms.protected,
    };
  });
}

/** The protected cuts' terms, and their SKUs in code-unit order (the claims' order within a channel). */
function protectedTerms(state: ProjectionState): { terms: PriceChangeTerms[]; skus: string[] } {
  const terms = state.priceChanges.map((change) => termsOf(state, change)).filter((t) => t.protected);
  return { terms, skus: [...new Set(terms.map((t) => t.change.sku))].sort() };
}

/** The claim inputs of a channel and a cut's SKU (undefined: the channel has none of the SKU). */
function claimInputsOf(
  state: ProjectionState,
  channel: ChannelState,
  t: PriceChangeTerms,
): ClaimInputs | undefined {
  const inputs = state.claimInputs.inputsOf(channel.channelId, t.change.sku);
  return inputs === undefined
    ? undefined
    : { channelId: channel.channelId, ...inputs, restated: channel.restatedClaims.has(t.change.changeId) };
}

function channelClaims(
  state: ProjectionState,
  channel: ChannelState,
  cuts: { terms: PriceChangeTerms[]; skus: string[] },
  digits: number,
): ClaimReport[] {
  const claims: ClaimReport[] = [];
  for (const sku of cuts.skus) {
    for (const t of cuts.terms) {
      if (t.change.sku !== sku) continue;
      const inputs = claimInputsOf(state, channel, t);
      const claim = inputs === undefined ? null : priceProtectionClaim(t, inputs);
      if (claim !== null) claims.push(claimReport(claim, digits));
    }
  }
  return claims;
}

/** The claims of one channel (its entries of `priceProtection.claims`, in report order). */
export function channelClaimsReport(
  state: ProjectionState,
  channel: ChannelState,
  digits: number,
): ClaimReport[] {
  return channelClaims(state, channel, protectedTerms(state), digits);
}

/** The events behind a channel's claim on a change (null: no such claim). */
export function claimExplanation(
  state: ProjectionState,
  channel: ChannelState,
  changeId: string,
): ClaimExplanation | null {
  const t = protectedTerms(state).terms.find((x) => x.change.changeId === changeId);
  const inputs = t === undefined ? undefined : claimInputsOf(state, channel, t);
  return t === undefined || inputs === undefined ? null : explainClaim(t, inputs);
}

export function priceProtectionReport(state: ProjectionState, digits: number): PriceProtectionReport {
  const cuts = protectedTerms(state);
  return {
    changes: priceChangesReport(state, digits),
    claims: channelsInOrder(state).flatMap((c) => channelClaims(state, c, cuts, digits)),
  };
}

function rollupsOf(state: ProjectionState, channels: ChannelState[], digits: number): RollupReport[] {
  const money = (v: bigint) => formatAmount(v, digits);
  const first = firstProgramMonth(state);
  const rows = rollups({
    channels: channels.map((c) => ({
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

export function rollupsReport(state: ProjectionState, digits: number): RollupReport[] {
  return rollupsOf(state, channelsInOrder(state), digits);
}

/**
 * The roll-up of one channel as a top-level partner (its entry of `rollups`); null when it is
 * no one's parent in the report's range. Only the channel and those that ever named it as
 * parent can be its tree's members, so only they are read.
 */
export function channelRollupReport(
  state: ProjectionState,
  channel: ChannelState,
  digits: number,
): RollupReport | null {
  const tree = channelsInOrder(state).filter(
    (c) => c === channel || c.assignments.some((a) => a.parentId === channel.channelId),
  );
  return rollupsOf(state, tree, digits).find((r) => r.channelId === channel.channelId) ?? null;
}

/** The satisfaction of one channel per quarter (its entry of `satisfaction`). */
export function channelSatisfactionReport(state: ProjectionState, channel: ChannelState): SatisfactionReport {
  return {
    channelId: channel.channelId,
    quarters:
      state.maxMonth === null
        ? []
        : channelSatisfaction({ first: channel.firstMonth, last: state.maxMonth }, surveysOf(channel)).map(
            (q) => ({
              quarter: formatQuarter(q.quarter),
              surveys: q.surveys,
              respondents: Number(q.respondents),
              satisfactionAvg: centis(q.satisfactionCentis),
            }),
          ),
  };
}

export function satisfactionReport(state: ProjectionState): SatisfactionReport[] {
  return channelsInOrder(state).map((c) => channelSatisfactionReport(state, c));
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
