/**
 * The delivery ledger as the alerting service uses it: the engine's `DeliveryLedger` port
 * (`SqliteStore.deliveryLedger()` keeps it in the log's file, where it survives read-model
 * rebuilds), with every error redacted before it is stored.
 */
import type { DeliveryLedger } from '@chanperf/engine';
import { redactUrls } from './redact.js';

export type { DeliveryLedger, DeliveryRecord, DeliveryStatus } from '@chanperf/engine';

/**
 * The ledger over a store's implementation of it (`SqliteStore.deliveryLedger()`): every error
 * is redacted (`redactUrls`) before it is stored, whichever store keeps it.
 */
export function deliveryLedger(store: DeliveryLedger): DeliveryLedger {
  return {
    get: (alertId) => store.get(alertId),
    recordLogged: (alertId, status, at) => store.recordLogged(alertId, status, at),
    recordAllLogged: (alertIds, status, at) => store.recordAllLogged(alertIds, status, at),
    recordAttemptFailed: (alertId, error) => store.recordAttemptFailed(alertId, redactUrls(error)),
    recordDelivered: (alertId, at) => store.recordDelivered(alertId, at),
    recordGivenUp: (alertId, error) => store.recordGivenUp(alertId, redactUrls(error)),
    redriveFailed: () => store.redriveFailed(),
  };
}
