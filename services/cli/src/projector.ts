/**
 * The projection of a file being ingested: on a worker thread (workerProjector.ts, the main
 * thread's side of projectionWorker.ts), or in this thread from the ingestor's hand-over.
 */
import { existsSync } from 'node:fs';
import type { CommandEngine } from './commandEngine.js';
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
 * The projection of a file's ingestion: on a worker thread, or in this one with
 * CHANPERF_PROJECTION_THREAD=main (and where the compiled worker is missing: sources run by a
 * test runner). How far the ingestion may run ahead of the thread is CHANPERF_HAND_OVER_LAG
 * (default 100 000 entries, about 30 MB of payloads in flight: two projection batches); 0 turns
 * the hand-over off and the worker reads every entry back from the log (the path it takes after
 * a gap; tests use it).
 */
export function startProjector(engine: CommandEngine, size: number): Projector {
  const url = new URL('./projectionWorker.js', import.meta.url);
  if (!existsSync(url) || engine.config.projectionThread === 'main') {
    // The projection takes the appended events straight from the ingestor (no read-back).
    engine.ingestor.onAppended((appended) => engine.runner.offer(appended));
    return {
      wake: async () => {
        await engine.runner.catchUp();
      },
      finish: () => engine.runner.catchUp(),
      stop: () => Promise.resolve(),
    };
  }
  return new WorkerProjector(engine, url, size, engine.config.handOverLag);
}
