/**
 * The composition root of the embedded deployment (`chanperf serve`: commands/serve.ts). Runs
 * the ingestion, projection, alerting and query services in one process on one SQLite file, or
 * one of them with `--only NAME` (several such processes may share the data directory).
 */
import { isMainThread, resourceLimits } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { startAlerting, type AlertingService } from '@chanperf/alerting';
import { createIngestion, registerIngestionRoutes } from '@chanperf/ingestion';
import {
  loadKafkaConfig,
  type KafkaConfig,
  serviceErpIngestion,
  startAlertsPublisher,
  startErpConsumer,
  startPerformancePublisher,
} from '@chanperf/kafka';
import { startProjection, type ProjectionService } from '@chanperf/projection';
import { registerQueryRoutes } from '@chanperf/query';
import { registerWebRoutes } from '@chanperf/web';
import {
  createHttpServer,
  eventStoreDbUrl,
  loadConfig,
  openServiceRuntime,
  type App,
  type Runtime,
} from '@chanperf/runtime';
import { createLogger } from '@chanperf/runtime/logger';
import { startProjectionThread } from './serveProjectionThread.js';
import { SERVICES, type ServiceName } from './serviceNames.js';

export interface Server {
  readonly url: string;
  readonly runtime: Runtime;
  readonly app: App;
  readonly projection: ProjectionService | undefined;
  readonly alerting: AlertingService | undefined;
  /** Graceful shutdown: stop taking requests, finish in-flight work, close the database. */
  close(): Promise<void>;
}

export class ConfigError extends Error {}

/** What `startServer` has started so far: the HTTP server, and the services, first to stop first. */
interface StartedParts {
  app?: App;
  readonly stoppers: { stop(): Promise<void> }[];
}

/**
 * The projection service: one `serve` of every service projects on a thread of its own
 * (serveProjectionThread.ts), so that ingestion and projection use both cores; `--only
 * projection` (a process of its own already), CHANPERF_SERVE_PROJECTION_THREAD=main and the
 * EventStoreDB log (its node store is this thread's) project on this thread.
 */
async function projectionService(
  runtime: Runtime,
  options: { env: NodeJS.ProcessEnv; only?: ServiceName | undefined },
  maxLag: number,
): Promise<ProjectionService> {
  const what = `chanperf serve${options.only === undefined ? '' : ' --only projection'} (pid ${process.pid})`;
  const threaded =
    options.only === undefined &&
    runtime.config.serveProjectionThread === 'worker' &&
    eventStoreDbUrl(options.env) === undefined;
  if (!threaded) return startProjection(runtime, { maxLag, what });
  // Listening only once the thread has tried the lease, as the main thread's projection has by
  // then: a process started after this one sees who projects.
  const thread = startProjectionThread(runtime, { env: options.env, maxLag, what });
  // The queries and /v1/status take the read model's position from the thread, not the file.
  runtime.projectedPosition = () => thread.projectedPosition();
  await thread.started();
  return thread;
}

export async function startServer(options: {
  env: NodeJS.ProcessEnv;
  only?: ServiceName | undefined;
  logger?: Logger;
}): Promise<Server> {
  const config = loadConfig(options.env);
  if (E.isLeft(config)) throw new ConfigError(config.left);
  // CHANPERF_KAFKA_BROKERS switches the edges to Kafka: ERP ingress, derived facts, alerts.
  const kafkaConfig = loadKafkaConfig(options.env);
  if (E.isLeft(kafkaConfig)) throw new ConfigError(kafkaConfig.left);
  const kafka = kafkaConfig.right;
  const logger =
    options.logger ??
    createLogger({
      service: options.only ?? 'serve',
      level: config.right.logLevel,
      format: config.right.engine.logFormat,
    });
  const runtime = await openServiceRuntime(config.right, logger, options.env);

  // What has started, stopped in this order by `close` — and by a start that fails half-way
  // (a port in use): the projection thread, the leases' timers and the database would otherwise
  // keep the process alive after it said it failed.
  const parts: StartedParts = { stoppers: [] };
  const closeAll = async () => {
    await parts.app?.close();
    for (const part of parts.stoppers) await part.stop();
    runtime.close();
  };
  try {
    const started = await startServices(runtime, { ...options, kafka, logger }, parts);
    let closing: Promise<void> | undefined;
    return {
      ...started,
      runtime,
      close() {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (err) {
    await closeAll().catch((closeErr: unknown) =>
      logger.warn({ err: closeErr }, 'serve: closing what had started failed too'),
    );
    throw err;
  }
}

/**
 * The services of `runtime` (those `options.only` names), then the HTTP server listening; each
 * part is put in `parts` as it starts, first to stop first.
 */
async function startServices(
  runtime: Runtime,
  options: {
    env: NodeJS.ProcessEnv;
    only?: ServiceName | undefined;
    kafka: KafkaConfig | undefined;
    logger: Logger;
  },
  parts: StartedParts,
): Promise<Omit<Server, 'runtime' | 'close'>> {
  const { kafka, logger } = options;
  const runs = (name: ServiceName) => options.only === undefined || options.only === name;
  const started = <T extends { stop(): Promise<void> }>(part: T): T => {
    parts.stoppers.unshift(part);
    return part;
  };
  const maxLag = runtime.config.readyMaxLag;
  const projection = runs('projection')
    ? started(await projectionService(runtime, options, maxLag))
    : undefined;
  // Ready: the projection can advance and the read model trails the log by at most `maxLag`.
  const ready = async () => {
    if (projection !== undefined) return projection.ready();
    if (!runs('query')) return true;
    return (await runtime.store.log.head()) - (await runtime.store.readStore.position()) <= maxLag;
  };
  const app = await createHttpServer(runtime, { ready });
  parts.app = app;
  if (runs('ingestion')) await registerIngestionRoutes(app, runtime);
  if (runs('query')) {
    await registerQueryRoutes(app, runtime, {
      // what-if programs (issue 18)
      whatIf: { timeoutMs: runtime.config.whatIfTimeoutMs, maxHeapMb: runtime.config.whatIfMaxHeapMb },
    });
    await registerWebRoutes(app, runtime);
  }
  const alerting = runs('alerting') ? started(startAlerting(runtime)) : undefined;
  if (kafka !== undefined && runs('projection')) started(await startPerformancePublisher(runtime, kafka));
  if (kafka !== undefined && runs('alerting')) started(await startAlertsPublisher(runtime, kafka));
  if (kafka !== undefined && runs('ingestion')) {
    started(
      await startErpConsumer(runtime, kafka, { ingestion: serviceErpIngestion(runtime, createIngestion) }),
    );
  }

  await app.listen({ host: runtime.config.host, port: runtime.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : runtime.config.port;
  const host = runtime.config.host.includes(':') ? `[${runtime.config.host}]` : runtime.config.host;
  const url = `http://${host}:${port}`;
  // Whatever the level short of silent (a child's own): whoever started it learns where it
  // listens from its stderr, a JSON line like the others (a space after the URL ends it).
  const services = options.only ?? SERVICES.join(',');
  (logger.level === 'silent' ? logger : logger.child({}, { level: 'info' })).info(
    {
      url,
      services,
      dataDir: runtime.config.dataDir,
      // Where the services run (commands/serve.ts): V8's own answer, not the setting.
      thread: isMainThread ? 'main' : 'worker',
      youngGenerationMb: resourceLimits.maxYoungGenerationSizeMb ?? null,
    },
    `chanperf: serving on ${url} (${services})`,
  );
  return { url, app, projection, alerting };
}
