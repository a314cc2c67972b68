/**
 * The alerting service: delivers the alerts of spec §5, in the order they were raised, to the
 * log and to the webhook, at least once each, and never again once delivered.
 *
 * This module is the delivery loop; beside it: delivering one alert (alertDelivery.ts), the
 * ledger of what happened to each (deliveryLedger.ts), the cursor over the alert log
 * (alertLogCursor.ts), the lease (deliveryLease.ts) and the callers waiting (alertWaiters.ts).
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
import type { DerivedFact, Runtime } from '@chanperf/runtime';
import { deliverAlert, recordRaised, type AlertDeliveryDeps } from './alertDelivery.js';
import { alertLogCursor, type AlertLogCursor } from './alertLogCursor.js';
import { alertWaiters, type AlertWaiters } from './alertWaiters.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { deliveryLease, type DeliveryLease } from './deliveryLease.js';
import { deliveryLedger, type DeliveryRecord } from './deliveryLedger.js';
import { redactUrl } from './redact.js';
import type { WebhookTarget } from './webhook.js';

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

const STOPPED = 'alerting stopped';

/** What the alerting service uses of the runtime. */
export type AlertingDeps = Pick<Runtime, 'store' | 'bus' | 'config' | 'metrics' | 'logger'>;

/** Starts the alerting service on `runtime`; stop it before closing the runtime. */
export function startAlerting(runtime: AlertingDeps, options: AlertingOptions = {}): AlertingService {
  const log = runtime.logger.child({ service: 'alerting' });
  const ledger = deliveryLedger(runtime.store.deliveryLedger());
  const webhook: WebhookTarget | undefined = runtime.config.webhook;
  logWebhookSetup(webhook, log);

  const stopController = new AbortController();
  const alerts = alertLogCursor(runtime.store, options.batchSize ?? 100, log);
  const loop: DeliveryLoop = {
    delivery: {
      ledger,
      webhook,
      client: {
        fetch: options.fetch ?? globalThis.fetch,
        attemptTimeoutMs: options.attemptTimeoutMs ?? 10_000,
      },
      policy: backoffPolicy(options),
      metrics: runtime.metrics,
      log,
      stopping: () => loop.stopping,
      stopSignal: stopController.signal,
    },
    alerts,
    waiters: alertWaiters(ledger, webhook !== undefined),
    wakeUps: wakeSignal(() => loop.stopping),
    lease: deliveryLease(runtime.store, options.leaseTtlMs ?? 10_000, log, () => alerts.reset()),
    log,
    stopping: false,
    caughtUp: false,
    reads: 0,
  };
  const { waiters, wakeUps, lease } = loop;

  const onProjected = (_position: number, facts: readonly DerivedFact[]) => {
    if (facts.some((f) => f.kind === 'AlertRaised')) wakeUps.wake();
  };
  runtime.bus.on('projected', onProjected);
  const timer = setInterval(wakeUps.wake, options.pollMs ?? 500);
  timer.unref();
  const running = runDeliveryLoop(loop);

  return {
    ready: () => loop.caughtUp,
    delivery: (alertId) => ledger.get(alertId),
    idle() {
      if (loop.stopping) return Promise.reject(new Error(STOPPED));
      const idle = waiters.idle(loop.reads);
      wakeUps.wake();
      return idle;
    },
    waitForAlert(alertId) {
      if (loop.stopping) return Promise.reject(new Error(STOPPED));
      return waiters.waitForAlert(alertId);
    },
    redriveFailed() {
      const count = ledger.redriveFailed();
      if (count > 0) {
        log.info({ count }, 'failed alerts redriven');
        alerts.rescan();
        wakeUps.wake();
      }
      return count;
    },
    async stop() {
      if (!loop.stopping) {
        loop.stopping = true;
        clearInterval(timer);
        lease.stopRenewing();
        runtime.bus.off('projected', onProjected);
        stopController.abort();
        wakeUps.wake();
        waiters.rejectAll(new Error(STOPPED));
      }
      await running;
      lease.release();
    },
  };
}

