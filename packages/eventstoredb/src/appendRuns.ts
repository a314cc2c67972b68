/**
 * Splits a batch into appends to the log stream (`<ns>-log`). The order of a batch is kept: the
 * appends go one after the other, each with the revision the previous one left as its expected
 * revision (see `logWriter.ts`). An append is cut before it would exceed `maxBytes`, under the
 * server's default maximum append size (1 MiB).
 */
import type { EventData } from '@eventstore/db-client';
import type { NewLogEntry } from '@chanperf/engine';
import { encodeEntry } from './codec.js';

export interface AppendRun {
  readonly entries: readonly NewLogEntry[];
  readonly events: EventData[];
}

/** Room left per event for its id, type, metadata and framing. */
const OVERHEAD_BYTES = 512;

export const DEFAULT_MAX_APPEND_BYTES = 512 * 1024;

/** The appends of `entries`, each event stamped with the append attempt `batch`. */
export function appendRuns(
  namespace: string,
  entries: readonly NewLogEntry[],
  batch: string,
  maxBytes = DEFAULT_MAX_APPEND_BYTES,
): AppendRun[] {
  const runs: { entries: NewLogEntry[]; events: EventData[]; bytes: number }[] = [];
  for (const entry of entries) {
    const bytes = Buffer.byteLength(entry.payload, 'utf8') + OVERHEAD_BYTES;
    const last = runs[runs.length - 1];
    const event = encodeEntry(namespace, entry, batch);
    if (last !== undefined && last.bytes + bytes <= maxBytes) {
      last.entries.push(entry);
      last.events.push(event);
      last.bytes += bytes;
    } else {
      runs.push({ entries: [entry], events: [event], bytes });
    }
  }
  return runs.map(({ entries: es, events }) => ({ entries: es, events }));
}
