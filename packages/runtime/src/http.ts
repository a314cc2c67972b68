/**
 * The HTTP server shared by the services: Fastify (pino inside) with zod-typed routes, an
 * OpenAPI document generated from the zod schemas, API-key authorization (httpAuth.ts), clear
 * JSON errors (httpErrors.ts), request metrics, and the operational endpoints (/healthz,
 * /readyz, /metrics, /v1/status: operationalRoutes.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installAuthorization } from './httpAuth.js';
import { installHttpConventions, openApiTransform } from './httpConventions.js';
import { installErrorHandlers } from './httpErrors.js';
import { registerOperationalRoutes } from './operationalRoutes.js';
import type { Runtime } from './runtime.js';

export { canReadChannel, type Principal } from './httpAuth.js';
export { errorSchema, sendError, storageFullError } from './httpErrors.js';

export const BODY_LIMIT = 10 * 1024 * 1024;

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

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

/**
 * A Fastify app with everything the services share installed; each service registers its
 * routes on it and listens.
 */
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

  await registerOpenApi(app, runtime);
  await registerCors(app, runtime.config.corsOrigins);
  installAuthorization(app, runtime.config.apiKeys);
  installRequestMetrics(app, runtime);
  installErrorHandlers(app, runtime);
  await installHttpConventions(app);
  registerOperationalRoutes(app, runtime, options.ready);
  return app;
}

/**
 * CORS for the configured origins only (CHANPERF_CORS_ORIGINS; none: not registered, no
 * header, no preflight). Before authorization: a browser's preflight carries no key. The page
 * on another origin may read the headers it needs for exports and caching.
 */
async function registerCors(app: App, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: [...origins],
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'accept', 'if-none-match', 'last-event-id'],
    exposedHeaders: ['content-disposition', 'etag', 'link', 'x-chanperf-position'],
    maxAge: 600,
  });
}

/** The OpenAPI document (from the routes' zod schemas) and its page at /docs. */
async function registerOpenApi(app: App, runtime: Runtime): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'chanperf',
        description: 'Channel performance engine: growth, rebates, tiers and alerts for channel partners.',
        version: '0.1.0',
      },
      // Relative: the document is served by the server it describes.
      servers: [{ url: '/', description: 'this server' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: runtime.config.apiKeys.length > 0 ? [{ bearer: [] }] : [],
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

/** Every response's duration, by method, route and status. */
function installRequestMetrics(app: App, runtime: Runtime): void {
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
}
