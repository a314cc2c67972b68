/**
 * The file `chanperf export` writes and `chanperf import` reads (docs/eventstoredb.md, "Moving
 * an embedded deployment"): NDJSON, one section after the other —
 *
 *   {"format":"chanperf-export","version":1,"timeZone":…,"currency":…,"head":N}
 *   {"position":1,"eventId":…,"type":…,"channelId":…,"payload":<canonical JSON, verbatim>}  × N
 *   {"rejected":1,"status":…,"source":…,"line":…,"eventId":…,"code":…,"message":…,"raw":<base64>}  × R
 *   {"counts":{"lines":…,"accepted":…,"duplicates":…,"rejected":…}}
 *   {"checkpoint":KEY,"offset":…,"line":…,"prefixHash":…}  × C
 *   {"trailer":{"entries":N,"rejected":R,"checkpoints":C,"sha256":<hex of every byte before this line>}}
 *
 * An entry's payload is spliced in as stored (never re-serialized), so the log travels
 * byte-exact; a reader takes it back as the text between the entry's fields and its final `}`.
 * Nothing in the file depends on the store it came from, so two stores holding the same log
 * and ledgers export byte-equal files.
 */
import type { Counts, DeploymentSettings } from '@chanperf/domain';
import { EngineError, type LogEntry, type RejectedRecord, type SourceCheckpoint } from '@chanperf/engine';

export const EXPORT_FORMAT = 'chanperf-export';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  readonly timeZone: string;
  readonly currency: string;
  /** Entries in the file (the exported log's head). */
  readonly head: number;
}

/** A rejected input as exported: the record and its bytes exactly as received. */
export interface ExportedRejected {
  readonly record: RejectedRecord;
  readonly raw: Uint8Array;
}

export interface ExportTrailer {
  readonly entries: number;
  readonly rejected: number;
  readonly checkpoints: number;
  readonly sha256: string;
}

