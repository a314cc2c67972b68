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
}

/**
 * Splits `chunks` (bytes from `startOffset`) into batches of at most `batchSize` lines.
 * `startLine` is the number of lines before `startOffset`.
 */
export async function* batchLines(
  chunks: AsyncIterable<Uint8Array>,
  options: { source: string; batchSize: number; startOffset?: number; startLine?: number },
): AsyncGenerator<LineChunk> {
  const decoder = new TextDecoder('utf-8');
  let offset = options.startOffset ?? 0;
  let line = options.startLine ?? 0;
  let carry: Uint8Array | null = null;
  let batch: RawInput[] = [];
  const push = (bytes: Uint8Array) => {
    line++;
    offset += bytes.length;
    const body = bytes[bytes.length - 1] === 0x0a ? bytes.subarray(0, bytes.length - 1) : bytes;
    const text = decoder.decode(body);
    batch.push({ text: normalizeLine(text, line === 1), source: options.source, line, bytes: body });
  };
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
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      push(data.subarray(start, nl + 1));
      start = nl + 1;
      if (batch.length >= options.batchSize) {
        yield { inputs: batch, endOffset: offset, endLine: line };
        batch = [];
      }
    }
    if (start < data.length) carry = data.slice(start);
  }
  if (carry !== null && carry.length > 0) push(carry);
  if (batch.length > 0) yield { inputs: batch, endOffset: offset, endLine: line };
}
