/** @chanperf/alerting — delivers the alerts of spec §5 to the webhook and the log, once each. */
export { startAlerting, type AlertingOptions, type AlertingService } from './alertingService.js';
export type { DeliveryRecord, DeliveryStatus } from './deliveryLedger.js';
export { retryDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { alertBody, signature, verifySignature, ALERT_ID_HEADER, SIGNATURE_HEADER } from './webhook.js';
