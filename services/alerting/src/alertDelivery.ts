/**
 * Delivering one alert (the contracts are in alertingService.ts): the log line and its ledger
 * row when the alert is first seen, then the webhook, retried with backoff until a 2xx or
 * until the time budget is spent (then recorded `failed`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from '@chanperf/domain';
import type { Runtime } from '@chanperf/runtime';
import { gatherLines } from '@chanperf/runtime/logger';
import { budgetExhausted, retryDelayMs, type BackoffPolicy } from './backoff.js';
import type { DeliveryLedger } from './deliveryLedger.js';
import { redactUrls } from './redact.js';
import { postAlert, type WebhookClientOptions, type WebhookTarget } from './webhook.js';

/** `interrupted`: the service is stopping; the alert stays due and is delivered after the next start. */
export type Outcome = 'settled' | 'interrupted';

/** What delivering an alert uses; fixed when the service starts. */
export interface AlertDeliveryDeps {
  readonly ledger: DeliveryLedger;
  /** Undefined: alerts go to the log only. */
  readonly webhook: WebhookTarget | undefined;
  readonly client: WebhookClientOptions;
  readonly policy: BackoffPolicy;
  readonly metrics: Runtime['metrics'];
  readonly log: Runtime['logger'];
  /** True once the service is stopping: no new attempt is started. */
  stopping(): boolean;
  /** Aborted on stop: ends the wait between two attempts. */
  readonly stopSignal: AbortSignal;
}

const now = () => new Date().toISOString();

/**
 * Logs each alert of a batch that the ledger has no record of (the lines in one write), and
 * records them all in one commit: one fsync for the batch, not one per alert, which held the
 * event loop of a `serve` for most of an HTTP ingest of a feed raising thousands of alerts. A
 * crash before the commit logs them again after the restart, as a crash between an alert's line
 * and its row did.
 */
export function recordRaised(deps: AlertDeliveryDeps, alerts: readonly Alert[]): void {
  const { ledger, webhook, log } = deps;
  const fresh = new Map<string, Alert>();
  for (const alert of alerts) if (ledger.get(alert.id) === undefined) fresh.set(alert.id, alert);
  if (fresh.size === 0) return;
  // Still before the commit: a month's close raises thousands.
  gatherLines(log, () => {
    for (const alert of fresh.values()) {
      log.info(
        { alertId: alert.id, kind: alert.kind, channelId: alert.channelId, month: alert.month },
        'alert raised',
      );
    }
  });
  ledger.recordAllLogged([...fresh.keys()], webhook === undefined ? 'logged' : 'pending', now());
  deps.metrics.alertsDelivered.inc({ via: 'log' }, fresh.size);
}

/** Delivers `alert` unless the ledger has it settled already. */
export async function deliverAlert(deps: AlertDeliveryDeps, alert: Alert): Promise<Outcome> {
  const { ledger, webhook, log } = deps;
  const record = ledger.get(alert.id);
  if (record === undefined) {
    // The log line carries no figures and no personal data: who, what, which month.
    log.info(
      { alertId: alert.id, kind: alert.kind, channelId: alert.channelId, month: alert.month },
      'alert raised',
    );
    ledger.recordLogged(alert.id, webhook === undefined ? 'logged' : 'pending', now());
    deps.metrics.alertsDelivered.inc({ via: 'log' });
  } else if (record.status === 'delivered' || record.status === 'failed') {
    return 'settled';
  }
  if (webhook === undefined) return 'settled';
  return deliverToWebhook(deps, webhook, alert);
}

async function deliverToWebhook(
  deps: AlertDeliveryDeps,
  target: WebhookTarget,
  alert: Alert,
): Promise<Outcome> {
  const { ledger, metrics, log, policy } = deps;
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const result = await postAlert(target, alert, deps.client);
    if (result.ok) {
      ledger.recordDelivered(alert.id, now());
      metrics.alertsDelivered.inc({ via: 'webhook' });
      log.info({ alertId: alert.id, status: result.status, attempt }, 'alert delivered to the webhook');
      return 'settled';
    }
    metrics.webhookFailures.inc();
    const wait = retryDelayMs(attempt, policy);
    if (budgetExhausted(performance.now() - started, wait, policy)) {
      ledger.recordGivenUp(alert.id, result.error);
      log.error(
        { alertId: alert.id, attempt, error: redactUrls(result.error), maxElapsedMs: policy.maxElapsedMs },
        'webhook delivery given up; recorded as failed, moving on to later alerts',
      );
      return 'settled';
    }
    ledger.recordAttemptFailed(alert.id, result.error);
    log.warn(
      { alertId: alert.id, attempt, error: redactUrls(result.error), retryInMs: wait },
      'webhook delivery failed',
    );
    if (deps.stopping()) return 'interrupted';
    await sleep(wait, undefined, { signal: deps.stopSignal }).catch(() => undefined);
    if (deps.stopping()) return 'interrupted';
  }
}
