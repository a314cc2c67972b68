/**
 * (v2) A small stream that raises each of the four v2 alert kinds (spec §5), for the transport
 * suites (webhook, alert log, live stream, Kafka). Built in code so that every line can carry
 * its comment; the expected alerts below were worked out by hand from DOMAIN.md, as
 * examples-v2/README.md does for v2-basic, and the replay test checks the engine agrees.
 *
 * Program: growth target 10 %, one tier (minimums 0: no review ever moves or warns),
 * `inactivityMonths` K = 2. Two partners: IDLE-1 (goes silent) and TGT-1 (has a target).
 * Nets in CNY:
 *
 * |        | Jan    | Feb    | Mar                                                |
 * |--------|--------|--------|----------------------------------------------------|
 * | IDLE-1 | 10 000 | 0      | 0 at the close; 5 000 after the late s-idle-2      |
 * | TGT-1  | 20 000 | 30 000 | 40 000; 55 000 after s-tgt-4; 45 000 after r-tgt-1 |
 *
 * TGT-1's 2026 target is 400 000.00 without a split: ⌊400 000.00 / 4⌋ = 100 000.00 a quarter
 * (§4 Targets), so Q1's cumulative target is 100 000.00.
 */
import type { Alert } from '@chanperf/domain';
import { v2AlertSchemas } from '../../services/query/src/v2Schemas.js';

type Line = Record<string, unknown>;

const sale = (eventId: string, channelId: string, at: string, orderId: string, net: string): Line => ({
  eventId,
  type: 'SaleRecorded',
  occurredAt: at,
  channelId,
  data: { orderId, sku: 'P1', quantity: 1, netAmount: net, currency: 'CNY' },
});
const close = (month: string, at: string): Line => ({
  eventId: `close-${month}`,
  type: 'PeriodClosed',
  occurredAt: at,
  data: { month },
});

const EVENTS: Line[] = [
  {
    eventId: 'prog-1',
    type: 'ProgramPublished',
    occurredAt: '2025-12-20T09:00:00+08:00',
    data: {
      programId: 'alerts-v2',
      effectiveFrom: '2026-01',
      growthTargetBps: 1000,
      growthBonusBps: 0,
      tierReview: 'quarterly',
      downgradeGraceReviews: 1,
      tiers: [{ id: 'partner', rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0 }],
      volumeRebate: [],
      inactivityMonths: 2,
    },
  },
  {
    eventId: 'reg-idle',
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId: 'IDLE-1',
    data: { name: 'Quiet Retail', kind: 'retailer' },
  },
  {
    eventId: 'reg-tgt',
    type: 'ChannelRegistered',
    occurredAt: '2026-01-02T09:00:00+08:00',
    channelId: 'TGT-1',
    data: { name: 'Target Reseller', kind: 'reseller' },
  },
  {
    eventId: 'tgt-tgt',
    type: 'TargetSet',
    occurredAt: '2026-01-03T09:00:00+08:00',
    channelId: 'TGT-1',
    data: { year: '2026', annualNet: '400000.00' },
  },
  sale('s-tgt-1', 'TGT-1', '2026-01-10T10:00:00+08:00', 'TGT-1001', '20000.00'),
  sale('s-idle-1', 'IDLE-1', '2026-01-12T10:00:00+08:00', 'IDLE-1001', '10000.00'),
  // January: both NO_BASELINE; inactivity needs December ≥ the first month (January): no alert.
  close('2026-01', '2026-02-01T00:05:00+08:00'),
  sale('s-tgt-2', 'TGT-1', '2026-02-10T10:00:00+08:00', 'TGT-1002', '30000.00'),
  // February: IDLE-1 0 vs 10 000 → MISSED, growthBps floor(−10 000 × 10000 / 10 000) = −10000
  // (alert 1, v1). Not inactive at February: January had a sale. TGT-1 30 000 × 10000 ≥
  // 20 000 × 11000 → MET.
  close('2026-02', '2026-03-01T00:05:00+08:00'),
  sale('s-tgt-3', 'TGT-1', '2026-03-10T10:00:00+08:00', 'TGT-1003', '40000.00'),
  // March, by channelId. IDLE-1: growth NO_BASELINE (February is 0), no target; inactive at
  // March (February and March ≥ January, no sale) and not at February → CHANNEL_INACTIVE
  // (alert 2): idleMonths 2 (March, February; January sold), lastSaleMonth 2026-01. TGT-1:
  // 40 000 × 10000 ≥ 30 000 × 11000 → MET; the one-tier review moves nothing; Q1 cumulative
  // net 20 000 + 30 000 + 40 000 = 90 000 < 100 000 → TARGET_BEHIND (alert 3).
  close('2026-03', '2026-04-01T00:05:00+08:00'),
  // —— V2_RESTART_AT: the suites restart here ——
  // Late sale into closed March: TGT-1 March 55 000, still MET; Q1 re-judged: 105 000 ≥
  // 100 000 → TARGET_BEHIND_RETRACTED (alert 4).
  sale('s-tgt-4', 'TGT-1', '2026-03-20T10:00:00+08:00', 'TGT-1004', '15000.00'),
  // Late sale into closed March: IDLE-1 sold in March, so not inactive at March any more →
  // CHANNEL_INACTIVE_RETRACTED (alert 5). Its March growth stays NO_BASELINE (February 0);
  // April is open, so no growth flip.
  sale('s-idle-2', 'IDLE-1', '2026-03-25T10:00:00+08:00', 'IDLE-1002', '5000.00'),
  // Late return of part of TGT-1003 (March): March 45 000, still MET; Q1 95 000 < 100 000 →
  // BEHIND again → TARGET_BEHIND restated, n = 2 (alert 6).
  {
    eventId: 'r-tgt-1',
    type: 'SaleReturned',
    occurredAt: '2026-03-25T10:00:00+08:00',
    channelId: 'TGT-1',
    data: { orderId: 'TGT-1003', sku: 'P1', quantity: 1, netAmount: '10000.00', currency: 'CNY' },
  },
];

