/**
 * What-if runs for the API: one at a time, each in its own worker thread (`whatIfWorker.ts`)
 * with an old-generation heap limit, terminated when it outlives its time bound. The log is
 * read here, up to its head when the run starts, and handed to the worker a page at a time.
 * A second run while one is going is refused at once (`busy`) rather than queued: a run
 * holds a core for as long as a replay of the log takes, and the analyst who asked can ask
 * again. The outcome is a value (`WhatIfOutcome`), never a thrown error, so the route maps each
 * to its answer.
 */
import { Worker } from 'node:worker_threads';
import type { DeploymentSettings } from '@chanperf/domain';
import type { Feed, WhatIfPlan, WhatIfResult } from '@chanperf/engine';
import type { FromWhatIfWorker, ToWhatIfWorker, WhatIfWorkerData } from './whatIfWorker.js';

export interface WhatIfLimits {
  /** The run's worker is terminated after this long (CHANPERF_WHATIF_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The worker's `resourceLimits.maxOldGenerationSizeMb` (CHANPERF_WHATIF_MAX_HEAP_MB). */
  readonly maxHeapMb: number;
}

export type WhatIfOutcome =
  | { readonly kind: 'done'; readonly result: WhatIfResult }
  | { readonly kind: 'busy' }
  | { readonly kind: 'timedOut'; readonly timeoutMs: number }
  | { readonly kind: 'outOfMemory'; readonly maxHeapMb: number }
  | { readonly kind: 'failed'; readonly message: string };

/** The built worker: beside this module once compiled; from the sources (tests), its compiled copy. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../dist/whatIfWorker.js', import.meta.url)
  : new URL('./whatIfWorker.js', import.meta.url);

const PAGE_SIZE = 5000;

export interface WhatIfRunner {
  /** Runs `plan` over `feed` up to its head now; `busy` while another run is going. */
  run(feed: Feed & { head(): Promise<number> }, plan: WhatIfPlan): Promise<WhatIfOutcome>;
}

export function whatIfRunner(
  settings: DeploymentSettings,
  limits: WhatIfLimits,
  /** For tests: each worker as it starts. */
  started?: (worker: Worker) => void,
): WhatIfRunner {
  let running = false;
  return {
    async run(feed, plan) {
      if (running) return { kind: 'busy' };
      running = true;
      try {
        return await inWorker(
          feed,
          await feed.head(),
          { plan, settings, pageSize: PAGE_SIZE },
          limits,
          started,
        );
      } finally {
        running = false;
      }
    },
  };
}

function inWorker(
  feed: Feed,
  head: number,
  data: WhatIfWorkerData,
  limits: WhatIfLimits,
  started?: (worker: Worker) => void,
): Promise<WhatIfOutcome> {
  const worker = new Worker(WORKER_URL, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
  });
  started?.(worker);
  return new Promise<WhatIfOutcome>((resolve) => {
    let outcome: WhatIfOutcome | undefined;
    // The answer waits for the thread to be gone: nothing of a run outlives its answer.
    const end = (o: WhatIfOutcome) => {
      outcome ??= o;
      void worker.terminate();
    };
    const timer = setTimeout(() => end({ kind: 'timedOut', timeoutMs: limits.timeoutMs }), limits.timeoutMs);
    worker.on('message', (m: FromWhatIfWorker) => {
      if (m.type === 'done') end({ kind: 'done', result: m.result });
      else if (m.type === 'failed') end({ kind: 'failed', message: m.message });
      else
        void readCapped(feed, head, m.after, m.limit).then(
          (entries) =>
            outcome === undefined && worker.postMessage({ type: 'page', entries } satisfies ToWhatIfWorker),
          (err: unknown) => end({ kind: 'failed', message: (err as Error).message }),
        );
    });
    worker.on('error', (err: Error & { code?: string }) =>
      end(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { kind: 'outOfMemory', maxHeapMb: limits.maxHeapMb }
          : { kind: 'failed', message: err.message },
      ),
    );
    worker.on('exit', () => {
      clearTimeout(timer);
      resolve(outcome ?? { kind: 'failed', message: 'the what-if worker stopped without an answer' });
    });
  });
}

/** Entries after `after`, never past `head`: the run sees the log as it stood when it started. */
async function readCapped(feed: Feed, head: number, after: number, limit: number) {
  if (after >= head) return [];
  return feed.read(after, Math.min(limit, head - after));
}
