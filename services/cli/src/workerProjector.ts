/**
 * The projection on a worker thread, from the ingesting thread's side (the worker is
 * projectionWorker.ts). Each committed batch's payloads are posted to it (a string copy: it
 * need not read them back); when it falls `lag` entries behind, `wake` waits for its progress,
 * so a slow projection holds the ingestion back instead of queueing the file in memory. An
 * entry it was not handed (a gap, `lag` 0) it reads from the log.
 */
import { Worker } from 'node:worker_threads';
import type { AppendedEvent } from '@chanperf/engine';
import type { CommandEngine } from './commandEngine.js';
import type { Projector } from './projector.js';
import type { FromWorker, ProjectionWorkerData, ToWorker } from './projectionWorker.js';

export class WorkerProjector implements Projector {
  private readonly worker: Worker;
  /** Resolves with the projected position once the thread has finished and exited. */
  private readonly done: Promise<number>;
  private failure: Error | undefined;
  private lastLog = 0;
  /** The worker's checkpoint as last reported, and the last position appended. */
  private projected = 0;
  private appendedUpTo = 0;
  private finished: number | undefined;
  private onReport: ((text: string) => Promise<void>) | undefined;
  /** A `wake` waiting for the worker to come within `lag` of the appends. */
  private waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** The last batch's hand-over, posted at the next `wake`. */
  private pending: ToWorker | undefined;

  constructor(
    private readonly engine: CommandEngine,
    url: URL,
    /** The file's size, for progress logs. */
    private readonly size: number,
    private readonly lag: number,
    /** This thread's heap ceiling, checked after each batch (heapCeiling.ts). */
    private readonly collectIfGrown: () => void = () => undefined,
  ) {
    const data: ProjectionWorkerData = {
      path: engine.path,
      config: engine.config,
      logLevel: engine.logger.level,
    };
    const worker = new Worker(url, { workerData: data });
    this.worker = worker;
    this.done = new Promise<number>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => this.received(m, reject));
      worker.on('error', (err) => reject(this.fail(err)));
      worker.on('exit', (code) => {
        if (this.finished !== undefined && code === 0) resolve(this.finished);
        else reject(this.fail(new Error(`projection thread exited with ${code}`)));
      });
    });
    this.done.catch(() => undefined); // observed by finish(); a failure also stops wake()
    engine.ingestor.onAppended((appended) => this.appended(appended));
  }

  wake(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.collectIfGrown();
    // With the hand-over on, a batch that appended nothing needs no message.
    if (this.pending !== undefined) this.send(this.pending);
    else if (this.lag === 0) this.send({ type: 'wake' });
    this.pending = undefined;
    if (this.lag === 0 || this.appendedUpTo - this.projected <= this.lag) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  finish(report?: (text: string) => Promise<void>): Promise<number> {
    this.onReport = report;
    this.send({ type: 'finish', report: report !== undefined });
    return this.done;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private received(m: FromWorker, reject: (err: Error) => void): void {
    // Resolved once the thread has exited, so its heap is gone before the report is built.
    if (m.type === 'done') this.finished = m.position;
    else if (m.type === 'report') {
      // One piece at a time: the next is asked for once this one is written.
      const onReport = this.onReport ?? (() => Promise.resolve());
      onReport(m.text).then(
        () => this.send({ type: 'more' }),
        (err: unknown) => reject(this.fail(err instanceof Error ? err : new Error(String(err)))),
      );
    } else if (m.type === 'failed') {
      reject(this.fail(new Error(`projection failed: ${m.message}`)));
    } else {
      this.progressed(m.position, m.heapMiB);
    }
  }

  /** The worker committed up to `position`: a waiting `wake` may go on. */
  private progressed(position: number, heapMiB: number): void {
    this.projected = position;
    if (this.waiting !== undefined && this.appendedUpTo - this.projected <= this.lag) {
      this.waiting.resolve();
      this.waiting = undefined;
    }
    if (position - this.lastLog >= 250_000) {
      this.lastLog = position;
      this.engine.logger.info({ position, ofBytes: this.size, heapMiB }, 'projection progress');
    }
  }

  /** A batch was committed: its payloads are handed over at the next `wake`. */
  private appended(appended: readonly AppendedEvent[]): void {
    const last = appended[appended.length - 1];
    if (last === undefined) return;
    this.appendedUpTo = last.position;
    if (this.lag > 0) {
      this.pending = {
        type: 'appended',
        positions: appended.map((a) => a.position),
        payloads: appended.map((a) => a.payload),
      };
    }
  }

  /** Records the first failure, fails a waiting `wake`, and answers the failure to report. */
  private fail(err: Error): Error {
    const first = (this.failure ??= err);
    this.waiting?.reject(first);
    this.waiting = undefined;
    return first;
  }

  private send(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}
