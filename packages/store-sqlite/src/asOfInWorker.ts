/**
 * Brings the as-of history of the database at `path` to the log's head in a worker thread
 * (`asOfWorker.ts`) whose old generation is capped: the build's allocations (a row for every
 * change, a snapshot every 25 000 positions) made a process that built it in its own heap
 * grow to twice the replay's peak RSS at 1M events, though what it keeps alive fits in a
 * fraction of that. One thread per store, started by the first catch-up and kept while
 * catch-ups come (its projection continues from where it stands; unreferenced, so it never
 * holds a process open); callers share the catch-up in flight. A thread that stopped (out of
 * memory, or idle for `IDLE_MS`) is replaced by the next catch-up.
 */
import { Worker } from 'node:worker_threads';
import { EngineError } from '@chanperf/engine';
import type { DeploymentSettings } from '@chanperf/domain';
import type { AsOfWorkerData, FromAsOfWorker, ToAsOfWorker } from './asOfWorker.js';
import { builtWorker } from './builtWorker.js';

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

const WORKER_URL = builtWorker('asOfWorker');

/** A catch-up's outcome: the history's checkpoint and the log entries the thread read for it. */
export interface AsOfBuilt {
  readonly checkpoint: number;
  readonly read: number;
}

/** The history builder of one database file, in its thread. */
export interface AsOfWorkerBuilder {
  /** Brings the history to the log's head; answers its checkpoint. */
  (settings: DeploymentSettings): Promise<number>;
  /** The same, with what the catch-up read. */
  catchUp(settings: DeploymentSettings): Promise<AsOfBuilt>;
  /** Stops the thread (after the catch-up in flight, if any). */
  stop(): Promise<void>;
}

/**
 * How long an idle build thread is kept (10 minutes): an analyst's as-of reads come in bursts,
 * and a kept thread holds its projection (~280 MB of RSS at 1M events) while the process lives.
 * The first catch-up after it stopped replays the log to the history's checkpoint (17 s at 1M).
 */
const IDLE_MS = 10 * 60 * 1000;

export interface AsOfWorkerOptions {
  /** The build thread's heap cap (MB; CHANPERF_ASOF_MAX_HEAP_MB). */
  readonly maxHeapMb?: number;
  /** How long an idle thread is kept (ms; tests shorten it). */
  readonly idleMs?: number;
  /** Called when an idle thread has stopped (tests wait on it). */
  readonly onIdleStop?: () => void;
}

/** A history builder for `path` whose thread is kept between catch-ups while they come. */
export function asOfWorkerBuilder(path: string, options: AsOfWorkerOptions = {}): AsOfWorkerBuilder {
  const maxHeapMb = options.maxHeapMb ?? AS_OF_BUILD_HEAP_MB;
  let thread: Thread | undefined;
  let running: Promise<AsOfBuilt> | undefined;
  let idle: NodeJS.Timeout | undefined;
  const stopWhenIdle = () => {
    idle = setTimeout(() => {
      idle = undefined;
      const stopping = thread;
      thread = undefined;
      void stopping?.stop().then(() => options.onIdleStop?.());
    }, options.idleMs ?? IDLE_MS);
    idle.unref();
  };
  const catchUp = (settings: DeploymentSettings): Promise<AsOfBuilt> =>
    (running ??= (async () => {
      clearTimeout(idle);
      const current = (thread ??= new Thread({ path, settings }, maxHeapMb));
      try {
        return await current.catchUp();
      } catch (err) {
        // Stopped (out of memory), or its projection failed: the next catch-up starts another.
        thread = undefined;
        void current.stop();
        throw err;
      }
    })().finally(() => {
      running = undefined;
      if (thread !== undefined) stopWhenIdle();
    }));
  const build = (settings: DeploymentSettings) => catchUp(settings).then((b) => b.checkpoint);
  return Object.assign(build, {
    catchUp,
    async stop() {
      await running?.catch(() => undefined);
      clearTimeout(idle);
      await thread?.stop();
      thread = undefined;
    },
  });
}

/** One worker thread and the catch-up it answers. */
class Thread {
  private readonly worker: Worker;
  private waiting: { resolve: (b: AsOfBuilt) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(
    data: AsOfWorkerData,
    private readonly maxHeapMb: number,
  ) {
    this.worker = new Worker(WORKER_URL, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: AS_OF_BUILD_YOUNG_MB },
    });
    this.worker.unref();
    this.worker.on('message', (m: FromAsOfWorker) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      this.worker.unref();
      if (m.type === 'done') waiting?.resolve({ checkpoint: m.checkpoint, read: m.read });
      else waiting?.reject(new Error(m.message));
    });
    this.worker.on('error', (err: Error & { code?: string }) => {
      this.failure =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new EngineError(
              'ASOF_OUT_OF_MEMORY',
              `building the as-of history needs more than its ${this.maxHeapMb} MB heap (CHANPERF_ASOF_MAX_HEAP_MB)`,
              false,
            )
          : err;
    });
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.waiting?.reject(
          this.failure ?? new Error(`the as-of history worker stopped (exit ${code}) without an answer`),
        );
        this.waiting = undefined;
        resolve();
      }),
    );
  }

  catchUp(): Promise<AsOfBuilt> {
    return new Promise<AsOfBuilt>((resolve, reject) => {
      this.waiting = { resolve, reject };
      // Held while it builds: an idle thread never holds a process open, a building one must
      // (its answer, or its death, is what the caller waits for).
      this.worker.ref();
      this.worker.postMessage({ type: 'catchUp' } satisfies ToAsOfWorker);
    });
  }

  async stop(): Promise<void> {
    this.worker.postMessage({ type: 'stop' } satisfies ToAsOfWorker);
    await this.exited;
  }
}
