/**
 * Log entries as EventStoreDB events and back. The event's data is the entry's canonical JSON
 * (stored as JSON so the server's UI and projections can read it; as bytes in the rare case
 * where `JSON.parse` + `JSON.stringify` would not give back the very same text, since
 * duplicates are compared on that text). The metadata carries the ERP `eventId` (the ESDB id
 * is a one-way hash of it), the `channelId`, and the id of the append attempt that wrote it
 * (`batch`), by which a node recognises its own appends after a crash or a lost acknowledgement.
 */
import type { AllStreamRecordedEvent, EventData } from '@eventstore/db-client';
import type { NewLogEntry } from '@chanperf/engine';
import { esdbEventId } from './eventIds.js';
import { streamPrefix } from './streams.js';

/** Marks the metadata layout, so a future change can be told apart. */
const METADATA_SCHEMA = 'chanperf.log.v1';

interface EntryMetadata {
  readonly schema: typeof METADATA_SCHEMA;
  readonly eventId: string;
  readonly channelId: string | null;
  /** The append attempt that wrote it (absent in logs of earlier versions). */
  readonly batch?: string;
}

export function encodeEntry(namespace: string, entry: NewLogEntry, batch?: string): EventData {
  const metadata: EntryMetadata = {
    schema: METADATA_SCHEMA,
    eventId: entry.eventId,
    channelId: entry.channelId,
    ...(batch !== undefined ? { batch } : {}),
  };
  const id = esdbEventId(namespace, entry.eventId);
  const data = jsonRoundTrip(entry.payload);
  return data === undefined
    ? {
        id,
        type: entry.type,
        contentType: 'application/octet-stream',
        data: new TextEncoder().encode(entry.payload),
        metadata: metadata as unknown as Record<string, unknown>,
      }
    : {
        id,
        type: entry.type,
        contentType: 'application/json',
        data,
        metadata: metadata as unknown as Record<string, unknown>,
      };
}

/** The parsed payload when writing it as JSON gives back exactly the same text. */
function jsonRoundTrip(payload: string): Record<string, unknown> | unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  return JSON.stringify(parsed) === payload ? (parsed as Record<string, unknown> | unknown[]) : undefined;
}

export type Decoded =
  | { readonly kind: 'entry'; readonly entry: NewLogEntry; readonly batch: string | undefined }
  /** Not in the namespace: not part of this log. */
  | { readonly kind: 'outside' }
  /** In the namespace but not written by chanperf (no usable metadata): skipped, reported. */
  | { readonly kind: 'foreign'; readonly reason: string };

export function decodeRecorded(namespace: string, event: AllStreamRecordedEvent): Decoded {
  if (!event.streamId.startsWith(streamPrefix(namespace))) return { kind: 'outside' };
  const meta = event.metadata as Partial<EntryMetadata> | Uint8Array | undefined;
  if (meta === undefined || meta instanceof Uint8Array || typeof meta.eventId !== 'string') {
    return { kind: 'foreign', reason: 'no chanperf metadata (eventId)' };
  }
  const channelId = typeof meta.channelId === 'string' ? meta.channelId : null;
  let payload: string;
  if (event.isJson) payload = JSON.stringify(event.data);
  else if (event.data instanceof Uint8Array) payload = new TextDecoder().decode(event.data);
  else return { kind: 'foreign', reason: 'data is neither JSON nor bytes' };
  const batch = typeof meta.batch === 'string' ? meta.batch : undefined;
  return { kind: 'entry', entry: { eventId: meta.eventId, type: event.type, channelId, payload }, batch };
}
