import { describe, expect, it } from 'vitest';
import { collectAboveHeapCeiling, type HeapProbe } from './heapCeiling.js';

const MiB = 2 ** 20;

/**
 * A probe whose heap and resident set the test sets, counting collections; a collection leaves
 * `liveAfter` MiB in the heap.
 */
function fakeProbe(liveAfter: number) {
  const state = { heap: 0, resident: 0, collections: 0 };
  const probe: HeapProbe = {
    heapUsed: () => state.heap * MiB,
    resident: () => state.resident * MiB,
    collect: () => {
      state.collections++;
      state.heap = liveAfter;
    },
  };
  return { state, probe };
}

describe('collectAboveHeapCeiling', () => {
  it('given no budget, then it collects once the heap passes the floor, then 1.3 × what was live', () => {
    const { state, probe } = fakeProbe(160);
    const check = collectAboveHeapCeiling({ floorMiB: 192 }, probe);
    state.heap = 192;
    check();
    expect(state.collections).toBe(0);
    state.heap = 193;
    check();
    expect(state.collections).toBe(1);
    // 1.3 × 160 = 208: at 200 nothing, past 208 the next collection.
    state.heap = 200;
    check();
    expect(state.collections).toBe(1);
    state.heap = 209;
    check();
    expect(state.collections).toBe(2);
  });

  it('given no budget, then a resident set however large changes nothing', () => {
    const { state, probe } = fakeProbe(20);
    const check = collectAboveHeapCeiling({ floorMiB: 192, budgetFloorMiB: 48 }, probe);
    state.resident = 10_000;
    state.heap = 100;
    check();
    expect(state.collections).toBe(0);
  });

  it('given a budget, then between the two floors it collects only while the process is over it', () => {
    const { state, probe } = fakeProbe(20);
    const check = collectAboveHeapCeiling({ floorMiB: 192, budgetMiB: 680, budgetFloorMiB: 48 }, probe);
    state.heap = 100;
    state.resident = 680;
    check();
    expect(state.collections).toBe(0);
    state.resident = 681;
    check();
    expect(state.collections).toBe(1);
    // After it: 20 live, so max(48, 26) = 48 is the ceiling over the budget.
    state.heap = 48;
    check();
    expect(state.collections).toBe(1);
    state.heap = 49;
    check();
    expect(state.collections).toBe(2);
    // Under the budget again, only the floor of 192 counts.
    state.resident = 500;
    state.heap = 150;
    check();
    expect(state.collections).toBe(2);
    state.heap = 193;
    check();
    expect(state.collections).toBe(3);
  });

  it('given a budget, then over it a large live heap still grows to factor × live first', () => {
    const { state, probe } = fakeProbe(150);
    const check = collectAboveHeapCeiling({ floorMiB: 192, budgetMiB: 680, budgetFloorMiB: 64 }, probe);
    state.resident = 900;
    state.heap = 193;
    check();
    expect(state.collections).toBe(1);
    // 1.3 × 150 = 195: no collection at 190 however large the resident set.
    state.heap = 190;
    check();
    expect(state.collections).toBe(1);
    state.heap = 196;
    check();
    expect(state.collections).toBe(2);
  });

  it('given the heap under its budget floor, then the resident set is not read', () => {
    const { state, probe } = fakeProbe(20);
    let reads = 0;
    const counting: HeapProbe = { ...probe, resident: () => (reads++, probe.resident()) };
    const check = collectAboveHeapCeiling({ budgetMiB: 680, budgetFloorMiB: 48 }, counting);
    state.heap = 40;
    state.resident = 900;
    check();
    expect(reads).toBe(0);
    expect(state.collections).toBe(0);
  });
});
