/**
 * (v2) The generated v2 feed (`generateFeed({ v2: true })`, the demo's feed) replayed through
 * the pure reference (`runScenario`): only its deliberately bad lines are rejected, and it
 * exercises every v2 capability — targets kept and missed, price-protection claims (restated
 * ones too), distributor roll-ups, per-partner satisfaction, and every v2 alert kind. And the
 * §8 property on it: stripped of its v2 events and fields, it gives the same v1 sections.
 */
import { describe, expect, it } from 'vitest';
import {
  claimInputOf,
  defaultSettings,
  EventValidator,
  memoryClaimInputs,
  normalizeLine,
  runScenario,
  type ClaimInputRecord,
  type Report,
} from '@chanperf/domain';
import { generateFeed, type FeedOptions, type FeedStats } from '@chanperf/testing';

const V2_TYPES = new Set(['TargetSet', 'InventoryReported', 'ChannelReparented', 'PriceChanged']);
const V1_ALERT_KINDS = new Set([
  'GROWTH_TARGET_MISSED',
  'GROWTH_TARGET_MISS_RETRACTED',
  'TIER_DOWNGRADE_WARNING',
  'TIER_DOWNGRADED',
]);

function collect(options: FeedOptions = { seed: 42, partners: 60, months: 12, v2: true }): {
  lines: string[];
  stats: FeedStats;
} {
  const feed = generateFeed(options);
  const lines: string[] = [];
  for (;;) {
    const next = feed.next();
    if (next.done === true) return { lines, stats: next.value };
    lines.push(next.value);
  }
}

/** The line without its v2 event or fields (spec §8); null to drop it. Bad JSON stays as it is. */
function stripped(line: string): string | null {
  let event: { type?: unknown; data?: Record<string, unknown> };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return line;
  }
  if (typeof event.type === 'string' && V2_TYPES.has(event.type)) return null;
  const data = event.data;
  if (data === undefined || !['parentId', 'inactivityMonths', 'priceProtectionDays'].some((k) => k in data)) {
    return line;
  }
  const rest = { ...data };
  for (const key of ['parentId', 'inactivityMonths', 'priceProtectionDays']) delete rest[key];
  return JSON.stringify({ ...event, data: rest });
}

const v1Sections = (r: Report) => ({
  lastClosedMonth: r.lastClosedMonth,
  channels: r.channels,
  programMonths: r.program.months,
  tierMovements: r.tierMovements,
  alerts: r.alerts.filter((a) => V1_ALERT_KINDS.has(a.kind)),
});

