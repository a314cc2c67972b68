/**
 * Spec §2 (Envelope, channel and program event data) and §3 (program rules): which inputs
 * are MALFORMED_JSON or SCHEMA_VIOLATION, and how input lines are read.
 */
import { describe, expect, it } from 'vitest';
import {
  channelOf,
  close,
  lastStatus,
  monthOf,
  program,
  programData,
  promotion,
  register,
  run,
  sale,
  saleReturn,
  statuses,
  survey,
  tier,
  training,
  type Input,
} from './testing/specBuilders.js';
import { EventValidator } from './validation.js';
import * as E from 'fp-ts/lib/Either.js';

const REG = register('CH-A', { id: 'reg-A' });

/** The event with `patch` merged into its envelope. */
function withEnvelope(e: Input, patch: Input): Input {
  return { ...e, ...patch };
}

/** The event with `patch` merged into its `data`. */
function withData(e: Input, patch: Input): Input {
  return { ...e, data: { ...(e.data as Input), ...patch } };
}

function without(e: Input, key: string): Input {
  const copy = { ...e };
  delete copy[key];
  return copy;
}

/** Outcome of `input` after a registered CH-A (status or rejection code). */
function outcome(input: string | Input, before: readonly (string | Input)[] = [REG]): string {
  return lastStatus(run([...before, input]));
}

const SALE = sale({ channel: 'CH-A', at: '2026-01-10', amount: '100.00', id: 's-1', orderId: 'o-1' });
const PERIOD = close('2026-01', undefined, { id: 'c-1' });

describe('input lines', () => {
  it('given blank lines (empty, spaces, tabs, CR), when replayed, then they are skipped, not counted, and later line numbers stay physical', () => {
    const { report, outcomes } = run([JSON.stringify(REG), '', '   ', '\t \r', '{bad']);
    expect(statuses(outcomes)).toEqual(['accepted', 'skipped', 'skipped', 'skipped', 'MALFORMED_JSON']);
    expect(report.counts).toEqual({ lines: 2, accepted: 1, duplicates: 0, rejected: 1 });
    expect(report.rejected).toEqual([{ line: 5, eventId: null, code: 'MALFORMED_JSON' }]);
  });

  it('given a UTF-8 BOM at the start of the file and CR before LF, when replayed, then both are ignored', () => {
    const { report, outcomes } = run([`\uFEFF${JSON.stringify(REG)}\r`, `${JSON.stringify(SALE)}\r`]);
    expect(statuses(outcomes)).toEqual(['accepted', 'accepted']);
    expect(monthOf(report, 'CH-A', '2026-01').sales).toBe('100.00');
  });

  it('given a BOM on a line other than the first, when replayed, then that line is MALFORMED_JSON (only a file-start BOM is ignored)', () => {
    expect(statuses(run([JSON.stringify(REG), `\uFEFF${JSON.stringify(SALE)}`]).outcomes)).toEqual([
      'accepted',
      'MALFORMED_JSON',
    ]);
  });

  it.each([
    ['an array', '[{"eventId":"a"}]'],
    ['a number', '42'],
    ['a string', '"SaleRecorded"'],
    ['null', 'null'],
    ['a boolean', 'true'],
    ['truncated JSON', '{"eventId": "a", "type": '],
    ['single-quoted keys', "{'eventId': 'a'}"],
  ])('given %s, when validated, then it is MALFORMED_JSON with a null eventId', (_name, text) => {
    const { report } = run([text]);
    expect(report.rejected).toEqual([{ line: 1, eventId: null, code: 'MALFORMED_JSON' }]);
    expect(report.counts).toEqual({ lines: 1, accepted: 0, duplicates: 0, rejected: 1 });
  });
});

