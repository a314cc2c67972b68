/**
 * Reads the read model's alert log in raised order, after an in-memory cursor: the seq and id
 * of the last alert handled. A different id at that seq means the read model was rebuilt (its
 * alert log renumbered): reading starts over, and settled alerts are skipped by id.
 */
import type { Alert } from '@chanperf/domain';
import type { Runtime } from '@chanperf/runtime';

export interface AlertLogCursor {
  /** The next alerts after the cursor, at most the batch size. */
  next(): Promise<readonly { readonly seq: number; readonly alert: Alert }[]>;
  /** The alert at `seq` was handled: the next read starts after it. */
  handled(seq: number, alertId: string): void;
  /** Back to the start of the alert log, now. */
  reset(): void;
  /** Back to the start of the alert log at the next read (a redrive, maybe mid-batch). */
  rescan(): void;
}

export function alertLogCursor(
  store: Runtime['store'],
  batchSize: number,
  log: Runtime['logger'],
): AlertLogCursor {
  let cursor = { seq: 0, alertId: '' };
  let rescan = false;
  return {
    async next() {
      const alerts = store.readStore;
      if (rescan) {
        rescan = false;
        cursor = { seq: 0, alertId: '' };
      } else if (cursor.seq > 0) {
        const [at] = await alerts.alertLog(cursor.seq - 1, 1);
        if (at === undefined || at.alert.id !== cursor.alertId) {
          log.warn(
            { seq: cursor.seq },
            'the alert log was rebuilt; rescanning it (settled alerts are skipped by id)',
          );
          cursor = { seq: 0, alertId: '' };
        }
      }
      return alerts.alertLog(cursor.seq, batchSize);
    },
    handled(seq, alertId) {
      cursor = { seq, alertId };
    },
    reset() {
      cursor = { seq: 0, alertId: '' };
    },
    rescan() {
      rescan = true;
    },
  };
}
