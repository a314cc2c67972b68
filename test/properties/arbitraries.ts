/**
 * fast-check generators for the property tests: realistic events of every type (spec §2, §3),
 * their mutations, truncations and duplicates, junk lines, and batch plans for the engine.
 * Everything is plain JSON objects and NDJSON lines; the rules under test are not used here.
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Pools: small on purpose, so that duplicates, conflicts and collisions happen often.

export const CHANNEL_IDS = ['A', 'B', 'c-1'] as const;
export const SKUS = ['S1', 'S2', 'S3'] as const;
export const ORDER_IDS = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6'] as const;
export const PROMOTION_IDS = ['p1', 'p2', 'p3'] as const;
export const TRAINEE_IDS = ['t1', 't2', 't3', 't4', 't5', 't6'] as const;
export const CHANNEL_KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'] as const;
const TIER_IDS = ['registered', 'silver', 'gold', 'diamond'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A raw input line: its text and, for lines made of random bytes, the bytes themselves. */
export interface Line {
  readonly text: string;
  readonly bytes?: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Time. Months of 2026 are numbered 1..12; the reporting zone is Asia/Shanghai (+08:00).

const SHANGHAI = 8 * 3600;

/** Epoch seconds of the first instant of 2026-`month` in Shanghai (month 13 = 2027-01). */
export function monthStart(month: number): number {
  return Date.UTC(2026, month - 1, 1) / 1000 - SHANGHAI;
}

export function monthText(month: number): string {
  return month <= 12
    ? `2026-${String(month).padStart(2, '0')}`
    : `2027-${String(month - 12).padStart(2, '0')}`;
}

export type Offset = 'Z' | '+08:00';

/** RFC 3339 text of an instant, written with the given offset and optional fraction digits. */
export function formatTs(seconds: number, offset: Offset, fraction = ''): string {
  const shift = offset === 'Z' ? 0 : SHANGHAI;
  const local = new Date((seconds + shift) * 1000).toISOString().slice(0, 19);
  return `${local}${fraction === '' ? '' : `.${fraction}`}${offset}`;
}

const offsetArb: fc.Arbitrary<Offset> = fc.constantFrom<Offset>('+08:00', 'Z');
const fractionArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{1,6}$/) },
);

/** A timestamp inside Shanghai months `from`..`to` (inclusive), either offset. */
export function timestampIn(from: number, to: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: monthStart(from), max: monthStart(to + 1) - 1 }), offsetArb, fractionArb)
    .map(([s, o, f]) => formatTs(s, o, f));
}

/** Timestamps over the first six months of 2026, with extra weight on month boundaries. */
const boundaryTsArb = fc
  .tuple(fc.integer({ min: 2, max: 7 }), fc.integer({ min: -2, max: 1 }), offsetArb)
  .map(([m, d, o]) => formatTs(monthStart(m) + d, o));
export const timestampArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: timestampIn(1, 6) },
  { weight: 1, arbitrary: boundaryTsArb },
);

// ---------------------------------------------------------------------------------------------
// Money: decimal strings with at most 2 fraction digits (CNY), written in several ways.

/** Minor units → "123", "123.4" or "123.45" whenever that spelling is exact. */
export function amountText(minor: number, style: 0 | 1 | 2): string {
  const int = Math.floor(minor / 100);
  const cents = minor % 100;
  if (style === 0 && cents === 0) return String(int);
  if (style <= 1 && cents % 10 === 0) return `${int}.${cents / 10}`;
  return `${int}.${String(cents).padStart(2, '0')}`;
}

const styleArb = fc.constantFrom<0 | 1 | 2>(0, 1, 2);

export function amountArb(maxMinor: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: 0, max: maxMinor }), styleArb).map(([m, s]) => amountText(m, s));
}

const saleAmountArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant('0') },
  { weight: 12, arbitrary: amountArb(1_500_000) },
);

/**
 * Amounts at the edge of what a single amount may be (Number.MAX_SAFE_INTEGER minor units and
 * half of it): each is valid on its own; their sums are not safe integers any more.
 */
const extremeSaleAmountArb = fc.oneof(
  { weight: 12, arbitrary: saleAmountArb },
  { weight: 1, arbitrary: fc.constantFrom('90071992547409.91', '45035996273704.96', '45035996273705') },
);

// ---------------------------------------------------------------------------------------------
// Valid events (schema-valid; acceptance may still refuse them: unknown channel and so on).

