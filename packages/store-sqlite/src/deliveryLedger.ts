/**
 * The alerting service's delivery ledger, in the log's file: what happened to each alert, by
 * its deterministic id. The record shape and its statuses are the service's contract
 * (`DeliveryLedger` in `services/alerting/src/deliveryLedger.ts`); this is its SQLite
 * implementation, a structural match the service's own type checks where it takes it.
 *
 * The table is deliberately not prefixed `rm_`: the read model can be dropped and rebuilt
 * (alert seqs restart, ids stay the same) and the ledger must survive that, or a rebuild would
 * re-send every alert. Every write commits on return.
 */
import type { Database } from 'better-sqlite3';

/** `pending` | `logged` | `delivered` | `failed`: see the alerting service's `DeliveryStatus`. */
export type StoredDeliveryStatus = 'pending' | 'logged' | 'delivered' | 'failed';

export interface StoredDelivery {
  readonly alertId: string;
  readonly status: StoredDeliveryStatus;
  /** Webhook attempts so far, over all runs. */
  readonly attempts: number;
  /** The last failure, as given (the service redacts it before it gets here). */
  readonly lastError: string | null;
  /** When the webhook answered 2xx, or (status `logged`) when the alert was logged. */
  readonly deliveredAt: string | null;
}

/** The ledger's storage; every write commits on return. */
export interface DeliveryLedgerStore {
  get(alertId: string): StoredDelivery | undefined;
  /** The alert was written to the log; no-op when a record exists already. */
  recordLogged(alertId: string, status: 'pending' | 'logged', at: string): void;
  /** One webhook attempt failed; the alert stays due. Throws when there is no record. */
  recordAttemptFailed(alertId: string, error: string): void;
  /** Throws when there is no record. */
  recordDelivered(alertId: string, at: string): void;
  /** Gave up after a failed attempt (that attempt is counted here). Throws when there is no record. */
  recordGivenUp(alertId: string, error: string): void;
  /** Makes every `failed` alert due again; returns how many. */
  redriveFailed(): number;
}

interface Row {
  alert_id: string;
  status: StoredDeliveryStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

/** The delivery ledger over the log's connection `db` (creates its table when missing). */
export function sqliteDeliveryLedger(db: Database): DeliveryLedgerStore {
  db.exec(`CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id TEXT PRIMARY KEY, status TEXT, attempts INTEGER, last_error TEXT, delivered_at TEXT
  )`);
  const select = db.prepare<[string], Row>(`SELECT * FROM alert_deliveries WHERE alert_id = ?`);
  const insert = db.prepare<[string, string, string | null]>(
    `INSERT OR IGNORE INTO alert_deliveries VALUES (?, ?, 0, NULL, ?)`,
  );
  const attemptFailed = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ? WHERE alert_id = ?`,
  );
  const delivered = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?
     WHERE alert_id = ?`,
  );
  const givenUp = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?
     WHERE alert_id = ?`,
  );
  const redrive = db.prepare(`UPDATE alert_deliveries SET status = 'pending' WHERE status = 'failed'`);

  const expectOne = (changes: number, alertId: string) => {
    if (changes !== 1) throw new Error(`alert_deliveries has no record of ${alertId}`);
  };
  return {
    get(alertId) {
      const row = select.get(alertId);
      return row === undefined
        ? undefined
        : {
            alertId: row.alert_id,
            status: row.status,
            attempts: row.attempts,
            lastError: row.last_error,
            deliveredAt: row.delivered_at,
          };
    },
    recordLogged(alertId, status, at) {
      insert.run(alertId, status, status === 'logged' ? at : null);
    },
    recordAttemptFailed(alertId, error) {
      expectOne(attemptFailed.run(error, alertId).changes, alertId);
    },
    recordDelivered(alertId, at) {
      expectOne(delivered.run(at, alertId).changes, alertId);
    },
    recordGivenUp(alertId, error) {
      expectOne(givenUp.run(error, alertId).changes, alertId);
    },
    redriveFailed() {
      return redrive.run().changes;
    },
  };
}
