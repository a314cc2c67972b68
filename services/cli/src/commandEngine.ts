/**
 * The embedded engine as one CLI command holds it: the runtime's assembled engine (store,
 * ingestor, projection runner) on one database file, with what the command's steps need —
 * where the file is (a projection thread opens its own connection), the configuration, the
 * logger, and the report.
 */
import type { DeploymentSettings, Report } from '@chanperf/domain';
import { reportOf, reportTextOf, type Ingestor, type ProjectionRunner } from '@chanperf/engine';
import { assembleEngine, type EngineConfig } from '@chanperf/runtime/engine';
import type { SqliteStore } from '@chanperf/store-sqlite';
import type { Logger } from 'pino';

export interface CommandEngine {
  readonly store: SqliteStore;
  readonly ingestor: Ingestor;
  /** The projection in this thread: reports, `project`, `rebuild`. */
  readonly runner: ProjectionRunner;
  /** Where `path` is, for a projection worker's own connection. */
  readonly path: string;
  readonly logger: Logger;
  readonly config: EngineConfig;
  readonly settings: DeploymentSettings;
  report(): Promise<Report>;
  /** The report's JSON text in pieces, for printing without holding it whole. */
  reportText(): AsyncIterable<string>;
  close(): void;
}

/** What a command wants to hear of its engine: each projection batch committed here (progress). */
export interface EngineHooks {
  readonly projected?: (position: number) => void;
}

/** Opens the database at `path` (created when missing) for one command. */
export async function openEngine(
  path: string,
  config: EngineConfig,
  logger: Logger,
  hooks: EngineHooks = {},
): Promise<CommandEngine> {
  // This connection appends, projects (`replay`/`ingest` unless on a projection thread,
  // `project`, `rebuild`) and reads the report.
  const { projected } = hooks;
  const { store, ingestor, runner } = assembleEngine(path, config, 'cli', logger, {
    // A command's read model is read when it is done: batches commit in groups of five
    // ingestion batches (50 000 events by default), the rows they change written once a group
    // (docs/performance.md, eighteenth session: 100 000 kept ~28 MiB more at 10M events).
    commitEvery: 5 * config.batchSize,
    ...(projected === undefined ? {} : { onBatch: (_outputs, position) => projected(position) }),
  });
  await ingestor.init();
  const settings = config.settings;
  return {
    store,
    ingestor,
    runner,
    path,
    logger,
    config,
    settings,
    report: () => reportOf(runner, store.log, store.readStore, store.log, settings),
    reportText: () => reportTextOf(runner, store.log, store.readStore, store.log, settings),
    close: () => store.close(),
  };
}

/** Opens the database at `path`, runs `use` on it, and closes it however `use` ends. */
export async function withEngine<T>(
  path: string,
  config: EngineConfig,
  logger: Logger,
  use: (engine: CommandEngine) => Promise<T>,
  hooks: EngineHooks = {},
): Promise<T> {
  const engine = await openEngine(path, config, logger, hooks);
  try {
    return await use(engine);
  } finally {
    engine.close();
  }
}
