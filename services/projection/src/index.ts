/**
 * The projection service: keeps the read model at the log's head. It wakes up when the
 * ingestion service of the same process appends, and polls the log head otherwise (another
 * process may append). Each committed batch is published on the bus as derived facts.
 */
import type { Runtime } from '@chanperf/runtime';

export interface ProjectionService {
  /** True once the read model has caught up with the log at least once since start. */
  ready(): boolean;
  /** Resolves when the read model has reached `position` (or the head when omitted). */
  waitFor(position?: number): Promise<void>;
  stop(): Promise<void>;
}

export function startProjection(
  runtime: Runtime,
  options: { pollMs?: number; gatherMs?: number } = {},
): ProjectionService {
  const log = runtime.logger.child({ service: 'projection' });
  runtime.projecting = true;
  let caughtUp = false;
  let stopped = false;
  let failures = 0;
  let running: Promise<void> = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    if (stopped) return;
    try {
      const head = await runtime.store.log.head();
      if (head > runtime.runner.checkpoint || !caughtUp) await runtime.runner.catchUp();
      caughtUp = true;
      failures = 0;
      runtime.metrics.projectionLag.set(head - runtime.runner.checkpoint);
    } catch (err) {
      failures++;
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
    if (gathering !== undefined) return;
    gathering = setTimeout(() => {
      gathering = undefined;
      void schedule();
    }, options.gatherMs ?? 50);
  };
  runtime.bus.on('appended', onAppended);
  const timer = setInterval(() => void schedule(), options.pollMs ?? 250);
  timer.unref();
  void schedule();

  return {
    ready: () => caughtUp,
    async waitFor(position) {
      const target = position ?? (await runtime.store.log.head());
      while (runtime.runner.checkpoint < target && !stopped) await schedule();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (gathering !== undefined) clearTimeout(gathering);
      runtime.bus.off('appended', onAppended);
      await running;
    },
  };
}
