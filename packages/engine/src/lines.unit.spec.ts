/**
 * batchLines: how a file's bytes become inputs. A line that is not valid UTF-8 must not be
 * decoded with replacement characters (two different eventIds would become one), a BOM counts
 * only at the start of the file, and each batch carries the hash of the bytes it consumed.
 */
import { createHash } from 'node:crypto';
import { defaultSettings } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { Ingestor } from './ingestion.js';
import { batchLines, invalidUtf8Offset, type LineChunk } from './lines.js';
import { InMemoryEventLog } from './memory.js';

const enc = new TextEncoder();

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield await Promise.resolve(bytes.subarray(i, i + size));
}

async function collect(
  bytes: Uint8Array,
  options: { chunk?: number; batchSize?: number; startOffset?: number; startLine?: number } = {},
  hash?: ReturnType<typeof createHash>,
): Promise<LineChunk[]> {
  const out: LineChunk[] = [];
  for await (const c of batchLines(chunked(bytes, options.chunk ?? 7), {
    source: 'file:t.ndjson',
    batchSize: options.batchSize ?? 1000,
    ...(options.startOffset !== undefined ? { startOffset: options.startOffset } : {}),
    ...(options.startLine !== undefined ? { startLine: options.startLine } : {}),
    ...(hash !== undefined ? { hash } : {}),
  })) {
    out.push(c);
  }
  return out;
}

const concat = (...parts: (Uint8Array | string)[]): Uint8Array => {
  const bufs = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};

const REG = JSON.stringify({
  eventId: 'reg-a',
  type: 'ChannelRegistered',
  occurredAt: '2026-01-05T10:00:00+08:00',
  channelId: 'CH-A',
  data: { name: 'A', kind: 'reseller' },
});

/** A sale line whose eventId is `inv-` followed by `tail` (raw bytes). */
const sale = (tail: Uint8Array) =>
  concat(
    '{"eventId":"inv-',
    tail,
    '","type":"SaleRecorded","occurredAt":"2026-01-10T10:00:00+08:00","channelId":"CH-A","data":{"orderId":"O1","sku":"P1","quantity":1,"netAmount":"10.00","currency":"CNY"}}',
  );

async function ingest(bytes: Uint8Array) {
  const log = new InMemoryEventLog();
  const ingestor = new Ingestor(log, defaultSettings);
  await ingestor.init();
  const outcomes = [];
  for (const c of await collect(bytes)) outcomes.push(...(await ingestor.ingest(c.inputs)));
  return { log, outcomes };
}

describe('batchLines: invalid UTF-8', () => {
  it('rejects each line that is not valid UTF-8 as MALFORMED_JSON, naming the byte, and keeps its bytes', async () => {
    const ff = sale(Uint8Array.of(0xff));
    const fe = sale(Uint8Array.of(0xfe));
    const { log, outcomes } = await ingest(concat(REG, '\n', ff, '\n', fe, '\n'));
    expect(outcomes[0]).toMatchObject({ status: 'accepted' });
    for (const o of outcomes.slice(1)) {
      expect(o).toEqual({
        status: 'rejected',
        eventId: null,
        code: 'MALFORMED_JSON',
        message: 'line is not valid UTF-8 (byte offset 16)',
      });
    }
    const rejected = await log.list();
    expect(rejected.map((r) => Buffer.from(r.raw as Uint8Array))).toEqual([Buffer.from(ff), Buffer.from(fe)]);
    expect(rejected.map((r) => r.line)).toEqual([2, 3]);
  });

  it('accepts valid multi-byte UTF-8 split across chunks', async () => {
    const { outcomes } = await ingest(concat(REG, '\n', sale(enc.encode('华北€😀')), '\n'));
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted']);
  });
});

describe('batchLines: byte-order marks', () => {
  it('ignores a BOM at the start of the file only; a later line starting with one is MALFORMED_JSON', async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const { outcomes } = await ingest(concat(bom, REG, '\n', bom, sale(enc.encode('1')), '\n'));
    expect(outcomes[0]).toMatchObject({ status: 'accepted', eventId: 'reg-a' });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', code: 'MALFORMED_JSON' });
    expect((outcomes[1] as { message: string }).message).toMatch(/byte-order mark/);
  });
});

describe('batchLines: what a rejected line keeps', () => {
  it("keeps the exact bytes (a first BOM and a CR included) whatever the chunking and the chunk's other lines", async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const ff = sale(Uint8Array.of(0xff));
    const file = concat(
      bom,
      '{"eventId":"x"}\r\n',
      REG,
      '\r\n',
      ff,
      '\n',
      'not json 华北\n',
      '{"eventId":"y"}',
    );
    for (const chunk of [1, 5, 64, 100_000]) {
      const log = new InMemoryEventLog();
      const ingestor = new Ingestor(log, defaultSettings);
      await ingestor.init();
      const statuses = [];
      for (const c of await collect(file, { chunk, batchSize: 2 }))
        for (const o of await ingestor.ingest(c.inputs)) statuses.push(o.status);
      expect(statuses).toEqual(['rejected', 'accepted', 'rejected', 'rejected', 'rejected']);
      const raw = (await log.list()).map((r) =>
        (typeof r.raw === 'string' ? Buffer.from(r.raw, 'utf8') : Buffer.from(r.raw)).toString('latin1'),
      );
      expect(raw).toEqual(
        [
          concat(bom, '{"eventId":"x"}\r'),
          ff,
          enc.encode('not json 华北'),
          enc.encode('{"eventId":"y"}'),
        ].map((b) => Buffer.from(b).toString('latin1')),
      );
    }
  });
});

describe('batchLines: the hash of the consumed prefix', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 13)}"}`);
  const file = enc.encode(`${lines.join('\r\n')}\r\nlast-without-lf`);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('gives each batch the sha256 of the bytes before its end offset, whatever the chunking', async () => {
    for (const chunk of [1, 3, 64, 100_000]) {
      const batches = await collect(file, { chunk, batchSize: 7 }, createHash('sha256'));
      expect(batches.length).toBe(8);
      for (const b of batches) expect(b.prefixHash).toBe(sha(file.subarray(0, b.endOffset)));
      expect(batches[batches.length - 1]?.endOffset).toBe(file.length);
    }
  });

  it('continues a hash fed with the prefix when resuming at an offset', async () => {
    const first = await collect(file, { batchSize: 10 }, createHash('sha256'));
    const at = first[1]!;
    const hash = createHash('sha256').update(file.subarray(0, at.endOffset));
    const rest = await collect(
      file.subarray(at.endOffset),
      { startOffset: at.endOffset, startLine: at.endLine, batchSize: 10 },
      hash,
    );
    expect(rest.map((b) => b.prefixHash)).toEqual(first.slice(2).map((b) => b.prefixHash));
  });

  it('gives no hash when none is asked for', async () => {
    expect((await collect(file))[0]?.prefixHash).toBeUndefined();
  });
});

describe('invalidUtf8Offset', () => {
  it('finds the first byte that does not start a well-formed sequence', () => {
    expect(invalidUtf8Offset(enc.encode('plain 华北 😀'))).toBe(-1);
    expect(invalidUtf8Offset(Uint8Array.of(0x61, 0xff))).toBe(1);
    expect(invalidUtf8Offset(Uint8Array.of(0x61, 0xc0, 0x80))).toBe(1); // overlong
    expect(invalidUtf8Offset(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0); // a surrogate
    expect(invalidUtf8Offset(Uint8Array.of(0x61, 0x62, 0xe5, 0x8d))).toBe(2); // truncated
    expect(invalidUtf8Offset(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))).toBe(0); // > U+10FFFF
  });
});
