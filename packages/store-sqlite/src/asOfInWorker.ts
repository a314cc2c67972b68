/**
 * Brings the as-of history of the database at `path` to the log's head in a worker thread
 * (`asOfWorker.ts`) whose old generation is capped: the build's allocations (a row for every
 * change, a snapshot every 25 000 positions) made a process that built it in its own heap
 * grow to twice the replay's peak RSS at 1M events, though what it keeps alive fits in a
 * fraction of that. One build at a time per process; callers share the one in flight.
 */
import { Worker } from 'node:worker_threads';
import { EngineError } from '@chanperf/engine';
import type { DeploymentSettings } from '@chanperf/domain';
import type { AsOfWorkerData, FromAsOfWorker } from './asOfWorker.js';

/**
 * The build's default old-generation limit (MB; CHANPERF_ASOF_MAX_HEAP_MB). A 1M-event log
 * keeps ~65–120 MB alive with the compact index (`scratchIndex.ts`; 275 MB with a set of
 * every order key, which then needed between 256 and 384). A build that needs more fails with
 * `ASOF_OUT_OF_MEMORY`; what it committed stays.
 */
export const AS_OF_BUILD_HEAP_MB = 512;

/**
 * The build's young generation (MB). The build allocates fast and keeps little, so V8's
 * default let the young generation alone add ~90 MB to the process (`report --as-of` of a
 * 1M-event log from nothing, peak RSS: default 511 MiB / 45 s; 24 MB: 413 MiB / 53 s; 12 MB:
 * 417 MiB / 56 s; the replay of that log 431 MiB).
 */
const AS_OF_BUILD_YOUNG_MB = 24;

/** The built worker: beside this module once compiled; from the sources (tests), its compiled copy. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../dist/asOfWorker.js', import.meta.url)
  : new URL('./asOfWorker.js', import.meta.url);

/** A history builder for `path` that runs each catch-up in a fresh worker thread. */
export function asOfWorkerBuilder(
  path: string,
  maxHeapMb: number = AS_OF_BUILD_HEAP_MB,
): (settings: DeploymentSettings) => Promise<number> {
  let running: Promise<number> | undefined;
  return (settings) =>
    (running ??= build({ path, settings }, maxHeapMb).finally(() => {
      running = undefined;
    }));
}

function build(data: AsOfWorkerData, maxHeapMb: number): Promise<number> {
  const worker = new Worker(WORKER_URL, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: AS_OF_BUILD_YOUNG_MB },
  });
  return new Promise<number>((resolve, reject) => {
    let checkpoint: number | undefined;
    let failure: Error | undefined;
    worker.on('message', (m: FromAsOfWorker) => {
      checkpoint = m.checkpoint;
    });
    worker.on('error', (err: Error & { code?: string }) => {
      failure =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new EngineError(
              'ASOF_OUT_OF_MEMORY',
              `building the as-of history needs more than its ${maxHeapMb} MB heap (CHANPERF_ASOF_MAX_HEAP_MB)`,
              false,
            )
          : err;
    });
    worker.on('exit', (code) => {
      if (checkpoint !== undefined) resolve(checkpoint);
      else reject(failure ?? new Error(`the as-of history worker stopped (exit ${code}) without an answer`));
    });
  });
}
