/** @chanperf/store-sqlite — the embedded event log, rejected store and read model. */
export * from './sqliteStore.js';
export * from './schema.js';
