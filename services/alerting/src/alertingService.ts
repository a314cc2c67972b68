/**
 * The alerting service: delivers the alerts of spec §5, in the order they were raised, to the
 * log and to the webhook, at least once each, and never again once delivered.
 *
 * Contracts (see README.md in this folder for the reasoning):
 * - Source: the read model's alert log (`rm_alerts`), read after an in-memory cursor. The
 *   service wakes on the bus's `projected` facts and polls, since another process may project.
 *   On start the cursor is 0 and the whole alert log is scanned; alerts already settled are
 *   skipped by id through the delivery ledger, which is what survives restarts and rebuilds.
 * - Ordering: one alert at a time, in raised order. An alert whose webhook keeps failing holds
 *   back the later ones (so a retraction never overtakes its miss) until its time budget is
 *   spent; then it is recorded `failed` and delivery moves on. Failed alerts are not retried
 *   automatically, not even after a restart; `redriveFailed()` makes them due again.
 * - Log delivery: one pino line per alert when it is first seen, recorded together with the
 *   ledger row (log first, then row: a crash in between logs it twice, never zero times).
 * - Webhook delivery: the 2xx is recorded right after it arrives. A crash between the 2xx and
 *   that write re-sends the alert after restart; receivers dedupe by `X-Chanperf-Alert-Id`.
 * - Without a webhook, alerts are logged and recorded `logged`; if a webhook is configured later,
 *   those alerts are sent to it then (nothing is lost; the log line is not repeated).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Alert } from '@chanperf/domain';
import { ALERTING_LEASE } from '@chanperf/engine';
import type { DerivedFact, Runtime } from '@chanperf/runtime';
import { budgetExhausted, DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.js';
import { deliveryLedger, type DeliveryRecord } from './deliveryLedger.js';
import { redactUrl, redactUrls } from './redact.js';
import { postAlert, type WebhookClientOptions, type WebhookTarget } from './webhook.js';

export interface AlertingOptions {
  /** HTTP client (default: the global `fetch`). */
  readonly fetch?: typeof fetch;
  /** Give up on an alert after this long without a 2xx (default 15 min). */
  readonly maxElapsedMs?: number;
  /** Upper bound of the first retry delay (default 200 ms); doubles per failure. */
  readonly initialDelayMs?: number;
  /** Cap on any retry delay (default 30 s). */
  readonly maxDelayMs?: number;
  /** Jitter source, uniform in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
  /** Timeout of one webhook attempt (default 10 s). */
  readonly attemptTimeoutMs?: number;
  /** How often to look for alerts projected by another process (default 500 ms). */
  readonly pollMs?: number;
  /** Alerts read from the alert log at a time (default 100). */
  readonly batchSize?: number;
  /** How long the alerting lease lasts without renewal (default 10 s). */
  readonly leaseTtlMs?: number;
}

export interface AlertingService {
  /** True once the service has caught up with the alert log at least once since start. */
  ready(): boolean;
  /** What the ledger says about an alert (undefined: not seen yet). */
  delivery(alertId: string): DeliveryRecord | undefined;
  /**
   * Resolves once the service has found no more alerts to handle, looking after this call.
   * Rejects if the service stops first.
   */
  idle(): Promise<void>;
  /**
   * Resolves with the alert's record once it is settled: `delivered` or `failed` with a webhook,
   * any record without one. Rejects if the service stops first.
   */
  waitForAlert(alertId: string): Promise<DeliveryRecord>;
  /** Makes every `failed` alert due again (an operator's redrive); returns how many. */
  redriveFailed(): number;
  /**
   * Graceful stop: lets the webhook attempt in flight finish (≤ the attempt timeout) and
   * records its outcome; starts no new attempt. An alert interrupted between retries stays
   * due and is delivered after the next start.
   */
  stop(): Promise<void>;
}

type Outcome = 'settled' | 'interrupted';

const STOPPED = 'alerting stopped';