/** The delivery loop: its parts, and the state it shares with the service's methods. */
interface DeliveryLoop {
  readonly delivery: AlertDeliveryDeps;
  readonly alerts: AlertLogCursor;
  readonly waiters: AlertWaiters;
  readonly wakeUps: WakeSignal;
  readonly lease: DeliveryLease;
  readonly log: Runtime['logger'];
  /** Set by `stop()`: the loop ends after the alert in hand. */
  stopping: boolean;
  /** The loop has caught up with the alert log at least once (or another process delivers). */
  caughtUp: boolean;
  /** Reads of the alert log so far: `idle()` waits for one after its call. */
  reads: number;
}

/**
 * Until stopped: while this process holds the lease, reads the alert log after the cursor and
 * delivers each alert in raised order; waits for a wake-up once it finds nothing more.
 */
async function runDeliveryLoop(loop: DeliveryLoop): Promise<void> {
  const { alerts, waiters, wakeUps, lease } = loop;
  while (!loop.stopping) {
    try {
      if (!lease.acquire()) {
        loop.caughtUp = true; // another process delivers: nothing for this one to catch up with
        await wakeUps.next();
        continue;
      }
      const readNo = ++loop.reads;
      const batch = await alerts.next();
      if (batch.length === 0) {
        loop.caughtUp = true;
        waiters.caughtUp(readNo);
        await wakeUps.next();
        continue;
      }
      if (loop.stopping) return;
      if (!lease.delivering()) continue;
      recordRaised(
        loop.delivery,
        batch.map((b) => b.alert),
      );
      // Without a webhook the log is the delivery: recordRaised logged and settled them all (one
      // commit), so asking the ledger about each again would only answer 'settled'.
      const settled = loop.delivery.webhook === undefined;
      for (const { seq, alert } of batch) {
        if (loop.stopping) return;
        if (!lease.delivering()) break;
        if (!settled && (await deliverAlert(loop.delivery, alert)) === 'interrupted') return;
        alerts.handled(seq, alert.id);
        waiters.handled(alert.id);
      }
    } catch (err) {
      // A rebuild dropping rm_alerts, a busy database, a failed ledger write: the cursor has
      // not moved past the alert, so the next pass retries it.
      loop.log.error({ err }, 'alerting pass failed; retrying on the next poll');
      await wakeUps.next();
    }
  }
}

function backoffPolicy(options: AlertingOptions): BackoffPolicy {
  return {
    initialDelayMs: options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    maxElapsedMs: options.maxElapsedMs ?? DEFAULT_BACKOFF.maxElapsedMs,
    random: options.random ?? Math.random,
  };
}

function logWebhookSetup(webhook: WebhookTarget | undefined, log: Runtime['logger']): void {
  if (webhook === undefined) {
    log.info('no webhook configured (CHANPERF_WEBHOOK_URL): alerts go to the log only');
  } else {
    log.info({ webhook: redactUrl(webhook.url) }, 'delivering alerts to the webhook and the log');
    if (webhook.secret === undefined) {
      log.warn('CHANPERF_WEBHOOK_SECRET is not set: webhook requests are sent without a signature');
    }
  }
}

/**
 * Wake-ups of the delivery loop (a projected alert, the poll timer, a caller): a flag plus the
 * resolver of the one waiting loop, so a wake-up while the loop is busy is not lost.
 */
interface WakeSignal {
  readonly wake: () => void;
  /** Resolves at the next wake-up (at once when one is pending, or the service is stopping). */
  next(): Promise<void>;
}

function wakeSignal(stopping: () => boolean): WakeSignal {
  let wakePending = false;
  let wakeLoop: (() => void) | undefined;
  return {
    wake() {
      wakePending = true;
      const resume = wakeLoop;
      wakeLoop = undefined;
      resume?.();
    },
    next() {
      if (wakePending || stopping()) {
        wakePending = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        wakeLoop = () => {
          wakePending = false;
          resolve();
        };
      });
    },
  };
}
