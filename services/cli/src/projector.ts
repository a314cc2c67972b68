/**
 * The projection of a file being ingested: in this thread from the ingestor's hand-over, or on
 * a worker thread (workerProjector.ts, the main thread's side of projectionWorker.ts).
 */
import { existsSync } from 'node:fs';
import type { CommandEngine } from './commandEngine.js';
import { collectAboveHeapCeiling } from './heapCeiling.js';
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
 * The projection of a file's ingestion: in this thread (the default), or on a worker thread
 * with CHANPERF_PROJECTION_THREAD=worker (where the compiled worker exists: not for sources run
 * by a test runner).
 *
 * In this thread the projection takes the events the ingestor parsed and appended (one parse
 * per event, nothing copied between threads) and projects each batch as soon as it is
 * committed, so the ingestion never runs ahead of it. On this 2-core machine that is faster
 * than the worker (docs/performance.md): the worker saves the main thread the projection but
 * must be handed the payloads as strings and parse them again.
 *
 * The worker may lag CHANPERF_HAND_OVER_LAG entries behind (default 100 000, about 30 MB of
 * payloads in flight: two projection batches); 0 turns the hand-over off and the worker reads
 * every entry back from the log (the path it takes after a gap; tests use it).
 */
export function startProjector(engine: CommandEngine, size: number): Projector {
  const url = new URL('./projectionWorker.js', import.meta.url);
  if (engine.config.projectionThread === 'worker' && existsSync(url)) {
    return new WorkerProjector(engine, url, size, engine.config.handOverLag);
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
