/**
 * A ceiling on a thread's heap: a full collection once the heap grows well past what it held
 * live after the last one (the heap governor of whichever thread projects, and of the ingesting
 * thread beside a projection thread: projector.ts, projectionWorker.ts).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What a ceiling reads and does: the calling thread's heap, the process's resident set. */
export interface HeapProbe {
  /** Bytes of the calling thread's V8 heap in use (each thread has its own heap). */
  heapUsed(): number;
  /** Bytes resident in the whole process (every thread's heap, the tables, SQLite). */
  resident(): number;
  /** A full collection of the calling thread's heap. */
  collect(): void;
}

/** The probe of the calling thread: V8's figures and its `gc`. */
function threadProbe(): HeapProbe {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return {
    heapUsed: () => getHeapStatistics().used_heap_size,
    resident: () => process.memoryUsage.rss(),
    collect: gc,
  };
}

/**
 * The resident set above which `replay` and `ingest` with a projection thread collect on both
 * threads (`budgetMiB`): the 10M-event replay's target is 800 MiB, and the resident set rises
 * between two batches' checks and falls only as V8 returns the pages, so the budget sits below
 * it (10M replay: 734–767 MiB peak with it, 791–813 without; docs/performance.md).
 */
export const REPLAY_RESIDENT_BUDGET_MIB = 680;

export interface HeapCeiling {
  /** The heap may grow to this many MiB before a collection, whatever is live (default 192). */
  readonly floorMiB?: number;
  /** …and to this many times what was live after the last collection (default 1.3). */
  readonly factor?: number;
  /**
   * While the process's resident set is over this many MiB, the ceiling is the lower of the
   * two: max(`budgetFloorMiB`, factor × live). Unset: no budget.
   */
  readonly budgetMiB?: number;
  readonly budgetFloorMiB?: number;
}

/**
 * Keeps the calling thread's heap within about `factor` times what it holds live. Between full
 * collections V8 lets the old generation grow to about four times what survived the last one;
 * the projection thread promotes ~20 MB/s of batch data (payloads waiting for their batch,
 * index buffers, replaced sums) that dies soon after, so at 150 MB live it sat on 500–650 MB.
 * The returned function, called after each batch, collects once the heap passes
 * max(floor, 1.3 × live): a full collection of ~150 MB live costs 50–150 ms, every several
 * seconds.
 *
 * With a budget, a thread whose live heap is small (the ingesting thread beside a projection
 * thread: 12–20 MB live, 100–124 MB committed at 10M) also collects above its budget floor, but
 * only while the process is over the budget: a small replay pays nothing, a large one trades
 * some collections for the memory (docs/performance.md, twenty-fifth session).
 */
export function collectAboveHeapCeiling(o: HeapCeiling = {}, probe: HeapProbe = threadProbe()): () => void {
  const MiB = 2 ** 20;
  const factor = o.factor ?? 1.3;
  const floor = (o.floorMiB ?? 192) * MiB;
  const budget = o.budgetMiB === undefined ? undefined : o.budgetMiB * MiB;
  const budgetFloor = Math.min(floor, (o.budgetFloorMiB ?? o.floorMiB ?? 192) * MiB);
  /** What the heap held after the last collection (0 before the first). */
  let live = 0;
  return () => {
    const used = probe.heapUsed();
    if (used <= Math.max(budgetFloor, factor * live)) return;
    if (used <= Math.max(floor, factor * live)) {
      // Between the two ceilings: collect only while the process is over its budget.
      if (budget === undefined || probe.resident() <= budget) return;
    }
    probe.collect();
    live = probe.heapUsed();
  };
}
