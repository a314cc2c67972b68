/**
 * Streams an NDJSON byte source as lines with their byte offsets, never holding the whole
 * input: resumable ingestion restarts at the offset after the last committed line.
 */
import { isUtf8 } from 'node:buffer';
import { normalizeLine } from '@chanperf/domain';
import type { Inputs, RawInput } from './ingestion.js';

export interface LineChunk {
  readonly inputs: LineBatch;
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
 * out `unreadable`, and the ingestion rejects it MALFORMED_JSON, keeping its bytes. The bytes
 * are kept too when they are not exactly the text's UTF-8 (a BOM or CR removed).
 */
export function lineInput(bytes: Uint8Array, first: boolean, source: string, line: number | null): RawInput {
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    const unreadable = `line is not valid UTF-8 (byte offset ${invalidUtf8Offset(bytes)})`;
    return { text: '', source, line, bytes, unreadable };
  }
  return textInput(decoded, first, source, line, bytes, 0, bytes.length);
}

/**
 * A line known to be UTF-8 (`decoded` from `chunk`'s bytes `start`…`end`) as an input:
 * `lineInput` without the checks. Its bytes are kept (a view, made only then) when the text
 * lost a BOM or a CR.
 */
function textInput(
  decoded: string,
  first: boolean,
  source: string,
  line: number | null,
  chunk: Uint8Array,
  start: number,
  end: number,
): RawInput {
  const text = normalizeLine(decoded, first);
  if (text.length === decoded.length) return { text, source, line };
  return { text, source, line, bytes: chunk.subarray(start, end) };
}

/**
 * A batch of a file's lines, each decoded only when the ingestion reads it (`at`): the batch
 * itself holds the chunks it spans and three numbers a line, so a line's text and input object
 * are garbage as soon as the line is validated instead of living through the whole batch.
 * Chunks whose complete lines are all UTF-8 (checked once per chunk) are decoded without the
 * strict decoder; a line of any other chunk goes through `lineInput`.
 */
export class LineBatch implements Inputs {
  private readonly chunks: Buffer[] = [];
  /** Whether each chunk's lines are all well-formed UTF-8. */
  private readonly utf8: boolean[] = [];
  /** Per line: its chunk's index, its start and its end (before the LF). */
  private readonly spans: number[] = [];

  constructor(
    private readonly source: string,
    /** The number of the line before the batch's first. */
    private readonly lineBefore: number,
  ) {}

  get length(): number {
    return this.spans.length / 3;
  }

  /** Adds a chunk whose lines follow (`wellFormed`: all of them UTF-8); answers its index. */
  addChunk(chunk: Buffer, wellFormed: boolean): number {
    this.chunks.push(chunk);
    this.utf8.push(wellFormed);
    return this.chunks.length - 1;
  }

  addLine(chunk: number, start: number, end: number): void {
    this.spans.push(chunk, start, end);
  }

  at(index: number): RawInput | undefined {
    const k = this.spans[3 * index];
    if (k === undefined || index < 0) return undefined;
    const chunk = this.chunks[k] as Buffer;
    const start = this.spans[3 * index + 1] as number;
    const end = this.spans[3 * index + 2] as number;
    const line = this.lineBefore + index + 1;
    if (!(this.utf8[k] as boolean))
      return lineInput(chunk.subarray(start, end), line === 1, this.source, line);
    return textInput(chunk.toString('utf8', start, end), line === 1, this.source, line, chunk, start, end);
  }
}

/** `bytes` as a Buffer over the same memory (no copy). */
const bufferOf = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

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
  let batch = new LineBatch(options.source, line);
  const chunkOf = (inputs: LineBatch): LineChunk =>
    hash === undefined
      ? { inputs, endOffset: offset, endLine: line }
      : { inputs, endOffset: offset, endLine: line, prefixHash: hash.copy().digest('hex') };
  for await (const chunk of chunks) {
    const data = bufferOf(carry === null ? chunk : concatBytes(carry, chunk));
    carry = null;
    // The complete lines of `data`: an LF is never inside a multi-byte sequence, so they are
    // all UTF-8 when the run of them is.
    const complete = data.lastIndexOf(0x0a) + 1;
    if (complete === 0) {
      carry = data;
      continue;
    }
    const wellFormed = isUtf8(data.subarray(0, complete));
    let k = batch.addChunk(data, wellFormed);
    let start = 0;
    // The hash is fed whole runs of consumed lines (few calls), up to each batch's end.
    let hashed = 0;
    while (start < complete) {
      const nl = data.indexOf(0x0a, start);
      line++;
      offset += nl + 1 - start;
      batch.addLine(k, start, nl);
      start = nl + 1;
      if (batch.length >= options.batchSize) {
        hash?.update(data.subarray(hashed, start));
        hashed = start;
        yield chunkOf(batch);
        batch = new LineBatch(options.source, line);
        k = batch.addChunk(data, wellFormed);
      }
    }
    if (start > hashed) hash?.update(data.subarray(hashed, start));
    if (start < data.length) carry = data.subarray(start); // copied when joined to the next
  }
  if (carry !== null && carry.length > 0) {
    const last = bufferOf(carry);
    batch.addLine(batch.addChunk(last, isUtf8(last)), 0, last.length);
    line++;
    offset += last.length;
    hash?.update(last);
  }
  if (batch.length > 0) yield chunkOf(batch);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
