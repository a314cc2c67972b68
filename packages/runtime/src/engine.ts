/**
 * The engine's one configuration and its one assembly. Every process that appends or projects
 * — `chanperf replay`/`ingest`/`report`, the CLI's projection thread, `chanperf serve` — reads
 * its settings through `loadEngineConfig` (zod, from CHANPERF_* variables; flags are applied to
 * the environment first) and builds its store, ingestor and projection runner with
 * `assembleEngine`, so tuning and durability are decided once, by role.
 *
 * Imported on its own (`@chanperf/runtime/engine`) by the projection thread, which needs
 * neither Fastify nor the metrics.
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { z } from 'zod';
import {
  DEFAULT_CURRENCY,
  DEFAULT_TIMEZONE,
  defaultSettings,
  resolveSettings,
  type DeploymentSettings,
} from '@chanperf/domain';
import { Ingestor, ProjectionRunner, type ProjectionRunnerOptions } from '@chanperf/engine';
import { AS_OF_BUILD_HEAP_MB, sqliteStore, type Durability, type SqliteStore } from '@chanperf/store-sqlite';
import type { Logger } from 'pino';
import { LOG_FORMATS, type LogFormat } from './logger.js';

const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number ≥ ${min}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be a whole number ≥ ${min}`));

/** The CHANPERF_* variables of the engine (the services add theirs: `config.ts`). */
export const engineEnvSchema = z.object({
  CHANPERF_TIMEZONE: z.string().default(DEFAULT_TIMEZONE),
  CHANPERF_CURRENCY: z.string().default(DEFAULT_CURRENCY),
  CHANPERF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pino JSON lines (for a log shipper) or pino-pretty's (for a person): `logger.ts`. */
  CHANPERF_LOG_FORMAT: z.enum(LOG_FORMATS, 'must be json or pretty').default('json'),
  /** Events per ingestion transaction (and per projection transaction when set). */
  CHANPERF_BATCH_SIZE: wholeNumber(1).optional(),
  /**
   * How far the CLI's ingestion may run ahead of its projection thread with the batches' payloads
   * handed over (0, the default: none handed over, the thread reads the log back).
   */
  CHANPERF_HAND_OVER_LAG: wholeNumber(0).default(0),
  /**
   * Where `replay`/`ingest` project: a worker thread (both cores busy), the main thread, or
   * `auto`: a worker for a file of 200 000 lines or more (the CLI's `projector.ts`).
   */
  CHANPERF_PROJECTION_THREAD: z
    .enum(['auto', 'worker', 'main'], 'must be auto, worker or main')
    .default('auto'),
  /** What an acknowledged append survives: a power loss (FULL) or a process crash (NORMAL). */
  CHANPERF_DURABILITY: z.enum(['power', 'process'], 'must be power or process').default('power'),
  /** The as-of history build's worker heap limit (MB): a 1M-event log builds within 128. */
  CHANPERF_ASOF_MAX_HEAP_MB: wholeNumber(8).default(AS_OF_BUILD_HEAP_MB),
  /** Parts a fresh rebuild projects at once, each on a thread (1: one thread). */
  CHANPERF_REBUILD_PARTS: z.enum(['1', '2'], 'must be 1 or 2').default('2'),
});

export interface EngineConfig {
  readonly settings: DeploymentSettings;
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  /** Events per ingestion transaction (default 10 000). */
  readonly batchSize: number;
  /**
   * Events per projection transaction: CHANPERF_BATCH_SIZE when set, else 50 000. A batch of a
   * feed spread over many partners touches nearly one month row per event, so larger commits
   * rewrite each row less often (1M events: save 6.8 → 3.8 s, commits 7.5 → 2.6 s).
   */
  readonly projectionBatchSize: number;
  readonly handOverLag: number;
  readonly projectionThread: 'auto' | 'worker' | 'main';
  readonly durability: Durability;
  /** The as-of history build's worker heap limit in MB (CHANPERF_ASOF_MAX_HEAP_MB, default 512). */
  readonly asOfMaxHeapMb: number;
  /** Parts a fresh rebuild projects at once (CHANPERF_REBUILD_PARTS, default 2; 1: one thread). */
  readonly rebuildParts: 1 | 2;
}