const optional = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });

/** Builds an object without the keys whose value is undefined. */
function obj(fields: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

const sourceArb = optional(fc.constantFrom('erp-1', 'erp-2', ''), 4);
const channelIdArb = fc.constantFrom(...CHANNEL_IDS);

export function eventIdPool(size: number, prefix = 'e'): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: size - 1 }).map((i) => `${prefix}${i}`);
}

export function channelEvent(
  type: string,
  eventId: fc.Arbitrary<string>,
  data: fc.Arbitrary<JsonObject>,
  occurredAt: fc.Arbitrary<string> = timestampArb,
  channelId: fc.Arbitrary<string> = channelIdArb,
): fc.Arbitrary<JsonObject> {
  return fc.record({ eventId, occurredAt, channelId, source: sourceArb, data }).map((r) =>
    obj({
      eventId: r.eventId,
      type,
      occurredAt: r.occurredAt,
      channelId: r.channelId,
      source: r.source,
      data: r.data,
    }),
  );
}

function programEvent(
  type: string,
  eventId: fc.Arbitrary<string>,
  data: fc.Arbitrary<JsonObject>,
  occurredAt: fc.Arbitrary<string> = timestampArb,
): fc.Arbitrary<JsonObject> {
  return fc
    .record({ eventId, occurredAt, source: sourceArb, data })
    .map((r) => obj({ eventId: r.eventId, type, occurredAt: r.occurredAt, source: r.source, data: r.data }));
}

export const registrationData: fc.Arbitrary<JsonObject> = fc
  .record({
    name: fc.constantFrom('Acme Trading', '华东分销', 'Shop Online', 'x'),
    kind: fc.constantFrom(...CHANNEL_KINDS),
    online: optional(fc.boolean()),
    region: optional(fc.constantFrom('east', 'south', '')),
  })
  .map((r) => obj(r));

export function saleData(amount: fc.Arbitrary<string> = saleAmountArb): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      orderId: fc.constantFrom(...ORDER_IDS),
      sku: fc.constantFrom(...SKUS),
      quantity: fc.integer({ min: 1, max: 5 }),
      netAmount: amount,
      currency: fc.oneof(
        { weight: 20, arbitrary: fc.constant('CNY') },
        { weight: 1, arbitrary: fc.constant('USD') },
      ),
    })
    .map((r) => obj(r));
}

const trainingData: fc.Arbitrary<JsonObject> = fc
  .record({
    courseId: fc.constantFrom('C1', 'C2'),
    traineeId: fc.constantFrom(...TRAINEE_IDS),
    certification: optional(fc.constantFrom('CERT', 'PRO'), 1),
  })
  .map((r) => obj(r));

const surveyData: fc.Arbitrary<JsonObject> = fc
  .record({ score: fc.integer({ min: 0, max: 100 }), respondents: fc.integer({ min: 1, max: 50 }) })
  .map((r) => obj(r));

/** A program valid per spec §3: first tier at zero, minimums never decreasing, bands increasing. */
export const programData: fc.Arbitrary<JsonObject> = fc
  .record({
    programId: fc.constantFrom('cn-2026', 'cn-2026b'),
    effectiveFrom: fc.oneof(
      { weight: 3, arbitrary: fc.constant(1) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 6 }) },
    ),
    growthTargetBps: fc.oneof(fc.constant(1000), fc.integer({ min: 0, max: 10000 })),
    growthBonusBps: fc.integer({ min: 0, max: 500 }),
    tierReview: fc.constantFrom('quarterly', 'monthly'),
    downgradeGraceReviews: fc.integer({ min: 0, max: 2 }),
    baseRebate: fc.integer({ min: 0, max: 1000 }),
    steps: fc.array(
      fc.record({
        rebateBps: fc.integer({ min: 0, max: 1000 }),
        dNet: fc.integer({ min: 0, max: 1_000_000 }),
        dCert: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 })),
        style: styleArb,
      }),
      { maxLength: 3 },
    ),
    bands: fc.uniqueArray(fc.integer({ min: 1, max: 5_000_000 }), { maxLength: 3 }),
    bandRates: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 3 }),
  })
  .map((r) => {
    let net = 0;
    let cert = 0;
    const tiers: Json[] = [
      { id: 'registered', rebateBps: r.baseRebate, minTrailingNet: '0', minCertifiedTrainees: 0 },
    ];
    r.steps.forEach((s, i) => {
      net += s.dNet;
      cert += s.dCert;
      tiers.push({
        id: TIER_IDS[i + 1] ?? `tier${i + 1}`,
        rebateBps: s.rebateBps,
        minTrailingNet: amountText(net, s.style),
        minCertifiedTrainees: cert,
      });
    });
    const bands = [...r.bands].sort((a, b) => a - b);
    return {
      programId: r.programId,
      effectiveFrom: r.effectiveFrom === 0 ? '2025-12' : monthText(r.effectiveFrom),
      growthTargetBps: r.growthTargetBps,
      growthBonusBps: r.growthBonusBps,
      tierReview: r.tierReview,
      downgradeGraceReviews: r.downgradeGraceReviews,
      tiers,
      volumeRebate: bands.map((b, i) => ({ minQuarterNet: amountText(b, 2), rateBps: r.bandRates[i] ?? 0 })),
    };
  });

