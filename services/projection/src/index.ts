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
 * bus as derived facts.
 */
import { describeHolder, EngineError, PROJECTOR_LEASE } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';

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
  const ttl = options.leaseTtlMs ?? 10_000;
  const lease = runtime.store.lease(PROJECTOR_LEASE, options.what ?? `chanperf serve (pid ${process.pid})`, {
    ttlMs: ttl,
  });
  const maxLag = options.maxLag ?? 100_000;
  let leading = false;
  let caughtUp = false;
  let stopped = false;
  let failures = 0;
  let lastStandbyTry = 0;
  let running: Promise<void> = Promise.resolve();

  const standDown = (why: string) => {
    if (!leading) return;
    leading = false;
    caughtUp = false;
    runtime.projecting = false;
    runtime.runner.forget();
    log.warn({ why }, 'projector stands down');
  };
  /** Takes the lease when free; a standby tries at most every `standbyMs`. */
  const lead = (): boolean => {
    if (leading) return true;
    const now = Date.now();
    if (now - lastStandbyTry < (options.standbyMs ?? 1000)) return false;
    lastStandbyTry = now;
    if (!lease.tryAcquire()) return false;
    leading = true;
    runtime.projecting = true;
    runtime.runner.forget(); // start from the read model as the last holder saved it
    log.info('projector lease taken: this process projects');
    return true;
  };

  const runOnce = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (!lead()) {
        const holder = lease.holder();
        if (holder !== undefined) log.debug({ holder: describeHolder(holder) }, 'standing by');
        return;
      }
      const head = await runtime.store.log.head();
      if (head > runtime.runner.checkpoint || !caughtUp) await runtime.runner.catchUp();
      caughtUp = true;
      failures = 0;
      runtime.metrics.projectionLag.set(head - runtime.runner.checkpoint);
    } catch (err) {
      if (err instanceof EngineError && err.code === 'PROJECTION_FENCED') {
        standDown(err.message);
        return;
      }
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
    if (gathering !== undefined || !leading) return;
    gathering = setTimeout(() => {
      gathering = undefined;
      void schedule();
    }, options.gatherMs ?? 50);
  };
  runtime.bus.on('appended', onAppended);
  const timer = setInterval(() => void schedule(), options.pollMs ?? 250);
  timer.unref();
  // Renewal runs beside the batches (a timer fires between them), not after them.
  const renewal = setInterval(
    () => {
      if (leading && !stopped && !lease.renew()) standDown('the projector lease was taken over');
    },
    Math.max(100, Math.floor(ttl / 4)),
  );
  renewal.unref();
  void schedule();

  return {
    async ready() {
      if (failures > 0) return false;
      if (leading && !caughtUp) return false;
      const lag = (await runtime.store.log.head()) - (await runtime.store.readStore.position());
      return lag <= maxLag;
    },
    leading: () => leading,
    async waitFor(position) {
      const target = position ?? (await runtime.store.log.head());
      while (!stopped) {
        if (leading) {
          if (runtime.runner.checkpoint >= target) return;
          await schedule();
        } else {
          // Another process projects: wait for the read model it saves.
          if ((await runtime.store.readStore.position()) >= target) return;
          await schedule();
          await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
        }
      }
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(renewal);
      if (gathering !== undefined) clearTimeout(gathering);
      runtime.bus.off('appended', onAppended);
      await running;
      if (leading) lease.release();
      leading = false;
      runtime.projecting = false;
    },
  };
}
