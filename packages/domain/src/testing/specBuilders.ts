/**
 * Event builders and report lookups for the rule specs (`*.unit.spec.ts`) only: short,
 * readable given/when/then inputs for `runScenario`. Defaults follow spec §3's example
 * program and the Asia/Shanghai deployment; every builder takes overrides. Test code: not
 * exported from the package index, and left out of the package's build (tsconfig.json
 * excludes `src/testing`), so it is compiled with the specs that import it.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ChannelReport, MonthReport, Report } from '../report.js';
import { runScenario, type ScenarioOutcome, type ScenarioResult } from '../scenario.js';
import { defaultSettings, resolveSettings, type DeploymentSettings } from '../settings.js';

/** One input line as a JSON-able object (serialized by `runScenario`). */
export type Input = Record<string, unknown>;

let counter = 0;

/** A fresh eventId, unique within the test process. */
export function nextId(prefix = 'ev'): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** `YYYY-MM-DD` → that day at 10:00 Shanghai time; a full timestamp passes through. */
export function at(dayOrTimestamp: string): string {
  return dayOrTimestamp.length === 10 ? `${dayOrTimestamp}T10:00:00+08:00` : dayOrTimestamp;
}

/** The month after `YYYY-MM`, as `YYYY-MM`. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12
    ? `${String(y + 1).padStart(4, '0')}-01`
    : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

export interface RegisterOptions {
  readonly at?: string;
  readonly id?: string;
  readonly name?: string;
  readonly kind?: string;
  readonly online?: unknown;
  readonly region?: string;
  /** (v2) The partner it sells under. */
  readonly parentId?: string;
}

/** ChannelRegistered (default: a distributor registered 2026-01-02 in Shanghai). */
export function register(channelId: string, o: RegisterOptions = {}): Input {
  const data: Input = { name: o.name ?? `Channel ${channelId}`, kind: o.kind ?? 'distributor' };
  if (o.online !== undefined) data.online = o.online;
  if (o.region !== undefined) data.region = o.region;
  if (o.parentId !== undefined) data.parentId = o.parentId;
  return {
    eventId: o.id ?? nextId(`reg-${channelId}`),
    type: 'ChannelRegistered',
    occurredAt: at(o.at ?? '2026-01-02'),
    channelId,
    data,
  };
}

export interface SaleOptions {
  readonly channel: string;
  readonly at: string;
  readonly amount: string;
  readonly orderId?: string;
  readonly sku?: string;
  readonly quantity?: number;
  readonly currency?: string;
  readonly id?: string;
  readonly source?: string;
}

function saleLine(type: 'SaleRecorded' | 'SaleReturned', o: SaleOptions): Input {
  const event: Input = {
    eventId: o.id ?? nextId(type === 'SaleRecorded' ? 'sale' : 'ret'),
    type,
    occurredAt: at(o.at),
    channelId: o.channel,
    data: {
      orderId: o.orderId ?? nextId('order'),
      sku: o.sku ?? 'P1',
      quantity: o.quantity ?? 1,
      netAmount: o.amount,
      currency: o.currency ?? 'CNY',
    },
  };
  if (o.source !== undefined) event.source = o.source;
  return event;
}

/** SaleRecorded (default: sku P1, quantity 1, CNY, a fresh orderId). */
export function sale(o: SaleOptions): Input {
  return saleLine('SaleRecorded', o);
}

/** SaleReturned: `amount` is the amount refunded. */
export function saleReturn(o: SaleOptions & { readonly orderId: string }): Input {
  return saleLine('SaleReturned', o);
}

export interface TrainingOptions {
  readonly channel: string;
  readonly at: string;
  readonly traineeId: string;
  readonly certification?: string;
  readonly courseId?: string;
  readonly id?: string;
}

export function training(o: TrainingOptions): Input {
  const data: Input = { courseId: o.courseId ?? 'SALES-101', traineeId: o.traineeId };
  if (o.certification !== undefined) data.certification = o.certification;
  return {
    eventId: o.id ?? nextId('train'),
    type: 'TrainingCompleted',
    occurredAt: at(o.at),
    channelId: o.channel,
    data,
  };
}

export function survey(o: {
  channel: string;
  at: string;
  score: number;
  respondents: number;
  id?: string;
}): Input {
  return {
    eventId: o.id ?? nextId('survey'),
    type: 'SatisfactionSurveyed',
    occurredAt: at(o.at),
    channelId: o.channel,
    data: { score: o.score, respondents: o.respondents },
  };
}