/** The configuration of an environment that sets nothing (tests, tools). */
export const defaultEngineConfig: EngineConfig = {
  settings: defaultSettings,
  logLevel: 'info',
  logFormat: 'json',
  batchSize: 10_000,
  projectionBatchSize: 50_000,
  handOverLag: 0,
  projectionThread: 'auto',
  durability: 'power',
  asOfMaxHeapMb: AS_OF_BUILD_HEAP_MB,
  rebuildParts: 2,
};

/** The variables of `schema` present in `env` (empty ones count as unset). */
export function chanperfVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('CHANPERF_') && v !== undefined && v !== '') raw[k] = v;
  return raw;
}

/** Every problem of a zod parse, one per line, each naming its variable. */
export function describeProblems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('\n');
}

/** The engine's part of a parsed environment. */
export function engineConfigOf(c: z.infer<typeof engineEnvSchema>): E.Either<string, EngineConfig> {
  return pipe(
    resolveSettings(c.CHANPERF_TIMEZONE, c.CHANPERF_CURRENCY),
    E.map((settings) => ({
      settings,
      logLevel: c.CHANPERF_LOG_LEVEL,
      logFormat: c.CHANPERF_LOG_FORMAT,
      batchSize: c.CHANPERF_BATCH_SIZE ?? 10_000,
      projectionBatchSize: c.CHANPERF_BATCH_SIZE ?? 50_000,
      handOverLag: c.CHANPERF_HAND_OVER_LAG,
      projectionThread: c.CHANPERF_PROJECTION_THREAD,
      durability: c.CHANPERF_DURABILITY,
      asOfMaxHeapMb: c.CHANPERF_ASOF_MAX_HEAP_MB,
      rebuildParts: c.CHANPERF_REBUILD_PARTS === '1' ? 1 : 2,
    })),
  );
}

/** Reads the engine's configuration; Left carries every problem, one per line. */
export function loadEngineConfig(env: NodeJS.ProcessEnv): E.Either<string, EngineConfig> {
  const parsed = engineEnvSchema.safeParse(chanperfVariables(env));
  return parsed.success ? engineConfigOf(parsed.data) : E.left(describeProblems(parsed.error));
}

/**
 * Who the engine is assembled for, which decides the page caches: the CLI's main thread appends
 * and reads reports (the log goes in position order: 16 MiB is plenty) and writes the read model
 * unless a projection thread does (CHANPERF_PROJECTION_THREAD, for a large file by default).
 * The read model is channels × months of rows (the order and sale indexes are in memory):
 * 16 MiB of read-model cache either way. A `serve` does both in one process.
 */
export type EngineRole = 'cli' | 'projection-thread' | 'serve';

const CACHES: Record<EngineRole, { logCacheMiB: number; readModelCacheMiB?: number }> = {
  cli: { logCacheMiB: 16, readModelCacheMiB: 16 },
  'projection-thread': { logCacheMiB: 8, readModelCacheMiB: 16 },
  serve: { logCacheMiB: 32 },
};

export interface Engine {
  readonly store: SqliteStore;
  readonly ingestor: Ingestor;
  readonly runner: ProjectionRunner;
}

/**
 * Opens the store at `path` (or takes one already open, such as the EventStoreDB log's node
 * store) and builds the ingestor and the projection runner over it.
 * `logger` is both parts' logger, or one each.
 */
export function assembleEngine(
  path: string | SqliteStore,
  config: EngineConfig,
  role: EngineRole,
  logger: Logger | { readonly ingestion: Logger; readonly projection: Logger },
  runner: Omit<ProjectionRunnerOptions, 'batchSize' | 'logger'> = {},
): Engine {
  const loggers = 'ingestion' in logger ? logger : { ingestion: logger, projection: logger };
  const store =
    typeof path !== 'string'
      ? path
      : sqliteStore({
          path,
          settings: config.settings,
          durability: config.durability,
          asOfMaxHeapMb: config.asOfMaxHeapMb,
          rebuildParts: config.rebuildParts,
          ...CACHES[role],
        });
  return {
    store,
    ingestor: new Ingestor(store.log, config.settings, loggers.ingestion),
    runner: new ProjectionRunner(store.log, store.readStore, config.settings, {
      ...runner,
      logger: loggers.projection,
      batchSize: config.projectionBatchSize,
    }),
  };
}
