/**
 * The embedded pipeline behind `replay`, `ingest` and `report`: stream a file in batches,
 * ingest each batch (one transaction with the file checkpoint), then project it (one
 * transaction with the projection checkpoint). A crash anywhere resumes without double counts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DeploymentSettings, Report } from '@chanperf/domain';
import {
  batchLines,
  EngineError,
  Ingestor,
  ProjectionRunner,
  reportOf,
  reportTextOf,
} from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
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
  readonly settings: DeploymentSettings;
  report(): Promise<Report>;
  /** The report's JSON text in pieces, for printing without holding it whole. */
  reportText(): AsyncIterable<string>;
  close(): void;
}

/** A whole-number setting from the environment; anything else stops the command (exit 2). */
function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new EngineError(
      'BAD_CONFIG',
      `${name} must be a whole number ≥ ${min}, not ${JSON.stringify(raw)}`,
      false,
    );
  }
  return n;
}

/** Events per ingestion transaction (CHANPERF_BATCH_SIZE, default 10 000). */
export function batchSize(env: NodeJS.ProcessEnv = process.env): number {
  return intSetting(env, 'CHANPERF_BATCH_SIZE', 10_000, 1);
}

/**
 * Events per projection transaction: CHANPERF_BATCH_SIZE when set, else 50 000. A batch of a
 * feed spread over many partners touches nearly one month row per event, so larger commits
 * rewrite each row less often (1M events: save 6.8 → 3.8 s, commits 7.5 → 2.6 s).
 */
export function projectionBatchSize(env: NodeJS.ProcessEnv = process.env): number {
  return env.CHANPERF_BATCH_SIZE === undefined ? 50_000 : batchSize(env);
}

export async function openEngine(
  path: string,
  settings: DeploymentSettings,
  logger: Logger,
): Promise<Engine> {
  // With the projection on its own thread this connection appends, reads the report and
  // rebuilds (`project`, `rebuild`, `CHANPERF_PROJECTION_THREAD=main`). The log has no
  // secondary index: appends and reads go in position order, so 16 MiB of cache is plenty.
  const store = sqliteStore({ path, settings, logCacheMiB: 16 });
  const ingestor = new Ingestor(store.log, settings, logger);
  await ingestor.init();
  const runner = new ProjectionRunner(store.log, store.readStore, settings, {
    logger,
    batchSize: projectionBatchSize(),
  });
  return {
    store,
    ingestor,
    runner,
    path,
    logger,
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
 * How far the ingestion may run ahead of the projection thread, in log entries (default
 * 100 000, about 30 MB of payloads in flight: two projection batches). 0 turns the hand-over
 * off: the worker reads every entry back from the log (the path it takes after a gap; tests
 * use it).
 */
function handOverLag(env: NodeJS.ProcessEnv = process.env): number {
  return intSetting(env, 'CHANPERF_HAND_OVER_LAG', 100_000, 0);
}

function startProjector(engine: Engine, size: number): Projector {
  const url = new URL('./projectionWorker.js', import.meta.url);
  const thread = process.env.CHANPERF_PROJECTION_THREAD ?? 'worker';
  if (thread !== 'worker' && thread !== 'main') {
    throw new EngineError(
      'BAD_CONFIG',
      `CHANPERF_PROJECTION_THREAD must be worker or main, not ${JSON.stringify(thread)}`,
      false,
    );
  }
  if (!existsSync(url) || thread === 'main') {
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
  return workerProjector(engine, url, size, handOverLag());
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
    settings: engine.settings,
    batchSize: projectionBatchSize(),
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
  const key = fileKey(path);
  const done = await engine.store.log.sourceCheckpoint(key);
  const size = statSync(path).size;
  const summary = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  if (done !== undefined) options.logger.info({ line: done.line, offset: done.offset }, 'resuming file');
  const projector = options.project ? startProjector(engine, size) : undefined;
  try {
    return await ingestInto({ engine, path, key, done, size, projector, summary, options });
  } catch (err) {
    await projector?.stop();
    throw err;
  }
}

interface FileRun {
  readonly engine: Engine;
  readonly path: string;
  /** The file's identity (`fileKey`) and where a previous run of it stopped. */
  readonly key: string;
  readonly done: { offset: number; line: number } | undefined;
  readonly size: number;
  readonly projector: Projector | undefined;
  readonly summary: { lines: number; accepted: number; duplicates: number; rejected: number };
  readonly options: { batchSize?: number; logger: Logger; report?: (text: string) => Promise<void> };
}

async function ingestInto(run: FileRun): Promise<IngestSummary> {
  const { engine, path, key, done, size, projector, summary, options } = run;
  const startOffset = done?.offset ?? 0;
  let lastLog = 0;
  if (startOffset < size) {
    const chunks = createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
    for await (const batch of batchLines(chunks, {
      source: `file:${basename(path)}`,
      batchSize: options.batchSize ?? batchSize(),
      startOffset,
      startLine: done?.line ?? 0,
    })) {
      const outcomes = await engine.ingestor.ingest(batch.inputs, {
        checkpoint: { key, offset: batch.endOffset, line: batch.endLine },
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
