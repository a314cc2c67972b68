/**
 * (v2) Properties of v2 streams (spec §8). Stripping the v2 events and fields from a stream
 * (and the inputs v2 rejects only for a v2 rule: UNKNOWN_PARENT, INVALID_PARENT) changes no v1
 * section of the report: channels, program months, tier movements, v1 alerts. And the v2 state
 * survives the read model: projecting part of a stream, closing the SQLite store, reopening it
 * and projecting the rest gives the report of projecting it all at once.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { sharedSpec } from '../support/sharedSpec.js';
import { batchPlanArb, type Line } from './arbitraries.js';
import { expectSameResult, runSqlite, runSqliteRestarting, scenario, settle } from './harness.js';
import { v2LinesArb } from './v2Arbitraries.js';

const V1_ALERT_KINDS = new Set([
  'GROWTH_TARGET_MISSED',
  'GROWTH_TARGET_MISS_RETRACTED',
  'TIER_DOWNGRADE_WARNING',
  'TIER_DOWNGRADED',
]);

const V1_KEYS = ['counts', 'lastClosedMonth', 'channels', 'program', 'tierMovements', 'alerts', 'rejected'];

function v1Sections(r: Report) {
  return {
    lastClosedMonth: r.lastClosedMonth,
    channels: r.channels,
    programMonths: r.program.months,
    tierMovements: r.tierMovements,
    alerts: r.alerts.filter((a) => V1_ALERT_KINDS.has(a.kind)),
  };
}

describe('v2 streams', () => {
  it('given a v2 stream, stripping its v2 events and fields changes no v1 section', () => {
    fc.assert(
      fc.property(v2LinesArb(40), (lines) => {
        const v2 = scenario(lines.map((l) => l.line));
        const byParentRule = new Set(
          v2.outcomes
            .filter(
              (o) => o.status === 'rejected' && (o.code === 'UNKNOWN_PARENT' || o.code === 'INVALID_PARENT'),
            )
            .map((o) => o.line),
        );
        const stripped = lines.flatMap((l, i) => (l.v1 === null || byParentRule.has(i + 1) ? [] : [l.v1]));
        const v1 = scenario(stripped);
        expect(v1Sections(v2.report)).toStrictEqual(v1Sections(v1.report));
        // The stripped stream is a v1 stream: its report has no v2 key at all.
        expect(Object.keys(v1.report)).toEqual(V1_KEYS);
        expect(Object.keys(v1.report.program)).toEqual(['months']);
      }),
      { numRuns: 150 },
    );
  });

  it('given a v2 stream, SQLite with restarts between batches reports what runScenario does', async () => {
    await fc.assert(
      fc.asyncProperty(
        v2LinesArb(30),
        batchPlanArb,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        async (lines, plan, restarts) => {
          const input = lines.map((l) => l.line);
          const reference = await settle(() => scenario(input));
          const sqlite = await settle(() => runSqliteRestarting(input, plan, restarts));
          expectSameResult(sqlite, reference, false);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('given v2-basic, projecting half, reopening the store and projecting the rest equals projecting all', async () => {
    const lines: Line[] = readFileSync(sharedSpec('examples-v2', 'v2-basic.ndjson'), 'utf8')
      .split('\n')
      .filter((t) => t !== '')
      .map((text) => ({ text }));
    const half = Math.floor(lines.length / 2);
    const plan = [
      { size: half, catchUp: true },
      { size: lines.length - half, catchUp: true },
    ];
    const all = await settle(() => runSqlite(lines, [{ size: lines.length, catchUp: true }]));
    const reloaded = await settle(() => runSqliteRestarting(lines, plan, [true, false]));
    expectSameResult(reloaded, all);
    const expected: unknown = JSON.parse(
      readFileSync(sharedSpec('examples-v2', 'v2-basic.report.json'), 'utf8'),
    );
    expect(reloaded.ok && JSON.parse(JSON.stringify(reloaded.report))).toEqual(expected);
  });
});
