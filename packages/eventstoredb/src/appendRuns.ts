/**
 * Splits a batch into appends. The log order of a batch must survive (a `PeriodClosed` in
 * `<ns>-program` decides whether a later sale is late), and EventStoreDB only orders the events
 * of one append, so a batch becomes runs of consecutive entries of the same stream, appended
 * one after the other. A run is also cut before it would exceed `maxBytes`, under the server's
 * default maximum append size (1 MiB).
 */
import type { EventData } from '@eventstore/db-client';
import type { NewLogEntry } from '@chanperf/engine';
import { encodeEntry } from './codec.js';
import { streamOf } from './streams.js';

export interface AppendRun {
  readonly stream: string;
  readonly entries: readonly NewLogEntry[];
  readonly events: EventData[];
}

/** Room left per event for its id, type, metadata and framing. */
const OVERHEAD_BYTES = 512;

export const DEFAULT_MAX_APPEND_BYTES = 512 * 1024;

export function appendRuns(
  namespace: string,
  entries: readonly NewLogEntry[],
  maxBytes = DEFAULT_MAX_APPEND_BYTES,
): AppendRun[] {
  const runs: { stream: string; entries: NewLogEntry[]; events: EventData[]; bytes: number }[] = [];
  for (const entry of entries) {
    const stream = streamOf(namespace, entry.channelId);
    const bytes = Buffer.byteLength(entry.payload, 'utf8') + OVERHEAD_BYTES;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.stream === stream && last.bytes + bytes <= maxBytes) {
      last.entries.push(entry);
      last.events.push(encodeEntry(namespace, entry));
      last.bytes += bytes;
    } else {
      runs.push({ stream, entries: [entry], events: [encodeEntry(namespace, entry)], bytes });
    }
  }
  return runs.map(({ stream, entries: es, events }) => ({ stream, entries: es, events }));
}
