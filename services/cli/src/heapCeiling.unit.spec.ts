import { describe, expect, it } from 'vitest';
import { collectAboveHeapCeiling, type HeapCeiling, type HeapProbe } from './heapCeiling.js';

const MiB = 2 ** 20;

/** One check: the thread's heap and the process's resident set (MiB), and the collections so far. */
type Step = readonly [heap: number, resident: number, collections: number];

/**
 * Runs a ceiling over `steps` with a probe whose figures each step sets; a collection leaves
 * `liveAfter` MiB in the heap. Answers how often the resident set was read.
 */
function run(ceiling: HeapCeiling, liveAfter: number, steps: readonly Step[]): number {
  const state = { heap: 0, resident: 0, collections: 0, residentReads: 0 };
  const probe: HeapProbe = {
    heapUsed: () => state.heap * MiB,
    resident: () => {
      state.residentReads++;
      return state.resident * MiB;
    },
    collect: () => {
      state.collections++;
      state.heap = liveAfter;
    },
  };
  const check = collectAboveHeapCeiling(ceiling, probe);
  steps.forEach(([heap, resident, collections], i) => {
    state.heap = heap;
    state.resident = resident;
    check();
    expect(state.collections, `after step ${i + 1}`).toBe(collections);
  });
  return state.residentReads;
}

describe('collectAboveHeapCeiling', () => {
  it('given no budget, then it collects once the heap passes the floor, then 1.3 × what was live', () => {
    // 160 live after the first collection: 1.3 × 160 = 208 is the next ceiling.
    run({ floorMiB: 192 }, 160, [
      [192, 0, 0],
      [193, 0, 1],
      [200, 0, 1],
      [209, 0, 2],
    ]);
  });

  it('given no budget, then a resident set however large changes nothing', () => {
    run({ floorMiB: 192, budgetFloorMiB: 48 }, 20, [[100, 10_000, 0]]);
  });

  it('given a budget, then between the two floors it collects only while the process is over it', () => {
    // 20 live after a collection: over the budget the ceiling is max(48, 26) = 48; under it, 192.
    run({ floorMiB: 192, budgetMiB: 680, budgetFloorMiB: 48 }, 20, [
      [100, 680, 0],
      [100, 681, 1],
      [48, 681, 1],
      [49, 681, 2],
      [150, 500, 2],
      [193, 500, 3],
    ]);
  });

  it('given a budget, then over it a large live heap still grows to 1.3 × live first', () => {
    // 150 live: 1.3 × 150 = 195, however large the resident set.
    run({ floorMiB: 192, budgetMiB: 680, budgetFloorMiB: 64 }, 150, [
      [193, 900, 1],
      [190, 900, 1],
      [196, 900, 2],
    ]);
  });

  it('given the heap under its budget floor, then the resident set is not read', () => {
    expect(run({ budgetMiB: 680, budgetFloorMiB: 48 }, 20, [[40, 900, 0]])).toBe(0);
  });
});
