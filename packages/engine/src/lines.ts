/**
 * Streams an NDJSON byte source as lines with their byte offsets, never holding the whole
 * input: resumable ingestion restarts at the offset after the last committed line.
 */
import type { RawInput } from './ingestion.js';
import { normalizeLine } from '@chanperf/domain';

export interface LineChunk {
  readonly inputs: RawInput[];
  /** Byte offset just after the chunk's last line. */
  readonly endOffset: number;
  /** Number of the chunk's last line. */
  readonly endLine: number;
  /** With `options.hash`: its hex digest over every byte before `endOffset`. */
  readonly prefixHash?: string;
}

/** An incremental hash (node:crypto's `Hash` is one), fed the bytes as they are consumed. */
export interface PrefixHash {
  update(data: Uint8Array): unknown;
  copy(): { digest(encoding: 'hex'): string };
}

/**
 * Offset of the first byte of `bytes` that does not start a well-formed UTF-8 sequence
 * (WHATWG: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated
 * sequence), or -1 when all of it is well-formed.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = bytes[i + k];
      if (d === undefined || d < lo || d > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

// Strict (an invalid byte throws) and BOM-preserving: a BOM is ignored at the start of a
// file only (normalizeLine), never at the start of every decoded line.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * One line's bytes (without its LF) as an input: decoded, a BOM removed when `first` (the
 * start of the file) and a trailing CR removed. A line that is not valid UTF-8 is never
 * decoded with replacement characters (which would make different eventIds equal): it comes
 * out `unreadable`, and the ingestion rejects it MALFORMED_JSON, keeping its bytes.
 */
export function lineInput(bytes: Uint8Array, first: boolean, source: string, line: number | null): RawInput {
  try {
    return { text: normalizeLine(utf8.decode(bytes), first), source, line, bytes };
  } catch {
    const unreadable = `line is not valid UTF-8 (byte offset ${invalidUtf8Offset(bytes)})`;
    return { text: '', source, line, bytes, unreadable };
  }
}

/**
 * Splits `chunks` (bytes from `startOffset`) into batches of at most `batchSize` lines.
 * `startLine` is the number of lines before `startOffset`. With `hash` (already fed the
 * bytes before `startOffset`), each batch carries the digest of everything before its end.
 */
export async function* batchLines(
  chunks: AsyncIterable<Uint8Array>,
  options: {
    source: string;
    batchSize: number;
    startOffset?: number;
    startLine?: number;
    hash?: PrefixHash;
  },
): AsyncGenerator<LineChunk> {
  const hash = options.hash;
  let offset = options.startOffset ?? 0;
  let line = options.startLine ?? 0;
  let carry: Uint8Array | null = null;
  let batch: RawInput[] = [];
  const push = (bytes: Uint8Array) => {
    line++;
    offset += bytes.length;
    const body = bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, bytes.length - 1) : bytes;
    batch.push(lineInput(body, line === 1, options.source, line));
  };
  const chunkOf = (inputs: RawInput[]): LineChunk =>
    hash === undefined
      ? { inputs, endOffset: offset, endLine: line }
      : { inputs, endOffset: offset, endLine: line, prefixHash: hash.copy().digest('hex') };
  for await (const chunk of chunks) {
    let start = 0;
    let data = chunk;
    if (carry !== null) {
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry);
      joined.set(chunk, carry.length);
      data = joined;
      carry = null;
    }
    // The hash is fed whole runs of consumed lines (few calls), up to each batch's end.
    let hashed = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      push(data.subarray(start, nl + 1));
      start = nl + 1;
      if (batch.length >= options.batchSize) {
        hash?.update(data.subarray(hashed, start));
        hashed = start;
        yield chunkOf(batch);
        batch = [];
      }
    }
    if (start > hashed) hash?.update(data.subarray(hashed, start));
    if (start < data.length) carry = data.slice(start);
  }
  if (carry !== null && carry.length > 0) {
    push(carry);
    hash?.update(carry);
  }
  if (batch.length > 0) yield chunkOf(batch);
}
