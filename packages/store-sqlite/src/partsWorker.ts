/**
 * A worker thread's part of a rebuild in parts (`partsBuild.ts` starts one a part): its own
 * connections to the log and to its read-model file (the side file, or a scratch file), the
 * engine's `ProjectionRunner` over the log as its part sees it (`partFeed.ts`), its alerts and
 * tier movements staged with the position of the event that raised them, for the merge; at the
 * log's first close it trades its channels' earliest month with the other part (`firstClose.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { DeploymentSettings } from '@chanperf/domain';
import { CHANNEL_PERFORMANCE } from '@chanperf/domain/rules';
import { ProjectionRunner } from '@chanperf/engine/runner';
import { logClaimInputs } from './claimInputs.js';
import { firstCloseTrade } from './firstClose.js';
import { openDatabase } from './openDatabase.js';
import { PartFeed, type ChannelRange } from './partFeed.js';
import { stagedOutputs } from './partsMerge.js';
import { SqliteReadStore } from './readStore.js';
import { migrateReadModel } from './schema.js';

export interface PartWorkerData {
  readonly logPath: string;
  /** The read-model file this part is projected into (the side file: made and empty). */
  readonly readModelPath: string;
  /**
   * Present for a scratch file (new, made here): the side file's index seed, so that the merge
   * can copy the keys' hashes as they are. Written without a journal: a failure throws the
   * whole build away, and a WAL would be copied into the file when the thread's connection,
   * the last, closes.
   */
  readonly scratchSeed?: string;
  readonly logId: string;
  readonly range: ChannelRange;
  /** Which half this is, and the memory the halves trade their first-close months in. */
  readonly half: 0 | 1;
  readonly firstClose: SharedArrayBuffer;
  readonly upTo: number;
  readonly settings: DeploymentSettings;
  readonly fingerprintBits: number;
  readonly cacheMiB: number;
  readonly batchSize: number;
  readonly commitEvery?: number;
}

export type FromPartWorker =
  | { readonly type: 'progress'; readonly position: number }
  | { readonly type: 'done'; readonly position: number; readonly seconds: number }
  | { readonly type: 'failed'; readonly message: string };

function post(m: FromPartWorker): void {
  parentPort?.postMessage(m);
}

/**
 * The page cache (MiB) of a part's log connection: a part reads the log once, in order, so a
 * page is never read twice; a small cache recycles the same few buffers, which stay in the
 * processor's cache, where a 16 MiB one (the read model's) walks through fresh memory. On the
 * 1M log, alternated four times: 4.87–4.99 s with 16 MiB, 4.76–5.00 s with 2 MiB (medians 4.92
 * and 4.87).
 */
const LOG_CACHE_MIB = 2;

async function run(d: PartWorkerData): Promise<FromPartWorker> {
  const started = performance.now();
  const log = openDatabase(d.logPath, { cacheMiB: LOG_CACHE_MIB, mmapMiB: 0, synchronous: 'NORMAL' });
  // Durable enough: the merge commits the whole build in one transaction of the side file.
  const rm =
    d.scratchSeed === undefined
      ? openDatabase(d.readModelPath, { cacheMiB: d.cacheMiB, mmapMiB: 0, synchronous: 'OFF' })
      : new Database(d.readModelPath);
  if (d.scratchSeed !== undefined) {
    rm.pragma('journal_mode = OFF');
    rm.pragma('synchronous = OFF');
    rm.pragma(`cache_size = -${d.cacheMiB * 1024}`);
  }
  try {
    migrateReadModel(rm, d.logId, CHANNEL_PERFORMANCE);
    if (d.scratchSeed !== undefined) {
      rm.prepare(`INSERT OR REPLACE INTO rm_settings VALUES ('indexSeed', ?)`).run(d.scratchSeed);
    }
    const feed = new PartFeed(log, d.range, d.upTo);
    const claimLog = logClaimInputs(log, d.range);
    const store = new SqliteReadStore({ db: rm, logId: d.logId, claimLog }, d.fingerprintBits, {
      outputs: stagedOutputs(rm, () => feed.position),
    });
    const runner = new ProjectionRunner(feed, store, d.settings, {
      firstCloseFrom: firstCloseTrade(d.firstClose, d.half),
      onBatch: (_outputs, position) => post({ type: 'progress', position }),
      batchSize: d.batchSize,
      ...(d.commitEvery === undefined ? {} : { commitEvery: d.commitEvery }),
    });
    const position = await runner.catchUp();
    return { type: 'done', position, seconds: (performance.now() - started) / 1000 };
  } finally {
    rm.close();
    log.close();
  }
}

run(workerData as PartWorkerData).then(post, (err: unknown) =>
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
);