const promotionData: fc.Arbitrary<JsonObject> = fc
  .record({
    promotionId: fc.constantFrom(...PROMOTION_IDS),
    start: fc.integer({ min: monthStart(1), max: monthStart(7) - 1 }),
    length: fc.integer({ min: 1, max: 40 * 86400 }),
    o1: offsetArb,
    o2: offsetArb,
    bonusBps: fc.integer({ min: 0, max: 1000 }),
    skus: optional(fc.uniqueArray(fc.constantFrom(...SKUS), { minLength: 1, maxLength: 3 })),
    channelIds: optional(fc.uniqueArray(channelIdArb, { minLength: 1, maxLength: 3 })),
  })
  .map((r) =>
    obj({
      promotionId: r.promotionId,
      startsAt: formatTs(r.start, r.o1),
      endsAt: formatTs(r.start + r.length, r.o2),
      bonusBps: r.bonusBps,
      skus: r.skus,
      channelIds: r.channelIds,
    }),
  );

/** PeriodClosed: mostly for a month that has ended at `occurredAt`, sometimes not (refused). */
function periodClosed(eventId: fc.Arbitrary<string>): fc.Arbitrary<JsonObject> {
  const ended = fc
    .integer({ min: 1, max: 5 })
    .chain((m) => fc.tuple(fc.constant(m), timestampIn(m + 1, Math.min(m + 2, 7))));
  const notEnded = fc.integer({ min: 1, max: 6 }).chain((m) => fc.tuple(fc.constant(m), timestampIn(m, m)));
  return fc
    .tuple(eventId, fc.oneof({ weight: 6, arbitrary: ended }, { weight: 1, arbitrary: notEnded }), sourceArb)
    .map(([id, [m, at], source]) =>
      obj({ eventId: id, type: 'PeriodClosed', occurredAt: at, source, data: { month: monthText(m) } }),
    );
}

/** A schema-valid event of any type, with eventIds from `ids`. */
export function validEventArb(
  ids: fc.Arbitrary<string>,
  closeWeight = 2,
  extremeAmounts = false,
): fc.Arbitrary<JsonObject> {
  return fc.oneof(
    { weight: 2, arbitrary: channelEvent('ChannelRegistered', ids, registrationData) },
    {
      weight: 10,
      arbitrary: channelEvent(
        'SaleRecorded',
        ids,
        saleData(extremeAmounts ? extremeSaleAmountArb : saleAmountArb),
      ),
    },
    { weight: 3, arbitrary: channelEvent('SaleReturned', ids, saleData(amountArb(300_000))) },
    { weight: 2, arbitrary: channelEvent('TrainingCompleted', ids, trainingData) },
    { weight: 1, arbitrary: channelEvent('SatisfactionSurveyed', ids, surveyData) },
    { weight: 1, arbitrary: programEvent('ProgramPublished', ids, programData) },
    { weight: 1, arbitrary: programEvent('PromotionScheduled', ids, promotionData) },
    { weight: closeWeight, arbitrary: periodClosed(ids) },
  );
}

/**
 * The start of a realistic log: maybe a program, then registrations of some of the channels
 * (unique eventIds, early timestamps), shuffled, so that later channel events are accepted.
 */
