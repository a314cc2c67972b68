/**
 * The operational endpoints every service serves: /healthz, /readyz, /metrics, /v1/me and
 * /v1/status.
 */
import { z } from 'zod';
import { ROLES, type Role } from './config.js';
import type { App } from './http.js';
import type { Runtime } from './runtime.js';

/** Roles whose keys may read /metrics (partners' keys are held outside; the metrics span every channel). */
const METRICS_ROLES = ['ingest', 'analyst', 'admin'] as const satisfies readonly Role[];

/** `ready` marks the service ready (for /readyz) once it resolves true. */
export function registerOperationalRoutes(app: App, runtime: Runtime, ready: () => Promise<boolean>): void {
  const health = (summary: string, extra: object) => ({
    schema: { tags: ['operations'], summary, security: [], ...extra },
  });
  app.get(
    '/healthz',
    health('Liveness: the process answers (no key needed)', {
      response: { 200: z.object({ status: z.literal('ok') }) },
    }),
    () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    health('Readiness: 200 once the service has opened its store and started, 503 before (no key needed)', {
      response: {
        200: z.object({ status: z.literal('ready') }),
        503: z.object({ status: z.literal('starting') }),
      },
    }),
    async (_request, reply) =>
      (await ready()) ? { status: 'ready' as const } : reply.code(503).send({ status: 'starting' as const }),
  );
  // With keys configured, /metrics needs one (of METRICS_ROLES) unless CHANPERF_METRICS_PUBLIC=true.
  const metricsAccess = runtime.config.metricsPublic ? {} : { roles: METRICS_ROLES };
  const metricsSchema = {
    tags: ['operations'],
    summary:
      'Prometheus metrics (text exposition format); a key of ingest, analyst or admin unless CHANPERF_METRICS_PUBLIC=true',
    ...(runtime.config.metricsPublic ? { security: [] } : {}),
    response: {
      200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    },
  };
  app.get('/metrics', { schema: metricsSchema, config: metricsAccess }, async (_request, reply) => {
    const head = await runtime.store.log.head();
    const projected = await runtime.readModelPosition();
    runtime.metrics.projectionLag.set(head - projected);
    return reply.type(runtime.metrics.registry.contentType).send(await runtime.metrics.registry.metrics());
  });
  app.get(
    '/v1/me',
    {
      config: { roles: ['analyst', 'admin', 'ingest', 'partner'] },
      schema: {
        tags: ['operations'],
        summary: 'Who the key belongs to: its role, and for a partner its channel',
        response: { 200: z.object({ role: z.enum(ROLES), channelId: z.string().optional() }) },
      },
    },
    (request) => request.principal,
  );
  app.get(
    '/v1/status',
    {
      config: { roles: ['analyst', 'admin', 'ingest', 'partner'] },
      schema: {
        tags: ['operations'],
        summary: 'Positions of the log and the read model, and the lag between them',
        response: {
          200: z.object({
            log: z.object({ position: z.number() }),
            projection: z.object({ position: z.number() }),
            lag: z.number(),
          }),
        },
      },
    },
    async () => {
      const log = await runtime.store.log.head();
      // As the queries see it: a reader that saw lag 0 here reads at least that far.
      const projection = await runtime.readModelPosition();
      return { log: { position: log }, projection: { position: projection }, lag: log - projection };
    },
  );
}
