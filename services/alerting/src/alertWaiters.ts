/**
 * Who waits on the alerting service: callers of `idle()` (until a read of the alert log,
 * started after their call, finds nothing more) and of `waitForAlert()` (until the alert is
 * settled).
 */
import type { DeliveryLedger, DeliveryRecord } from './deliveryLedger.js';

export interface AlertWaiters {
  /**
   * The alert's record once it is settled: `delivered` or `failed` with a webhook, any record
   * without one; undefined before.
   */
  settledRecord(alertId: string): DeliveryRecord | undefined;
  /** Waits for a read numbered above `after` to find nothing. */
  idle(after: number): Promise<void>;
  /** Resolves the idle waiters from before read `readNo`, which found nothing. */
  caughtUp(readNo: number): void;
  waitForAlert(alertId: string): Promise<DeliveryRecord>;
  /** The alert was handled: resolves its waiters if it is settled now. */
  handled(alertId: string): void;
  /** The service stops: every waiter is rejected with `error`. */
  rejectAll(error: Error): void;
}

export function alertWaiters(ledger: DeliveryLedger, withWebhook: boolean): AlertWaiters {
  const idleWaiters: { after: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const byAlert = new Map<string, { resolve: (r: DeliveryRecord) => void; reject: (e: Error) => void }[]>();
  const settledRecord = (alertId: string): DeliveryRecord | undefined => {
    const record = ledger.get(alertId);
    if (record === undefined) return undefined;
    if (!withWebhook) return record;
    return record.status === 'delivered' || record.status === 'failed' ? record : undefined;
  };
  return {
    settledRecord,
    idle: (after) => new Promise((resolve, reject) => idleWaiters.push({ after, resolve, reject })),
    caughtUp(readNo) {
      for (let i = idleWaiters.length - 1; i >= 0; i--) {
        const w = idleWaiters[i];
        if (w !== undefined && w.after < readNo) {
          idleWaiters.splice(i, 1);
          w.resolve();
        }
      }
    },
    waitForAlert(alertId) {
      const record = settledRecord(alertId);
      if (record !== undefined) return Promise.resolve(record);
      return new Promise((resolve, reject) => {
        const waiters = byAlert.get(alertId) ?? [];
        waiters.push({ resolve, reject });
        byAlert.set(alertId, waiters);
      });
    },
    handled(alertId) {
      const waiters = byAlert.get(alertId);
      if (waiters === undefined) return;
      const record = settledRecord(alertId);
      if (record === undefined) return;
      byAlert.delete(alertId);
      for (const w of waiters) w.resolve(record);
    },
    rejectAll(error) {
      for (const w of idleWaiters.splice(0)) w.reject(error);
      for (const waiters of byAlert.values()) for (const w of waiters) w.reject(error);
      byAlert.clear();
    },
  };
}