describe('envelope', () => {
  it('given an unknown or missing type, when validated, then SCHEMA_VIOLATION reporting the string eventId', () => {
    const { report } = run([
      withEnvelope(REG, { type: 'ChannelOpened' }),
      without(withEnvelope(REG, { eventId: 'x' }), 'type'),
    ]);
    expect(report.rejected).toEqual([
      { line: 1, eventId: 'reg-A', code: 'SCHEMA_VIOLATION' },
      { line: 2, eventId: 'x', code: 'SCHEMA_VIOLATION' },
    ]);
  });

  it('given a non-string eventId, when validated, then SCHEMA_VIOLATION with a null eventId', () => {
    const { report } = run([withEnvelope(REG, { eventId: 17 })]);
    expect(report.rejected).toEqual([{ line: 1, eventId: null, code: 'SCHEMA_VIOLATION' }]);
  });

  describe('eventId: 1–128 UTF-16 code units, no control characters', () => {
    it.each([
      ['one character', 'accepted', 'a'],
      ['128 characters', 'accepted', 'e'.repeat(128)],
      ['non-ASCII text', 'accepted', '销售单-2026-0001/行1'],
      ['64 emoji (128 code units)', 'accepted', '😀'.repeat(64)],
      ['empty', 'SCHEMA_VIOLATION', ''],
      ['129 characters', 'SCHEMA_VIOLATION', 'e'.repeat(129)],
      ['65 emoji (130 code units)', 'SCHEMA_VIOLATION', '😀'.repeat(65)],
      ['a NUL', 'SCHEMA_VIOLATION', 'a\u0000b'],
      ['a BEL control character', 'SCHEMA_VIOLATION', 'ord\u0007-1'],
      ['a tab', 'SCHEMA_VIOLATION', 'a\tb'],
      ['a newline', 'SCHEMA_VIOLATION', 'a\nb'],
      ['DEL', 'SCHEMA_VIOLATION', 'a\u007f'],
      ['a C1 control (NEL)', 'SCHEMA_VIOLATION', 'a\u0085'],
    ])('given an eventId with %s, when validated, then %s', (_name, expected, eventId) => {
      expect(outcome(withEnvelope(REG, { eventId }), [])).toBe(expected);
    });
  });

  describe('occurredAt: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), a real date and time', () => {
    it.each([
      ['Z', '2026-03-05T02:00:00Z'],
      ['a +08:00 offset', '2026-03-05T10:00:00+08:00'],
      ['a -05:30 offset', '2026-03-04T20:30:00-05:30'],
      ['a fraction', '2026-03-05T10:00:00.123456+08:00'],
      ['29 February of a leap year', '2028-02-29T10:00:00+08:00'],
      ['23:59:59', '2026-12-31T23:59:59+08:00'],
    ])('given a timestamp with %s, when validated, then it is accepted', (_name, occurredAt) => {
      expect(outcome(withEnvelope(REG, { occurredAt }), [])).toBe('accepted');
    });

    it.each([
      ['no offset', '2026-03-05T10:00:00'],
      ['a lower-case t', '2026-03-05t10:00:00Z'],
      ['a lower-case z', '2026-03-05T10:00:00z'],
      ['a space instead of T', '2026-03-05 10:00:00+08:00'],
      ['an offset without colon', '2026-03-05T10:00:00+0800'],
      ['an hour-only offset', '2026-03-05T10:00:00+08'],
      ['no seconds', '2026-03-05T10:00+08:00'],
      ['a date only', '2026-03-05'],
      ['30 February', '2026-02-30T10:00:00+08:00'],
      ['29 February of a common year', '2026-02-29T10:00:00+08:00'],
      ['31 April', '2026-04-31T10:00:00+08:00'],
      ['month 13', '2026-13-01T10:00:00+08:00'],
      ['day 00', '2026-03-00T10:00:00+08:00'],
      ['24:00:00', '2026-03-05T24:00:00+08:00'],
      ['minute 60', '2026-03-05T10:60:00+08:00'],
      ['a leap second 23:59:60', '2016-12-31T23:59:60Z'],
      ['an empty fraction', '2026-03-05T10:00:00.+08:00'],
      ['a number', 1772676000],
    ])('given a timestamp with %s, when validated, then SCHEMA_VIOLATION', (_name, occurredAt) => {
      expect(outcome(withEnvelope(REG, { occurredAt }), [])).toBe('SCHEMA_VIOLATION');
    });
  });

  describe('channelId: 1–64 of A-Z a-z 0-9 . _ -, required on channel events', () => {
    it.each([
      ['every allowed character', 'Az09._-'],
      ['64 characters', 'C'.repeat(64)],
    ])('given a channelId with %s, when validated, then it is accepted', (_name, channelId) => {
      expect(outcome(withEnvelope(REG, { channelId }), [])).toBe('accepted');
    });

    it.each([
      ['65 characters', 'C'.repeat(65)],
      ['no characters', ''],
      ['a space', 'CH A'],
      ['a slash', 'CH/A'],
      ['a colon', 'CH:A'],
      ['Chinese characters', '华北总代'],
      ['a number value', 42],
      ['null', null],
    ])('given a channelId with %s, when validated, then SCHEMA_VIOLATION', (_name, channelId) => {
      expect(outcome(withEnvelope(REG, { channelId }), [])).toBe('SCHEMA_VIOLATION');
    });

    it('given a channel event without channelId, when validated, then SCHEMA_VIOLATION', () => {
      expect(outcome(without(REG, 'channelId'), [])).toBe('SCHEMA_VIOLATION');
      expect(outcome(without(SALE, 'channelId'))).toBe('SCHEMA_VIOLATION');
    });

    it.each([
      ['ProgramPublished', program()],
      ['PromotionScheduled', promotion({ startsAt: '2026-02-01', endsAt: '2026-03-01', bonusBps: 100 })],
      ['PeriodClosed', close('2026-01')],
    ])(
      'given a %s carrying a channelId (even a registered one, even null), when validated, then SCHEMA_VIOLATION',
      (_type, e) => {
        expect(outcome(withEnvelope(e, { channelId: 'CH-A' }))).toBe('SCHEMA_VIOLATION');
        expect(outcome(withEnvelope(e, { channelId: null }))).toBe('SCHEMA_VIOLATION');
        expect(outcome(e)).toBe('accepted');
      },
    );
  });

  describe('source: optional string of at most 64 characters', () => {
    it.each([
      ['absent', 'accepted', undefined],
      ['64 characters', 'accepted', 's'.repeat(64)],
      ['65 characters', 'SCHEMA_VIOLATION', 's'.repeat(65)],
      ['33 emoji (66 UTF-16 code units)', 'SCHEMA_VIOLATION', '😀'.repeat(33)],
      ['a number', 'SCHEMA_VIOLATION', 1],
    ])('given a source that is %s, when validated, then %s', (_name, expected, source) => {
      expect(outcome(source === undefined ? SALE : withEnvelope(SALE, { source }))).toBe(expected);
    });
  });

  describe('null is not absence', () => {
    it.each([
      ['source', withEnvelope(SALE, { source: null })],
      ['data.online', withData(REG, { online: null })],
      ['data.region', withData(REG, { region: null })],
      [
        'data.certification',
        training({
          channel: 'CH-A',
          at: '2026-01-15',
          traineeId: 't',
          certification: null as unknown as string,
        }),
      ],
      [
        'data.skus',
        withData(promotion({ startsAt: '2026-02-01', endsAt: '2026-03-01', bonusBps: 1 }), { skus: null }),
      ],
      [
        'data.channelIds',
        withData(promotion({ startsAt: '2026-02-01', endsAt: '2026-03-01', bonusBps: 1 }), {
          channelIds: null,
        }),
      ],
      ['data', withEnvelope(SALE, { data: null })],
    ])('given an optional field %s set to null, when validated, then SCHEMA_VIOLATION', (_field, e) => {
      expect(outcome(e)).toBe('SCHEMA_VIOLATION');
    });
  });

  describe('unknown fields are ignored at every level', () => {
    it('given unknown fields in the envelope, data, tiers and volume bands, when validated, then the events are accepted and the figures unchanged', () => {
      const prog = program({
        extraProgramField: 1,
        tiers: [
          { id: 'registered', rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0, colour: 'grey' },
        ],
        volumeRebate: [{ minQuarterNet: '1000', rateBps: 50, note: 'x' }],
      });
      const { outcomes, report } = run([
        withEnvelope(prog, { traceId: 'abc' }),
        withData(withEnvelope(REG, { erpVersion: 7 }), { legalName: 'Ltd.', online: true }),
        withData(withEnvelope(SALE, { ingestedBy: 'x', nested: { a: 1 } }), {
          discount: '5.00',
          lines: [1, 2],
        }),
      ]);
      expect(statuses(outcomes)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(monthOf(report, 'CH-A', '2026-01')).toMatchObject({
        sales: '100.00',
        net: '100.00',
        tier: 'registered',
      });
      expect(monthOf(report, 'CH-A', '2026-01').rebate.base).toBe('1.00');
    });

    it('given the validator, when an event has unknown fields or another key order, then its canonical content is the same', () => {
      const v = new EventValidator(2);
      const reversed = (o: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(
          Object.entries(o)
            .reverse()
            .map(([k, x]) => [
              k,
              x !== null && typeof x === 'object' && !Array.isArray(x)
                ? reversed(x as Record<string, unknown>)
                : x,
            ]),
        );
      const a = v.validateValue(withData(withEnvelope(SALE, { zzz: 1 }), { extra: true }));
      const b = v.validateValue(SALE);
      const c = v.validateValue(reversed(SALE));
      expect(E.isRight(a) && E.isRight(b) && E.isRight(c)).toBe(true);
      if (E.isRight(a) && E.isRight(b) && E.isRight(c)) {
        expect(a.right.canonical).toBe(b.right.canonical);
        expect(c.right.canonical).toBe(b.right.canonical);
        expect(b.right.canonical).not.toContain('zzz');
        expect(JSON.parse(b.right.canonical)).toEqual(SALE);
      }
    });
  });
});

describe('channel event data', () => {
  describe('ChannelRegistered', () => {
    it.each([
      ['name of 200 characters', 'accepted', { name: 'n'.repeat(200) }],
      ['name of 201 characters', 'SCHEMA_VIOLATION', { name: 'n'.repeat(201) }],
      ['empty name', 'SCHEMA_VIOLATION', { name: '' }],
      ['name of 100 emoji (200 UTF-16 code units)', 'accepted', { name: '😀'.repeat(100) }],
      ['name of 101 emoji (202 UTF-16 code units)', 'SCHEMA_VIOLATION', { name: '😀'.repeat(101) }],
      ['kind ecommerce', 'accepted', { kind: 'ecommerce' }],
      ['kind agent', 'accepted', { kind: 'agent' }],
      ['kind retailer', 'accepted', { kind: 'retailer' }],
      ['kind reseller', 'accepted', { kind: 'reseller' }],
      ['unknown kind', 'SCHEMA_VIOLATION', { kind: 'wholesaler' }],
      ['upper-case kind', 'SCHEMA_VIOLATION', { kind: 'Distributor' }],
      ['online false', 'accepted', { online: false }],
      ['online as a string', 'SCHEMA_VIOLATION', { online: 'true' }],
      ['region', 'accepted', { region: 'North' }],
      ['region as a number', 'SCHEMA_VIOLATION', { region: 7 }],
    ])('given a registration with %s, when validated, then %s', (_name, expected, patch) => {
      expect(outcome(withData(REG, patch), [])).toBe(expected);
    });

    it('given a registration without name or kind, when validated, then SCHEMA_VIOLATION', () => {
      expect(outcome({ ...REG, data: { kind: 'agent' } }, [])).toBe('SCHEMA_VIOLATION');
      expect(outcome({ ...REG, data: { name: 'x' } }, [])).toBe('SCHEMA_VIOLATION');
    });
  });

  describe.each([
    ['SaleRecorded', SALE],
    ['SaleReturned', saleReturn({ channel: 'CH-A', at: '2026-01-11', amount: '10.00', orderId: 'o-1' })],
  ])('%s', (_type, base) => {
    it.each([
      ['quantity 1', 'accepted', { quantity: 1 }],
      ['quantity 0', 'SCHEMA_VIOLATION', { quantity: 0 }],
      ['quantity -1', 'SCHEMA_VIOLATION', { quantity: -1 }],
      ['quantity 1.5', 'SCHEMA_VIOLATION', { quantity: 1.5 }],
      ['quantity as a string', 'SCHEMA_VIOLATION', { quantity: '1' }],
      ['netAmount "0"', 'accepted', { netAmount: '0' }],
      ['netAmount "1999.90"', 'accepted', { netAmount: '1999.90' }],
      ['netAmount "1999.9"', 'accepted', { netAmount: '1999.9' }],
      ['netAmount with 3 decimals in CNY', 'SCHEMA_VIOLATION', { netAmount: '1999.905' }],
      ['negative netAmount', 'SCHEMA_VIOLATION', { netAmount: '-1.00' }],
      ['netAmount with a plus sign', 'SCHEMA_VIOLATION', { netAmount: '+1.00' }],
      ['netAmount as a number', 'SCHEMA_VIOLATION', { netAmount: 100 }],
      ['netAmount with an exponent', 'SCHEMA_VIOLATION', { netAmount: '1e3' }],
      ['netAmount ".5"', 'SCHEMA_VIOLATION', { netAmount: '.5' }],
      ['netAmount "1."', 'SCHEMA_VIOLATION', { netAmount: '1.' }],
      ['netAmount with a thousands separator', 'SCHEMA_VIOLATION', { netAmount: '1,000.00' }],
      ['netAmount with spaces', 'SCHEMA_VIOLATION', { netAmount: ' 1.00' }],
      ['lower-case currency', 'SCHEMA_VIOLATION', { currency: 'cny' }],
      ['a four-letter currency', 'SCHEMA_VIOLATION', { currency: 'CNYY' }],
      ['orderId of 128 characters', 'accepted', { orderId: 'o'.repeat(128) }],
      ['orderId of 129 characters', 'SCHEMA_VIOLATION', { orderId: 'o'.repeat(129) }],
      ['empty orderId', 'SCHEMA_VIOLATION', { orderId: '' }],
      ['sku of 64 characters', 'accepted', { sku: 'k'.repeat(64) }],
      ['sku of 65 characters', 'SCHEMA_VIOLATION', { sku: 'k'.repeat(65) }],
      ['empty sku', 'SCHEMA_VIOLATION', { sku: '' }],
    ])('given %s, when validated, then %s', (_name, expected, patch) => {
      expect(outcome(withData(base, patch))).toBe(expected);
    });

    it('given a quantity written as 2.0, when validated, then it is the integer 2', () => {
      const text = JSON.stringify(withData(base, { quantity: 2 })).replace('"quantity":2', '"quantity":2.0');
      expect(text).toContain('"quantity":2.0');
      const { report, outcomes } = run([REG, text]);
      expect(statuses(outcomes)).toEqual(['accepted', 'accepted']);
      expect(Math.abs(monthOf(report, 'CH-A', '2026-01').units)).toBe(2);
    });
  });

  describe('TrainingCompleted', () => {
    const t = training({ channel: 'CH-A', at: '2026-01-15', traineeId: 'a-li' });
    it.each([
      ['no certification', 'accepted', {}],
      ['a certification of 64 characters', 'accepted', { certification: 'c'.repeat(64) }],
      ['a certification of 65 characters', 'SCHEMA_VIOLATION', { certification: 'c'.repeat(65) }],
      ['an empty certification', 'SCHEMA_VIOLATION', { certification: '' }],
      ['a traineeId of 128 characters', 'accepted', { traineeId: 't'.repeat(128) }],
      ['a traineeId of 129 characters', 'SCHEMA_VIOLATION', { traineeId: 't'.repeat(129) }],
      ['an empty courseId', 'SCHEMA_VIOLATION', { courseId: '' }],
      ['a courseId of 129 characters', 'SCHEMA_VIOLATION', { courseId: 'c'.repeat(129) }],
    ])('given %s, when validated, then %s', (_name, expected, patch) => {
      expect(outcome(withData(t, patch))).toBe(expected);
    });
  });

  describe('SatisfactionSurveyed', () => {
    it.each([
      ['score 0', 'accepted', { score: 0 }],
      ['score 100', 'accepted', { score: 100 }],
      ['score 101', 'SCHEMA_VIOLATION', { score: 101 }],
      ['score -1', 'SCHEMA_VIOLATION', { score: -1 }],
      ['score 50.5', 'SCHEMA_VIOLATION', { score: 50.5 }],
      ['respondents 1', 'accepted', { respondents: 1 }],
      ['respondents 0', 'SCHEMA_VIOLATION', { respondents: 0 }],
      ['respondents 2.5', 'SCHEMA_VIOLATION', { respondents: 2.5 }],
    ])('given %s, when validated, then %s', (_name, expected, patch) => {
      expect(
        outcome(withData(survey({ channel: 'CH-A', at: '2026-01-20', score: 80, respondents: 3 }), patch)),
      ).toBe(expected);
    });
  });
});

describe('program event data', () => {
  describe('PromotionScheduled', () => {
    const promo = promotion({
      startsAt: '2026-02-01T00:00:00+08:00',
      endsAt: '2026-03-01T00:00:00+08:00',
      bonusBps: 100,
    });
    it.each([
      ['bonusBps 0', 'accepted', { bonusBps: 0 }],
      ['bonusBps 10000', 'accepted', { bonusBps: 10000 }],
      ['bonusBps 10001', 'SCHEMA_VIOLATION', { bonusBps: 10001 }],
      ['bonusBps -1', 'SCHEMA_VIOLATION', { bonusBps: -1 }],
      ['bonusBps 1.5', 'SCHEMA_VIOLATION', { bonusBps: 1.5 }],
      ['a list of skus', 'accepted', { skus: ['P1', 'P2'] }],
      ['an empty list of skus', 'SCHEMA_VIOLATION', { skus: [] }],
      ['a list of channelIds', 'accepted', { channelIds: ['CH-A'] }],
      ['an empty list of channelIds', 'SCHEMA_VIOLATION', { channelIds: [] }],
      ['an invalid channelId in channelIds', 'SCHEMA_VIOLATION', { channelIds: ['CH A'] }],
      ['an empty promotionId', 'SCHEMA_VIOLATION', { promotionId: '' }],
      ['startsAt equal to endsAt', 'SCHEMA_VIOLATION', { endsAt: '2026-02-01T00:00:00+08:00' }],
      ['startsAt after endsAt', 'SCHEMA_VIOLATION', { endsAt: '2026-01-31T00:00:00+08:00' }],
      ['endsAt the same instant in another offset', 'SCHEMA_VIOLATION', { endsAt: '2026-01-31T16:00:00Z' }],
      ['endsAt one millisecond after startsAt', 'accepted', { endsAt: '2026-01-31T16:00:00.001Z' }],
      ['startsAt without offset', 'SCHEMA_VIOLATION', { startsAt: '2026-02-01T00:00:00' }],
    ])('given %s, when validated, then %s', (_name, expected, patch) => {
      expect(outcome(withData(promo, patch))).toBe(expected);
    });
  });

  describe('PeriodClosed', () => {
    it.each([
      ['2026-01', 'accepted'],
      ['2026-13', 'SCHEMA_VIOLATION'],
      ['2026-00', 'SCHEMA_VIOLATION'],
      ['2026-1', 'SCHEMA_VIOLATION'],
      ['2026-01-31', 'SCHEMA_VIOLATION'],
      ['202601', 'SCHEMA_VIOLATION'],
    ])('given month %s, when validated, then %s', (month, expected) => {
      expect(outcome(withData(PERIOD, { month }))).toBe(expected);
    });
  });
});

describe('program rules (§3)', () => {
  it.each([
    ['the spec example program', 'accepted', {}],
    ['a single tier', 'accepted', { tiers: [tier('only', 100, '0', 0)] }],
    ['a first tier minimum written "0.00"', 'accepted', { tiers: [tier('base', 100, '0.00', 0)] }],
    ['no tiers', 'SCHEMA_VIOLATION', { tiers: [] }],
    ['tiers that are not a list', 'SCHEMA_VIOLATION', { tiers: 'gold' }],
    ['a first tier with minTrailingNet 0.01', 'SCHEMA_VIOLATION', { tiers: [tier('base', 100, '0.01', 0)] }],
    ['a first tier with minCertifiedTrainees 1', 'SCHEMA_VIOLATION', { tiers: [tier('base', 100, '0', 1)] }],
    [
      'equal minimums down the list',
      'accepted',
      { tiers: [tier('a', 100, '0', 0), tier('b', 200, '0', 0), tier('c', 300, '0', 0)] },
    ],
    [
      'a decreasing minTrailingNet',
      'SCHEMA_VIOLATION',
      { tiers: [tier('a', 100, '0', 0), tier('b', 200, '500', 1), tier('c', 300, '400', 2)] },
    ],
    [
      'a decreasing minCertifiedTrainees',
      'SCHEMA_VIOLATION',
      { tiers: [tier('a', 100, '0', 0), tier('b', 200, '500', 2), tier('c', 300, '900', 1)] },
    ],
    ['duplicate tier ids', 'SCHEMA_VIOLATION', { tiers: [tier('a', 100, '0', 0), tier('a', 200, '500', 1)] }],
    [
      'a negative minCertifiedTrainees',
      'SCHEMA_VIOLATION',
      { tiers: [tier('a', 100, '0', 0), tier('b', 200, '500', -1)] },
    ],
    [
      'a minTrailingNet with 3 decimals in CNY',
      'SCHEMA_VIOLATION',
      { tiers: [tier('a', 100, '0', 0), tier('b', 200, '500.001', 1)] },
    ],
    ['an empty volumeRebate', 'accepted', { volumeRebate: [] }],
    [
      'equal volume bands',
      'SCHEMA_VIOLATION',
      {
        volumeRebate: [
          { minQuarterNet: '1000', rateBps: 50 },
          { minQuarterNet: '1000.00', rateBps: 100 },
        ],
      },
    ],
    [
      'decreasing volume bands',
      'SCHEMA_VIOLATION',
      {
        volumeRebate: [
          { minQuarterNet: '5000', rateBps: 50 },
          { minQuarterNet: '1000', rateBps: 100 },
        ],
      },
    ],
    ['a volume band at 0', 'accepted', { volumeRebate: [{ minQuarterNet: '0', rateBps: 10 }] }],
    ['growthTargetBps 10001', 'SCHEMA_VIOLATION', { growthTargetBps: 10001 }],
    ['growthTargetBps 0', 'accepted', { growthTargetBps: 0 }],
    ['growthBonusBps -1', 'SCHEMA_VIOLATION', { growthBonusBps: -1 }],
    ['a tier rebateBps 10001', 'SCHEMA_VIOLATION', { tiers: [tier('a', 10001, '0', 0)] }],
    ['a volume rateBps 1.5', 'SCHEMA_VIOLATION', { volumeRebate: [{ minQuarterNet: '1000', rateBps: 1.5 }] }],
    ['tierReview monthly', 'accepted', { tierReview: 'monthly' }],
    ['tierReview yearly', 'SCHEMA_VIOLATION', { tierReview: 'yearly' }],
    ['downgradeGraceReviews 0', 'accepted', { downgradeGraceReviews: 0 }],
    ['downgradeGraceReviews -1', 'SCHEMA_VIOLATION', { downgradeGraceReviews: -1 }],
    ['downgradeGraceReviews 1.5', 'SCHEMA_VIOLATION', { downgradeGraceReviews: 1.5 }],
    ['effectiveFrom 2026-1', 'SCHEMA_VIOLATION', { effectiveFrom: '2026-1' }],
    ['effectiveFrom 2026-13', 'SCHEMA_VIOLATION', { effectiveFrom: '2026-13' }],
    ['effectiveFrom as a timestamp', 'SCHEMA_VIOLATION', { effectiveFrom: '2026-01-01T00:00:00Z' }],
  ])('given a program with %s, when published, then %s', (_name, expected, patch) => {
    expect(outcome(program(patch), [])).toBe(expected);
  });

  it('given a program without volumeRebate, when published, then SCHEMA_VIOLATION (the list may be empty, not absent)', () => {
    const data = programData();
    delete data.volumeRebate;
    expect(outcome({ ...program(), data }, [])).toBe('SCHEMA_VIOLATION');
  });
});

describe('the validator on its own', () => {
  it('given a JPY validator, when amounts have decimals, then they are refused even when zero', () => {
    const v = new EventValidator(0);
    const saleWith = (netAmount: string) => withData(SALE, { netAmount, currency: 'JPY' });
    expect(E.isRight(v.validateValue(saleWith('1200')))).toBe(true);
    expect(E.isLeft(v.validateValue(saleWith('10.5')))).toBe(true);
    expect(E.isLeft(v.validateValue(saleWith('10.00')))).toBe(true);
  });

  it('given a rejection, when the input had a string eventId, then the rejection carries it', () => {
    const v = new EventValidator(2);
    const r = v.validateText(JSON.stringify(withData(SALE, { quantity: 0 })));
    expect(r).toEqual(E.left(expect.objectContaining({ code: 'SCHEMA_VIOLATION', eventId: 's-1' })));
  });

  it('given a registration, when validated, then the channel keeps the name as written', () => {
    const { report } = run([withData(REG, { name: '华北总代 North Distribution' })]);
    expect(channelOf(report, 'CH-A').name).toBe('华北总代 North Distribution');
  });
});
