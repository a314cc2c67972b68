/**
 * A rebuild in parts (docs/performance.md "Rebuild in parts"): a fresh read model beside the
 * current one is projected as two parts at once, each on a worker thread of its own (this
 * thread waits) — the channels whose ids sort below a pivot straight into the side file, the
 * others into a scratch file — each part with every program-wide event, then merged into the
 * side file in one transaction (`partsMerge.ts`). The rows of one channel depend on that
 * channel's events and the program-wide ones only; what one event raises for many channels (a
 * close's alerts and tier movements) is put back in the one thread's order by the merge, and
 * the first close, which starts at the earliest first month of every channel, is traded
 * between the parts when they reach it (`firstClose.ts`).
 *
 * While the parts build, the side file is marked `parts`, not `building`: a build interrupted
 * then is emptied by the next one, never resumed with one part only. A part that fails leaves
 * the side file emptied and the build to one thread, as before.
 */
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Database as DB } from 'better-sqlite3';
import { CHANNEL_PERFORMANCE } from '@chanperf/domain';
import { DEFAULT_BATCH_SIZE, type PartsBuildOptions } from '@chanperf/engine';
import { firstCloseMemory, stopFirstClose } from './firstClose.js';
import { mergePart } from './partsMerge.js';
import type { FromPartWorker, PartWorkerData } from './partsWorker.js';
import type { SlotBuild } from './readModels.js';
import { migrateReadModel, resetReadModel } from './schema.js';
import { builtWorker } from './builtWorker.js';

/**
 * Below this many log entries a rebuild stays on one thread: the halves' fixed costs (~0.5 s:
 * two threads loading and warming up, the plan, the merge) outweigh what they save. One thread
 * against parts on this machine: 195 499 events 1.30 / 1.40 s, 292 929 events 2.32 / 2.10 s,
 * 488 283 events 4.07 / 3.03 s (medians of three alternated pairs).
 */
export const PARTS_MIN_EVENTS = 250_000;

/**
 * A half's batches (and groups of batches committed together) span this many times the positions
 * of one thread's: the 1M log's rebuild in parts took 5.82–5.85 s with the same batches, 5.44–5.64
 * with twice and 5.24–5.37 with four times the positions (eight: no clearer).
 */
const PART_BATCH_FACTOR = 4;

/** Log positions the pivot is chosen from (each one read by its position). */
const PIVOT_SAMPLES = 4096;

const WORKER_URL = builtWorker('partsWorker');

export interface PartsConfig {
  /** The log's connection on this thread. */
  readonly log: DB;
  readonly logPath: string;
  readonly logId: string;
  /** Parts (1: off; CHANPERF_REBUILD_PARTS): two at most, a thread each. */
  readonly parts: number;
  /** Below this many log entries, one thread (default `PARTS_MIN_EVENTS`; tests lower it). */
  readonly minEvents?: number;
  readonly fingerprintBits: number;
  /** Page cache (MiB) of the worker's connections. */
  readonly cacheMiB: number;
}

/**
 * The pivot between the parts' channels: the median channel id of the channel entries at
 * `PIVOT_SAMPLES` positions spread evenly over the log up to `upTo`, so that the parts have
 * about as many entries each. Undefined when the samples show fewer than two channels.
 */
export function pivotOf(log: DB, upTo: number): string | undefined {
  const at = log.prepare<[number], string | null>(`SELECT channel_id FROM events WHERE position = ?`).pluck();
  const ids: string[] = [];
  const samples = Math.min(upTo, PIVOT_SAMPLES);
  for (let i = 0; i < samples; i++) {
    const id = at.get(Math.min(upTo, 1 + Math.floor(((i + 0.5) * upTo) / samples)));
    if (id !== null && id !== undefined) ids.push(id);
  }
  ids.sort();
  const pivot = ids[ids.length >> 1];
  return pivot === undefined || ids[0] === ids[ids.length - 1] ? undefined : pivot;
}

/** A part's thread: its outcome, and its progress as it commits. */
interface PartThread {
  readonly worker: Worker;
  /** Resolves with the seconds its part took, once it is done. */
  readonly done: Promise<number>;
  /** The position its last commit reached. */
  position: number;
}

/**
 * The young generation (MB) of a part's thread: a rebuild allocates fast and keeps little, and
 * with V8's default (48: 16 MB semi-spaces) its scavenges copy a batch's live rows over and over.
 */
const PART_YOUNG_GENERATION_MB = 96;

