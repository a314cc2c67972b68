/**
 * The projection on its own thread, so a file's ingestion (parse, validate, append: the main
 * thread) and its projection (evolve, write the read model: this thread) use both cores.
 *
 * The log and the read model are two SQLite files with two writer locks, so both threads
 * commit without waiting for each other. This thread opens its own connection, reads the log
 * after its checkpoint (committed batches only) and commits the read model with the checkpoint
 * in one transaction, exactly as the in-process runner does: a crash anywhere resumes the same.
 *
 * Messages in: `wake` (the log grew), `appended` (it grew by these entries: a hand-over of their
 * payloads, used when it continues the checkpoint, else the log is read), `finish` (no more
 * appends: catch up, close, answer `done`). Out: `progress` after each committed batch, `done`,
 * `failed` with the error's message.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { reportTextOf } from '@chanperf/engine';
import { assembleEngine, type EngineConfig } from '@chanperf/runtime/engine';
import { createLogger } from '@chanperf/runtime/logger';
import { collectAboveHeapCeiling, REPLAY_RESIDENT_BUDGET_MIB } from './heapCeiling.js';
import { heapUsedMiB } from './memoryGauge.js';
import { outputChunks } from './outputChunks.js';

export interface ProjectionWorkerData {
  readonly path: string;
  /** The CLI's engine configuration, as its main thread read it. */
  readonly config: EngineConfig;
  readonly logLevel: string;
}

export type ToWorker =
  | { readonly type: 'wake' }
  /** No more appends: catch up, then (with `report`) send the report's text, then `done`. */
  | { readonly type: 'finish'; readonly report: boolean }
  /** The last `report` piece was written: send the next. */
  | { readonly type: 'more' }
  /** Entries just appended (a hand-over: saves reading them back from the log). */
  | { readonly type: 'appended'; readonly positions: number[]; readonly payloads: string[] };
export type FromWorker =
  /** After each committed batch; `heapMiB`: this thread's V8 heap in use. */
  | { readonly type: 'progress'; readonly position: number; readonly heapMiB: number }
  | { readonly type: 'done'; readonly position: number }
  /** A piece of the report's JSON text (about 1 MiB); the next comes after `more`. */
  | { readonly type: 'report'; readonly text: string }
  | { readonly type: 'failed'; readonly message: string };

/**
 * This thread's heap over the process's budget: 1.3 × live from 64 MiB rather than from 192 (its
 * live heap at 10M is 126–152 MB, so the budget mostly saves its growth past 1.3 × live).
 */
const PROJECTING_BUDGET_FLOOR_MIB = 64;

/**
 * This thread's own connection and projection runner, posting `progress` after every batch;
 * `collectIfGrown` keeps the thread's heap under its ceiling (heapCeiling.ts).
 */
function openProjection(data: ProjectionWorkerData, post: (m: FromWorker) => void) {
  const logger = createLogger({
    service: 'projection-worker',
    level: data.logLevel,
    format: data.config.logFormat,
  });
  // This connection writes the read model and reads the log back (every batch by default; with
  // a hand-over, only after a gap); its page caches are the 'projection-thread' role's
  // (engine.ts): the read model is channels × months of rows, its order and sale indexes are in
  // memory (keyIndex.ts).
  const collectIfGrown = collectAboveHeapCeiling({
    budgetMiB: REPLAY_RESIDENT_BUDGET_MIB,
    budgetFloorMiB: PROJECTING_BUDGET_FLOOR_MIB,
  });
  const { store, runner } = assembleEngine(data.path, data.config, 'projection-thread', logger, {
    // The ingesting thread bounds what it hands over (it waits when too far ahead).
    maxOffered: Number.POSITIVE_INFINITY,
    // Progress after every batch: the ingesting thread waits on it when too far ahead.
    onBatch: (_outputs, position) => {
      collectIfGrown();
      post({ type: 'progress', position, heapMiB: heapUsedMiB() });
    },
  });
  return { logger, store, runner, collectIfGrown };
}

function run(port: NonNullable<typeof parentPort>, data: ProjectionWorkerData): void {
  const post = (m: FromWorker) => port.postMessage(m);
  const { logger, store, runner, collectIfGrown } = openProjection(data, post);
  let finishing = false;
  let reporting = false;
  /** Resolves when the ingesting thread has written the last report piece. */
  let written: (() => void) | undefined;
  /** A `wake` without payloads (hand-over off): read the log. */
  let readLog = false;
  let running = false;
  let scheduled = false;
  /** A message arrived since the current step began: step again when it ends. */
  let more = false;

  const step = async (): Promise<void> => {
    scheduled = false;
    if (running) return;
    running = true;
    more = false;
    try {
      if (finishing) {
        const position = await runner.catchUp();
        // The report from this thread's state: the ingesting thread need not load it again.
        if (reporting) await sendReport();
        store.close();
        post({ type: 'done', position });
        port.close();
        return;
      }
      if (readLog) {
        readLog = false;
        await runner.catchUp();
      } else {
        await runner.catchUpOffered();
      }
    } catch (err) {
      logger.error({ err }, 'projection failed');
      post({ type: 'failed', message: (err as Error).message });
      store.close();
      port.close();
      return;
    } finally {
      running = false;
    }
    if (more) schedule();
  };
  const sendReport = async (): Promise<void> => {
    const chunks = reportTextOf(runner, store.log, store.readStore, store.log, data.config.settings);
    for await (const text of outputChunks(chunks)) {
      collectIfGrown(); // the report's per-channel objects are garbage as soon as written
      await new Promise<void>((resolve) => {
        written = resolve;
        post({ type: 'report', text });
      });
    }
  };

  // After the messages already queued have been delivered, so a batch takes all of them.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void step());
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'more') {
      written?.();
      written = undefined;
      return;
    }
    if (m.type === 'finish') {
      finishing = true;
      reporting = m.report;
    } else if (m.type === 'appended') runner.offerPayloads(m.positions, m.payloads);
    else readLog = true;
    more = true;
    schedule();
  });
}

if (!isMainThread && parentPort !== null) run(parentPort, workerData as ProjectionWorkerData);
