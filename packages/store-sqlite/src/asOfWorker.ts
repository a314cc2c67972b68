/**
 * The as-of history build in a worker thread (`asOfInWorker.ts` starts it): its own
 * connections to the log and the history file, the engine's `AsOfBuilder`, and an
 * old-generation heap limit set by the thread's `resourceLimits`. A build is a
 * compare-and-set on the history's checkpoint, so this thread writes the history as another
 * process would; the caller's connections see its commits.
 *
 * The thread lives as long as its caller wants it: each `catchUp` message brings the history
 * to the log's head from where this thread's projection stands. A thread per catch-up had to
 * replay the whole log to the history's checkpoint before writing anything (6 s for 48 new
 * events on a 200k-event log: a full build's time).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DeploymentSettings } from '@chanperf/domain';
import { AsOfBuilder } from '@chanperf/engine';
import { scratchProjectionIndex } from './scratchIndex.js';
import { sqliteStore } from './sqliteStore.js';

export interface AsOfWorkerData {
  readonly path: string;
  readonly settings: DeploymentSettings;
}

export type ToAsOfWorker = { readonly type: 'catchUp' } | { readonly type: 'stop' };

export type FromAsOfWorker =
  | {
      readonly type: 'done';
      readonly checkpoint: number;
      /** Log entries this catch-up read (the events it applied). */
      readonly read: number;
    }
  | { readonly type: 'failed'; readonly message: string };

const data = workerData as AsOfWorkerData;
// Small page caches: the thread reads the log forward once and writes the history; it is kept
// alive between catch-ups, so what it holds is held while the process lives.
const store = sqliteStore({ path: data.path, settings: data.settings, logCacheMiB: 2, readModelCacheMiB: 1 });
const { history } = store.asOf();
let read = 0;
const feed = {
  read: async (after: number, limit: number) => {
    const entries = await store.log.read(after, limit);
    read += entries.length;
    return entries;
  },
};
const builder = new AsOfBuilder(feed, history, data.settings, { index: scratchProjectionIndex });

parentPort?.on('message', (m: ToAsOfWorker) => {
  if (m.type === 'stop') {
    store.close();
    parentPort?.close();
    return;
  }
  read = 0;
  builder.catchUp().then(
    (checkpoint) => parentPort?.postMessage({ type: 'done', checkpoint, read } satisfies FromAsOfWorker),
    (err: unknown) =>
      parentPort?.postMessage({
        type: 'failed',
        message: err instanceof Error ? err.message : String(err),
      } satisfies FromAsOfWorker),
  );
});
