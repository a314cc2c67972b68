/**
 * The compiled validator (zod's `z.compile`, one `refine` predicate per custom rule, the
 * hand-written timestamp and amount scans) against today's (`LegacyEventValidator`, a copy of
 * the validator at a4a8d77): for every input the same outcome, code, rejection message,
 * eventId, canonical string and event. Exactness outranks speed (spec §2: the canonical
 * content decides duplicates, the message is what an operator reads).
 */
import { generateFeed, mulberry32 } from '@chanperf/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseTimestamp } from './calendar.js';
import { EVENT_TYPES, eventSchemas } from './events.js';
import { amountProblem, parseAmount } from './money.js';
import {
  legacyAmountProblem,
  legacyParseAmount,
  legacyParseTimestamp,
  LegacyEventValidator,
} from './testing/legacyValidator.js';
import {
  close,
  program,
  promotion,
  register,
  sale,
  saleReturn,
  survey,
  tier,
  training,
} from './testing/specBuilders.js';
import { AMOUNTS, LINES, mutate, reversed, TIMESTAMPS, VALUES } from './testing/validationEdgeCases.js';
import { EventValidator } from './validation.js';

const DIGITS = [0, 2, 3] as const;

/** (v2) The v2 event types and the field names v2 gives meaning to (spec §2, §3). */
const V2_TYPES: ReadonlySet<unknown> = new Set([
  'TargetSet',
  'InventoryReported',
  'ChannelReparented',
  'PriceChanged',
]);
const V2_DATA_FIELDS = ['parentId', 'inactivityMonths', 'priceProtectionDays'] as const;

/**
 * Whether a line is a v1 input, the only kind the legacy validator knows: not a v2 type, and
 * no v2 field name in its `data` (where v1 ignored the field, v2 checks it). Text that is not
 * a JSON object is v1 (both refuse it alike). The v2 rules have their own specs
 * (`validationV2.unit.spec.ts`).
 */
function isV1Input(line: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return true;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return true;
  const { type, data } = value as Record<string, unknown>;
  if (V2_TYPES.has(type)) return false;
  return !(data !== null && typeof data === 'object' && V2_DATA_FIELDS.some((k) => Object.hasOwn(data, k)));
}

/**
 * Both validators bound to `digits`, and the assertion that they agree on a line; a v2 line
 * is skipped (false).
 */
function pair(digits: number) {
  const now = new EventValidator(digits);
  const legacy = new LegacyEventValidator(digits);
  return (line: string): boolean => {
    if (!isV1Input(line)) return false;
    expect(now.validateText(line), line).toEqual(legacy.validateText(line));
    return true;
  };
}

/** One event of each of the eight types, valid under every digit count. */
const BASES = [
  register('CH-A', { id: 'reg-A' }),
  {
    ...register('CH-B', { id: 'reg-B' }),
    source: 'erp-1',
    data: { name: 'B', kind: 'ecommerce', online: false, region: '华东' },
  },
  sale({ channel: 'CH-A', at: '2026-01-10', amount: '100', id: 's-1', orderId: 'o-1' }),
  saleReturn({ channel: 'CH-A', at: '2026-01-11', amount: '40', id: 'r-1', orderId: 'o-1' }),
  training({ channel: 'CH-A', at: '2026-01-12', traineeId: 't-1', certification: 'CERT' }),
  survey({ channel: 'CH-A', at: '2026-01-13', score: 80, respondents: 3 }),
  program({
    tiers: [tier('base', 100, '0', 0), tier('gold', 300, '1500', 2)],
    volumeRebate: [{ minQuarterNet: '1000', rateBps: 50 }],
  }),
  promotion({
    startsAt: '2026-02-01',
    endsAt: '2026-02-28',
    bonusBps: 100,
    skus: ['P1'],
    channelIds: ['CH-A'],
  }),
  close('2026-01'),
];

