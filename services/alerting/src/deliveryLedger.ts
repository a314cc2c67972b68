/**
 * The delivery ledger: what happened to each alert, by its deterministic id. The port and its
 * record are this service's own contract (statuses, redaction), so they are defined here, not
 * among the engine's ports; a store implements it structurally (`SqliteStore.deliveryLedger()`
 * keeps it in the log's file, where it survives read-model rebuilds: a rebuild renumbers the
 * alert log, ids stay the same, and nothing is re-sent).
 */
import { redactUrls } from './redact.js';

/**
 * - `pending`: written to the log; webhook delivery not done yet (in progress or interrupted).
 * - `logged`: written to the log while no webhook was configured; sent if one is configured later.
 * - `delivered`: the webhook answered 2xx.
 * - `failed`: the webhook kept failing for the whole time budget; given up (dead letter).
 */
export type DeliveryStatus = 'pending' | 'logged' | 'delivered' | 'failed';

export interface DeliveryRecord {
  readonly alertId: string;
  readonly status: DeliveryStatus;
  /** Webhook attempts so far, over all runs. */
  readonly attempts: number;
  /** The last failure, with any URL in it redacted (`redactUrl`): no credentials, no path. */
  readonly lastError: string | null;
  /** When the webhook answered 2xx, or (status `logged`) when the alert was logged. */
  readonly deliveredAt: string | null;
}

/**
 * Port of the alerting service onto its durable state; every write commits on return, and
 * survives restarts and read-model rebuilds. The updates of an alert without a record throw.
 */
export interface DeliveryLedger {
  get(alertId: string): DeliveryRecord | undefined;
  /** The alert was written to the log; no-op when a record exists already. */
  recordLogged(alertId: string, status: 'pending' | 'logged', at: string): void;
  /** One webhook attempt failed; the alert stays due. */
  recordAttemptFailed(alertId: string, error: string): void;
  recordDelivered(alertId: string, at: string): void;
  /** Gave up after a failed attempt (that attempt is counted here). */
  recordGivenUp(alertId: string, error: string): void;
  /** Makes every `failed` alert due again; returns how many. */
  redriveFailed(): number;
}

/**
 * The ledger over a store's implementation of it (`SqliteStore.deliveryLedger()`): every error
 * is redacted (`redactUrls`) before it is stored, whichever store keeps it.
 */
export function deliveryLedger(store: DeliveryLedger): DeliveryLedger {
  return {
    get: (alertId) => store.get(alertId),
    recordLogged: (alertId, status, at) => store.recordLogged(alertId, status, at),
    recordAttemptFailed: (alertId, error) => store.recordAttemptFailed(alertId, redactUrls(error)),
    recordDelivered: (alertId, at) => store.recordDelivered(alertId, at),
    recordGivenUp: (alertId, error) => store.recordGivenUp(alertId, redactUrls(error)),
    redriveFailed: () => store.redriveFailed(),
  };
}
