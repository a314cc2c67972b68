/**
 * Property 1: whatever the lines, the pipeline never throws and accounts for every non-blank
 * line exactly once (spec §2 "Every input is either accepted, a duplicate, or rejected", §7
 * counts), through `runScenario` and through the engine fed in random batches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { batchPlanArb, chaosLinesArb, type Line } from './arbitraries.js';
import { nonBlankCount, runMemory, scenario, toInputs } from './harness.js';

/** The spec's own reading of a line: not a JSON object → MALFORMED_JSON; eventId if a string. */
function oracle(line: Line, i: number): { blank: boolean; object: boolean; eventId: string | null } {
  let t = i === 0 && line.text.startsWith('\ufeff') ? line.text.slice(1) : line.text;
  if (t.endsWith('\r')) t = t.slice(0, -1);
  if (/^[ \t\r]*$/.test(t)) return { blank: true, object: false, eventId: null };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return { blank: false, object: false, eventId: null };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return { blank: false, object: false, eventId: null };
  const id = (v as Record<string, unknown>).eventId;
  return { blank: false, object: true, eventId: typeof id === 'string' ? id : null };
}

function checkAccounting(lines: readonly Line[], report: Report, statuses: readonly string[]): void {
  const { counts } = report;
  expect(counts.lines).toBe(nonBlankCount(lines));
  expect(counts.accepted + counts.duplicates + counts.rejected).toBe(counts.lines);
  expect(statuses).toHaveLength(lines.length);
  expect(statuses.filter((s) => s === 'accepted')).toHaveLength(counts.accepted);
  expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(counts.duplicates);
  expect(statuses.filter((s) => s === 'rejected')).toHaveLength(counts.rejected);
  expect(report.rejected).toHaveLength(counts.rejected);
  // Each rejected line: 1-based line number of a non-blank line, eventId as the spec says,
  // MALFORMED_JSON exactly for non-objects.
  const rejectedLines = new Set(report.rejected.map((r) => r.line));
  lines.forEach((line, i) => {
    const o = oracle(line, i);
    expect(statuses[i] === 'skipped', `line ${i + 1} blank`).toBe(o.blank);
    if (!o.object && !o.blank) expect(statuses[i], `line ${i + 1} not an object`).toBe('rejected');
    expect(rejectedLines.has(i + 1), `line ${i + 1} in report.rejected`).toBe(statuses[i] === 'rejected');
  });
  for (const r of report.rejected) {
    const line = lines[r.line - 1];
    expect(line).toBeDefined();
    const o = oracle(line as Line, r.line - 1);
    expect(r.eventId, `eventId of rejected line ${r.line}`).toBe(o.eventId);
    expect(r.code === 'MALFORMED_JSON', `code of rejected line ${r.line}`).toBe(!o.object);
  }
}

describe('property 1: any lines are accounted for, nothing throws', () => {
  it('runScenario', () => {
    fc.assert(
      fc.property(chaosLinesArb(40), (lines) => {
        const { report, outcomes } = scenario(lines);
        checkAccounting(
          lines,
          report,
          outcomes.map((o) => o.status),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('engine (Ingestor + in-memory adapters), random batch splits', async () => {
    await fc.assert(
      fc.asyncProperty(chaosLinesArb(40), batchPlanArb, async (lines, plan) => {
        const { report, outcomes } = await runMemory(lines, plan);
        expect(outcomes).toHaveLength(toInputs(lines).length);
        checkAccounting(
          lines,
          report,
          outcomes.map((o) => o.status),
        );
      }),
      { numRuns: 300 },
    );
  });
});