describe('the compiled schemas', () => {
  it.each(DIGITS)(
    'given %i minor digits, when every event schema is compiled strictly, then none falls back to the runtime parser',
    (digits) => {
      const schemas = eventSchemas(digits);
      for (const type of EVENT_TYPES)
        expect(() => z.compile(schemas[type], { strict: true }), type).not.toThrow();
    },
  );
});

describe('the compiled validator agrees with the validator it replaced, on v1 inputs', () => {
  it('given v2 inputs, when sorted out, then v2 types and v2 data fields are left out and everything else is kept', () => {
    const agree = pair(2);
    expect(agree(JSON.stringify({ ...BASES[0], type: 'TargetSet' }))).toBe(false);
    expect(agree(JSON.stringify({ ...BASES[0], data: { name: 'A', kind: 'agent', parentId: 'CH-B' } }))).toBe(
      false,
    );
    expect(
      agree(JSON.stringify({ ...BASES[6], data: { ...(BASES[6]?.data as object), inactivityMonths: 2 } })),
    ).toBe(false);
    expect(agree(JSON.stringify({ ...BASES[0], type: 'Unknown' }))).toBe(true);
    expect(agree('[1]')).toBe(true);
    expect(agree('{')).toBe(true);
  });

  it.each(DIGITS)(
    'given a generated feed with many bad lines (%i minor digits), when both validate every line, then every result is the same',
    (digits) => {
      const agree = pair(digits);
      const feed = generateFeed({
        seed: 7 + digits,
        partners: 60,
        months: 3,
        badLineRatio: 0.3,
        minorDigits: digits,
        currency: digits === 0 ? 'JPY' : 'CNY',
      });
      let n = 0;
      for (const line of feed) if (agree(line)) n++;
      expect(n).toBeGreaterThan(1000);
    },
  );

  it.each(DIGITS)(
    'given each field of each event type set to edge values (%i minor digits), when both validate, then every result is the same',
    (digits) => {
      const agree = pair(digits);
      for (const base of BASES) {
        agree(JSON.stringify(base));
        agree(JSON.stringify(reversed(base as never)));
        for (const value of VALUES) {
          for (const key of Object.keys(base)) agree(JSON.stringify({ ...base, [key]: value }));
          const data = base.data as Record<string, unknown>;
          for (const key of [
            ...Object.keys(data),
            'online',
            'certification',
            'skus',
            'channelIds',
            'unknown',
          ]) {
            agree(JSON.stringify({ ...base, data: { ...data, [key]: value } }));
          }
        }
      }
    },
  );

  it('given program events with tiers and bands at the edges, when both validate, then every result is the same', () => {
    const agree = pair(2);
    const base = BASES[6] as Record<string, unknown>;
    const tiers = [
      [tier('a', 100, '0', 0), tier('a', 200, '10', 1)],
      [tier('a', 100, '1', 0)],
      [tier('a', 100, '0', 0), tier('b', 200, '10', 1), tier('c', 300, '5', 0)],
      [tier('a', 100, '0', 0), tier('', 200, '1.234', 1), tier('c', 300, '5', 0)],
      [tier('a', 100, '0.001', 0), tier('a', 200, '-1', 1)],
      [tier('a', 100, '0', 0), { id: 'b', rebateBps: 10001, minTrailingNet: 1, minCertifiedTrainees: -1 }],
      [],
    ];
    const bands = [
      [],
      [
        { minQuarterNet: '5', rateBps: 1 },
        { minQuarterNet: '5', rateBps: 2 },
      ],
      [
        { minQuarterNet: '9.999', rateBps: 1 },
        { minQuarterNet: '1', rateBps: 2 },
      ],
      [{ minQuarterNet: '1' }],
    ];
    for (const t of tiers) {
      for (const b of bands)
        agree(JSON.stringify({ ...base, data: { ...(base.data as object), tiers: t, volumeRebate: b } }));
    }
  });

  it('given promotions whose start and end are equal, reversed, or equal up to trailing zeros, when both validate, then every result is the same', () => {
    const agree = pair(2);
    const base = BASES[7] as Record<string, unknown>;
    for (const startsAt of TIMESTAMPS.slice(0, 8)) {
      for (const endsAt of TIMESTAMPS.slice(0, 8))
        agree(JSON.stringify({ ...base, data: { ...(base.data as object), startsAt, endsAt } }));
    }
  });

  it('given whole lines that are not events, when both validate, then every result is the same', () => {
    const agree = pair(2);
    for (const line of LINES) agree(line);
  });

  it('given events changed at random places with random edge values, when both validate, then every result is the same', () => {
    const rng = mulberry32(20261205);
    const agrees = DIGITS.map(pair);
    for (let i = 0; i < 6000; i++) {
      let event = BASES[i % BASES.length] as never;
      const changes = 1 + Math.floor(rng() * 3);
      for (let c = 0; c < changes; c++) event = mutate(event, rng) as never;
      for (const agree of agrees) agree(JSON.stringify(event));
    }
  });
});