export function preludeArb(minChannels = 0): fc.Arbitrary<JsonObject[]> {
  return fc
    .tuple(
      fc.option(programEvent('ProgramPublished', fc.constant('prog-0'), programData, timestampIn(1, 1)), {
        nil: undefined,
        freq: 5,
      }),
      fc.subarray([...CHANNEL_IDS], { minLength: minChannels }),
      fc.array(registrationData, { minLength: 3, maxLength: 3 }),
      fc.array(timestampIn(1, 2), { minLength: 3, maxLength: 3 }),
    )
    .map(([program, channels, datas, times]) => [
      ...(program === undefined ? [] : [program]),
      ...channels.map((c, i) => ({
        eventId: `reg-${c}`,
        type: 'ChannelRegistered',
        occurredAt: times[i] ?? '2026-01-01T00:00:00Z',
        channelId: c,
        data: datas[i] ?? { name: c, kind: 'agent' },
      })),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid events.

/** Every path (keys and array indices) of a JSON value, parents before children. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: (string | number)[][] = [];
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v] as [number, Json])
    : Object.entries(value);
  for (const [k, v] of entries) {
    out.push([...prefix, k]);
    out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function parentOf(root: Json, path: readonly (string | number)[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[k as number] : cur[k as string];
  }
  return cur;
}

function setAt(root: Json, path: readonly (string | number)[], f: (old: Json) => Json | undefined): void {
  const parent = parentOf(root, path);
  const key = path[path.length - 1];
  if (parent === undefined || parent === null || typeof parent !== 'object' || key === undefined) return;
  if (Array.isArray(parent)) {
    const i = key as number;
    const v = f(parent[i] ?? null);
    if (v === undefined) parent.splice(i, 1);
    else parent[i] = v;
  } else {
    const k = key as string;
    const v = f(parent[k] ?? null);
    if (v === undefined) delete parent[k];
    else parent[k] = v;
  }
}

const smallJsonArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(1.5, -1, 0, 1e21, 10001),
  fc.string({ maxLength: 5 }),
  fc.constantFrom('', 'CNY', '1.005', '-1', '2026-13', 'Z', '１２'),
  fc.constant([] as Json[]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
);

export type Mutation =
  | { readonly op: 'delete' | 'null' | 'stringify' | 'extra'; readonly at: number }
  | { readonly op: 'replace'; readonly at: number; readonly value: Json }
  | { readonly op: 'targeted'; readonly which: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('delete' as const, 'null' as const, 'stringify' as const, 'extra' as const),
    at: fc.nat(),
  }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: smallJsonArb }),
  fc.record({ op: fc.constant('targeted' as const), which: fc.nat() }),
  // The eventId edge cases (the first entries of TARGETED) once more: ids are what the
  // adapters store and look up, so their edges deserve the extra weight.
  fc.record({ op: fc.constant('targeted' as const), which: fc.integer({ min: 0, max: 8 }) }),
);

/** A JSON value as text: strings as they are, anything else serialised. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Hand-picked violations (and near-violations) of spec §2 rules; eventId cases first (0..8). */
const TARGETED: readonly ((e: JsonObject) => void)[] = [
  (e) => (e.eventId = ''),
  (e) => (e.eventId = 'x'.repeat(129)),
  (e) => (e.eventId = 'y'.repeat(128)),
  (e) => (e.eventId = `${str(e.eventId)}\u0001`),
  (e) => (e.eventId = `${str(e.eventId)}\u0085`),
  (e) => (e.eventId = `${str(e.eventId)}-中文`),
  (e) => (e.eventId = 42),
  // Lone surrogates: valid JSON escapes, valid eventIds (no control characters).
  (e) => (e.eventId = `${str(e.eventId)}\udfff`),
  (e) => (e.eventId = `\ud800${str(e.eventId)}`),
  (e) => (e.type = 'SaleCancelled'),
  (e) => (e.type = str(e.type).toLowerCase()),
  (e) => (e.occurredAt = '2026-03-05T10:00:00'),
  (e) => (e.occurredAt = '2026-02-29T10:00:00+08:00'),
  (e) => (e.occurredAt = '2026-03-05T23:59:60Z'),
  (e) => (e.occurredAt = '2026-03-05t10:00:00z'),
  (e) => (e.occurredAt = '2026-03-05T10:00:00+24:00'),
  (e) => (e.occurredAt = '2026-03-05T10:00:00.123456789-00:30'),
  (e) => (e.occurredAt = '2026-03-05 10:00:00Z'),
  (e) => (e.channelId = 'a b'),
  (e) => (e.channelId = 'z'.repeat(65)),
  (e) => (e.channelId = 'Z'.repeat(64)),
  (e) => (e.channelId = 'A'),
  (e) => delete e.channelId,
  (e) => (e.source = 's'.repeat(65)),
  (e) => (e.source = null),
  (e) => (e.data = null),
  (e) => (e.data = []),
  (e) => (e.extra = { nested: [1, 2, null] }),
  (e) => withData(e, (d) => (d.netAmount = '1999.905')),
  (e) => withData(e, (d) => (d.netAmount = '-1.00')),
  (e) => withData(e, (d) => (d.netAmount = '1,000')),
  (e) => withData(e, (d) => (d.netAmount = '.5')),
  (e) => withData(e, (d) => (d.netAmount = '99999999999999999999')),
  (e) => withData(e, (d) => (d.netAmount = '90071992547409.91')),
  (e) => withData(e, (d) => (d.netAmount = 100)),
  (e) => withData(e, (d) => (d.currency = 'cny')),
  (e) => withData(e, (d) => (d.currency = 'JPY')),
  (e) => withData(e, (d) => (d.quantity = 0)),
  (e) => withData(e, (d) => (d.quantity = 1.5)),
  (e) => withData(e, (d) => (d.quantity = '1')),
  (e) => withData(e, (d) => (d.score = 101)),
  (e) => withData(e, (d) => (d.respondents = 0)),
  (e) => withData(e, (d) => (d.kind = 'partner')),
  (e) => withData(e, (d) => (d.name = '')),
  (e) => withData(e, (d) => (d.certification = '')),
  (e) => withData(e, (d) => (d.month = '2026-1')),
  (e) => withData(e, (d) => (d.skus = [])),
  (e) => withData(e, (d) => (d.channelIds = ['bad id'])),
  (e) => withData(e, (d) => (d.endsAt = d.startsAt ?? null)),
  (e) => withData(e, (d) => (d.bonusBps = 10001)),
  (e) => withData(e, (d) => (d.tiers = [])),
  (e) => withData(e, (d) => (d.tierReview = 'yearly')),
  (e) => withData(e, (d) => (d.effectiveFrom = '2026-00')),
  (e) =>
    withData(
      e,
      (d) =>
        (d.volumeRebate = [
          { minQuarterNet: '10', rateBps: 1 },
          { minQuarterNet: '10.00', rateBps: 2 },
        ]),
    ),
  (e) =>
    withData(e, (d) => {
      if (Array.isArray(d.tiers) && d.tiers.length > 0) d.tiers = [...d.tiers, d.tiers[0] ?? null];
    }),
  (e) => withData(e, (d) => (d.unknownField = 'ignored')),
];

function withData(e: JsonObject, f: (d: JsonObject) => void): void {
  const d = e.data;
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) f(d);
}

export function clone<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function mutate(event: JsonObject, m: Mutation): JsonObject {
  const e = clone(event);
  if (m.op === 'targeted') {
    TARGETED[m.which % TARGETED.length]?.(e);
    return e;
  }
  const all = paths(e);
  const path = all[m.at % Math.max(all.length, 1)];
  if (path === undefined) return e;
  switch (m.op) {
    case 'delete':
      setAt(e, path, () => undefined);
      break;
    case 'null':
      setAt(e, path, () => null);
      break;
    case 'replace':
      setAt(e, path, () => m.value);
      break;
    case 'stringify':
      setAt(e, path, (old) => (typeof old === 'string' ? Number(old) || old.length : JSON.stringify(old)));
      break;
    case 'extra': {
      const parent = parentOf(e, path);
      if (parent !== null && typeof parent === 'object' && !Array.isArray(parent))
        parent['zz_unknown'] = { a: [1] };
      else e['zz_unknown'] = 1;
      break;
    }
  }
  return e;
}

// ---------------------------------------------------------------------------------------------
// Duplicates of earlier events: identical, equivalent (key order, unknown fields), conflicting.

export type DupVariant = 'exact' | 'reordered' | 'unknownField' | 'conflictSource' | 'conflictValue';

function reorder(v: Json): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reorder);
  const out: JsonObject = {};
  for (const k of Object.keys(v).reverse()) out[k] = reorder(v[k] ?? null);
  return out;
}

