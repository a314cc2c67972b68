/**
 * The store's SQLite connections, kept out of its public interface: adapters and services
 * meet through ports (DESIGN.md "Ports"), never through a shared database handle. Product code
 * may not import `sqliteConnections` (ESLint, eslint.config.js); tests that need the store's
 * own connection (a per-connection pragma such as `max_page_count`) may.
 */
import type { Database } from 'better-sqlite3';

export interface SqliteConnections {
  /** The log's file: events, rejected inputs, ingestion and delivery ledgers, outboxes. */
  readonly log: Database;
  /** The read model's file (`readModelPath`). */
  readonly readModel: Database;
}

const registry = new WeakMap<object, SqliteConnections>();

/** Records `store`'s connections; answers `store`. */
export function withConnections<T extends object>(store: T, connections: SqliteConnections): T {
  registry.set(store, connections);
  return store;
}

/**
 * For tests only: the connections of a store opened by `sqliteStore`. Product code reaches the
 * store through its ports; ESLint refuses this import outside tests and store-sqlite.
 */
export function sqliteConnections(store: object): SqliteConnections {
  const connections = registry.get(store);
  if (connections === undefined) throw new Error('not a store opened by sqliteStore');
  return connections;
}

/** `make`'s result, made on first call. */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