describe('the hand-written scans agree with the regular expressions they replaced', () => {
  const digit = fc.constantFrom(...'0123456789');
  const piece = fc.oneof(
    fc.stringMatching(/^[0-9]{1,5}$/),
    fc.constantFrom('-', ':', 'T', 't', 'Z', 'z', '+', '.', ' ', '', '\u0661', '\uff10'),
  );
  const nearTimestamp = fc.oneof(
    fc
      .tuple(
        fc.array(digit, { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.stringMatching(/^(\.[0-9]{0,12})?$/),
        fc.constantFrom('Z', 'z', '', '+08:00', '-23:59', '+24:00', '+05:60', '+0800', 'Z ', '+08:00Z'),
      )
      .map(
        ([y, mo, d, h, mi, s, frac, zone]) =>
          `${y.join('')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}${frac}${zone}`,
      ),
    fc.array(piece, { maxLength: 14 }).map((p) => p.join('')),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );

  it('given strings near the RFC 3339 rule, when parsed both ways, then the instants (or refusals) are the same', () => {
    for (const text of TIMESTAMPS) expect(parseTimestamp(text), text).toEqual(legacyParseTimestamp(text));
    fc.assert(
      fc.property(nearTimestamp, (text) => {
        expect(parseTimestamp(text)).toEqual(legacyParseTimestamp(text));
      }),
      { numRuns: 20000 },
    );
  });

  const nearAmount = fc.oneof(
    fc.stringMatching(/^[0-9]{0,20}(\.[0-9]{0,5})?$/),
    fc.array(fc.constantFrom(...'0123456789.-+e ,\u0661'), { maxLength: 22 }).map((c) => c.join('')),
    fc
      .bigInt({ min: 0n, max: 2n ** 60n })
      .chain((v) =>
        fc
          .integer({ min: 0, max: 4 })
          .map((k) => (k === 0 ? String(v) : `${String(v).slice(0, -k) || '0'}.${String(v).slice(-k)}`)),
      ),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );

  it('given strings near the decimal-amount rule, when parsed both ways with 0–3 minor digits, then the minor units and the problems are the same', () => {
    for (const text of AMOUNTS) {
      for (const digits of DIGITS) {
        expect(parseAmount(text, digits), text).toBe(legacyParseAmount(text, digits));
        expect(amountProblem(text, digits), text).toBe(legacyAmountProblem(text, digits));
      }
    }
    fc.assert(
      fc.property(nearAmount, fc.integer({ min: 0, max: 3 }), (text, digits) => {
        expect(parseAmount(text, digits)).toBe(legacyParseAmount(text, digits));
        expect(amountProblem(text, digits)).toBe(legacyAmountProblem(text, digits));
      }),
      { numRuns: 20000 },
    );
  });
});
