/**
 * The embedded pipeline behind `replay`, `ingest` and `report`: stream a file in batches,
 * ingest each batch (one transaction with the file checkpoint), then project it (one
 * transaction with the projection checkpoint). A crash anywhere resumes without double counts.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeploymentSettings, Report } from '@chanperf/domain';
import {
  batchLines,
  reportOf,
  reportTextOf,
  type Ingestor,
  type ProjectionRunner,
  type SourceCheckpoint,
} from '@chanperf/engine';
import { assembleEngine, type EngineConfig } from '@chanperf/runtime/engine';
import type { SqliteStore } from '@chanperf/store-sqlite';
import type { Logger } from 'pino';
import { heapMiB, rssMiB } from './heap.js';
import type { FromWorker, ProjectionWorkerData, ToWorker } from './projectionWorker.js';

export interface Engine {
  readonly store: SqliteStore;
  readonly ingestor: Ingestor;
  /** The projection in this thread: reports, `project`, `rebuild`. */
  readonly runner: ProjectionRunner;
  /** Where `path` is, for a projection worker's own connection. */
  readonly path: string;
  readonly logger: Logger;
  readonly config: EngineConfig;
  readonly settings: DeploymentSettings;
  report(): Promise<Report>;
  /** The report's JSON text in pieces, for printing without holding it whole. */
  reportText(): AsyncIterable<string>;
  close(): void;
}

export async function openEngine(path: string, config: EngineConfig, logger: Logger): Promise<Engine> {
  // With the projection on its own thread this connection appends, reads the report and
  // rebuilds (`project`, `rebuild`, `CHANPERF_PROJECTION_THREAD=main`).
  const { store, ingestor, runner } = assembleEngine(path, config, 'cli', logger);
  await ingestor.init();
  const settings = config.settings;
  return {
    store,
    ingestor,
    runner,
    path,
    logger,
    config,
    settings,
    report: () => reportOf(runner, store.log, store.readStore, store.log, settings),
    reportText: () => reportTextOf(runner, store.log, store.readStore, store.log, settings),
    close: () => store.close(),
  };
}

