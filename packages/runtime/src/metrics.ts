/** Prometheus metrics of one runtime (its own registry, so several can live in one process). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chanperf_' });
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'chanperf_events_accepted_total',
      help: 'Events appended to the log',
      registers: [registry],
    }),
    eventsDuplicate: new Counter({
      name: 'chanperf_events_duplicate_total',
      help: 'Inputs recognised as duplicates',
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'chanperf_events_rejected_total',
      help: 'Inputs rejected, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'chanperf_projection_lag',
      help: 'Log entries not yet applied to the read model',
      registers: [registry],
    }),
    alertsDelivered: new Counter({
      name: 'chanperf_alerts_delivered_total',
      help: 'Alerts delivered, by channel (webhook, log)',
      labelNames: ['via'] as const,
      registers: [registry],
    }),
    webhookFailures: new Counter({
      name: 'chanperf_webhook_failures_total',
      help: 'Failed webhook attempts',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'chanperf_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
