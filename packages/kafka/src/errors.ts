/**
 * Errors of the Kafka adapter: infrastructure failures (STYLE.md "Errors in three kinds"),
 * thrown with a stable `code`, whether retrying may help (`retriable`) and the `cause` —
 * usually the KafkaJS error, whose own `retriable` flag is carried over.
 */
import { EngineError } from '@chanperf/engine';

export type KafkaErrorCode =
  /** The configuration cannot be used (a TLS file is unreadable, …). */
  | 'KAFKA_CONFIG'
  /** Connecting to the brokers failed. */
  | 'KAFKA_CONNECT'
  /** The broker cannot hand out producer ids (e.g. librdkafka's mock cluster). */
  | 'KAFKA_IDEMPOTENCE_UNAVAILABLE'
  /** A produce request failed or was not acknowledged. */
  | 'KAFKA_PUBLISH'
  /** Reading a topic's tail to recover an outbox failed or timed out. */
  | 'KAFKA_RECOVERY'
  /** The consumer crashed and KafkaJS will not restart it. */
  | 'KAFKA_CONSUMER_CRASHED';

/** An infrastructure failure of the Kafka adapter. */
export class KafkaAdapterError extends EngineError {
  declare readonly code: KafkaErrorCode;

  constructor(code: KafkaErrorCode, message: string, retriable: boolean, options?: { cause?: unknown }) {
    super(code, message, retriable, options);
    this.name = 'KafkaAdapterError';
  }
}

/** Whether KafkaJS (or we) marked `err` as worth retrying. */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

/** Wraps any failure as a KafkaAdapterError with `code`, keeping KafkaJS's retriable flag. */
export function kafkaError(code: KafkaErrorCode, what: string, cause: unknown): KafkaAdapterError {
  if (cause instanceof KafkaAdapterError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new KafkaAdapterError(code, `${what}: ${detail}`, isRetriable(cause), { cause });
}
