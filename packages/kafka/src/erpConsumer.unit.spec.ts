/** How an ERP record's bytes become an input: invalid UTF-8 is never decoded with replacement. */
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { recordInput } from './erpConsumer.js';

const message = (value: Buffer | null, offset = '7'): KafkaMessage => ({
  key: null,
  value,
  offset,
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('recordInput', () => {
  it('keeps the bytes of a record that is not UTF-8 and marks it unreadable, naming the byte', () => {
    const a = recordInput('erp', 0, message(Buffer.from('{"eventId":"inv-\xff"}', 'latin1')));
    const b = recordInput('erp', 0, message(Buffer.from('{"eventId":"inv-\xfe"}', 'latin1')));
    expect(a.unreadable).toBe('line is not valid UTF-8 (byte offset 16)');
    expect(b.unreadable).toBe('line is not valid UTF-8 (byte offset 16)');
    // Two different records stay different: their bytes are kept as received.
    expect(Buffer.from(a.bytes ?? []).equals(Buffer.from(b.bytes ?? []))).toBe(false);
    expect(a.source).toBe('kafka:erp/0/7');
  });

  it('reads a UTF-8 record as text, dropping a BOM at its start', () => {
    const input = recordInput('erp', 1, message(Buffer.from('\ufeff{"eventId":"华北-1"}', 'utf8')));
    expect(input.text).toBe('{"eventId":"华北-1"}');
    expect(input.unreadable).toBeUndefined();
  });

  it('a tombstone (null value) is a blank input', () => {
    expect(recordInput('erp', 0, message(null)).text).toBe('');
  });
});
