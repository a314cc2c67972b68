/**
 * The HTTP server shared by the services: Fastify (pino inside) with zod-typed routes, an
 * OpenAPI document generated from the zod schemas, API-key authorization, clear JSON errors,
 * request metrics, and the operational endpoints (/healthz, /readyz, /metrics, /v1/status).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES, type ApiKey, type Role } from './config.js';
import type { Runtime } from './runtime.js';

export const BODY_LIMIT = 10 * 1024 * 1024;

/** Who is calling: the key's role, and for a partner its channel. */
export interface Principal {
  readonly role: Role;
  readonly channelId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent = public (health, docs). */
    roles?: readonly Role[];
  }
}

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/** 403 unless the principal may read `channelId` (partners only their own). */
export function canReadChannel(request: FastifyRequest, channelId: string): boolean {
  const p = request.principal;
  return p.role !== 'partner' || p.channelId === channelId;
}

/**
 * The key a bearer token belongs to. Every configured key is compared with the candidate, with
 * no early exit, by `timingSafeEqual` over SHA-256 digests: neither where the first difference
 * is, nor the length of a key, nor which key matched shows in the time taken.
 */
export function apiKeyMatcher(keys: readonly ApiKey[]): (candidate: string) => ApiKey | undefined {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  const digests = keys.map((key) => ({ key, digest: sha256(key.key) }));
  return (candidate) => {
    const given = sha256(candidate);
    let found: ApiKey | undefined;
    for (const d of digests) {
      const equal = timingSafeEqual(d.digest, given);
      if (equal && found === undefined) found = d.key;
    }
    return found;
  };
}

/**
 * The error saying that the storage is full — SQLite's SQLITE_FULL (the disk, or the
 * database's size limit), or ENOSPC — looked up along the `cause` chain (the store wraps it,
 * e.g. as an EngineError APPEND_FAILED); undefined for any other error.
 */
export function storageFullError(
  err: unknown,
): { readonly code: string; readonly message?: unknown } | undefined {
  const seen = new Set<unknown>(); // a cycle of causes ends the walk
  let e: unknown = err;
  while (typeof e === 'object' && e !== null && !seen.has(e)) {
    seen.add(e);
    const found = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (found.code === 'SQLITE_FULL' || found.code === 'ENOSPC')
      return found as { code: string; message?: unknown };
    e = found.cause;
  }
  return undefined;
}

/** Roles whose keys may read /metrics (partners' keys are held outside; the metrics span every channel). */
const METRICS_ROLES = ['ingest', 'analyst', 'admin'] as const satisfies readonly Role[];

/**
 * A request (headers and body) must arrive within `ms` (CHANPERF_HTTP_BODY_TIMEOUT_MS), or
 * Node answers 408 and closes the connection: a slow body does not hold a socket for Node's
 * default 300 s. Node checks its connections every `connectionsCheckingInterval`, so the check
 * runs often enough for the timeout to fire within about a tenth of it.
 */
function bodyTimeouts(ms: number) {
  return {
    requestTimeout: ms,
    http: {
      requestTimeout: ms,
      headersTimeout: Math.min(60_000, ms),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(ms / 10))),
    },
  };
}

export interface HttpOptions {
  /** Mark ready (for /readyz) once this resolves true. */
  readonly ready: () => Promise<boolean>;
}

export async function createHttpServer(runtime: Runtime, options: HttpOptions): Promise<App> {
  const app = Fastify({
    // pino's Logger is Fastify's logger; the cast bridges the two packages' declarations.
    loggerInstance: runtime.logger.child({ service: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    ...bodyTimeouts(runtime.config.httpBodyTimeoutMs),
    // Per-request logs would double the metrics; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'chanperf',
        description: 'Channel performance engine: growth, rebates, tiers and alerts for channel partners.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: runtime.config.apiKeys.length > 0 ? [{ bearer: [] }] : [],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const keyOf = apiKeyMatcher(runtime.config.apiKeys);
  const withKeys = runtime.config.apiKeys.length > 0;
  // Set by the onRequest hook below on every route that declares roles.
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    if (!withKeys) {
      request.principal = { role: 'admin' };
      return;
    }
    const header = request.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? keyOf(header.slice(7).trim()) : undefined;
    if (key === undefined)
      return sendError(reply, 401, 'UNAUTHORIZED', 'a valid API key is required (Authorization: Bearer KEY)');
    request.principal =
      key.channelId === undefined ? { role: key.role } : { role: key.role, channelId: key.channelId };
    if (!roles.includes(key.role) && key.role !== 'admin') {
      return sendError(reply, 403, 'FORBIDDEN', `the ${key.role} role may not use this endpoint`);
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    runtime.metrics.requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(
    (err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      const full = storageFullError(err);
      if (full !== undefined) {
        // The request's transaction was rolled back: nothing of it was stored. An operator
        // has to act; one line, no stack.
        request.log.error(
          { code: full.code, reason: String(full.message), db: runtime.dbPath },
          'storage full',
        );
        return sendError(
          reply,
          507,
          'STORAGE_FULL',
          'the storage is full: nothing of this request was stored; send it again once space has been freed',
        );
      }
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err }, 'request failed');
        return sendError(reply, 500, 'INTERNAL', 'internal error');
      }
      const code =
        err.validation !== undefined
          ? 'BAD_REQUEST'
          : status === 413
            ? 'PAYLOAD_TOO_LARGE'
            : status === 415
              ? 'UNSUPPORTED_MEDIA_TYPE'
              : (err.code ?? 'BAD_REQUEST');
      return sendError(reply, status, code, err.message);
    },
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url}`),
  );

  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) =>
    (await options.ready()) ? { status: 'ready' } : reply.code(503).send({ status: 'starting' }),
  );
  // With keys configured, /metrics needs one (of METRICS_ROLES) unless CHANPERF_METRICS_PUBLIC=true.
  const metricsAccess = runtime.config.metricsPublic ? {} : { roles: METRICS_ROLES };
  app.get('/metrics', { schema: { hide: true }, config: metricsAccess }, async (_request, reply) => {
    const head = await runtime.store.log.head();
    const projected = await runtime.store.readStore.position();
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
      const projection = await runtime.store.readStore.position();
      return { log: { position: log }, projection: { position: projection }, lag: log - projection };
    },
  );
  return app;
}