export function headerLine(settings: DeploymentSettings, head: number): string {
  const { timeZone, currency } = settings;
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, timeZone, currency, head })}\n`;
}

/** The entry's fields before its payload: `{"position":1,…,"payload":`. */
function entryPrefix(e: Omit<LogEntry, 'payload'>): string {
  const fields = JSON.stringify({
    position: e.position,
    eventId: e.eventId,
    type: e.type,
    channelId: e.channelId,
  });
  return `${fields.slice(0, -1)},"payload":`;
}

export function entryLine(e: LogEntry): string {
  return `${entryPrefix(e)}${e.payload}}\n`;
}

export function rejectedLine({ record: r, raw }: ExportedRejected): string {
  const line = {
    rejected: r.id,
    status: r.status,
    source: r.source,
    line: r.line,
    eventId: r.eventId,
    code: r.code,
    message: r.message,
    raw: Buffer.from(raw).toString('base64'),
  };
  return `${JSON.stringify(line)}\n`;
}

export function countsLine(c: Counts): string {
  const counts = { lines: c.lines, accepted: c.accepted, duplicates: c.duplicates, rejected: c.rejected };
  return `${JSON.stringify({ counts })}\n`;
}

export function checkpointLine(c: SourceCheckpoint): string {
  const prefixHash = c.prefixHash === undefined ? {} : { prefixHash: c.prefixHash };
  return `${JSON.stringify({ checkpoint: c.key, offset: c.offset, line: c.line, ...prefixHash })}\n`;
}

export function trailerLine(t: ExportTrailer): string {
  return `${JSON.stringify({ trailer: t })}\n`;
}

/** Where a file is wrong: `FILE line N: what` (a bad file is no reason to retry). */
export function badFile(file: string, line: number, what: string): EngineError {
  return new EngineError('EXPORT_FILE_BAD', `${file} line ${line}: ${what}`, false);
}

/** A line of an export file, parsed and checked on its own. */
export type ExportLine =
  | { readonly kind: 'header'; readonly header: ExportHeader }
  | { readonly kind: 'entry'; readonly entry: LogEntry }
  | { readonly kind: 'rejected'; readonly rejected: ExportedRejected }
  | { readonly kind: 'counts'; readonly counts: Counts }
  | { readonly kind: 'checkpoint'; readonly checkpoint: SourceCheckpoint }
  | { readonly kind: 'trailer'; readonly trailer: ExportTrailer };

type Json = Record<string, unknown>;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isText = (v: unknown): v is string => typeof v === 'string';
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Parses one line (without its newline); throws `what` went wrong, for `badFile`. */
export function parseLine(text: string): ExportLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not JSON (the file is corrupt or truncated)');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const o = json as Json;
  if ('position' in o) return { kind: 'entry', entry: parseEntry(text, o) };
  if ('rejected' in o) return { kind: 'rejected', rejected: parseRejected(o) };
  if ('checkpoint' in o) return { kind: 'checkpoint', checkpoint: parseCheckpoint(o) };
  if ('counts' in o) return { kind: 'counts', counts: parseCounts(o.counts) };
  if ('trailer' in o) return { kind: 'trailer', trailer: parseTrailer(o.trailer) };
  if ('format' in o) return { kind: 'header', header: parseHeader(o) };
  throw new Error('not a line of a chanperf export');
}

function parseHeader(o: Json): ExportHeader {
  if (o.format !== EXPORT_FORMAT) throw new Error(`format ${JSON.stringify(o.format)}, not ${EXPORT_FORMAT}`);
  if (o.version !== EXPORT_VERSION) {
    throw new Error(`version ${JSON.stringify(o.version)}: this chanperf reads version ${EXPORT_VERSION}`);
  }
  if (!isText(o.timeZone) || !isText(o.currency) || !isCount(o.head)) throw new Error('a malformed header');
  return { timeZone: o.timeZone, currency: o.currency, head: o.head };
}

function parseEntry(text: string, o: Json): LogEntry {
  const { position, eventId, type, channelId } = o;
  if (!isCount(position) || !isText(eventId) || !isText(type) || !isTextOrNull(channelId)) {
    throw new Error('a malformed entry');
  }
  const prefix = entryPrefix({ position, eventId, type, channelId });
  if (!text.startsWith(prefix) || !text.endsWith('}')) throw new Error('a malformed entry');
  const payload = text.slice(prefix.length, -1);
  const event = o.payload as Json | null;
  if (typeof event !== 'object' || event === null || event.eventId !== eventId || event.type !== type) {
    throw new Error(`entry ${eventId}: its payload is not the event ${eventId} of type ${type}`);
  }
  return { position, eventId, type, channelId, payload };
}

function parseRejected(o: Json): ExportedRejected {
  const { rejected: id, status, source, line, eventId, code, message, raw } = o;
  const known = status === 'open' || status === 'redriven';
  if (!isCount(id) || !known || !isText(source) || !(line === null || isCount(line))) {
    throw new Error('a malformed rejected input');
  }
  if (!isTextOrNull(eventId) || !isText(code) || !isText(message) || !isText(raw)) {
    throw new Error('a malformed rejected input');
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.toString('base64') !== raw) throw new Error(`rejected input ${id}: raw is not base64`);
  const record = { id, status, source, line, eventId, code, message, raw: bytes.toString('utf8') };
  return { record: record as RejectedRecord, raw: bytes };
}

function parseCounts(v: unknown): Counts {
  const c = (v ?? {}) as Json;
  if (![c.lines, c.accepted, c.duplicates, c.rejected].every(isCount)) throw new Error('malformed counts');
  return { lines: c.lines, accepted: c.accepted, duplicates: c.duplicates, rejected: c.rejected } as Counts;
}

function parseCheckpoint(o: Json): SourceCheckpoint {
  const { checkpoint: key, offset, line, prefixHash } = o;
  if (
    !isText(key) ||
    !isCount(offset) ||
    !isCount(line) ||
    !(prefixHash === undefined || isText(prefixHash))
  ) {
    throw new Error('a malformed checkpoint');
  }
  return prefixHash === undefined ? { key, offset, line } : { key, offset, line, prefixHash };
}

function parseTrailer(v: unknown): ExportTrailer {
  const t = (v ?? {}) as Json;
  if (![t.entries, t.rejected, t.checkpoints].every(isCount) || !isText(t.sha256)) {
    throw new Error('a malformed trailer');
  }
  return t as unknown as ExportTrailer;
}
