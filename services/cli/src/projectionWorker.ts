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
 * appends: catch up, close, answer `done`). Out: `progress` after each catch-up, `done`,
 * `failed` with the error's message.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DeploymentSettings } from '@chanperf/domain';
import { ProjectionRunner } from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { pino } from 'pino';

export interface ProjectionWorkerData {
  readonly path: string;
  readonly settings: DeploymentSettings;
  readonly batchSize: number;
  readonly logLevel: string;
}

export type ToWorker =
  | { readonly type: 'wake' }
  | { readonly type: 'finish' }
  /** Entries just appended (a hand-over: saves reading them back from the log). */
  | { readonly type: 'appended'; readonly positions: number[]; readonly payloads: string[] };
export type FromWorker =
  | { readonly type: 'progress'; readonly position: number }
  | { readonly type: 'done'; readonly position: number }
  | { readonly type: 'failed'; readonly message: string };

function run(port: NonNullable<typeof parentPort>, data: ProjectionWorkerData): void {
  const logger = pino({ level: data.logLevel, base: { service: 'projection-worker' } }, pino.destination(2));
  const store = sqliteStore({ path: data.path, settings: data.settings });
  const runner = new ProjectionRunner(store.log, store.readStore, data.settings, {
    logger,
    batchSize: data.batchSize,
  });
  const post = (m: FromWorker) => port.postMessage(m);
  let finishing = false;
  let running = false;
  let again = false;

  const step = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        post({ type: 'progress', position: await runner.catchUp() });
      } while (again);
      if (finishing) {
        const position = await runner.catchUp();
        store.close();
        post({ type: 'done', position });
        port.close();
      }
    } catch (err) {
      logger.error({ err }, 'projection failed');
      post({ type: 'failed', message: (err as Error).message });
      store.close();
      port.close();
    } finally {
      running = false;
    }
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'finish') finishing = true;
    else if (m.type === 'appended') runner.offerPayloads(m.positions, m.payloads);
    void step();
  });
}

if (!isMainThread && parentPort !== null) run(parentPort, workerData as ProjectionWorkerData);