describe('the generated v2 feed, replayed', () => {
  const feed = collect();
  const { report } = runScenario(feed.lines, defaultSettings);

  it('given the feed, then exactly its bad lines are rejected, the v2 ones for a parent rule', () => {
    expect(report.counts.lines).toBe(feed.stats.lines);
    expect(report.counts.rejected).toBe(feed.stats.badLines);
    const v2Rejected = report.rejected.filter((r) => r.eventId?.startsWith('RP-') === true);
    expect(v2Rejected.map((r) => r.code).sort()).toEqual([
      'INVALID_PARENT',
      'INVALID_PARENT',
      'UNKNOWN_PARENT',
    ]);
  });

  it('given the feed, then targets are kept and missed, and a revision is in effect', () => {
    const targets = report.targets ?? [];
    expect(targets.length).toBeGreaterThan(30);
    const statuses = new Set(targets.flatMap((t) => t.quarters.map((q) => q.status)));
    expect([...statuses].sort()).toEqual(['BEHIND', 'ON_TRACK', 'OPEN']);
    expect(targets.some((t) => /-R[123]$/.test(t.targetEventId))).toBe(true);
    expect(new Set(targets.map((t) => t.status))).toContain('BEHIND');
  });

  it('given the feed, then price cuts earn claims, some restated, some without stock', () => {
    const { changes, claims } = report.priceProtection ?? { changes: [], claims: [] };
    expect(changes.filter((c) => c.protected).length).toBeGreaterThanOrEqual(2);
    expect(changes.some((c) => !c.protected)).toBe(true); // the price rise
    expect(claims.some((c) => c.restated)).toBe(true);
    expect(claims.some((c) => c.onHand === null)).toBe(true);
    expect(claims.some((c) => c.returnedUnits > 0)).toBe(true);
    expect(claims.some((c) => c.credit !== '0.00')).toBe(true);
  });

  it('given the feed, then distributors head roll-ups whose members change with a re-parenting', () => {
    const rollups = report.rollups ?? [];
    expect(rollups.length).toBeGreaterThanOrEqual(1);
    const memberSets = rollups.flatMap((r) => r.months.map((m) => m.members.join(',')));
    expect(memberSets.some((m) => m.includes(','))).toBe(true);
    expect(rollups.some((r) => new Set(r.months.map((m) => m.members.join(','))).size > 1)).toBe(true);
  });

  it('given the feed, then partners have quarterly satisfaction and the program its coverage', () => {
    const rated = (report.satisfaction ?? []).filter((s) =>
      s.quarters.some((q) => q.satisfactionAvg !== null),
    );
    expect(rated.length).toBeGreaterThan(30);
    expect((report.program.quarters ?? []).every((q) => q.surveyCoverageBps !== null && q.channels > 0)).toBe(
      true,
    );
  });

  it('given the feed, then every v2 alert kind is raised', () => {
    const kinds = new Set(report.alerts.map((a) => a.kind));
    for (const kind of [
      'TARGET_BEHIND',
      'TARGET_BEHIND_RETRACTED',
      'CHANNEL_INACTIVE',
      'CHANNEL_INACTIVE_RETRACTED',
    ]) {
      expect(kinds.has(kind as never), kind).toBe(true);
    }
  });

  it('given the feed, then the claim inputs the rules recorded are claimInputOf of its accepted events, in order', () => {
    // What a store that reads its claim inputs back from the log relies on
    // (store-sqlite/src/claimInputs.ts): the rules record one input per logged sale, return and
    // inventory count, as claimInputOf makes it, in log order.
    const { outcomes, state } = runScenario(feed.lines, defaultSettings);
    const validator = new EventValidator(defaultSettings.minorDigits);
    const fromLog = memoryClaimInputs();
    const keys = new Set<string>();
    let inputs = 0;
    for (const o of outcomes) {
      if (o.status !== 'accepted') continue;
      const v = validator.validateText(normalizeLine(feed.lines[o.line - 1] as string, o.line === 1));
      if (v._tag === 'Left') throw new Error(`line ${o.line} was accepted but does not validate`);
      const input: ClaimInputRecord | undefined = claimInputOf(v.right.event);
      if (input === undefined) continue;
      fromLog.add(input);
      keys.add(JSON.stringify([input.channelId, input.sku]));
      inputs++;
    }
    expect(inputs).toBeGreaterThan(1000);
    for (const key of keys) {
      const [channelId, sku] = JSON.parse(key) as [string, string];
      expect(state.claimInputs.inputsOf(channelId, sku)).toStrictEqual(fromLog.inputsOf(channelId, sku));
    }
  });

  it('given the feed stripped of its v2 events and fields, then the v1 sections are the same (spec §8)', () => {
    const v1Lines = feed.lines.flatMap((l) => {
      const s = stripped(l);
      return s === null ? [] : [s];
    });
    const v1 = runScenario(v1Lines, defaultSettings).report;
    expect(v1.targets).toBeUndefined();
    expect(v1Sections(v1)).toStrictEqual(v1Sections(report));
  });

  it('given other options (two years from October in KWD, seven months at +05:00), then only the bad lines are rejected', () => {
    const cases: [FeedOptions, typeof defaultSettings][] = [
      [
        {
          seed: 102,
          partners: 50,
          months: 24,
          startMonth: '2026-10',
          currency: 'KWD',
          minorDigits: 3,
          v2: true,
        },
        { ...defaultSettings, currency: 'KWD', minorDigits: 3 },
      ],
      [{ seed: 103, partners: 40, months: 7, timeZoneOffset: '+05:00', v2: true }, defaultSettings],
    ];
    for (const [options, settings] of cases) {
      const other = collect(options);
      const replayed = runScenario(other.lines, settings).report;
      expect(replayed.counts.rejected, JSON.stringify(options)).toBe(other.stats.badLines);
      expect(replayed.targets?.length ?? 0).toBeGreaterThan(0);
    }
  });
});
