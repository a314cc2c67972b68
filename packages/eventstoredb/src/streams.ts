/**
 * Stream naming. Every accepted event goes to ONE stream, `<ns>-log`, appended with the
 * expected revision the node's index holds (the server's optimistic concurrency is what makes
 * the log the authority on acceptance across nodes). Logs written by earlier versions put
 * channel events in `<ns>-channel-<channelId>` and program events in `<ns>-program`; they are
 * still read, since the feed reads `$all` filtered on the `<ns>-` prefix. With the default
 * namespace `chanperf`, EventStoreDB's `$by_category` projection puts them all in the
 * `$ce-chanperf` category.
 */
import { EngineError } from '@chanperf/engine';

export const DEFAULT_NAMESPACE = 'chanperf';

/**
 * A namespace is lower-case letters and digits, without a dash, so that no namespace's prefix
 * (`chanperf-`) is the prefix of another's streams (`chanperf2-…` does not start with it).
 */
const NAMESPACE = /^[a-z][a-z0-9]{0,39}$/;

export function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) {
    throw new EngineError(
      'ESDB_BAD_NAMESPACE',
      `stream namespace "${namespace}" must be 1-40 lower-case letters and digits, starting with a letter`,
      false,
    );
  }
  return namespace;
}

/** The prefix every stream of the namespace starts with (the subscription's filter). */
export function streamPrefix(namespace: string): string {
  return `${namespace}-`;
}

/** The stream every accepted event is appended to. */
export function logStream(namespace: string): string {
  return `${namespace}-log`;
}

/** The stream an entry went to in the per-channel layout of earlier versions (read, not written). */
export function streamOf(namespace: string, channelId: string | null): string {
  return channelId === null ? `${namespace}-program` : `${namespace}-channel-${channelId}`;
}