/** The stream as NDJSON lines, in log order. */
export const V2_ALERT_LINES: readonly string[] = EVENTS.map((e) => JSON.stringify(e));

/** Lines before this index raise alerts 1–3 (two of them v2); the lines from it raise 4–6. */
export const V2_RESTART_AT = EVENTS.findIndex((e) => e.eventId === 's-tgt-4');

/** The alerts of the stream, in the order raised, with the figures worked out above. */
export const V2_EXPECTED_ALERTS: readonly Alert[] = [
  {
    id: 'GROWTH_TARGET_MISSED/IDLE-1/2026-02/1',
    kind: 'GROWTH_TARGET_MISSED',
    channelId: 'IDLE-1',
    month: '2026-02',
    growthBps: -10000,
    targetBps: 1000,
    restated: false,
  },
  {
    id: 'CHANNEL_INACTIVE/IDLE-1/2026-03/1',
    kind: 'CHANNEL_INACTIVE',
    channelId: 'IDLE-1',
    month: '2026-03',
    idleMonths: 2,
    inactivityMonths: 2,
    lastSaleMonth: '2026-01',
    restated: false,
  },
  {
    id: 'TARGET_BEHIND/TGT-1/2026-03/1',
    kind: 'TARGET_BEHIND',
    channelId: 'TGT-1',
    month: '2026-03',
    quarter: '2026-Q1',
    cumulativeNet: '90000.00',
    cumulativeTarget: '100000.00',
    restated: false,
  },
  {
    id: 'TARGET_BEHIND_RETRACTED/TGT-1/2026-03/1',
    kind: 'TARGET_BEHIND_RETRACTED',
    channelId: 'TGT-1',
    month: '2026-03',
    quarter: '2026-Q1',
  },
  {
    id: 'CHANNEL_INACTIVE_RETRACTED/IDLE-1/2026-03/1',
    kind: 'CHANNEL_INACTIVE_RETRACTED',
    channelId: 'IDLE-1',
    month: '2026-03',
  },
  {
    id: 'TARGET_BEHIND/TGT-1/2026-03/2',
    kind: 'TARGET_BEHIND',
    channelId: 'TGT-1',
    month: '2026-03',
    quarter: '2026-Q1',
    cumulativeNet: '95000.00',
    cumulativeTarget: '100000.00',
    restated: true,
  },
];

/** The ids of the expected alerts, in order. */
export const V2_EXPECTED_IDS: readonly string[] = V2_EXPECTED_ALERTS.map((a) => a.id);

/** The four v2 kinds (spec §5), each raised at least once by the stream. */
export const V2_KINDS = v2AlertSchemas.map((s) => s.shape.kind.value);

/**
 * Why `payload` (an alert as a transport carries it) breaks its v2 schema of
 * services/query/src/v2Schemas.ts — strictly: no field missing or extra, `id` and `kind` first —
 * or undefined when it conforms. A payload of a v1 kind is not judged here.
 */
export function v2SchemaProblem(payload: unknown): string | undefined {
  const kind = (payload as { kind?: unknown }).kind;
  const schema = v2AlertSchemas.find((s) => s.shape.kind.value === kind);
  if (schema === undefined) return `not a v2 kind: ${String(kind)}`;
  const parsed = schema.strict().safeParse(payload);
  if (!parsed.success) return parsed.error.message;
  const keys = Object.keys(payload as object);
  if (keys[0] !== 'id' || keys[1] !== 'kind') return `id and kind are not first: ${keys.join(', ')}`;
  return undefined;
}
