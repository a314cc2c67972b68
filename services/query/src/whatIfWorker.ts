/**
 * The thread of one what-if run (`whatIfRunner.ts` starts it): replays the log into the two
 * scratch projections and compares them (`runWhatIf`, `compareWhatIf`). It has no database of
 * its own: it asks the thread that started it for the log a page at a time, so it works over
 * any log adapter and never opens, let alone writes, the read model.
 *
 * In: `workerData` (`WhatIfWorkerData`), then `page` answers to its `read` requests. Out: `read`
 * (entries after a position), `done` with the comparison, `failed` with the error's message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DeploymentSettings } from '@chanperf/domain';
import {
  compareWhatIf,
  runWhatIf,
  type LogEntry,
  type WhatIfPlan,
  type WhatIfResult,
} from '@chanperf/engine';

export interface WhatIfWorkerData {
  readonly plan: WhatIfPlan;
  readonly settings: DeploymentSettings;
  readonly pageSize: number;
}

export type ToWhatIfWorker = { readonly type: 'page'; readonly entries: LogEntry[] };
export type FromWhatIfWorker =
  | { readonly type: 'read'; readonly after: number; readonly limit: number }
  | { readonly type: 'done'; readonly result: WhatIfResult }
  | { readonly type: 'failed'; readonly message: string };

const port = parentPort;
if (port !== null) {
  const data = workerData as WhatIfWorkerData;
  const send = (m: FromWhatIfWorker) => port.postMessage(m);
  let waiting: ((entries: LogEntry[]) => void) | undefined;
  port.on('message', (m: ToWhatIfWorker) => {
    const resolve = waiting;
    waiting = undefined;
    resolve?.(m.entries);
  });
  const feed = {
    read: (after: number, limit: number) =>
      new Promise<LogEntry[]>((resolve) => {
        waiting = resolve;
        send({ type: 'read', after, limit });
      }),
  };
  runWhatIf(feed, data.plan, data.settings, { pageSize: data.pageSize })
    .then((run) => send({ type: 'done', result: compareWhatIf(run, data.settings.minorDigits) }))
    .catch((err: unknown) =>
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() => port.close());
}
