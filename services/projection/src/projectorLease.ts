/**
 * The projector's lease: exactly one process projects into a read model at a time. A standby
 * tries to take the lease over at most every `standbyMs`; the holder renews it every quarter
 * of its time to live, beside the batches (a timer fires between them), and stands down when
 * a renewal finds it taken over.
 */
import { PROJECTOR_LEASE, type LeaseHolder } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';

export interface ProjectorLease {
  /** Whether this process projects: it holds the lease, or takes it now when free. */
  lead(): boolean;
  /** Whether this process holds the lease now. */
  leading(): boolean;
  /** Stops projecting (the lease was lost, or a checkpoint write was fenced). */
  standDown(why: string): void;
  /** The live holder, if any (for a standby's log line). */
  holder(): LeaseHolder | undefined;
  /** Stops renewing (on stop, before the batch in flight finishes). */
  stopRenewing(): void;
  /** Gives the lease up if held; this process no longer projects. */
  release(): void;
}

export interface ProjectorLeaseOptions {
  /** How long the lease lasts without renewal. */
  readonly ttlMs: number;
  /** How often a standby tries to take the lease over. */
  readonly standbyMs: number;
  /** What holds the lease, for people reading who waits for whom. */
  readonly what: string;
  /** Runs when this process stands down. */
  readonly onStandDown: () => void;
}

export function projectorLease(
  runtime: Pick<Runtime, 'store' | 'runner' | 'projecting'>,
  log: Runtime['logger'],
  options: ProjectorLeaseOptions,
): ProjectorLease {
  const lease = runtime.store.lease(PROJECTOR_LEASE, options.what, { ttlMs: options.ttlMs });
  let leading = false;
  let lastStandbyTry = 0;

  const standDown = (why: string) => {
    if (!leading) return;
    leading = false;
    options.onStandDown();
    runtime.projecting = false;
    runtime.runner.forget();
    log.warn({ why }, 'projector stands down');
  };
  const renewal = setInterval(
    () => {
      if (leading && !lease.renew()) standDown('the projector lease was taken over');
    },
    Math.max(100, Math.floor(options.ttlMs / 4)),
  );
  renewal.unref();

  return {
    lead() {
      if (leading) return true;
      const now = Date.now();
      if (now - lastStandbyTry < options.standbyMs) return false;
      lastStandbyTry = now;
      if (!lease.tryAcquire()) return false;
      leading = true;
      runtime.projecting = true;
      runtime.runner.forget(); // start from the read model as the last holder saved it
      log.info('projector lease taken: this process projects');
      return true;
    },
    leading: () => leading,
    standDown,
    holder: () => lease.holder(),
    stopRenewing: () => clearInterval(renewal),
    release() {
      if (leading) lease.release();
      leading = false;
      runtime.projecting = false;
    },
  };
}