export function duplicateOf(e: JsonObject, variant: DupVariant): string {
  switch (variant) {
    case 'exact':
      return JSON.stringify(e);
    case 'reordered':
      return JSON.stringify(reorder(e));
    case 'unknownField':
      return JSON.stringify({ ...e, comment: 'resent', data: { ...(e.data as JsonObject), note: 'n' } });
    case 'conflictSource':
      return JSON.stringify({ ...e, source: e.source === 'erp-9' ? 'erp-8' : 'erp-9' });
    case 'conflictValue': {
      // Same meaning, different content: "100" vs "100.00", or the same instant written
      // with another offset.
      const c = clone(e);
      const d = c.data;
      const at = str(c.occurredAt);
      if (
        d !== null &&
        typeof d === 'object' &&
        !Array.isArray(d) &&
        typeof d.netAmount === 'string' &&
        !d.netAmount.includes('.')
      ) {
        d.netAmount = `${d.netAmount}.00`;
      } else if (at.endsWith('Z')) {
        c.occurredAt = `${at.slice(0, -1)}+00:00`;
      } else {
        c.occurredAt = formatTs(Math.floor(Date.parse(at) / 1000), 'Z');
      }
      return JSON.stringify(c);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Junk lines.

const nonObjectJsonArb: fc.Arbitrary<string> = fc
  .oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>([], [{}], 'null', null, 0, '{}', true))
  .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
  .map((v) => JSON.stringify(v) ?? 'null');

const unitArb = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0001',
    '\t',
    '\r',
    '\u001f',
    '\u007f',
    '\u0085',
    '\ufeff',
    '\u2028',
    '\ud800',
    '\udfff',
    '\ud83d\ude00',
    '中',
    '{',
    '}',
    '"',
    ':',
    ',',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

const junkTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: unitArb, maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '{',
    '}',
    '{}',
    '[]',
    '{"eventId":null}',
    '{"eventId":"e1"}',
    '{"eventId":"e1","type":"SaleRecorded"}',
    '\ufeff{}',
    'NaN',
    '"str"',
    '{"a":1}{"b":2}',
    '{"__proto__":{"x":1}}',
    '{"eventId":"\\ud800x","type":"SaleRecorded"}',
    '{"eventId":"e1","eventId":"e2","type":"PeriodClosed"}',
  ),
  nonObjectJsonArb,
);

