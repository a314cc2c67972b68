/**
 * Inputs for `validationEquivalence.unit.spec.ts`: field values near every rule's edge
 * (timestamps, amounts, lengths, control characters, surrogates, numbers), whole lines that
 * are not events, and a seeded mutator that puts those values anywhere in a real event.
 * Test code: left out of the package's build with the rest of `src/testing`.
 */

/** Strings at and around the RFC 3339 rule of spec §2. */
export const TIMESTAMPS: readonly string[] = [
  '2026-03-05T10:00:00+08:00',
  '2026-03-05T10:00:00Z',
  '2026-03-05T10:00:00.123456789Z',
  '2026-03-05T10:00:00.000Z',
  '2026-03-05T10:00:00.5+08:00',
  '2026-03-05T10:00:00.50-03:30',
  '2026-03-05T10:00:00.Z',
  '2026-03-05T10:00:00',
  '2026-03-05t10:00:00Z',
  '2026-03-05T10:00:00z',
  '2016-12-31T23:59:60Z',
  '2026-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2000-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-00-10T00:00:00Z',
  '2026-13-10T00:00:00Z',
  '2026-01-00T00:00:00Z',
  '2026-03-05T24:00:00Z',
  '2026-03-05T23:60:00Z',
  '2026-03-05T10:00:00+24:00',
  '2026-03-05T10:00:00+23:59',
  '2026-03-05T10:00:00-00:00',
  '2026-03-05T10:00:00+08:60',
  '2026-03-05T10:00:00+0800',
  '2026-03-05T10:00:00+08',
  '2026-03-05T10:00:00+8:00',
  '2026-03-05 10:00:00Z',
  '2026-03-05T10:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '\uff12\uff10\uff12\uff16-03-05T10:00:00Z',
  '2026-03-05T10:00:00Z\n',
  ' 2026-03-05T10:00:00Z',
  '2026-03-05T1a:00:00Z',
  '+2026-03-05T10:00:00Z',
  '20260-03-05T10:00:00Z',
  '2026-03-05T10:00:00,5Z',
  '2026-03-05T10:00:00.5.5Z',
  '2026-03-05T10:00:00ZZ',
  '2026-03-05T10:00:00.1234567890123456789012345678901234567890Z',
  '2026-03-05T10:00:00.00Z',
  '2026/03/05T10:00:00Z',
  '',
];

/** Strings at and around the decimal-amount rule (with 0, 2 and 3 minor digits). */
export const AMOUNTS: readonly string[] = [
  '0',
  '00',
  '0.0',
  '0.00',
  '0.000',
  '1200',
  '1999.90',
  '1999.9',
  '1999.905',
  '10.5',
  '10.00',
  '1999.',
  '.5',
  '-1',
  '+1',
  '1e3',
  '1,000',
  ' 1',
  '1 ',
  '\uff11',
  '\u0661\u0662',
  '9007199254740991',
  '9007199254740992',
  '90071992547409.91',
  '90071992547409.92',
  '9007199254740.991',
  '9007199254740.992',
  '90071992547409910',
  '0000000000000000000000001.00',
  '9'.repeat(400),
  `${'9'.repeat(400)}.9`,
  'NaN',
  'Infinity',
  '0x10',
  '12.3.4',
  '',
];

const X = (n: number) => 'x'.repeat(n);
const EMOJI = '\u{1F600}';

/** Values of every JSON type, and strings near the length, character and enum rules. */
export const VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  2,
  1.5,
  -1,
  99,
  100,
  101,
  10000,
  10001,
  1e21,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53),
  '',
  ' ',
  'x',
  X(64),
  X(65),
  X(128),
  X(129),
  X(200),
  X(201),
  '\u0000',
  'a\u001fb',
  'a\u007fb',
  'a\u0085b',
  'a\u009fb',
  'a\u00a0b',
  '\ud800',
  'a\udc00b',
  `${EMOJI}`,
  EMOJI.repeat(32),
  EMOJI.repeat(33),
  EMOJI.repeat(64),
  `\ud800${X(200)}`,
  `\u0000${X(128)}`,
  '\u4e2d\u6587',
  'CNY',
  'cny',
  'JPY',
  'USD1',
  'CH-A',
  'CH A',
  'ch_1.2-3',
  '2026-01',
  '2026-13',
  '2026-1',
  '0000-00',
  'distributor',
  'ecommerce',
  'Distributor',
  'quarterly',
  'monthly',
  'ChannelRegistered',
  [],
  [1],
  ['a'],
  [''],
  ['CH-A', 'CH-B'],
  ['bad id'],
  {},
  { a: 1 },
  ...TIMESTAMPS,
  ...AMOUNTS,
];

/** Whole lines: not JSON, not objects, odd JSON texts. */
export const LINES: readonly string[] = [
  '',
  '{',
  '{bad',
  'null',
  '[]',
  '[{"type":"PeriodClosed"}]',
  '"text"',
  '42',
  'true',
  '{}',
  '{"type":null}',
  '{"type":"NoSuchType","eventId":"e-1"}',
  '{"type":"PeriodClosed","eventId":7}',
  '\ufeff{"type":"PeriodClosed"}',
  '{"eventId":"a","eventId":"b","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01"}}',
  '{"__proto__":{"x":1},"eventId":"p","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01"}}',
  '{"constructor":1,"eventId":"p","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01","__proto__":null}}',
  '{"eventId":"q","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01"},"channelId":"CH-A"}',
  '{"eventId":"q","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01"},"channelId":null}',
  '{"eventId":"\\ud800","type":"PeriodClosed","occurredAt":"2026-02-01T00:00:00Z","data":{"month":"2026-01"}}',
  '{"eventId":"r","type":"SatisfactionSurveyed","channelId":"CH-A","occurredAt":"2026-02-01T00:00:00Z","data":{"score":1.0,"respondents":1e0}}',
  '{"eventId":"r","type":"SatisfactionSurveyed","channelId":"CH-A","occurredAt":"2026-02-01T00:00:00Z","data":{"score":-0,"respondents":1e400}}',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** Every path to a value inside `value` (object keys and array indexes), the root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => {
    const child = (value as Record<string | number, Json>)[k] as Json;
    return [[...prefix, k], ...paths(child, [...prefix, k])];
  });
}

/** A copy of `event` with one change at a random place: a value replaced, removed or added. */
export function mutate(event: Json, rng: Rng): Json {
  const copy = structuredClone(event);
  const all = paths(copy);
  const path = pick(rng, all);
  const parent = path
    .slice(0, -1)
    .reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, copy);
  const key = path[path.length - 1] as string | number;
  const target = parent as Record<string | number, Json>;
  const roll = rng();
  if (roll < 0.15 && !Array.isArray(parent)) delete target[key];
  else if (roll < 0.25 && !Array.isArray(parent))
    target[`extra${Math.floor(rng() * 3)}`] = pick(rng, VALUES) as Json;
  else target[key] = pick(rng, VALUES) as Json;
  return copy;
}

/** `event` with its keys (at every level) in reverse order: the canonical form must not care. */
export function reversed(event: Json): Json {
  if (event === null || typeof event !== 'object') return event;
  if (Array.isArray(event)) return event.map(reversed);
  return Object.fromEntries(
    Object.entries(event)
      .reverse()
      .map(([k, v]) => [k, reversed(v)]),
  );
}
