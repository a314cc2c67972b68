/**
 * The store `export` reads and `import` writes, either one: the embedded SQLite file
 * (`--db PATH`), or EventStoreDB (`--eventstore URL --db LOCAL.db`, the node's local file,
 * where the ingestion ledgers live beside the remote log). Both are used through the engine's
 * ports only, so the same code moves a log either way.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeploymentSettings } from '@chanperf/domain';
import type {
  EventLog,
  Feed,
  LogEntry,
  RejectedBytes,
  RejectedStore,
  SourceCheckpoint,
} from '@chanperf/engine';
import { eventStoreDbStore } from '@chanperf/eventstoredb';
import { sqliteStore } from '@chanperf/store-sqlite';
import { needDb, type CommandLine } from '../commandLine.js';

export interface MovableStore {
  readonly log: EventLog & Feed & RejectedStore & RejectedBytes;
  /** The ledgers' source checkpoints that belong to the data (not the store's own bookkeeping). */
  checkpoints(): SourceCheckpoint[];
  /** `database x.db` or `EventStoreDB esdb://…`, for messages. */
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Checkpoints a store keeps for itself, which describe that store and not the data: the
 * EventStoreDB adapter's `$all` position and commit markers, and import markers.
 */
const OWN_KEYS = /^(eventstoredb:|import:)/;

/** Opens the store the command line names, with `settings` (a store made with others is refused). */
export async function openMovableStore(
  commandLine: CommandLine,
  settings: DeploymentSettings,
  mustExist: boolean,
): Promise<MovableStore> {
  const url = commandLine.values.eventstore;
  // An import creates the database, and the folder it goes in (a node's data directory).
  if (!mustExist) mkdirSync(dirname(needDb(commandLine, false)), { recursive: true });
  const checkpoints = (all: SourceCheckpoint[]) => all.filter((c) => !OWN_KEYS.test(c.key));
  if (url === undefined) {
    const path = needDb(commandLine, mustExist);
    const store = sqliteStore({ path, settings });
    return {
      log: store.log,
      checkpoints: () => checkpoints(store.sourceCheckpoints()),
      name: `database ${path}`,
      close: () => Promise.resolve(store.close()),
    };
  }
  const localPath = needDb(commandLine, false);
  const esdb = await eventStoreDbStore({
    connectionString: url,
    localPath,
    settings,
    follow: false,
    logger: commandLine.logger.child({ component: 'eventstoredb' }),
  });
  return {
    log: esdb.log,
    checkpoints: () => checkpoints(esdb.nodeStore.sourceCheckpoints()),
    name: `EventStoreDB ${redacted(url)}`,
    close: () => esdb.close(),
  };
}

/** The connection string without a password (it may carry `user:password@`). */
function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@');
}

/** The target's entries at the positions of `entries` (consecutive). */
export async function readRange(store: MovableStore, entries: readonly LogEntry[]): Promise<LogEntry[]> {
  const first = entries[0];
  if (first === undefined) return [];
  const got = await store.log.read(first.position - 1, entries.length);
  if (got.length !== entries.length) {
    throw new Error(
      `${store.name}: positions ${first.position}…: ${got.length} entries, not ${entries.length}`,
    );
  }
  return got;
}
