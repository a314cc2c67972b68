/** How an ERP record's bytes become an input: invalid UTF-8 is never decoded with replacement. */
import type { Admin, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { endOffsetReader, recordInput } from './erpConsumer.js';

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

describe('endOffsetReader', () => {
  /**
   * Admin clients whose end-offset answers are `answers`, one a client (`undefined`: none ever;
   * `'stuck'`: a client that never connects and never finishes disconnecting).
   */
  function kafkaAnswering(answers: ({ partition: number; high: string }[] | undefined | 'stuck')[]) {
    const made: { disconnected: boolean }[] = [];
    const kafka = {
      admin: () => {
        const client = { disconnected: false };
        const answer = answers[made.length];
        made.push(client);
        return {
          connect: () => (answer === 'stuck' ? new Promise(() => undefined) : Promise.resolve()),
          disconnect: () => {
            client.disconnected = true;
            return answer === 'stuck' ? new Promise(() => undefined) : Promise.resolve();
          },
          fetchTopicOffsets: () =>
            answer === undefined || answer === 'stuck'
              ? new Promise(() => undefined)
              : Promise.resolve(answer),
        } as unknown as Admin;
      },
    };
    return { kafka, made };
  }

  it('given a request the broker never answers, then it fails within its bound, drops the client, and the next one asks anew', async () => {
    const { kafka, made } = kafkaAnswering([undefined, [{ partition: 0, high: '42' }]]);
    const reader = endOffsetReader(kafka, 30);
    await expect(reader.endOffsets('chanperf.erp-control.v1')).rejects.toThrow(
      'no answer for the end offsets of chanperf.erp-control.v1 within 30 ms',
    );
    expect(made).toEqual([{ disconnected: true }]);
    await expect(reader.endOffsets('chanperf.erp-control.v1')).resolves.toEqual([{ partition: 0, end: 42 }]);
    // An answered request keeps its client for the next one.
    await expect(reader.endOffsets('chanperf.erp-control.v1')).resolves.toEqual([{ partition: 0, end: 42 }]);
    expect(made).toEqual([{ disconnected: true }, { disconnected: false }]);
    await reader.stop();
    expect(made[1]).toEqual({ disconnected: true });
  });

  it('given a client stuck connecting that never finishes disconnecting, then the request still fails within its bound and the next one asks anew', async () => {
    const { kafka, made } = kafkaAnswering(['stuck', [{ partition: 0, high: '7' }]]);
    const reader = endOffsetReader(kafka, 30);
    await expect(reader.endOffsets('chanperf.erp-control.v1')).rejects.toThrow('within 30 ms');
    expect(made).toEqual([{ disconnected: true }]);
    await expect(reader.endOffsets('chanperf.erp-control.v1')).resolves.toEqual([{ partition: 0, end: 7 }]);
    await reader.stop();
  });
});
