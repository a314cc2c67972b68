/**
 * A worker thread's part of a rebuild in parts (`partsBuild.ts` starts one a part): its own
 * connections to the log and to its read-model file (the side file, or a scratch file), the
 * engine's `ProjectionRunner` over the log as its part sees it (`partFeed.ts`), and the event
 * position of each alert and tier movement it wrote, for the merge. It waits for the plan's
 * first-close month (`ToPartWorker`), which the caller works out while the thread starts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CHANNEL_PERFORMANCE, type DeploymentSettings, type Month } from '@chanperf/domain';
import { ProjectionRunner } from '@chanperf/engine';
import { openDatabase } from './openDatabase.js';
import { PartFeed, type ChannelRange } from './partFeed.js';
import type { PartOutputs } from './partsMerge.js';
import { SqliteReadStore } from './readStore.js';
import { migrateReadModel } from './schema.js';

export interface PartWorkerData {
  readonly logPath: string;
  /** The read-model file this part is projected into: made, empty and seeded by the caller. */
  readonly readModelPath: string;
  /**
   * A scratch file, written without a journal: a failure throws the whole build away, and a
   * WAL would be copied into the file when the thread's connection, the last, closes.
   */
  readonly scratch: boolean;
  readonly logId: string;
  readonly range: ChannelRange;
  readonly upTo: number;
  readonly settings: DeploymentSettings;
  readonly fingerprintBits: number;
  readonly cacheMiB: number;
  readonly batchSize: number;
  readonly commitEvery?: number;
}

/** The plan's first-close month (`CloseContext.firstCloseFrom`), sent once the thread runs. */
export interface ToPartWorker {
  readonly firstCloseFrom: Month | undefined;
}

export type FromPartWorker =
  | { readonly type: 'progress'; readonly position: number }
  | ({ readonly type: 'done'; readonly position: number } & PartOutputs)
  | { readonly type: 'failed'; readonly message: string };

function post(m: FromPartWorker): void {
  parentPort?.postMessage(m);
}

async function run(d: PartWorkerData, plan: ToPartWorker): Promise<FromPartWorker> {
  const log = openDatabase(d.logPath, { cacheMiB: d.cacheMiB, mmapMiB: 0, synchronous: 'NORMAL' });
  // Durable enough: the merge commits the whole build in one transaction of the side file.
  const rm = d.scratch
    ? new Database(d.readModelPath)
    : openDatabase(d.readModelPath, { cacheMiB: d.cacheMiB, mmapMiB: 0, synchronous: 'OFF' });
  if (d.scratch) {
    rm.pragma('journal_mode = OFF');
    rm.pragma('synchronous = OFF');
    rm.pragma(`cache_size = -${d.cacheMiB * 1024}`);
  }
  try {
    migrateReadModel(rm, d.logId, CHANNEL_PERFORMANCE);
    const feed = new PartFeed(log, d.range, d.upTo);
    const alerts: number[] = [];
    const movements: number[] = [];
    const store = new SqliteReadStore({ db: rm, logId: d.logId }, d.fingerprintBits, {
      onOutput: (table) => (table === 'alert' ? alerts : movements).push(feed.position),
    });
    const runner = new ProjectionRunner(feed, store, d.settings, {
      firstCloseFrom: plan.firstCloseFrom,
      onBatch: (_outputs, position) => post({ type: 'progress', position }),
      batchSize: d.batchSize,
      ...(d.commitEvery === undefined ? {} : { commitEvery: d.commitEvery }),
    });
    const position = await runner.catchUp();
    return { type: 'done', position, alerts, movements };
  } finally {
    rm.close();
    log.close();
  }
}

parentPort?.once('message', (plan: ToPartWorker) => {
  run(workerData as PartWorkerData, plan).then(post, (err: unknown) =>
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
