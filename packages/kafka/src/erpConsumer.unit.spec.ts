/** How an ERP record's bytes become an input (invalid UTF-8 is never decoded with replacement), and how transaction markers are noted. */
import type { Admin, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { endOffsetReader, erpBatchHandler, markersOnlyListener, recordInput } from './erpConsumer.js';
import type { OrderedIngress } from './orderedIngress.js';

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

describe('transaction markers', () => {
  /** An ingress that records what it is told. */
  function recording() {
    const calls: string[] = [];
    const ingress = {
      add: (topic: string, partition: number, messages: readonly KafkaMessage[]) =>
        calls.push(`add ${topic}/${partition} ${messages.map((m) => m.offset).join(',')}`),
      readThrough: (topic: string, partition: number, from: number, next: number) => {
        calls.push(`readThrough ${topic}/${partition} ${from}..${next}`);
        return Promise.resolve();
      },
      pump: () => {
        calls.push('pump');
        return Promise.resolve();
      },
    } as unknown as OrderedIngress;
    return { calls, ingress };
  }
  const batchOf = (offsets: string[], lastOffset: string) => ({
    topic: 'chanperf.erp-control.v1',
    partition: 0,
    messages: offsets.map((offset) => message(Buffer.from('{}'), offset)),
    firstOffset: () => offsets[0] ?? null,
    lastOffset: () => lastOffset,
  });
  const payloadOf = (batch: ReturnType<typeof batchOf>) =>
    ({
      batch,
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: () => undefined,
      heartbeat: () => Promise.resolve(),
    }) as unknown as EachBatchPayload;

  it('given a batch whose last offset is a commit marker after its records, then the partition is noted read through the marker', async () => {
    const { calls, ingress } = recording();
    await erpBatchHandler(ingress)(payloadOf(batchOf(['4', '5'], '6')));
    expect(calls).toEqual([
      'add chanperf.erp-control.v1/0 4,5',
      'readThrough chanperf.erp-control.v1/0 4..7',
      'pump',
    ]);
  });

  it('given a batch that ends with its last record, then nothing more is noted (no log read on the hot path)', async () => {
    const { calls, ingress } = recording();
    await erpBatchHandler(ingress)(payloadOf(batchOf(['4', '5'], '5')));
    expect(calls).toEqual(['add chanperf.erp-control.v1/0 4,5', 'pump']);
  });

  it('given a fetch of markers only (no record handed over), then the partition is noted read through it and the ingress pumps', async () => {
    const { calls, ingress } = recording();
    const listen = markersOnlyListener(ingress, pino({ level: 'silent' }));
    listen({
      payload: {
        topic: 'chanperf.erp-control.v1',
        partition: 0,
        batchSize: 0,
        firstOffset: '6',
        lastOffset: '6',
      },
    });
    listen({
      payload: {
        topic: 'chanperf.erp-control.v1',
        partition: 0,
        batchSize: 2,
        firstOffset: '7',
        lastOffset: '8',
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['readThrough chanperf.erp-control.v1/0 6..7', 'pump']);
  });
});
