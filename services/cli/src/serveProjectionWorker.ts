/**
 * The projection service of one `chanperf serve`, on a worker thread of its own
 * (serveProjectionThread.ts is the main thread's side): what `serve --only projection` runs in a
 * process of its own, here on connections of this thread to the same data directory. It holds
 * the projector's lease, projects the log into the read model, and posts each committed batch's
 * derived facts to the main thread, whose services (alerting, live streams, the Kafka publisher)
 * take them from its bus as before.
 *
 * In: `appended` (the main thread's ingestion appended up to a position: project soon), `ready`
 * and `waitFor` (answered with `answer`), `stop` (stop projecting, close, answer, end). Out:
 * `projected` (a batch's facts), `status` (the lease and the position, when they change), `answer`.
 * Every message out carries whether this thread holds the lease now.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import { startProjection } from '@chanperf/projection';
import { loadConfig, openRuntime, type DerivedFact } from '@chanperf/runtime';
import { createLogger } from '@chanperf/runtime/logger';

export interface ServeProjectionData {
  /** The CHANPERF_* variables `serve` was started with (the configuration is read again here). */
  readonly env: Record<string, string>;
  /** Who holds the lease, for people reading it (`chanperf serve (pid N)`). */
  readonly what: string;
  readonly maxLag: number;
  /** The main thread's log level (its logger may have been given, not read from CHANPERF_LOG_LEVEL). */
  readonly logLevel: string;
  /** How often the lease and the position are looked at for `status` (ms). */
  readonly statusMs: number;
}

export type ToProjectionThread =
  | { readonly type: 'appended'; readonly position: number }
  | { readonly type: 'ready'; readonly id: number }
  | { readonly type: 'waitFor'; readonly id: number; readonly position: number | undefined }
  | { readonly type: 'stop'; readonly id: number };

export type FromProjectionThread = { readonly leading: boolean } & (
  | { readonly type: 'projected'; readonly position: number; readonly facts: readonly DerivedFact[] }
  | { readonly type: 'status'; readonly position: number }
  | { readonly type: 'answer'; readonly id: number; readonly value: boolean }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
);

function run(port: NonNullable<typeof parentPort>, data: ServeProjectionData): void {
  const config = loadConfig(data.env);
  // The main thread read the same variables without a problem before starting this one.
  if (E.isLeft(config)) throw new Error(config.left);
  const logger = createLogger({
    service: 'serve',
    level: data.logLevel,
    format: config.right.engine.logFormat,
  });
  const runtime = openRuntime(config.right, logger);
  const projection = startProjection(runtime, { maxLag: data.maxLag, what: data.what });
  const post = (m: FromProjectionThread) => port.postMessage(m);

  // The lease and the position, when they changed (the lag is not sent: the main thread's
  // /metrics sets it from the position at each scrape).
  let last: { leading: boolean; position: number } | undefined;
  const sendStatus = (always: boolean) => {
    const now = { leading: projection.leading(), position: runtime.runner.checkpoint };
    if (!always && last?.leading === now.leading && last.position === now.position) return;
    last = now;
    post({ type: 'status', ...now });
  };
  // Once the lease has been tried (the first batch asks for it at once): the main thread waits
  // for this before it listens, so a process started after it sees who projects.
  setImmediate(() => sendStatus(true));
  const statusTimer = setInterval(() => sendStatus(false), data.statusMs);
  runtime.bus.on('projected', (position, facts) => {
    post({ type: 'projected', position, facts, leading: projection.leading() });
  });
  statusTimer.unref();

  const answer = async (id: number, value: () => Promise<boolean>) => {
    try {
      post({ type: 'answer', id, value: await value(), leading: projection.leading() });
    } catch (err) {
      post({ type: 'failed', id, message: (err as Error).message, leading: projection.leading() });
    }
  };
  port.on('message', (m: ToProjectionThread) => {
    switch (m.type) {
      case 'appended':
        runtime.bus.emit('appended', m.position);
        return;
      case 'ready':
        void answer(m.id, () => projection.ready());
        return;
      case 'waitFor':
        void answer(m.id, async () => {
          await projection.waitFor(m.position);
          return true;
        });
        return;
      case 'stop':
        clearInterval(statusTimer);
        void answer(m.id, async () => {
          await projection.stop();
          runtime.close();
          return true;
        }).then(() => port.close());
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  });
}

if (!isMainThread && parentPort !== null) run(parentPort, workerData as ServeProjectionData);
