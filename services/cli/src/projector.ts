/**
 * The projection of a file being ingested: on a worker thread (workerProjector.ts, the main
 * thread's side of projectionWorker.ts), or in this thread from the ingestor's hand-over.
 */
import { existsSync } from 'node:fs';
import type { EngineConfig } from '@chanperf/runtime/engine';
import type { CommandEngine } from './commandEngine.js';
import { collectAboveHeapCeiling, REPLAY_RESIDENT_BUDGET_MIB } from './heapCeiling.js';
import { WorkerProjector } from './workerProjector.js';

/** `wake` after each append, `finish` once the file is in the log. */
export interface Projector {
  /** The log grew: resolves once the in-thread projection caught up; a worker is only told. */
  wake(): Promise<void>;
  /**
   * No more appends: resolves with the projected position once caught up. A worker also
   * passes the report's text to `report` piece by piece (the caller then need not build it).
   */
  finish(report?: (text: string) => Promise<void>): Promise<number>;
  /** Stops a worker after a failure here, so it does not keep the process alive. */
  stop(): Promise<void>;
}

/**
 * The lines from which `auto` (the default) projects on a thread of its own. A worker costs
 * ~0.3 s to start (a 38-line example: 0.35 s in one thread, 0.67 s with a worker); at 100 000
 * lines the two layouts take the same time (2.5 s), at 1M the worker is 1.36× faster
 * (docs/performance.md, twenty-fifth session).
 */
export const WORKER_FROM_LINES = 200_000;

/**
 * Whether a file's projection runs on a worker thread: always with
 * CHANPERF_PROJECTION_THREAD=worker, never with `main`, and with `auto` when the file holds an
 * estimated `WORKER_FROM_LINES` lines or more (`expectedLines`: undefined when not estimated).
 */
export function projectsOnWorker(
  setting: EngineConfig['projectionThread'],
  expectedLines: number | undefined,
): boolean {
  if (setting !== 'auto') return setting === 'worker';
  return expectedLines !== undefined && expectedLines >= WORKER_FROM_LINES;
}

/**
 * The projection of a file's ingestion, on a worker thread or in this one (`projectsOnWorker`;
 * the worker needs its compiled module: sources run by a test runner project in this thread).
 *
 * On its own thread the projection reads the committed batches back from the log (its own
 * connection: a second parse of each payload, a canonical sale's without `JSON.parse`) while
 * this thread parses, validates and appends the next, so both cores are busy. With
 * CHANPERF_HAND_OVER_LAG above 0 this thread posts it each batch's payloads instead and waits
 * when it falls that many entries behind. Two heaps hold more than one: each thread's heap
 * gets a lower ceiling while the process is over its budget (heapCeiling.ts).
 *
 * In this thread the projection takes the events the ingestor parsed and appended (one parse
 * per event, nothing copied between threads) and projects each batch as soon as it is
 * committed, so the ingestion never runs ahead of it: one core, one heap.
 */
export function startProjector(
  engine: CommandEngine,
  size: number,
  expectedLines: number | undefined,
): Projector {
  const url = new URL('./projectionWorker.js', import.meta.url);
  const onWorker = projectsOnWorker(engine.config.projectionThread, expectedLines) && existsSync(url);
  engine.logger.debug(
    { projectionThread: onWorker ? 'worker' : 'main', expectedLines },
    'projection thread chosen',
  );
  if (onWorker) {
    const collectIfGrown = collectAboveHeapCeiling({
      budgetMiB: REPLAY_RESIDENT_BUDGET_MIB,
      budgetFloorMiB: INGESTING_BUDGET_FLOOR_MIB,
    });
    return new WorkerProjector(engine, url, size, engine.config.handOverLag, collectIfGrown);
  }
  // One thread holds the ingestion's and the projection's heaps: the same ceiling as the
  // worker's (heapCeiling.ts) keeps V8 from letting it grow to four times what is live.
  const collectIfGrown = collectAboveHeapCeiling();
  engine.ingestor.onAppended((appended) => engine.runner.offer(appended));
  return {
    wake: async () => {
      await engine.runner.catchUpHolding();
      collectIfGrown();
    },
    finish: () => engine.runner.catchUp(),
    stop: () => Promise.resolve(),
  };
}

/**
 * The ingesting thread's heap over the budget: it holds 12–20 MB live (the acceptance state, a
 * batch), so 48 MiB; at 1M, where the process stays under the budget, this floor alone cost
 * 2 s of a 14 s replay in collections (measured, not kept).
 */
const INGESTING_BUDGET_FLOOR_MIB = 48;
