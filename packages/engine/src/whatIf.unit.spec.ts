/**
 * What "the program replaced from month F on" means (docs/whatif.md), given a log and when a
 * proposal is run over it: programs effective before F stay, later ones (a mid-year revision)
 * are replaced, the proposal governs every month from F on, and a close from F on runs under it.
 */
import { defaultSettings, formatMonth, parseMonth, programInEffect } from '@chanperf/domain';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { Feed, LogEntry } from './ports.js';
import { planWhatIf, runWhatIf, type WhatIfPlan } from './whatIf.js';
import { compareWhatIf } from './whatIfCompare.js';

const program = (programId: string, effectiveFrom: string, growthTargetBps = 1000) => ({
  programId,
  effectiveFrom,
  growthTargetBps,
  growthBonusBps: 100,
  tierReview: 'quarterly',
  downgradeGraceReviews: 1,
  tiers: [{ id: 'registered', rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0 }],
  volumeRebate: [],
});

const at = (day: string) => `${day}T10:00:00+08:00`;

/** The log, as a store would hand it over: positions 1…n, canonical payloads. */
function feedOf(events: object[]): Feed {
  const entries: LogEntry[] = events.map((e, i) => ({
    eventId: (e as { eventId: string }).eventId,
    type: (e as { type: string }).type,
    channelId: (e as { channelId?: string }).channelId ?? null,
    payload: JSON.stringify(e),
    position: i + 1,
  }));
  return { read: (after, limit) => Promise.resolve(entries.slice(after, after + limit)) };
}

const sale = (id: string, day: string, netAmount: string) => ({
  eventId: id,
  type: 'SaleRecorded',
  occurredAt: at(day),
  channelId: 'C1',
  data: { orderId: id, sku: 'P1', quantity: 1, netAmount, currency: 'CNY' },
});
const close = (id: string, day: string, month: string) => ({
  eventId: id,
  type: 'PeriodClosed',
  occurredAt: at(day),
  data: { month },
});
const publish = (id: string, day: string, data: object) => ({
  eventId: id,
  type: 'ProgramPublished',
  occurredAt: at(day),
  data,
});

/** Jan 100, Feb 110 (+10 %), Mar 120 (+9.09 %), Apr 140; the revision (target 5 %) from April. */
const LOG = [
  publish('p-a', '2025-12-20', program('a', '2026-01')),
  {
    eventId: 'r',
    type: 'ChannelRegistered',
    occurredAt: at('2026-01-02'),
    channelId: 'C1',
    data: { name: 'C1', kind: 'reseller' },
  },
  sale('s1', '2026-01-10', '100'),
  sale('s2', '2026-02-10', '110'),
  close('c1', '2026-02-01', '2026-01'),
  publish('p-b', '2026-02-20', program('b', '2026-04', 500)),
  close('c2', '2026-03-01', '2026-02'),
  sale('s3', '2026-03-10', '120'),
  close('c3', '2026-04-01', '2026-03'),
  sale('s4', '2026-04-10', '140'),
  close('c4', '2026-05-01', '2026-04'),
];

function plan(data: object, from?: string): WhatIfPlan {
  const p = planWhatIf(data, from, defaultSettings);
  if (E.isLeft(p)) throw new Error(p.left.message);
  return p.right;
}

const inEffect = (programs: Parameters<typeof programInEffect>[0], month: string) =>
  programInEffect(programs, parseMonth(month) ?? 0)?.programId;

describe('what if: the program replaced from month F on', () => {
  it('keeps programs effective before F, replaces those from F on, and governs every month from F', async () => {
    const run = await runWhatIf(feedOf(LOG), plan(program('x', '2026-02', 1200)), defaultSettings);
    const programs = run.proposed.state.programs;
    expect(programs.map((p) => p.programId)).toEqual(['a', 'x']); // b (from April) replaced
    expect(['2026-01', '2026-02', '2026-03', '2026-04'].map((m) => inEffect(programs, m))).toEqual([
      'a',
      'x',
      'x',
      'x',
    ]);
    expect(run.actual.state.programs.map((p) => p.programId)).toEqual(['a', 'b']);
    expect(run.position).toBe(LOG.length);
  });

  it('closes every month from F under the proposal: February meets 10 % as logged, misses 12 %', async () => {
    const result = compareWhatIf(
      await runWhatIf(feedOf(LOG), plan(program('x', '2026-02', 1200)), defaultSettings),
      defaultSettings.minorDigits,
    );
    const [c1] = result.channels;
    expect(c1?.growthChanges).toEqual([{ month: '2026-02', actual: 'MET', proposed: 'MISSED' }]);
    expect(c1?.months.find((m) => m.month === '2026-02')?.delta.growthBonus).toBe('-1.10');
    expect(result.alerts.raised.map((a) => a.id)).toEqual(['GROWTH_TARGET_MISSED/C1/2026-02/1']);
    // April: 140 on 120 is +16.67 %, met under b (5 %) and under x (12 %) alike.
    expect(c1?.months.find((m) => m.month === '2026-04')?.growthStatus).toEqual({
      actual: 'MET',
      proposed: 'MET',
    });
  });

  it('takes --from over the payload’s effectiveFrom, and the logged programs give no delta', async () => {
    const same = plan(program('b', '2026-01', 500), '2026-04');
    expect(formatMonth(same.from)).toBe('2026-04');
    const result = compareWhatIf(
      await runWhatIf(feedOf(LOG), same, defaultSettings),
      defaultSettings.minorDigits,
    );
    expect(result.total.delta).toEqual({
      base: '0.00',
      growthBonus: '0.00',
      promotion: '0.00',
      volume: '0.00',
      total: '0.00',
    });
    expect(result.alerts).toEqual({ raised: [], notRaised: [] });
  });

  it('refuses a program ingestion would refuse, with its message, and a month that is not one', () => {
    const bad = planWhatIf({ ...program('x', '2026-01'), tiers: [] }, undefined, defaultSettings);
    expect(bad).toEqual(
      E.left({
        code: 'SCHEMA_VIOLATION',
        message: expect.stringMatching(/^the proposed program: tiers: /) as string,
      }),
    );
    expect(planWhatIf(program('x', '2026-01'), '2026-13', defaultSettings)).toEqual(
      E.left({ code: 'BAD_FROM', message: 'from: not a month: 2026-13 (expected YYYY-MM)' }),
    );
  });
});
