/**
 * The embedded runtime: one SQLite file shared by the services of `chanperf serve` (or by
 * several `serve --only` processes, which WAL allows), the ingestor, the projection runner,
 * the in-process bus of derived facts, and the metrics. With CHANPERF_EVENTSTORE_URL the log is
 * EventStoreDB's instead (`openServiceRuntime`), the rest in the node's own data directory.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploymentSettings, ProjectionState } from '@chanperf/domain';
import { eventStoreDbStore } from '@chanperf/eventstoredb';
import type { Ingestor, ProjectionRunner } from '@chanperf/engine';
import type { SqliteStore } from '@chanperf/store-sqlite';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import { assembleEngine } from './engine.js';
import { derivedFacts, FactBus } from './facts.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface Runtime {
  readonly config: ServiceConfig;
  readonly settings: DeploymentSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bus: FactBus;
  readonly store: SqliteStore;
  readonly dbPath: string;
  /** Lazily created: only the ingestion service appends. */
  ingestor(): Promise<Ingestor>;
  /** The projection runner of this process (used by the projection service). */
  readonly runner: ProjectionRunner;
  /** Whether this process runs the projection (else the read model is reloaded on change). */
  projecting: boolean;
  /**
   * Where the read model stands, as this process last heard from the thread that projects it
   * (`serve`'s projection thread sets it: the position of its last commit while it holds the
   * lease); undefined: ask the read model's file. Spares a query a read of the file.
   */
  projectedPosition: (() => number | undefined) | undefined;
  /** The read model's position: `projectedPosition`'s, else the file's. */
  readModelPosition(): Promise<number>;
  /**
   * The read model with the position it reflects: as of now, or of a load at most a few load
   * times ago when it moved since (never behind a position `readModelPosition` answered).
   */
  readModel(): Promise<{ state: ProjectionState; position: number }>;
  close(): void;
}

/** EventStoreDB's connection string when the log is there (CHANPERF_EVENTSTORE_URL set), else undefined. */
export function eventStoreDbUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.CHANPERF_EVENTSTORE_URL;
  return url === undefined || url === '' ? undefined : url;
}

/**
 * The runtime of `chanperf serve`: over EventStoreDB when `env.CHANPERF_EVENTSTORE_URL` is set
 * (its local index, ledgers and read model in `<data dir>/eventstoredb.db`: each node its own),
 * else over the embedded file. Fails, retriably, while the server cannot be reached.
 */
export async function openServiceRuntime(
  config: ServiceConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<Runtime> {
  const url = eventStoreDbUrl(env);
  if (url === undefined) return openRuntime(config, logger);
  mkdirSync(config.dataDir, { recursive: true });
  const path = join(config.dataDir, 'eventstoredb.db');
  const esdb = await eventStoreDbStore({
    connectionString: url,
    localPath: path,
    settings: config.settings,
    logger: logger.child({ component: 'eventstoredb' }),
  });
  return openRuntime(config, logger, { store: esdb.nodeStore, path });
}

/** The least time between two loads of a moved read model for queries (`Runtime.readModel`). */
const MIN_RELOAD_MS = 100;

export function openRuntime(
  config: ServiceConfig,
  logger: Logger,
  opened?: { readonly store: SqliteStore; readonly path: string },
  /** The least time between two loads of a moved read model (default `MIN_RELOAD_MS`; tests). */
  minReloadMs = MIN_RELOAD_MS,
): Runtime {
  mkdirSync(config.dataDir, { recursive: true });
  const dbPath = opened?.path ?? join(config.dataDir, 'chanperf.db');
  const bus = new FactBus();
  const loggers = {
    ingestion: logger.child({ service: 'ingestion' }),
    projection: logger.child({ service: 'projection' }),
  };
  let closed: number | null | undefined; // the last closed month announced (MonthClosed)
  const engine = assembleEngine(opened?.store ?? dbPath, config.engine, 'serve', loggers, {
    onBatch: (outputs, position) => {
      const facts = derivedFacts(outputs, position, closed);
      closed = outputs.lastClosed;
      bus.emit('projected', position, facts);
    },
  });
  const { store, runner } = engine;
  /** Ready once initialised (only the ingestion service asks for it). */
  let ingestor: Promise<Ingestor> | undefined;
  let cached: { state: ProjectionState; position: number } | undefined;
  let cachedGeneration = 0;
  /** The highest position `readModelPosition` answered: queries after it read at least that far. */
  let promised = 0;
  /** When the read model was last loaded here (performance.now()), and how long that took (ms). */
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loadMs = 0;
  const runtime: Runtime = {
    config,
    settings: config.settings,
    logger,
    metrics: createMetrics(),
    bus,
    store,
    dbPath,
    runner,
    projecting: false,
    ingestor() {
      ingestor ??= (async () => {
        await engine.ingestor.init();
        // While this process projects, its projection takes appended events straight from the
        // ingestor instead of reading them back from the log.
        engine.ingestor.onAppended((appended) => {
          if (runtime.projecting) runner.offer(appended);
        });
        return engine.ingestor;
      })();
      return ingestor;
    },
    projectedPosition: undefined,
    async readModelPosition() {
      const position = runtime.projectedPosition?.() ?? (await store.readStore.position());
      if (position > promised) promised = position;
      return position;
    },
    async readModel() {
      if (runtime.projecting) return { state: await runner.current(), position: runner.checkpoint };
      // The projecting thread's last commit, as heard (loading reads the file as it stands: a
      // commit later, maybe), else the file's position.
      const heard = runtime.projectedPosition?.();
      const position = heard ?? (await store.readStore.position());
      // A rebuild switched to (generation) may answer other figures at the same position.
      const generation = store.readStore.sideBySide?.generation() ?? 0;
      const moved = heard === undefined ? cached?.position !== position : (cached?.position ?? -1) < heard;
      // A load reads the whole state (~0.3 s at 1M events): while the projection commits every
      // 50 ms, loading for every query that follows a commit left the main thread to loads
      // (HTTP ingest 59k → 23k events/s with 10 queries a second). A moved read model is loaded
      // again once loads would take at most a quarter of the time — or at once when
      // `readModelPosition` (/v1/status) answered a position the state does not reach yet.
      const due = performance.now() - loadedAt >= Math.max(minReloadMs, 3 * loadMs);
      const promisedMore = cached !== undefined && cached.position < promised;
      if (cached === undefined || cachedGeneration !== generation || promisedMore || (moved && due)) {
        cachedGeneration = generation;
        const started = performance.now();
        cached = await store.readStore.load();
        loadedAt = performance.now();
        loadMs = loadedAt - started;
      }
      return cached;
    },
    close() {
      store.close();
    },
  };
  return runtime;
}
