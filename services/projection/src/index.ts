/**
 * The projection service: keeps the read model at the log's head. Exactly one process
 * projects into a read model at a time: the holder of its `projector` lease. The others stand
 * by (their queries read the read model as saved) and take over within a second or two when
 * the holder's process is gone (same host), or once its lease expires. The checkpoint write
 * is a compare-and-set, so even a holder that lost its lease without knowing it (a long pause)
 * cannot interleave a batch with its successor's.
 *
 * The holder wakes up when the ingestion service of the same process appends, and polls the
 * log head otherwise (another process may append). Each committed batch is published on the
 * bus as derived facts. The lease is handled in projectorLease.ts, the batches scheduled in
 * batchScheduler.ts.
 */
import type { Runtime } from '@chanperf/runtime';
import { batchScheduler, type ProjectionProgress } from './batchScheduler.js';
import { projectorLease } from './projectorLease.js';

export interface ProjectionService {
  /**
   * Ready for traffic: this process projects and has caught up at least once, or another
   * process projects; and the read model trails the log by at most `maxLag` events, and the
   * last projection attempt did not fail.
   */
  ready(): Promise<boolean>;
  /** Whether this process holds the projector's lease now. */
  leading(): boolean;
  /** Resolves when the read model has reached `position` (or the head when omitted). */
  waitFor(position?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ProjectionOptions {
  readonly pollMs?: number;
  readonly gatherMs?: number;
  /** How long the lease lasts without renewal (default 10 s); renewed every quarter of it. */
  readonly leaseTtlMs?: number;
  /** How often a standby tries to take the lease over (default 1 s). */
  readonly standbyMs?: number;
  /** Lag (events) past which the service reports not ready (default 100 000). */
  readonly maxLag?: number;
  /** What holds the lease, for people reading who waits for whom. */
  readonly what?: string;
}

/** What the projection service uses of the runtime: the store, the runner, the bus, metrics and logs. */
export type ProjectionDeps = Pick<Runtime, 'store' | 'runner' | 'bus' | 'metrics' | 'logger' | 'projecting'>;

export function startProjection(runtime: ProjectionDeps, options: ProjectionOptions = {}): ProjectionService {
  const log = runtime.logger.child({ service: 'projection' });
  const maxLag = options.maxLag ?? 100_000;
  const pollMs = options.pollMs ?? 250;
  const progress: ProjectionProgress = { caughtUp: false, failures: 0, stopped: false };
  const lease = projectorLease(runtime, log, {
    ttlMs: options.leaseTtlMs ?? 10_000,
    standbyMs: options.standbyMs ?? 1000,
    what: options.what ?? `chanperf serve (pid ${process.pid})`,
    onStandDown: () => {
      progress.caughtUp = false;
    },
  });
  const batches = batchScheduler(runtime, lease, progress, log, { pollMs, gatherMs: options.gatherMs ?? 50 });
  void batches.schedule();

  return {
    async ready() {
      if (progress.failures > 0) return false;
      if (lease.leading() && !progress.caughtUp) return false;
      const lag = (await runtime.store.log.head()) - (await runtime.store.readStore.position());
      return lag <= maxLag;
    },
    leading: () => lease.leading(),
    async waitFor(position) {
      const target = position ?? (await runtime.store.log.head());
      while (!progress.stopped) {
        if (lease.leading()) {
          if (runtime.runner.checkpoint >= target) return;
          await batches.schedule();
        } else {
          // Another process projects: wait for the read model it saves.
          if ((await runtime.store.readStore.position()) >= target) return;
          await batches.schedule();
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
      }
    },
    async stop() {
      progress.stopped = true;
      batches.stopTimers();
      lease.stopRenewing();
      await batches.settled();
      lease.release();
    },
  };
}
