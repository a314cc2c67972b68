/**
 * The export file's lines: what is written is read back exactly — payloads as stored (never
 * re-serialized), rejected inputs' bytes and any string — and a line that lies is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEntry, RejectedRecord } from '@chanperf/engine';
import { readExport } from './exportFile.js';
import {
  checkpointLine,
  countsLine,
  entryLine,
  headerLine,
  parseLine,
  rejectedLine,
  trailerLine,
} from './exportFormat.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-export-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (payload: string): LogEntry => ({
  position: 1,
  eventId: 'e-1',
  type: 'SaleRecorded',
  channelId: 'CH-"1"',
  payload,
});

describe('an export line', () => {
  it.each([
    ['key order and spacing kept', '{"type":"SaleRecorded","eventId":"e-1", "data":{"amount":"10.00"}}'],
    ['braces and quotes inside strings', '{"eventId":"e-1","type":"SaleRecorded","note":"a } \\" {"}'],
    ['non-ASCII, escapes and U+2028', '{"eventId":"e-1","type":"SaleRecorded","name":"华北\\u00e9\u2028x"}'],
  ])('given a payload with %s, reads back the stored text', (_what, payload) => {
    const line = entryLine(entry(payload));
    expect(line.endsWith('}\n')).toBe(true);
    expect(parseLine(line.slice(0, -1))).toEqual({ kind: 'entry', entry: entry(payload) });
  });

  it('refuses an entry whose payload is another event', () => {
    const line = entryLine(entry('{"eventId":"e-2","type":"SaleRecorded"}')).slice(0, -1);
    expect(() => parseLine(line)).toThrow('entry e-1: its payload is not the event e-1 of type SaleRecorded');
  });

  it('given a rejected input with invalid UTF-8 and an ill-formed eventId, reads back its bytes and strings', () => {
    const raw = new Uint8Array([0x7b, 0xff, 0xfe, 0x0a, 0x7d]);
    const record: RejectedRecord = {
      id: 1,
      status: 'redriven',
      source: 'kafka:erp/0/17',
      line: null,
      eventId: 'x\ud800y',
      code: 'MALFORMED_JSON',
      message: 'bad\nline',
      raw: Buffer.from(raw).toString('utf8'),
    };
    const line = rejectedLine({ record, raw });
    expect(line.indexOf('\n')).toBe(line.length - 1); // one line, whatever the bytes
    const parsed = parseLine(line.slice(0, -1));
    if (parsed.kind !== 'rejected') throw new Error(`a ${parsed.kind} line`);
    expect(Buffer.from(parsed.rejected.raw).equals(Buffer.from(raw))).toBe(true);
    expect(parsed.rejected.record).toEqual(record);
  });
});

describe('readExport', () => {
  const settings = { timeZone: 'Asia/Shanghai', currency: 'CNY', minorDigits: 2 };

  it('a file whose trailer counts a checkpoint that is not there: refused naming the trailer line', async () => {
    const body =
      headerLine(settings, 1) +
      entryLine(entry('{"eventId":"e-1","type":"SaleRecorded"}')) +
      countsLine({ lines: 1, accepted: 1, duplicates: 0, rejected: 0 });
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const file = join(dir, 'short.ndjson');
    writeFileSync(file, body + trailerLine({ entries: 1, rejected: 0, checkpoints: 1, sha256 }));
    await expect(readExport(file)).rejects.toThrow(
      `${file} line 4: 0 rejected inputs and 0 checkpoints, the trailer says 0 and 1`,
    );
    writeFileSync(file, body + trailerLine({ entries: 1, rejected: 0, checkpoints: 0, sha256 }));
    await expect(readExport(file)).resolves.toMatchObject({ sha256, checkpoints: [] });
  });

  it('a counts line twice, or a checkpoint before the counts: refused as out of place', async () => {
    const counts = countsLine({ lines: 0, accepted: 0, duplicates: 0, rejected: 0 });
    const file = join(dir, 'order.ndjson');
    writeFileSync(file, headerLine(settings, 0) + counts + counts);
    await expect(readExport(file)).rejects.toThrow(`${file} line 3: a counts line out of place`);
    writeFileSync(file, headerLine(settings, 0) + checkpointLine({ key: 'k', offset: 1, line: 1 }) + counts);
    await expect(readExport(file)).rejects.toThrow(`${file} line 3: a counts line out of place`);
  });
});
