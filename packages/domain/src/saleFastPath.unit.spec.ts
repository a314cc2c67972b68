/**
 * The sales' fast path (`saleFastPath.ts`) against the compiled schema it stands in for: when
 * it answers, the schema accepts the same value, its output is the fast path's event (the same
 * keys in the same order, nothing `undefined` added), and `JSON.stringify` of that output is
 * the fast path's canonical text, byte for byte. The schema stays the judge of everything the
 * fast path declines; these specs also make sure it does not decline the ordinary sale.
 */
import { generateFeed, mulberry32 } from '@chanperf/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventSchemas } from './events.js';
import { validSale } from './saleFastPath.js';
import { sale, saleReturn } from './testing/specBuilders.js';
import { AMOUNTS, mutate, reversed, TIMESTAMPS, VALUES } from './testing/validationEdgeCases.js';
import { EventValidator } from './validation.js';

const DIGITS = [0, 2, 3] as const;

type SaleType = 'SaleRecorded' | 'SaleReturned';

/** The compiled sale schemas per digit count (compiling takes milliseconds: once each). */
const compiled = new Map<number, Record<SaleType, z.ZodType>>();

function judge(value: unknown, type: SaleType, digits: number) {
  let schemas = compiled.get(digits);
  if (schemas === undefined) {
    const all = eventSchemas(digits);
    schemas = { SaleRecorded: z.compile(all.SaleRecorded), SaleReturned: z.compile(all.SaleReturned) };
    compiled.set(digits, schemas);
  }
  return schemas[type].safeParse(value);
}

/** Deep equality that also compares each object's key order (`toStrictEqual` does not). */
function keyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(keyOrder);
  return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
}

/**
 * Asserts the fast path's answer for `value` is the schema's, or that it declined; answers
 * whether it answered.
 */
function agrees(value: unknown, digits: number): boolean {
  const type = (value as { type?: unknown }).type;
  if (type !== 'SaleRecorded' && type !== 'SaleReturned') return false;
  const fast = validSale(value as Record<string, unknown>, digits);
  const judged = judge(value, type, digits);
  if (fast === undefined) return false;
  const label = JSON.stringify(value) ?? String(value);
  expect(judged.success, label).toBe(true);
  expect(fast.event, label).toStrictEqual(judged.data);
  expect(keyOrder(fast.event), label).toEqual(keyOrder(judged.data));
  expect(fast.canonical, label).toBe(JSON.stringify(judged.data));
  return true;
}

const BASES = [
  sale({ channel: 'CH-A', at: '2026-01-10', amount: '100', id: 's-1', orderId: 'o-1' }),
  saleReturn({ channel: 'CH-A', at: '2026-01-11', amount: '40', id: 'r-1', orderId: 'o-1' }),
  { ...sale({ channel: 'CH-B', at: '2026-01-12', amount: '7', id: 's-2', orderId: 'o-2' }), source: 'erp-1' },
] as Record<string, unknown>[];

/** Strings that `JSON.stringify` writes with an escape, or that are close to one. */
const QUOTED = [
  'a"b',
  'a\\b',
  'a\nb',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\u2029',
  '\u{1F600}',
  '\ud800',
  'a\udc00',
  '华东-1',
  '',
];

describe('the sales fast path', () => {
  it.each(DIGITS)(
    'given each sale field set to edge values (%i minor digits), when validated both ways, then the fast path answers only as the schema does',
    (digits) => {
      let answered = 0;
      for (const base of BASES) {
        const data = base.data as Record<string, unknown>;
        if (agrees(base, digits)) answered++;
        if (agrees(reversed(base as never), digits)) answered++;
        for (const value of [...VALUES, ...QUOTED, ...TIMESTAMPS, ...AMOUNTS, undefined]) {
          for (const key of [...Object.keys(base), 'source', 'extra'])
            if (agrees({ ...base, [key]: value }, digits)) answered++;
          for (const key of [...Object.keys(data), 'extra'])
            if (agrees({ ...base, data: { ...data, [key]: value } }, digits)) answered++;
        }
      }
      // Valid variations (quoted strings, other amounts and times, extra keys) take the fast path.
      expect(answered).toBeGreaterThan(100);
    },
  );

  it('given sales changed at random places, when validated both ways, then the fast path answers only as the schema does', () => {
    const rng = mulberry32(20261207);
    for (let i = 0; i < 6000; i++) {
      let event = BASES[i % BASES.length] as never;
      const changes = 1 + Math.floor(rng() * 2);
      for (let c = 0; c < changes; c++) event = mutate(event, rng) as never;
      for (const digits of DIGITS) agrees(event, digits);
    }
  });

  it('given arbitrary strings and numbers in the sale fields, when validated both ways, then the fast path answers only as the schema does', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 70 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    fc.assert(
      fc.property(
        fc.record({
          eventId: text,
          channelId: fc.oneof(fc.constant('CH-A'), text),
          source: fc.option(text, { nil: undefined }),
          orderId: text,
          sku: text,
          quantity: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 53)),
          netAmount: fc.oneof(fc.constantFrom(...AMOUNTS), text),
        }),
        fc.constantFrom(...DIGITS),
        (f, digits) => {
          const value: Record<string, unknown> = {
            eventId: f.eventId,
            type: 'SaleRecorded',
            occurredAt: '2026-01-10T10:00:00+08:00',
            channelId: f.channelId,
            data: {
              orderId: f.orderId,
              sku: f.sku,
              quantity: f.quantity,
              netAmount: f.netAmount,
              currency: 'CNY',
            },
          };
          if (f.source !== undefined) value.source = f.source;
          agrees(value, digits);
          // What JSON carries: the same value read back from its text.
          agrees(JSON.parse(JSON.stringify(value)), digits);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('given a source key holding undefined or a non-plain object, when validated, then the fast path declines', () => {
    const base = BASES[0] as Record<string, unknown>;
    expect(validSale({ ...base, source: undefined }, 2)).toBeUndefined();
    expect(validSale({ ...base, data: new Map() as never }, 2)).toBeUndefined();
    class Sale {
      constructor(readonly fields: Record<string, unknown>) {
        Object.assign(this, fields);
      }
    }
    expect(validSale(new Sale(base) as never, 2)).toBeUndefined();
    expect(validSale(base, 2)).toBeDefined();
  });

  it.each(DIGITS)(
    'given a generated feed (%i minor digits), when validated, then every valid sale took the fast path and the validator gives what the schema gives',
    (digits) => {
      const validator = new EventValidator(digits);
      const feed = generateFeed({
        seed: 11 + digits,
        partners: 40,
        months: 3,
        badLineRatio: 0.2,
        minorDigits: digits,
        currency: digits === 0 ? 'JPY' : 'CNY',
      });
      let sales = 0;
      for (const line of feed) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
        const type = (value as { type?: unknown }).type;
        if (type !== 'SaleRecorded' && type !== 'SaleReturned') continue;
        const judged = judge(value, type, digits);
        const fast = validSale(value as Record<string, unknown>, digits);
        expect(fast !== undefined, line).toBe(judged.success);
        if (fast === undefined) continue;
        agrees(value, digits);
        expect(validator.validateText(line)).toStrictEqual({ _tag: 'Right', right: fast });
        sales++;
      }
      expect(sales).toBeGreaterThan(500);
    },
  );
});
