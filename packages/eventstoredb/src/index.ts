/**
 * @chanperf/eventstoredb — the EventLog and Feed ports over EventStoreDB (the distributed log).
 * Only engine types cross this boundary; the client's types stay inside.
 */
export { eventStoreDbStore, type EventStoreDbConfig, type EventStoreDbStore } from './eventStoreDbStore.js';
export type { EsdbLogger } from './client.js';
export { esdbEventId, uuidV5, CHANPERF_UUID_NAMESPACE } from './eventIds.js';
export { DEFAULT_NAMESPACE, streamOf, streamPrefix } from './streams.js';
