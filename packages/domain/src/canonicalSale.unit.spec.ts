/**
 * `parseCanonicalSale` against `JSON.parse`: whatever text `JSON.stringify` wrote (strings of
 * every kind: quotes, control characters, lone and paired surrogates), an answer is deep-equal to
 * `JSON.parse(text)` and prints back as `text`; the canonical text of a sale whose strings need
 * no escape is always answered (else the projection would gain nothing); everything else is
 * left to `JSON.parse`.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCanonicalSale } from './canonicalSale.js';
import { EventValidator } from './validation.js';

/** Strings of every kind: quotes, backslashes, control characters, surrogates (lone or paired). */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\ud800', '\udc00', ',', ':', '}', 'a', '1'),
    maxLength: 8,
  }),
);
const plainText = fc.string({
  unit: fc.constantFrom('P', '-', '1', '9', ' ', '/', '.', '中', '€', 'x'),
  maxLength: 20,
});
const anyQuantity = fc.oneof(
  fc.nat({ max: 1e6 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(2 ** 53),
  fc.constant(1e21),
);

function sale(strings: fc.Arbitrary<string>, quantity: fc.Arbitrary<number>) {
  return fc.record(
    {
      eventId: strings,
      occurredAt: strings,
      channelId: strings,
      source: strings,
      type: fc.constantFrom('SaleRecorded', 'SaleReturned'),
      data: fc.record({ orderId: strings, sku: strings, quantity, netAmount: strings, currency: strings }),
    },
    { requiredKeys: ['eventId', 'occurredAt', 'channelId', 'type', 'data'] },
  );
}

/** The contract: no answer, or `JSON.parse`'s value that prints back as the text. */
function holds(text: string): boolean {
  const got = parseCanonicalSale(text);
  if (got === undefined) return true;
  return isDeepStrictEqual(got, JSON.parse(text)) && JSON.stringify(got) === text;
}

describe('parseCanonicalSale', () => {
  it('answers the canonical text of any sale with JSON.parse’s value, or not at all', () => {
    fc.assert(
      fc.property(sale(anyText, anyQuantity), (event) => {
        expect(holds(JSON.stringify(event))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers every canonical sale whose strings need no escape', () => {
    fc.assert(
      fc.property(sale(plainText, fc.nat({ max: 1e12 })), (event) => {
        const text = JSON.stringify(event);
        const got = parseCanonicalSale(text);
        expect(got).toStrictEqual(JSON.parse(text));
        expect(JSON.stringify(got)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves other shapes to JSON.parse: key order, spaces, extra or missing keys, other types, cut text', () => {
    fc.assert(
      fc.property(
        sale(plainText, fc.nat({ max: 1e6 })),
        fc.constantFrom('reorder', 'space', 'extra', 'drop', 'type', 'cut', 'nested'),
        (event, how) => {
          const { data, type, ...envelope } = event;
          const variants: Record<string, string> = {
            reorder: JSON.stringify({ type, ...envelope, data }),
            space: JSON.stringify(event, null, 1),
            extra: JSON.stringify({ ...event, data: { ...data, note: 'x' } }),
            drop: JSON.stringify({ ...event, data: { ...data, currency: undefined } }),
            type: JSON.stringify({ ...event, type: 'TrainingCompleted' }),
            cut: JSON.stringify(event).slice(0, -1),
            nested: JSON.stringify({ ...event, data: { ...data, quantity: [data.quantity] } }),
          };
          const text = variants[how] as string;
          expect(parseCanonicalSale(text)).toBeUndefined();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps the contract on hand-picked edges', () => {
    const base = (quantity: string, extra = '') =>
      `{"eventId":"e1","occurredAt":"2026-01-05T10:00:00+08:00","channelId":"P1","type":"SaleRecorded","data":{"orderId":"O1","sku":"S","quantity":${quantity},"netAmount":"1.00","currency":"CNY"${extra}}}`;
    for (const q of ['1', '0', '007', '-1', '1.0', '1e3', '9007199254740993', '1234567890123456'])
      expect(holds(base(q))).toBe(true);
    expect(parseCanonicalSale(base('1'))).toMatchObject({ data: { quantity: 1 } });
    expect(parseCanonicalSale(base('007'))).toBeUndefined();
    expect(parseCanonicalSale(base('1e3'))).toBeUndefined();
    expect(parseCanonicalSale(base('1', ',"x":1'))).toBeUndefined();
    expect(parseCanonicalSale(base('1').replace('"e1"', '"e\\u0031"'))).toBeUndefined();
  });

  it('reads what the validator writes: a validated sale’s canonical text is answered', () => {
    const v = new EventValidator(2);
    const line = JSON.stringify({
      type: 'SaleReturned',
      data: { currency: 'CNY', netAmount: '12.30', quantity: 2, sku: 'AP-1', orderId: 'O-9', extra: true },
      source: 'erp',
      channelId: 'P7',
      occurredAt: '2026-02-01T00:00:00Z',
      eventId: 'r-1',
      unknown: 1,
    });
    const valid = v.validateText(line);
    if (valid._tag !== 'Right') throw new Error('expected the line to be valid');
    expect(parseCanonicalSale(valid.right.canonical)).toStrictEqual(valid.right.event);
  });
});