/** Identifies a file by its first 64 KiB, so a resumed or appended-to export is recognised. */
export function fileKey(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return `file:${createHash('sha256').update(buf.subarray(0, n)).digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

/** Where `ingestFile` starts a file: the checkpoint it continues, and the hash of the bytes before it. */
interface ResumePoint {
  readonly key: string;
  readonly done: SourceCheckpoint | undefined;
  /** sha256 already fed every byte before `done.offset` (none when starting afresh). */
  readonly hash: Hash;
}

/**
 * The sha256 states after the first `offset` bytes of the file, for each of `offsets` the file
 * reaches (read once, in order).
 */
async function prefixHashes(path: string, offsets: readonly number[]): Promise<Map<number, Hash>> {
  const states = new Map<number, Hash>();
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    for (const target of [...new Set(offsets)].sort((a, b) => a - b)) {
      while (pos < target) {
        const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, target - pos), pos);
        if (bytesRead === 0) return states;
        hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      states.set(target, hash.copy());
    }
  } finally {
    await file.close();
  }
  return states;
}

/**
 * Finds where to start `path`. Files with the same first 64 KiB (`fileKey`) have checkpoints
 * under `KEY`, `KEY#2`, `KEY#3`…; the file resumes the one whose recorded prefix (its sha256)
 * is the file's own first bytes — the furthest one when several are. None: the file is new, or
 * changed since it was ingested (another day's export with the same header), and it is read
 * from the start under the next free key. A checkpoint from before prefix hashes is resumed
 * unverified, as it was then.
 */
async function resumePoint(engine: Engine, path: string, size: number, logger: Logger): Promise<ResumePoint> {
  const base = fileKey(path);
  const keyAt = (i: number) => (i === 0 ? base : `${base}#${i + 1}`);
  const candidates: SourceCheckpoint[] = [];
  for (;;) {
    const checkpoint = await engine.store.log.sourceCheckpoint(keyAt(candidates.length));
    if (checkpoint === undefined) break;
    candidates.push(checkpoint);
  }
  const free = keyAt(candidates.length);
  const fits = candidates.filter((c) => c.offset <= size);
  if (fits.length > 0) {
    const states = await prefixHashes(
      path,
      fits.map((c) => c.offset),
    );
    const stateAt = (c: SourceCheckpoint) => states.get(c.offset);
    const verified = fits
      .filter((c) => c.prefixHash !== undefined && stateAt(c)?.copy().digest('hex') === c.prefixHash)
      .sort((a, b) => b.offset - a.offset)[0];
    if (verified !== undefined) {
      logger.info({ line: verified.line, offset: verified.offset }, 'resuming file');
      return { key: verified.key, done: verified, hash: stateAt(verified) as Hash };
    }
    const legacy = fits.find((c) => c.prefixHash === undefined && stateAt(c) !== undefined);
    if (legacy !== undefined) {
      logger.warn(
        { line: legacy.line, offset: legacy.offset },
        'resuming file unverified: its checkpoint was recorded before prefix hashes were kept',
      );
      return { key: legacy.key, done: legacy, hash: stateAt(legacy) as Hash };
    }
  }
  if (candidates.length > 0) {
    logger.warn(
      { file: basename(path), key: free, checkpoints: candidates.length },
      'file changed since it was ingested (it starts like an ingested file, but the bytes before the recorded offset differ): ingesting it from the start',
    );
  }
  return { key: free, done: undefined, hash: createHash('sha256') };
}

export interface IngestSummary {
  readonly lines: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly resumedFromLine: number;
  readonly position: number;
}

/**
 * The projection on a worker thread (see projectionWorker.ts): `wake` after each append,
 * `finish` once the file is in the log. Where the compiled worker is missing (sources run
 * by a test runner), it projects in this thread instead, from the ingestor's hand-over.
 */
interface Projector {
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
function startProjector(engine: Engine, size: number): Projector {
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
  return workerProjector(engine, url, size, engine.config.handOverLag);
}

/**
 * The projection on a worker thread. Each committed batch's payloads are posted to it (a
 * string copy: it need not read them back); when it falls `lag` entries behind, `wake` waits
 * for its progress, so a slow projection holds the ingestion back instead of queueing the
 * file in memory. An entry it was not handed (a gap, `lag` 0) it reads from the log.
 */
function workerProjector(engine: Engine, url: URL, size: number, lag: number): Projector {
  const data: ProjectionWorkerData = {
    path: engine.path,
    config: engine.config,
    logLevel: engine.logger.level,
  };
  const worker = new Worker(url, { workerData: data });
  let failure: Error | undefined;
  let lastLog = 0;
  /** The worker's checkpoint as last reported, and the last position appended. */
  let projected = 0;
  let appendedUpTo = 0;
  let finished: number | undefined;
  let onReport: ((text: string) => Promise<void>) | undefined;
  let waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Records the first failure, fails a waiting `wake`, and answers the failure to report. */
  const fail = (err: Error): Error => {
    const first = (failure ??= err);
    waiting?.reject(first);
    waiting = undefined;
    return first;
  };
  const done = new Promise<number>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      // Resolved once the thread has exited, so its heap is gone before the report is built.
      if (m.type === 'done') finished = m.position;
      else if (m.type === 'report') {
        // One piece at a time: the next is asked for once this one is written.
        (onReport ?? (() => Promise.resolve()))(m.text).then(
          () => send({ type: 'more' }),
          (err: unknown) => reject(fail(err instanceof Error ? err : new Error(String(err)))),
        );
      } else if (m.type === 'failed') {
        reject(fail(new Error(`projection failed: ${m.message}`)));
      } else {
        projected = m.position;
        if (waiting !== undefined && appendedUpTo - projected <= lag) {
          waiting.resolve();
          waiting = undefined;
        }
        if (m.position - lastLog >= 250_000) {
          lastLog = m.position;
          engine.logger.info(
            { position: m.position, ofBytes: size, heapMiB: m.heapMiB },
            'projection progress',
          );
        }
      }
    });
    worker.on('error', (err) => reject(fail(err)));
    worker.on('exit', (code) => {
      if (finished !== undefined && code === 0) resolve(finished);
      else reject(fail(new Error(`projection thread exited with ${code}`)));
    });
  });
  done.catch(() => undefined); // observed by finish(); a failure also stops wake()
  const send = (m: ToWorker) => worker.postMessage(m);
  let pending: ToWorker | undefined;
  engine.ingestor.onAppended((appended) => {
    const last = appended[appended.length - 1];
    if (last === undefined) return;
    appendedUpTo = last.position;
    if (lag > 0) {
      pending = {
        type: 'appended',
        positions: appended.map((a) => a.position),
        payloads: appended.map((a) => a.payload),
      };
    }
  });
  return {
    wake: () => {
      if (failure !== undefined) return Promise.reject(failure);
      // With the hand-over on, a batch that appended nothing needs no message.
      if (pending !== undefined) send(pending);
      else if (lag === 0) send({ type: 'wake' });
      pending = undefined;
      if (lag === 0 || appendedUpTo - projected <= lag) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    finish: (report) => {
      onReport = report;
      send({ type: 'finish', report: report !== undefined });
      return done;
    },
    stop: async () => {
      await worker.terminate();
    },
  };
}