function startPart(data: PartWorkerData, onProgress: () => void): PartThread {
  const worker = new Worker(WORKER_URL, {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: PART_YOUNG_GENERATION_MB },
  });
  const thread: PartThread = {
    worker,
    position: 0,
    done: new Promise((resolve, reject) => {
      worker.on('message', (m: FromPartWorker) => {
        if (m.type === 'progress') {
          thread.position = m.position;
          onProgress();
        } else if (m.type === 'done') resolve(m.seconds);
        else reject(new Error(`a part of the build failed: ${m.message}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`a part's thread ended (exit code ${code})`)));
    }),
  };
  thread.done.catch(() => undefined); // awaited with the others; a failure must not go unhandled meanwhile
  return thread;
}

/**
 * Projects the log as it stands into the fresh side read model `build` (the file `sidePath`) in
 * two parts, each on a thread of its own, merged here; answers the position reached, or 0 when
 * it declined or a part failed (the side file is then empty, for the one-thread build to fill).
 */
export async function buildInParts(
  build: Pick<SlotBuild, 'db'>,
  sidePath: string,
  config: PartsConfig,
  options: PartsBuildOptions,
): Promise<number> {
  if (config.parts < 2 || sidePath === ':memory:' || options.projection.name !== CHANNEL_PERFORMANCE.name) {
    return 0;
  }
  const upTo = config.log.prepare(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck().get() as number;
  if (upTo < (config.minEvents ?? PARTS_MIN_EVENTS)) return 0;
  const started = performance.now();
  const pivot = pivotOf(config.log, upTo);
  if (pivot === undefined) return 0;
  const partPath = `${sidePath}-part`;
  const marker = build.db.prepare<[string]>(`INSERT OR REPLACE INTO rm_settings VALUES ('build', ?)`);
  marker.run('parts');
  const log = options.logger;
  const threads: PartThread[] = [];
  const firstClose = firstCloseMemory();
  try {
    removeFiles(partPath);
    const seed = build.db
      .prepare(`SELECT value FROM rm_settings WHERE key = 'indexSeed'`)
      .pluck()
      .get() as string;
    const common = { ...partData(config, options, upTo), firstClose };
    const progress = () => options.onBatch?.(Math.min(...threads.map((t) => t.position)));
    threads.push(
      startPart(
        { ...common, half: 0, readModelPath: sidePath, range: { from: null, below: pivot } },
        progress,
      ),
      startPart(
        {
          ...common,
          half: 1,
          readModelPath: partPath,
          scratchSeed: seed,
          range: { from: pivot, below: null },
        },
        progress,
      ),
    );
    const planned = performance.now();
    const halves = await Promise.all(threads.map((t) => t.done));
    const projected = performance.now();
    mergePart(build.db, partPath, upTo);
    log?.info(
      {
        parts: 2,
        position: upTo,
        planSeconds: (planned - started) / 1000,
        partsSeconds: (projected - planned) / 1000,
        halvesSeconds: halves,
        mergeSeconds: (performance.now() - projected) / 1000,
      },
      'read model: built in parts',
    );
    return upTo;
  } catch (err) {
    log?.warn({ err }, 'read model: the build in parts failed; building on one thread');
    stopFirstClose(firstClose); // a part waiting for the other's first-close month stops waiting
    await Promise.all(threads.map((t) => t.worker.terminate()));
    resetReadModel(build.db);
    migrateReadModel(build.db, config.logId, options.projection);
    marker.run('building');
    return 0;
  } finally {
    try {
      removeFiles(partPath);
    } catch (err) {
      log?.warn({ err }, 'read model: the scratch file of a build in parts is left behind');
    }
  }
}

/** What both parts' threads are given (all but their file and range). */
function partData(
  config: PartsConfig,
  options: PartsBuildOptions,
  upTo: number,
): Omit<PartWorkerData, 'readModelPath' | 'scratchSeed' | 'range' | 'half' | 'firstClose'> {
  return {
    logPath: config.logPath,
    logId: config.logId,
    upTo,
    settings: options.settings,
    fingerprintBits: config.fingerprintBits,
    cacheMiB: config.cacheMiB,
    // A half applies about half of a batch's positions: batches of more positions.
    batchSize: (options.batchSize ?? DEFAULT_BATCH_SIZE) * PART_BATCH_FACTOR,
    ...(options.commitEvery === undefined ? {} : { commitEvery: options.commitEvery * PART_BATCH_FACTOR }),
  };
}

/** A SQLite file and its journal, WAL and shared-memory files. */
function removeFiles(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
