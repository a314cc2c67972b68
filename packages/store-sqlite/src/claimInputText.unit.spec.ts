/**
 * The claim inputs' batch text (claimInputText.ts) gives back every record as it was, whatever
 * its ids hold: separators, digits, quotes, control characters, non-BMP characters, empty fractions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClaimInputRecord } from '@chanperf/domain';
import { ClaimInputEncoder, claimInputsOfText, claimInputText } from './claimInputText.js';

const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const instant = fc.record({
  seconds: fc.integer({ min: -1e10, max: 1e10 }),
  fraction: fc.stringMatching(/^[0-9]{0,9}$/),
});
const record: fc.Arbitrary<ClaimInputRecord> = fc.oneof(
  fc.record({
    kind: fc.constant('sale' as const),
    channelId: id,
    sku: id,
    orderId: id,
    eventId: id,
    occurredAt: instant,
    quantity: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('return' as const),
    channelId: id,
    sku: id,
    orderId: id,
    eventId: id,
    quantity: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('count' as const),
    channelId: id,
    sku: id,
    eventId: id,
    onHand: fc.nat(),
    asOf: instant,
  }),
);

describe('claim input batch text', () => {
  it('given records, reading their text back gives the same records in order', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), (records) => {
        expect(claimInputsOfText(records.map(claimInputText).join(''))).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  it('given batches of records, the encoder writes each batch as their text in UTF-8, one batch after another', () => {
    const encoder = new ClaimInputEncoder();
    fc.assert(
      fc.property(fc.array(fc.array(record, { maxLength: 20 }), { maxLength: 4 }), (batches) => {
        for (const records of batches) {
          const bytes = encoder.encode(records);
          expect(bytes.toString('utf8')).toBe(records.map(claimInputText).join(''));
          expect(claimInputsOfText(bytes.toString('utf8'))).toEqual(records);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('given more records than its first buffer holds, the encoder grows and keeps what it wrote', () => {
    const encoder = new ClaimInputEncoder();
    const records: ClaimInputRecord[] = Array.from({ length: 3_000 }, (_, i) => ({
      kind: 'sale',
      channelId: `P-${i}`,
      sku: '价保-SKU-€',
      orderId: `O-${i}/1`,
      eventId: `E-${i}-😀`,
      occurredAt: { seconds: 1_767_196_800 + i, fraction: '5' },
      quantity: i,
    }));
    const bytes = encoder.encode(records);
    expect(bytes.length).toBeGreaterThan(1 << 16);
    expect(claimInputsOfText(bytes.toString('utf8'))).toEqual(records);
    expect(encoder.encode(records.slice(0, 1)).toString('utf8')).toBe(claimInputText(records[0]!));
  });

  it('given ids made of the separators themselves, they come back whole', () => {
    const r: ClaimInputRecord = {
      kind: 'sale',
      channelId: '3:a',
      sku: ',:,',
      orderId: '12:',
      eventId: 's1:x,\n😀',
      occurredAt: { seconds: 1_767_196_800, fraction: '' },
      quantity: 7,
    };
    expect(claimInputText(r)).toBe('s3:3:a3:,:,3:12:8:s1:x,\n😀7,1767196800,0:');
    expect(claimInputsOfText(claimInputText(r) + claimInputText(r))).toEqual([r, r]);
  });
});
