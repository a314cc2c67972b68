/**
 * Properties 2 and 5: the report depends only on the input lines — not on the run nor on how
 * the input is split into ingest batches (with projection runs between some of them) — and the
 * per-line outcomes do not either. An input that makes the pipeline fail must make every run of
 * it fail the same way (that it must not fail at all is property 1, robustness.spec.ts).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { batchPlanArb, chaosLinesArb, realisticLinesArb } from './arbitraries.js';
import { expectSameResult, runMemory, scenario, settle } from './harness.js';

/** Realistic logs mostly, with junk-heavy ones mixed in. */
const linesArb = fc.oneof(
  { weight: 3, arbitrary: realisticLinesArb(50) },
  { weight: 1, arbitrary: chaosLinesArb(30) },
);

describe('the report depends only on the input', () => {
  it('property 2: replaying the same input in two fresh engines gives the same report', async () => {
    await fc.assert(
      fc.asyncProperty(linesArb, batchPlanArb, async (lines, plan) => {
        const first = await settle(() => runMemory(lines, plan));
        const second = await settle(() => runMemory(lines, plan));
        expectSameResult(second, first);
        expectSameResult(await settle(() => scenario(lines)), await settle(() => scenario(lines)));
      }),
      { numRuns: 120 },
    );
  });

  it('property 5: splitting the input into other ingest batches never changes the report', async () => {
    await fc.assert(
      fc.asyncProperty(linesArb, batchPlanArb, batchPlanArb, async (lines, planA, planB) => {
        const a = await settle(() => runMemory(lines, planA));
        const b = await settle(() => runMemory(lines, planB));
        expectSameResult(b, a);
        // One line per batch, projecting after each: the finest split of all.
        const fine = await settle(() => runMemory(lines, [{ size: 1, catchUp: true }]));
        expectSameResult(fine, a);
      }),
      { numRuns: 120 },
    );
  });
});