export interface TierInput {
  readonly id: string;
  readonly rebateBps: number;
  readonly minTrailingNet: string;
  readonly minCertifiedTrainees: number;
}

export function tier(
  id: string,
  rebateBps: number,
  minTrailingNet: string,
  minCertifiedTrainees: number,
): TierInput {
  return { id, rebateBps, minTrailingNet, minCertifiedTrainees };
}

/** The four tiers of spec §3's example program. */
export const SPEC_TIERS: readonly TierInput[] = [
  tier('registered', 100, '0', 0),
  tier('silver', 200, '300000', 1),
  tier('gold', 300, '1500000', 3),
  tier('diamond', 500, '6000000', 5),
];

export const SPEC_VOLUME_BANDS = [
  { minQuarterNet: '1000000', rateBps: 50 },
  { minQuarterNet: '5000000', rateBps: 100 },
] as const;

/** The program data of spec §3, with overrides. */
export function programData(overrides: Input = {}): Input {
  return {
    programId: 'cn-2026',
    effectiveFrom: '2026-01',
    growthTargetBps: 1000,
    growthBonusBps: 50,
    tierReview: 'quarterly',
    downgradeGraceReviews: 1,
    tiers: SPEC_TIERS,
    volumeRebate: SPEC_VOLUME_BANDS,
    ...overrides,
  };
}

/** ProgramPublished of spec §3's program (published 2025-12-20), with data overrides. */
export function program(overrides: Input = {}, o: { at?: string; id?: string } = {}): Input {
  return {
    eventId: o.id ?? nextId('prog'),
    type: 'ProgramPublished',
    occurredAt: at(o.at ?? '2025-12-20'),
    data: programData(overrides),
  };
}

export interface PromotionOptions {
  readonly promotionId?: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly bonusBps: number;
  readonly skus?: readonly string[];
  readonly channelIds?: readonly string[];
  readonly at?: string;
  readonly id?: string;
}

export function promotion(o: PromotionOptions): Input {
  const data: Input = {
    promotionId: o.promotionId ?? nextId('promo'),
    startsAt: at(o.startsAt),
    endsAt: at(o.endsAt),
    bonusBps: o.bonusBps,
  };
  if (o.skus !== undefined) data.skus = o.skus;
  if (o.channelIds !== undefined) data.channelIds = o.channelIds;
  return {
    eventId: o.id ?? nextId('promo-ev'),
    type: 'PromotionScheduled',
    occurredAt: at(o.at ?? '2025-12-21'),
    data,
  };
}

/** PeriodClosed(month), by default sent on the 1st of the next month at 09:00 Shanghai time. */
export function close(month: string, occurredAt?: string, o: { id?: string } = {}): Input {
  return {
    eventId: o.id ?? nextId(`close-${month}`),
    type: 'PeriodClosed',
    occurredAt: occurredAt ?? `${nextMonth(month)}-01T09:00:00+08:00`,
    data: { month },
  };
}

/** Settings of `resolveSettings`, or a thrown error (a spec setup mistake). */
export function settings(timeZone: string, currency: string): DeploymentSettings {
  const s = resolveSettings(timeZone, currency);
  if (E.isLeft(s)) throw new Error(s.left);
  return s.right;
}

/** Runs inputs in log order under `s` (default Asia/Shanghai, CNY). */
export function run(
  inputs: readonly (string | Input)[],
  s: DeploymentSettings = defaultSettings,
): ScenarioResult {
  return runScenario(inputs, s);
}

export function channelOf(report: Report, channelId: string): ChannelReport {
  const c = report.channels.find((x) => x.channelId === channelId);
  if (c === undefined) throw new Error(`no channel ${channelId} in the report`);
  return c;
}

export function monthOf(report: Report, channelId: string, month: string): MonthReport {
  const m = channelOf(report, channelId).months.find((x) => x.month === month);
  if (m === undefined) throw new Error(`no month ${month} for channel ${channelId} in the report`);
  return m;
}

/** The status (or rejection code) of each outcome, in input order. */
export function statuses(outcomes: readonly ScenarioOutcome[]): string[] {
  return outcomes.map((o) => (o.status === 'rejected' ? o.code : o.status));
}

/** The status (or rejection code) of the last input. */
export function lastStatus(result: ScenarioResult): string {
  const all = statuses(result.outcomes);
  return all[all.length - 1] ?? 'none';
}
