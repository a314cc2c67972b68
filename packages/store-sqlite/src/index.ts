/** @chanperf/store-sqlite — the embedded event log, rejected store and read model. */
export * from './sqliteStore.js';
export * from './schema.js';
export { SqliteLease } from './leases.js';
export {
  AS_OF_BUILD_HEAP_MB,
  asOfWorkerBuilder,
  type AsOfWorkerBuilder,
  type AsOfWorkerOptions,
} from './asOfInWorker.js';
export { scratchProjectionIndex } from './scratchIndex.js';
/** For tests only (ESLint refuses it in product code): the store's own SQLite connections. */
export { sqliteConnections, type SqliteConnections } from './connections.js';