const blankArb = fc.stringMatching(/^[ \t\r]{0,4}$/);

/** No line contains a line feed: NDJSON is split on it. */
const noLf = (s: string) => s.replace(/\n/g, ' ');

// ---------------------------------------------------------------------------------------------
// Whole inputs.

type Item =
  | { readonly k: 'valid'; readonly e: JsonObject }
  | { readonly k: 'dup'; readonly ref: number; readonly variant: DupVariant }
  | { readonly k: 'mutated'; readonly e: JsonObject; readonly m: Mutation }
  | { readonly k: 'truncated'; readonly e: JsonObject; readonly cut: number }
  | { readonly k: 'junk'; readonly text: string }
  | { readonly k: 'bytes'; readonly bytes: Uint8Array }
  | { readonly k: 'blank'; readonly text: string };

function itemArb(ids: fc.Arbitrary<string>, extremeAmounts: boolean): fc.Arbitrary<Item> {
  const ev = validEventArb(ids, 2, extremeAmounts);
  return fc.oneof(
    { weight: 10, arbitrary: ev.map((e): Item => ({ k: 'valid', e })) },
    {
      weight: 3,
      arbitrary: fc
        .record({
          ref: fc.nat(),
          variant: fc.constantFrom<DupVariant>(
            'exact',
            'exact',
            'reordered',
            'unknownField',
            'conflictSource',
            'conflictValue',
          ),
        })
        .map((r): Item => ({ k: 'dup', ...r })),
    },
    { weight: 3, arbitrary: fc.record({ e: ev, m: mutationArb }).map((r): Item => ({ k: 'mutated', ...r })) },
    {
      weight: 1,
      arbitrary: fc.record({ e: ev, cut: fc.nat() }).map((r): Item => ({ k: 'truncated', ...r })),
    },
    { weight: 1, arbitrary: junkTextArb.map((text): Item => ({ k: 'junk', text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).map((bytes): Item => ({ k: 'bytes', bytes })) },
    { weight: 1, arbitrary: blankArb.map((text): Item => ({ k: 'blank', text })) },
  );
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function render(
  prelude: readonly JsonObject[],
  items: readonly Item[],
  crs: readonly boolean[],
  bom: boolean,
): Line[] {
  const emitted: JsonObject[] = [...prelude];
  const lines: Line[] = prelude.map((e) => ({ text: JSON.stringify(e) }));
  for (const it of items) {
    switch (it.k) {
      case 'valid':
        emitted.push(it.e);
        lines.push({ text: JSON.stringify(it.e) });
        break;
      case 'dup': {
        const e = emitted[it.ref % Math.max(emitted.length, 1)];
        if (e !== undefined) lines.push({ text: duplicateOf(e, it.variant) });
        break;
      }
      case 'mutated':
        lines.push({ text: noLf(JSON.stringify(mutate(it.e, it.m))) });
        break;
      case 'truncated': {
        const t = JSON.stringify(it.e);
        lines.push({ text: t.slice(0, it.cut % t.length) });
        break;
      }
      case 'junk':
      case 'blank':
        lines.push({ text: noLf(it.text) });
        break;
      case 'bytes': {
        const bytes = it.bytes.filter((b) => b !== 0x0a);
        lines.push({ text: decoder.decode(bytes), bytes });
        break;
      }
    }
  }
  return lines.map((l, i) => {
    const cr = crs[i % Math.max(crs.length, 1)] === true;
    const text = `${i === 0 && bom ? '\ufeff' : ''}${l.text}${cr ? '\r' : ''}`;
    return l.bytes === undefined ? { text } : { text, bytes: l.bytes };
  });
}

/**
 * Property 1's input: a realistic prelude (sometimes), then valid events of every type mixed
 * with duplicates, conflicting duplicates, mutated and truncated events, junk, raw bytes and
 * blank lines; a BOM on the first line and CRs at line ends now and then.
 */
export function chaosLinesArb(maxItems = 40, extremeAmounts = true): fc.Arbitrary<Line[]> {
  return fc
    .record({
      prelude: fc.oneof(preludeArb(1), fc.constant([] as JsonObject[])),
      items: fc.array(itemArb(eventIdPool(30), extremeAmounts), { maxLength: maxItems, size: 'max' }),
      crs: fc.array(fc.boolean(), { maxLength: 8 }).map((a) => a.map((b, i) => b && i % 3 === 0)),
      bom: fc.boolean(),
    })
    .map((r) => render(r.prelude, r.items, r.crs, r.bom));
}

/**
 * A mostly-valid log: prelude, then valid events (a larger id pool, so most are accepted) with
 * a few duplicates and broken lines. The input of the equivalence properties.
 */
export function realisticLinesArb(maxItems = 50): fc.Arbitrary<Line[]> {
  const ids = eventIdPool(200);
  const item: fc.Arbitrary<Item> = fc.oneof(
    { weight: 20, arbitrary: validEventArb(ids, 3).map((e): Item => ({ k: 'valid', e })) },
    {
      weight: 2,
      arbitrary: fc
        .record({
          ref: fc.nat(),
          variant: fc.constantFrom<DupVariant>(
            'exact',
            'reordered',
            'unknownField',
            'conflictSource',
            'conflictValue',
          ),
        })
        .map((r): Item => ({ k: 'dup', ...r })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ e: validEventArb(ids), m: mutationArb })
        .map((r): Item => ({ k: 'mutated', ...r })),
    },
    { weight: 1, arbitrary: junkTextArb.map((text): Item => ({ k: 'junk', text })) },
    { weight: 1, arbitrary: blankArb.map((text): Item => ({ k: 'blank', text })) },
  );
  return fc
    .record({
      prelude: preludeArb(2),
      items: fc.array(item, { maxLength: maxItems, size: 'max' }),
      crs: fc.array(fc.boolean(), { maxLength: 5 }),
      bom: fc.boolean(),
    })
    .map((r) =>
      render(
        r.prelude,
        r.items,
        r.crs.map((b, i) => b && i % 2 === 0),
        r.bom,
      ),
    );
}

// ---------------------------------------------------------------------------------------------
// Batch plans: how the engine is fed (chunk sizes, and whether to project between chunks).

export interface BatchStep {
  readonly size: number;
  readonly catchUp: boolean;
}

export const batchPlanArb: fc.Arbitrary<BatchStep[]> = fc.array(
  fc.record({
    size: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 12 }) },
    ),
    catchUp: fc.boolean(),
  }),
  { minLength: 1, maxLength: 8 },
);

