/**
 * Client failures as the engine's `EngineError`s (a `code`, `retriable`, the original as
 * `cause`), so no EventStoreDB error type crosses the package boundary.
 */
import { EngineError } from '@chanperf/engine';

/** Client error types (`CommandError.type`) after which trying again may succeed. */
const TRANSIENT = new Set([
  'unavailable',
  'deadline-exceeded',
  'timeout',
  'not-leader',
  'cancelled',
  'unknown',
]);

const CODES: Readonly<Record<string, string>> = {
  'access-denied': 'ESDB_ACCESS_DENIED',
  'stream-deleted': 'ESDB_STREAM_DELETED',
  'maximum-append-size-exceeded': 'ESDB_APPEND_TOO_LARGE',
  'wrong-expected-version': 'ESDB_WRONG_EXPECTED_VERSION',
  'invalid-argument': 'ESDB_INVALID_ARGUMENT',
};

/** Wraps whatever an EventStoreDB call threw; `operation` says what was being done. */
export function toEngineError(operation: string, cause: unknown): EngineError {
  if (cause instanceof EngineError) return cause;
  const type =
    typeof cause === 'object' && cause !== null && 'type' in cause ? String(cause.type) : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (type === undefined || TRANSIENT.has(type)) {
    // Untyped errors are transport failures (sockets, gRPC channel) more often than not.
    return new EngineError('ESDB_UNAVAILABLE', `EventStoreDB ${operation} failed: ${message}`, true, {
      cause,
    });
  }
  return new EngineError(
    CODES[type] ?? 'ESDB_FAILED',
    `EventStoreDB ${operation} failed: ${message}`,
    false,
    {
      cause,
    },
  );
}

/** Runs an EventStoreDB call, mapping its failure. */
export async function esdbCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw toEngineError(operation, cause);
  }
}
