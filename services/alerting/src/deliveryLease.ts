/**
 * One deliverer per log at a time: the holder of the `alerting` lease, renewed every quarter
 * of its time to live. Another process's service stands by and takes over (from the start of
 * the alert log, settled alerts skipped by id) when the holder is gone.
 */
import { ALERTING_LEASE } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';

export interface DeliveryLease {
  /** Whether this process delivers: it holds the lease, or takes it now (then `onTaken` runs). */
  acquire(): boolean;
  /** Whether this process delivers now (a renewal may have lost the lease since `acquire`). */
  delivering(): boolean;
  /** Stops renewing (on stop, before the delivery in flight finishes). */
  stopRenewing(): void;
  /** Gives the lease up if held. */
  release(): void;
}

export function deliveryLease(
  store: Runtime['store'],
  ttlMs: number,
  log: Runtime['logger'],
  onTaken: () => void,
): DeliveryLease {
  const lease = store.lease(ALERTING_LEASE, `chanperf alerting (pid ${process.pid})`, { ttlMs });
  let delivering = false;
  const renewal = setInterval(
    () => {
      if (delivering && !lease.renew()) {
        delivering = false;
        log.warn('the alerting lease was taken over: this process stops delivering');
      }
    },
    Math.max(100, Math.floor(ttlMs / 4)),
  );
  renewal.unref();
  return {
    acquire() {
      if (delivering) return true;
      if (!lease.tryAcquire()) return false;
      delivering = true;
      onTaken();
      log.info('alerting lease taken: this process delivers alerts');
      return true;
    },
    delivering: () => delivering,
    stopRenewing: () => clearInterval(renewal),
    release() {
      if (delivering) lease.release();
      delivering = false;
    },
  };
}