/** Starts the alerting service on `runtime`; stop it before closing the runtime. */
/** What the alerting service uses of the runtime. */
export type AlertingDeps = Pick<Runtime, 'store' | 'bus' | 'config' | 'metrics' | 'logger'>;

export function startAlerting(runtime: AlertingDeps, options: AlertingOptions = {}): AlertingService {
  const log = runtime.logger.child({ service: 'alerting' });
  const metrics = runtime.metrics;
  const ledger = deliveryLedger(runtime.store.deliveryLedger());
  const webhook: WebhookTarget | undefined = runtime.config.webhook;
  const client: WebhookClientOptions = {
    fetch: options.fetch ?? globalThis.fetch,
    attemptTimeoutMs: options.attemptTimeoutMs ?? 10_000,
  };
  const policy: BackoffPolicy = {
    initialDelayMs: options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    maxElapsedMs: options.maxElapsedMs ?? DEFAULT_BACKOFF.maxElapsedMs,
    random: options.random ?? Math.random,
  };
  const batchSize = options.batchSize ?? 100;

  if (webhook === undefined) {
    log.info('no webhook configured (CHANPERF_WEBHOOK_URL): alerts go to the log only');
  } else {
    log.info({ webhook: redactUrl(webhook.url) }, 'delivering alerts to the webhook and the log');
    if (webhook.secret === undefined) {
      log.warn('CHANPERF_WEBHOOK_SECRET is not set: webhook requests are sent without a signature');
    }
  }

  let stopping = false;
  let caughtUp = false;
  const stopController = new AbortController();
  /** Seq and id of the last alert handled: a different id at that seq means a rebuild. */
  let cursor = { seq: 0, alertId: '' };
  /** Set by a redrive: the next pass starts from the beginning of the alert log. */
  let rescan = false;

  // Wake-ups: a flag plus the resolver of the one waiting loop.
  let wakePending = false;
  let wakeLoop: (() => void) | undefined;
  const wake = () => {
    wakePending = true;
    const resume = wakeLoop;
    wakeLoop = undefined;
    resume?.();
  };
  const nextWake = (): Promise<void> => {
    if (wakePending || stopping) {
      wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      wakeLoop = () => {
        wakePending = false;
        resolve();
      };
    });
  };

  // Waiters of idle() and waitForAlert().
  let reads = 0;
  const idleWaiters: { after: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const alertWaiters = new Map<
    string,
    { resolve: (r: DeliveryRecord) => void; reject: (e: Error) => void }[]
  >();
  const settledRecord = (alertId: string): DeliveryRecord | undefined => {
    const record = ledger.get(alertId);
    if (record === undefined) return undefined;
    if (webhook === undefined) return record;
    return record.status === 'delivered' || record.status === 'failed' ? record : undefined;
  };
  const notify = (alertId: string) => {
    const waiters = alertWaiters.get(alertId);
    if (waiters === undefined) return;
    const record = settledRecord(alertId);
    if (record === undefined) return;
    alertWaiters.delete(alertId);
    for (const w of waiters) w.resolve(record);
  };

  const now = () => new Date().toISOString();

  const deliverToWebhook = async (target: WebhookTarget, alert: Alert): Promise<Outcome> => {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const result = await postAlert(target, alert, client);
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
      if (stopping) return 'interrupted';
      await sleep(wait, undefined, { signal: stopController.signal }).catch(() => undefined);
      if (stopping) return 'interrupted';
    }
  };

  const handle = async (alert: Alert): Promise<Outcome> => {
    const record = ledger.get(alert.id);
    if (record === undefined) {
      // The log line carries no figures and no personal data: who, what, which month.
      log.info(
        { alertId: alert.id, kind: alert.kind, channelId: alert.channelId, month: alert.month },
        'alert raised',
      );
      ledger.recordLogged(alert.id, webhook === undefined ? 'logged' : 'pending', now());
      metrics.alertsDelivered.inc({ via: 'log' });
    } else if (record.status === 'delivered' || record.status === 'failed') {
      return 'settled';
    }
    if (webhook === undefined) return 'settled';
    return deliverToWebhook(webhook, alert);
  };

  const readBatch = async () => {
    const alerts = runtime.store.readStore;
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
  };

  // One deliverer per log at a time: the holder of the `alerting` lease. Another process's
  // service stands by and takes over (from the start of the alert log, settled alerts skipped
  // by id) when the holder is gone.
  const lease = runtime.store.lease(ALERTING_LEASE, `chanperf alerting (pid ${process.pid})`, {
    ttlMs: options.leaseTtlMs ?? 10_000,
  });
  let delivering = false;
  const holdsLease = (): boolean => {
    if (delivering) return true;
    if (!lease.tryAcquire()) return false;
    delivering = true;
    cursor = { seq: 0, alertId: '' };
    log.info('alerting lease taken: this process delivers alerts');
    return true;
  };
  const renewal = setInterval(
    () => {
      if (delivering && !stopping && !lease.renew()) {
        delivering = false;
        log.warn('the alerting lease was taken over: this process stops delivering');
      }
    },
    Math.max(100, Math.floor((options.leaseTtlMs ?? 10_000) / 4)),
  );
  renewal.unref();

  const run = async (): Promise<void> => {
    while (!stopping) {
      try {
        if (!holdsLease()) {
          caughtUp = true; // another process delivers: nothing for this one to catch up with
          await nextWake();
          continue;
        }
        const readNo = ++reads;
        const batch = await readBatch();
        if (batch.length === 0) {
          caughtUp = true;
          for (let i = idleWaiters.length - 1; i >= 0; i--) {
            const w = idleWaiters[i];
            if (w !== undefined && w.after < readNo) {
              idleWaiters.splice(i, 1);
              w.resolve();
            }
          }
          await nextWake();
          continue;
        }
        for (const { seq, alert } of batch) {
          if (stopping) return;
          if (!delivering) break;
          if ((await handle(alert)) === 'interrupted') return;
          cursor = { seq, alertId: alert.id };
          notify(alert.id);
        }
      } catch (err) {
        // A rebuild dropping rm_alerts, a busy database, a failed ledger write: the cursor has
        // not moved past the alert, so the next pass retries it.
        log.error({ err }, 'alerting pass failed; retrying on the next poll');
        await nextWake();
      }
    }
  };

  const onProjected = (_position: number, facts: readonly DerivedFact[]) => {
    if (facts.some((f) => f.kind === 'AlertRaised')) wake();
  };
  runtime.bus.on('projected', onProjected);
  const timer = setInterval(wake, options.pollMs ?? 500);
  timer.unref();
  const running = run();

  return {
    ready: () => caughtUp,
    delivery: (alertId) => ledger.get(alertId),
    idle() {
      if (stopping) return Promise.reject(new Error(STOPPED));
      return new Promise((resolve, reject) => {
        idleWaiters.push({ after: reads, resolve, reject });
        wake();
      });
    },
    waitForAlert(alertId) {
      if (stopping) return Promise.reject(new Error(STOPPED));
      const record = settledRecord(alertId);
      if (record !== undefined) return Promise.resolve(record);
      return new Promise((resolve, reject) => {
        const waiters = alertWaiters.get(alertId) ?? [];
        waiters.push({ resolve, reject });
        alertWaiters.set(alertId, waiters);
      });
    },
    redriveFailed() {
      const count = ledger.redriveFailed();
      if (count > 0) {
        log.info({ count }, 'failed alerts redriven');
        rescan = true;
        wake();
      }
      return count;
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        clearInterval(timer);
        clearInterval(renewal);
        runtime.bus.off('projected', onProjected);
        stopController.abort();
        wake();
        const error = new Error(STOPPED);
        for (const w of idleWaiters.splice(0)) w.reject(error);
        for (const waiters of alertWaiters.values()) for (const w of waiters) w.reject(error);
        alertWaiters.clear();
      }
      await running;
      if (delivering) lease.release();
      delivering = false;
    },
  };
}
