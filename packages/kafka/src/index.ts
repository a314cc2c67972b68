/**
 * @chanperf/kafka — the Kafka edge of chanperf over KafkaJS: ERP ingress (consumer group,
 * commit after apply), rejected inputs and alerts out through outboxes (each once), derived
 * facts out. See README.md for topics, guarantees and operations.
 */
export * from './config.js';
export * from './errors.js';
export * from './topics.js';
export { createKafka, kafkaClientOptions } from './client.js';
export { connectPublisher, partitionOfKey, type RecordPublisher } from './producer.js';
export { createOutbox, readTailSeqs, type Outbox, type OutboxOptions, type OutboxSource } from './outbox.js';
export * from './ingestionPort.js';
export * from './erpConsumer.js';
export { eventTimeOf } from './eventTime.js';
export {
  EventTimeMerge,
  ORDERINGS,
  type MergedRecord,
  type MergeSource,
  type Ordering,
} from './eventTimeMerge.js';
export * from './publishers.js';
/** KafkaJS's types, for tools and tests that use the client from {@link createKafka}. */
export type { Admin, Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