export async function ingestFile(
  engine: Engine,
  path: string,
  options: {
    project: boolean;
    batchSize?: number;
    logger: Logger;
    /** Where a projection thread writes the report when done (replay); unused otherwise. */
    report?: (text: string) => Promise<void>;
  },
): Promise<IngestSummary> {
  const size = statSync(path).size;
  const { key, done, hash } = await resumePoint(engine, path, size, options.logger);
  const summary = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const projector = options.project ? startProjector(engine, size) : undefined;
  try {
    return await ingestInto({ engine, path, key, done, hash, size, projector, summary, options });
  } catch (err) {
    await projector?.stop();
    throw err;
  }
}

interface FileRun {
  readonly engine: Engine;
  readonly path: string;
  /** The file's checkpoint key (`resumePoint`) and where a previous run of it stopped. */
  readonly key: string;
  readonly done: { offset: number; line: number } | undefined;
  /** sha256 fed the bytes before `done.offset`: each checkpoint records the prefix's hash. */
  readonly hash: Hash;
  readonly size: number;
  readonly projector: Projector | undefined;
  readonly summary: { lines: number; accepted: number; duplicates: number; rejected: number };
  readonly options: { batchSize?: number; logger: Logger; report?: (text: string) => Promise<void> };
}

async function ingestInto(run: FileRun): Promise<IngestSummary> {
  const { engine, path, key, done, hash, size, projector, summary, options } = run;
  const startOffset = done?.offset ?? 0;
  let lastLog = 0;
  if (startOffset < size) {
    const chunks = createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
    for await (const batch of batchLines(chunks, {
      source: `file:${basename(path)}`,
      batchSize: options.batchSize ?? engine.config.batchSize,
      startOffset,
      startLine: done?.line ?? 0,
      hash,
    })) {
      const checkpoint: SourceCheckpoint = { key, offset: batch.endOffset, line: batch.endLine };
      const outcomes = await engine.ingestor.ingest(batch.inputs, {
        checkpoint:
          batch.prefixHash === undefined ? checkpoint : { ...checkpoint, prefixHash: batch.prefixHash },
      });
      for (const o of outcomes) {
        if (o.status === 'accepted') summary.accepted++;
        else if (o.status === 'duplicate') summary.duplicates++;
        else if (o.status === 'rejected') summary.rejected++;
        if (o.status !== 'skipped') summary.lines++;
      }
      await projector?.wake();
      if (batch.endLine - lastLog >= 250_000) {
        lastLog = batch.endLine;
        options.logger.info(
          {
            line: batch.endLine,
            percent: Math.round((batch.endOffset / size) * 100),
            rssMiB: rssMiB(),
            heapMiB: heapMiB(),
          },
          'ingest progress',
        );
      }
    }
  }
  const position =
    projector !== undefined ? await projector.finish(options.report) : await engine.store.log.head();
  return { ...summary, resumedFromLine: done?.line ?? 0, position };
}