/** Cuts `n` items into consecutive chunks following `plan` cyclically; every item is covered. */
export function chunksOf<T>(
  items: readonly T[],
  plan: readonly BatchStep[],
): { items: T[]; catchUp: boolean }[] {
  const out: { items: T[]; catchUp: boolean }[] = [];
  let at = 0;
  let idle = 0;
  for (let i = 0; at < items.length || out.length === 0; i++) {
    const step = plan[i % plan.length] ?? { size: items.length, catchUp: false };
    out.push({ items: items.slice(at, at + step.size), catchUp: step.catchUp });
    at += step.size;
    idle = step.size === 0 ? idle + 1 : 0;
    if (idle > plan.length) {
      out.push({ items: items.slice(at), catchUp: false });
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Property 4: one month's sales in every order.

export interface MonthScenario {
  readonly month: number;
  /** Program, registrations, promotions, the previous month's sales, maybe a close of the month. */
  readonly before: JsonObject[];
  /** SaleRecorded events of `month`, all accepted (registered channels, CNY, unique ids). */
  readonly sales: JsonObject[];
  /** After the sales: returns within `month`, maybe a close of the month. */
  readonly after: JsonObject[];
  /** Whether the month was closed before its sales arrived (they are then late events). */
  readonly closedBefore: boolean;
  readonly promotions: number;
}

export const monthScenarioArb: fc.Arbitrary<MonthScenario> = fc
  .record({
    month: fc.integer({ min: 2, max: 6 }),
    program: programData,
    channels: fc.subarray([...CHANNEL_IDS], { minLength: 1 }),
    registrations: fc.array(registrationData, { minLength: 3, maxLength: 3 }),
    promotions: fc.array(promotionData, { maxLength: 2 }),
    close: fc.constantFrom('none', 'before', 'after'),
    seed: fc.record({
      previous: fc.array(fc.tuple(fc.nat(), saleData(saleAmountArb)), { maxLength: 4 }),
      sales: fc.array(fc.tuple(fc.nat(), saleData(saleAmountArb), fc.nat(), offsetArb), {
        minLength: 1,
        maxLength: 15,
      }),
      returns: fc.array(fc.tuple(fc.nat(), saleData(amountArb(200_000)), fc.nat(), offsetArb), {
        maxLength: 4,
      }),
    }),
  })
  .map((r) => {
    const m = r.month;
    const start = monthStart(m);
    const span = monthStart(m + 1) - start;
    const cnY = (d: JsonObject): JsonObject => ({ ...d, currency: 'CNY' });
    const pick = (i: number) => r.channels[i % r.channels.length] ?? 'A';
    const before: JsonObject[] = [
      {
        eventId: 'prog',
        type: 'ProgramPublished',
        occurredAt: formatTs(monthStart(1) - 86400, 'Z'),
        data: { ...r.program, effectiveFrom: '2026-01' },
      },
      ...r.channels.map((c, i) => ({
        eventId: `reg-${c}`,
        type: 'ChannelRegistered',
        occurredAt: formatTs(monthStart(m - 1) + i, '+08:00'),
        channelId: c,
        data: r.registrations[i] ?? { name: c, kind: 'agent' },
      })),
      ...r.promotions.map((d, i) => ({
        eventId: `promo-${i}`,
        type: 'PromotionScheduled',
        occurredAt: formatTs(monthStart(1), 'Z'),
        data: { ...d, promotionId: `promo-${i}` },
      })),
      ...r.seed.previous.map(([c, d], i) => ({
        eventId: `prev-${i}`,
        type: 'SaleRecorded',
        occurredAt: formatTs(monthStart(m - 1) + 3600 * (i + 1), '+08:00'),
        channelId: pick(c),
        data: cnY(d),
      })),
    ];
    const close = (id: string): JsonObject => ({
      eventId: id,
      type: 'PeriodClosed',
      occurredAt: formatTs(monthStart(m + 1) + 60, '+08:00'),
      data: { month: monthText(m) },
    });
    if (r.close === 'before') before.push(close('close-before'));
    const sales = r.seed.sales.map(([c, d, t, o], i) => ({
      eventId: `sale-${i}`,
      type: 'SaleRecorded',
      occurredAt: formatTs(start + (t % span), o),
      channelId: pick(c),
      data: cnY(d),
    }));
    const after: JsonObject[] = r.seed.returns.map(([c, d, t, o], i) => ({
      eventId: `ret-${i}`,
      type: 'SaleReturned',
      occurredAt: formatTs(start + (t % span), o),
      channelId: pick(c),
      data: cnY(d),
    }));
    if (r.close === 'after') after.push(close('close-after'));
    return {
      month: m,
      before,
      sales,
      after,
      closedBefore: r.close === 'before',
      promotions: r.promotions.length,
    };
  });
