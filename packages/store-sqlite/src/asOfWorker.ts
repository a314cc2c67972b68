/**
 * The as-of history build in a worker thread (`asOfInWorker.ts` starts it): its own
 * connections to the log and the history file, the engine's `AsOfBuilder`, and an
 * old-generation heap limit set by the thread's `resourceLimits`. A build is a
 * compare-and-set on the history's checkpoint, so this thread writes the history as another
 * process would; the caller's connections see its commits.
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

export type FromAsOfWorker = { readonly type: 'done'; readonly checkpoint: number };

const data = workerData as AsOfWorkerData;
const store = sqliteStore({ path: data.path, settings: data.settings });
try {
  const { history } = store.asOf();
  const builder = new AsOfBuilder(store.log, history, data.settings, { index: scratchProjectionIndex });
  const checkpoint = await builder.catchUp();
  parentPort?.postMessage({ type: 'done', checkpoint } satisfies FromAsOfWorker);
} finally {
  store.close();
}
