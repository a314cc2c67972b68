/**
 * When the projector projects: one batch at a time (each chained after the one before), on a
 * poll timer (another process may append), shortly after this process's own appends, and on
 * demand (`waitFor`). A failed batch is retried after a backoff; a fenced checkpoint write
 * (another process took the lease over) makes this one stand down.
 */
import { describeHolder, EngineError } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';
import type { ProjectorLease } from './projectorLease.js';

/** What the batches and the service's readiness share. */
export interface ProjectionProgress {
  /** This process has caught up with the log at least once since it took the lease. */
  caughtUp: boolean;
  /** Failed batches in a row. */
  failures: number;
  stopped: boolean;
}

export interface BatchScheduler {
  /** Runs a batch after those scheduled before; resolves once it is done. */
  schedule(): Promise<void>;
  /** Stops the timers and the wake-ups on appends (a batch in flight goes on). */
  stopTimers(): void;
  /** Resolves once the batches scheduled so far are done. */
  settled(): Promise<void>;
}

export interface BatchSchedulerOptions {
  readonly pollMs: number;
  readonly gatherMs: number;
}

export function batchScheduler(
  runtime: Pick<Runtime, 'store' | 'runner' | 'bus' | 'metrics'>,
  lease: ProjectorLease,
  progress: ProjectionProgress,
  log: Runtime['logger'],
  options: BatchSchedulerOptions,
): BatchScheduler {
  let running: Promise<void> = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    if (progress.stopped) return;
    try {
      if (!lease.lead()) {
        const holder = lease.holder();
        if (holder !== undefined) log.debug({ holder: describeHolder(holder) }, 'standing by');
        return;
      }
      const head = await runtime.store.log.head();
      if (head > runtime.runner.checkpoint || !progress.caughtUp) await runtime.runner.catchUp();
      progress.caughtUp = true;
      progress.failures = 0;
      runtime.metrics.projectionLag.set(head - runtime.runner.checkpoint);
    } catch (err) {
      if (err instanceof EngineError && err.code === 'PROJECTION_FENCED') {
        lease.standDown(err.message);
        return;
      }
      const failures = ++progress.failures;
      log.error({ err, failures }, 'projection batch failed; retrying');
      // Back off before the next try: 100 ms, 200 ms, … up to 5 s.
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** (failures - 1))));
    }
  };
  const schedule = () => {
    running = running.then(runOnce);
    return running;
  };
  // Appends are gathered for `gatherMs` before projecting them: HTTP bodies of 1 000 events
  // arrive many a second, and one projection transaction per body rewrote nearly one month row
  // per event when partners are many. The read model trails the log by at most that long.
  let gathering: NodeJS.Timeout | undefined;
  const onAppended = () => {
    if (gathering !== undefined || !lease.leading()) return;
    gathering = setTimeout(() => {
      gathering = undefined;
      void schedule();
    }, options.gatherMs);
  };
  runtime.bus.on('appended', onAppended);
  const timer = setInterval(() => void schedule(), options.pollMs);
  timer.unref();

  return {
    schedule,
    stopTimers() {
      clearInterval(timer);
      if (gathering !== undefined) clearTimeout(gathering);
      runtime.bus.off('appended', onAppended);
    },
    settled: () => running,
  };
}
