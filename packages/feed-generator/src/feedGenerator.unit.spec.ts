import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FeedOptions, type FeedStats, generateFeed, writeFeed } from './index.js';

// ---------------------------------------------------------------------------------------
// A small, independent reading of spec §2 (validation and acceptance), so that the feed is
// checked against the contract rather than against the generator's own idea of it.

type Obj = Record<string, unknown>;
type Code =
  | 'MALFORMED_JSON'
  | 'SCHEMA_VIOLATION'
  | 'CONFLICTING_DUPLICATE'
  | 'UNKNOWN_CHANNEL'
  | 'CHANNEL_EXISTS'
  | 'PROMOTION_EXISTS'
  | 'CURRENCY_MISMATCH'
  | 'PERIOD_CLOSED'
  | 'PERIOD_NOT_ENDED';

const CHANNEL_TYPES = [
  'ChannelRegistered',
  'SaleRecorded',
  'SaleReturned',
  'TrainingCompleted',
  'SatisfactionSurveyed',
];
const PROGRAM_TYPES = ['ProgramPublished', 'PromotionScheduled', 'PeriodClosed'];
const ALL_TYPES = [...CHANNEL_TYPES, ...PROGRAM_TYPES];
const KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'];
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const hasControl = (s: string) =>
  [...s].some((c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code < 0xa0);
  });
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isText = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;

function isTimestamp(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = TIMESTAMP.exec(v);
  if (m === null) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return false;
  return m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
}

const isDecimal = (v: unknown, digits: number): v is string =>
  typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v) && (v.split('.')[1]?.length ?? 0) <= digits;
const isBps = (v: unknown) => isInt(v) && v >= 0 && v <= 10000;
const optional = (o: Obj, key: string, check: (v: unknown) => boolean) => !(key in o) || check(o[key]);
const minor = (amount: string, digits: number): number => {
  const [whole = '0', fraction = ''] = amount.split('.');
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0'));
};

function validProgram(p: Obj, digits: number): boolean {
  if (!isText(p['programId'], 1, 128) || typeof p['effectiveFrom'] !== 'string') return false;
  if (!MONTH.test(p['effectiveFrom']) || !isBps(p['growthTargetBps']) || !isBps(p['growthBonusBps'])) {
    return false;
  }
  if (p['tierReview'] !== 'quarterly' && p['tierReview'] !== 'monthly') return false;
  if (!isInt(p['downgradeGraceReviews']) || p['downgradeGraceReviews'] < 0) return false;
  const tiers = p['tiers'];
  if (!Array.isArray(tiers) || tiers.length === 0) return false;
  const ids = new Set<unknown>();
  let lastNet = -1;
  let lastCert = -1;
  for (const [i, t] of tiers.entries()) {
    if (!isObj(t) || !isText(t['id'], 1, 64) || ids.has(t['id']) || !isBps(t['rebateBps'])) return false;
    ids.add(t['id']);
    if (!isDecimal(t['minTrailingNet'], digits) || !isInt(t['minCertifiedTrainees'])) return false;
    const net = minor(t['minTrailingNet'], digits);
    const cert = t['minCertifiedTrainees'];
    if (i === 0 ? net !== 0 || cert !== 0 : net < lastNet || cert < lastCert) return false;
    lastNet = net;
    lastCert = cert;
  }
  const bands = p['volumeRebate'];
  if (!Array.isArray(bands)) return false;
  let lastBand = -1;
  for (const b of bands) {
    if (!isObj(b) || !isDecimal(b['minQuarterNet'], digits) || !isBps(b['rateBps'])) return false;
    const q = minor(b['minQuarterNet'], digits);
    if (q <= lastBand) return false;
    lastBand = q;
  }
  return true;
}

function validData(type: string, d: Obj, digits: number): boolean {
  switch (type) {
    case 'ChannelRegistered':
      return (
        isText(d['name'], 1, 200) &&
        KINDS.includes(d['kind'] as string) &&
        optional(d, 'online', (v) => typeof v === 'boolean') &&
        optional(d, 'region', (v) => typeof v === 'string')
      );
    case 'SaleRecorded':
    case 'SaleReturned':
      return (
        isText(d['orderId'], 1, 128) &&
        isText(d['sku'], 1, 64) &&
        isInt(d['quantity']) &&
        d['quantity'] >= 1 &&
        isDecimal(d['netAmount'], digits) &&
        typeof d['currency'] === 'string' &&
        /^[A-Z]{3}$/.test(d['currency'])
      );
    case 'TrainingCompleted':
      return (
        isText(d['courseId'], 1, 128) &&
        isText(d['traineeId'], 1, 128) &&
        optional(d, 'certification', (v) => isText(v, 1, 64))
      );
    case 'SatisfactionSurveyed':
      return (
        isInt(d['score']) &&
        d['score'] >= 0 &&
        d['score'] <= 100 &&
        isInt(d['respondents']) &&
        d['respondents'] >= 1
      );
    case 'ProgramPublished':
      return validProgram(d, digits);
    case 'PromotionScheduled': {
      const list = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => isText(x, 1, 128));
      return (
        isText(d['promotionId'], 1, 128) &&
        isTimestamp(d['startsAt']) &&
        isTimestamp(d['endsAt']) &&
        Date.parse(d['startsAt']) < Date.parse(d['endsAt']) &&
        isBps(d['bonusBps']) &&
        optional(d, 'skus', list) &&
        optional(d, 'channelIds', list)
      );
    }
    case 'PeriodClosed':
      return typeof d['month'] === 'string' && MONTH.test(d['month']);
    default:
      return false;
  }
}

function validEvent(e: Obj, digits: number): boolean {
  if (!isText(e['eventId'], 1, 128) || hasControl(e['eventId'])) return false;
  if (typeof e['type'] !== 'string' || !ALL_TYPES.includes(e['type'])) return false;
  if (!isTimestamp(e['occurredAt']) || !optional(e, 'source', (v) => isText(v, 0, 64))) return false;
  const channel = CHANNEL_TYPES.includes(e['type']);
  if (
    channel
      ? !(typeof e['channelId'] === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(e['channelId']))
      : 'channelId' in e
  ) {
    return false;
  }
  return isObj(e['data']) && validData(e['type'], e['data'], digits);
}

/** Sorted-key JSON: the content of an event, key order ignored. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

interface Accepted {
  line: number;
  event: Obj;
  type: string;
  data: Obj;
  /** Month of occurredAt in the reporting zone. */
  month: string;
  /** Last closed month when it was accepted. */
  closedBefore: string | null;
}

interface Replay {
  accepted: Accepted[];
  duplicates: number;
  rejected: { line: number; code: Code; text: string }[];
  codes: Partial<Record<Code, number>>;
}

/** Replays `lines` by the acceptance rules of spec §2, in a deployment (zone offset, digits, currency). */
function replay(lines: Iterable<string>, zoneOffsetMinutes = 480, digits = 2, currency = 'CNY'): Replay {
  const byId = new Map<string, string>();
  const channels = new Set<string>();
  const promotions = new Set<string>();
  let lastClosed: string | null = null;
  const out: Replay = { accepted: [], duplicates: 0, rejected: [], codes: {} };
  const monthOf = (ts: string) =>
    new Date(Date.parse(ts) + zoneOffsetMinutes * 60_000).toISOString().slice(0, 7);
  let n = 0;
  for (const text of lines) {
    n++;
    const reject = (code: Code) => {
      out.rejected.push({ line: n, code, text });
      out.codes[code] = (out.codes[code] ?? 0) + 1;
    };
    let e: unknown;
    try {
      e = JSON.parse(text);
    } catch {
      e = undefined;
    }
    if (!isObj(e)) {
      reject('MALFORMED_JSON');
      continue;
    }
    if (!validEvent(e, digits)) {
      reject('SCHEMA_VIOLATION');
      continue;
    }
    const id = e['eventId'] as string;
    const type = e['type'] as string;
    const data = e['data'] as Obj;
    const content = canonical(e);
    const earlier = byId.get(id);
    if (earlier !== undefined) {
      if (earlier === content) out.duplicates++;
      else reject('CONFLICTING_DUPLICATE');
      continue;
    }
    const channelId = e['channelId'] as string;
    if (CHANNEL_TYPES.includes(type) && type !== 'ChannelRegistered' && !channels.has(channelId)) {
      reject('UNKNOWN_CHANNEL');
      continue;
    }
    if (type === 'ChannelRegistered' && channels.has(channelId)) {
      reject('CHANNEL_EXISTS');
      continue;
    }
    if (type === 'PromotionScheduled' && promotions.has(data['promotionId'] as string)) {
      reject('PROMOTION_EXISTS');
      continue;
    }
    if ((type === 'SaleRecorded' || type === 'SaleReturned') && data['currency'] !== currency) {
      reject('CURRENCY_MISMATCH');
      continue;
    }
    if (
      type === 'ProgramPublished' &&
      lastClosed !== null &&
      (data['effectiveFrom'] as string) <= lastClosed
    ) {
      reject('PERIOD_CLOSED');
      continue;
    }
    const month = monthOf(e['occurredAt'] as string);
    if (type === 'PeriodClosed' && (data['month'] as string) >= month) {
      reject('PERIOD_NOT_ENDED');
      continue;
    }
    byId.set(id, content);
    out.accepted.push({ line: n, event: e, type, data, month, closedBefore: lastClosed });
    if (type === 'ChannelRegistered') channels.add(channelId);
    if (type === 'PromotionScheduled') promotions.add(data['promotionId'] as string);
    if (type === 'PeriodClosed' && (lastClosed === null || (data['month'] as string) > lastClosed)) {
      lastClosed = data['month'] as string;
    }
  }
  return out;
}

/** Channel, order and SKU of a sale or return. */
const orderLine = (a: Accepted) =>
  [a.event['channelId'], a.data['orderId'], a.data['sku']].map((v) => v as string).join('|');

/** All lines of a feed and its stats. */
function collect(options?: FeedOptions): { lines: string[]; stats: FeedStats } {
  const lines: string[] = [];
  const feed = generateFeed(options);
  for (;;) {
    const next = feed.next();
    if (next.done === true) return { lines, stats: next.value };
    lines.push(next.value);
  }
}

const MONTHS_2026 = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

// ---------------------------------------------------------------------------------------

describe('generateFeed', () => {
  const feed = collect();
  const result = replay(feed.lines);
  const accepted = (type: string) => result.accepted.filter((a) => a.type === type);

  it('is deterministic for a seed and differs across seeds', () => {
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((l, i) => l === b[i]);
    expect(same(collect().lines, feed.lines)).toBe(true);
    expect(same(collect({ seed: 42 }).lines, feed.lines)).toBe(true);
    const other = collect({ seed: 7 }).lines;
    expect(same(other, feed.lines)).toBe(false);
    expect(other.slice(0, 50)).not.toEqual(feed.lines.slice(0, 50));
  });

  it('reports its stats', () => {
    expect(feed.stats.lines).toBe(feed.lines.length);
    expect(feed.stats.partners).toBeGreaterThanOrEqual(200);
    expect(feed.stats.months).toBe(12);
    expect(feed.lines.length).toBeGreaterThan(10_000);
    expect(feed.lines.every((l) => !l.includes('\n') && l.trim() !== '')).toBe(true);
  });

  it('is valid and accepted, except exactly the bad lines, which cover every kind', () => {
    expect(result.rejected.length).toBe(feed.stats.badLines);
    const ratio = feed.stats.badLines / feed.stats.lines;
    expect(ratio).toBeGreaterThanOrEqual(0.01);
    expect(ratio).toBeLessThanOrEqual(0.05);
    expect(result.codes).toEqual({
      MALFORMED_JSON: expect.any(Number),
      SCHEMA_VIOLATION: expect.any(Number),
      CONFLICTING_DUPLICATE: expect.any(Number),
      UNKNOWN_CHANNEL: expect.any(Number),
      CURRENCY_MISMATCH: expect.any(Number),
    });
    // Every line but the malformed ones is a JSON object.
    const malformed = new Set(result.rejected.filter((r) => r.code === 'MALFORMED_JSON').map((r) => r.line));
    expect(feed.lines.filter((line, i) => !malformed.has(i + 1) && !isObj(JSON.parse(line)))).toEqual([]);
    // The schema violations include each deliberate kind.
    const schema = result.rejected
      .filter((r) => r.code === 'SCHEMA_VIOLATION')
      .map((r) => JSON.parse(r.text) as Obj);
    expect(schema.some((e) => isObj(e['data']) && e['data']['quantity'] === 0)).toBe(true);
    expect(
      schema.some((e) => typeof e['occurredAt'] === 'string' && /T\d\d:\d\d:\d\d$/.test(e['occurredAt'])),
    ).toBe(true);
    expect(schema.some((e) => isObj(e['data']) && /\.\d{3,}$/.test(String(e['data']['netAmount'])))).toBe(
      true,
    );
    expect(
      schema.some(
        (e) =>
          !('occurredAt' in e) ||
          !('channelId' in e) ||
          (isObj(e['data']) && !('sku' in e['data'] && 'currency' in e['data'] && 'netAmount' in e['data'])),
      ),
    ).toBe(true);
    // Bad lines are spread through the feed, not bunched.
    const quarters = [0, 0, 0, 0];
    for (const r of result.rejected) quarters[Math.floor(((r.line - 1) * 4) / feed.lines.length)]!++;
    for (const q of quarters) expect(q).toBeGreaterThan(feed.stats.badLines / 8);
  });

  it('has every event type, exact resends and unique eventIds otherwise', () => {
    for (const type of ALL_TYPES) expect(accepted(type).length, type).toBeGreaterThan(0);
    expect(result.duplicates).toBeGreaterThan(0);
    expect(result.duplicates).toBeLessThan(feed.lines.length * 0.02);
    const ids = result.accepted.map((a) => a.event['eventId']);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('closes months 1 … 11 in order, each early in the next month, and leaves the last open', () => {
    const closes = accepted('PeriodClosed');
    expect(closes.map((c) => c.data['month'])).toEqual(MONTHS_2026.slice(0, 11));
    for (const c of closes) {
      const at = c.event['occurredAt'] as string;
      const next = MONTHS_2026[MONTHS_2026.indexOf(c.data['month'] as string) + 1];
      expect([`${next}-01`, `${next}-02`]).toContain(at.slice(0, 10));
    }
    // Everything of a month is sent before its close, except late sales.
    const intoClosed = result.accepted.filter(
      (a) => CHANNEL_TYPES.includes(a.type) && a.closedBefore !== null && a.month <= a.closedBefore,
    );
    expect(intoClosed.filter((a) => a.type !== 'SaleRecorded')).toEqual([]);
  });

  it('publishes a 4-tier program, then a valid mid-year change into an open month', () => {
    const programs = accepted('ProgramPublished');
    expect(programs).toHaveLength(2);
    const [first, change] = programs as [Accepted, Accepted];
    expect(first.line).toBe(1);
    expect(first.data['effectiveFrom']).toBe('2026-01');
    expect((first.event['occurredAt'] as string) < '2026-01').toBe(true);
    expect((first.data['tiers'] as Obj[]).map((t) => t['id'])).toEqual([
      'registered',
      'silver',
      'gold',
      'diamond',
    ]);
    expect(first.data['tierReview']).toBe('quarterly');
    expect((first.data['volumeRebate'] as unknown[]).length).toBeGreaterThan(0);
    expect(change.data['effectiveFrom']).toBe('2026-07');
    expect(change.closedBefore).toBe('2026-06');
    expect((change.data['tiers'] as unknown[]).length).toBe(3);
    expect(change.data['growthBonusBps']).not.toBe(first.data['growthBonusBps']);
  });

  it('registers partners of every kind, mostly in the first month', () => {
    const regs = accepted('ChannelRegistered');
    expect(regs.length).toBe(feed.stats.partners);
    expect(regs.map((r) => r.event['channelId'])).toContain('P0001');
    expect(new Set(regs.map((r) => r.data['kind']))).toEqual(new Set(KINDS));
    const first = regs.filter((r) => r.month === '2026-01').length;
    expect(first).toBeGreaterThan(regs.length * 0.7);
    expect(first).toBeLessThan(regs.length);
    expect(new Set(regs.map((r) => r.data['region'])).size).toBeGreaterThan(4);
  });

  it('sells with exact 2-digit amounts, unique order lines, and returns less than was sold', () => {
    const sales = accepted('SaleRecorded');
    const orderLines = new Map<string, { amount: number; month: string; line: number }>();
    const problems: unknown[] = [];
    for (const s of sales) {
      const key = orderLine(s);
      if (!/^\d+\.\d{2}$/.test(s.data['netAmount'] as string) || orderLines.has(key)) problems.push(s.event);
      orderLines.set(key, { amount: minor(s.data['netAmount'] as string, 2), month: s.month, line: s.line });
    }
    expect(new Set(sales.map((s) => s.data['orderId'])).size).toBe(sales.length);
    expect(new Set(sales.map((s) => s.data['sku'])).size).toBeGreaterThan(3);
    const returns = accepted('SaleReturned');
    expect(returns.length).toBeGreaterThan(sales.length * 0.02);
    const refunded = new Map<string, number>();
    for (const r of returns) {
      // Of an earlier sale line of the same channel, order and SKU; refunds add up to less.
      const key = orderLine(r);
      const sale = orderLines.get(key);
      const total = (refunded.get(key) ?? 0) + minor(r.data['netAmount'] as string, 2);
      refunded.set(key, total);
      if (sale === undefined || sale.line > r.line || total >= sale.amount) problems.push(r.event);
    }
    expect(problems).toEqual([]);
  });

  it('has late sales into closed months, sent after their close', () => {
    const late = accepted('SaleRecorded').filter((s) => s.closedBefore !== null && s.month <= s.closedBefore);
    expect(late.length).toBeGreaterThanOrEqual(11);
    expect(new Set(late.map((s) => s.month)).size).toBeGreaterThan(5);
  });

  it('has partners that grow, stay flat and decline, so that targets are met and missed', () => {
    const net = new Map<string, number>();
    for (const a of result.accepted) {
      if (a.type !== 'SaleRecorded' && a.type !== 'SaleReturned') continue;
      const key = `${a.event['channelId'] as string}|${a.month}`;
      const amount = minor(a.data['netAmount'] as string, 2);
      net.set(key, (net.get(key) ?? 0) + (a.type === 'SaleRecorded' ? amount : -amount));
    }
    let met = 0;
    let missed = 0;
    let declined = 0;
    const yearGrowth: number[] = [];
    for (const r of accepted('ChannelRegistered')) {
      const id = r.event['channelId'] as string;
      for (let m = 1; m < 11; m++) {
        const prev = net.get(`${id}|${MONTHS_2026[m - 1]}`) ?? 0;
        const cur = net.get(`${id}|${MONTHS_2026[m]}`) ?? 0;
        if (prev <= 0) continue;
        if (cur * 10000 >= prev * 11000) met++;
        else missed++;
        if (cur < prev * 0.95) declined++;
      }
      const jan = net.get(`${id}|2026-01`) ?? 0;
      const jun = net.get(`${id}|2026-06`) ?? 0;
      if (jan > 0) yearGrowth.push(jun / jan);
    }
    expect(met).toBeGreaterThan(100);
    expect(missed).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(50);
    expect(yearGrowth.filter((g) => g > 1.5).length).toBeGreaterThan(10); // > ~8.5% a month for 5 months
    expect(yearGrowth.filter((g) => g < 0.8).length).toBeGreaterThan(10);
    // Some partners' trailing net crosses the tier thresholds (300 000 / 1 500 000 / 6 000 000).
    const quarter = (id: string, months: string[]) =>
      months.reduce((s, m) => s + (net.get(`${id}|${m}`) ?? 0), 0);
    const ids = accepted('ChannelRegistered').map((r) => r.event['channelId'] as string);
    const q1 = ids.map((id) => quarter(id, MONTHS_2026.slice(0, 3)) / 100);
    const q2 = ids.map((id) => quarter(id, MONTHS_2026.slice(3, 6)) / 100);
    expect(q1.filter((q) => q >= 300_000).length).toBeGreaterThan(10);
    expect(q1.filter((q) => q >= 1_500_000).length).toBeGreaterThan(2);
    expect(q2.filter((q) => q >= 6_000_000).length).toBeGreaterThan(0);
  });

  it('schedules monthly promotions, trainings and quarterly surveys', () => {
    const promos = accepted('PromotionScheduled');
    expect(new Set(promos.map((p) => (p.data['startsAt'] as string).slice(0, 7)))).toEqual(
      new Set(MONTHS_2026),
    );
    for (const p of promos) {
      const starts = p.data['startsAt'] as string;
      const ends = p.data['endsAt'] as string;
      expect(starts.endsWith('+08:00') && ends.endsWith('+08:00')).toBe(true);
      const next = new Date(
        Date.UTC(Number(starts.slice(0, 4)), Number(starts.slice(5, 7)), 1),
      ).toISOString();
      expect(ends <= `${next.slice(0, 10)}T00:00:00+08:00`).toBe(true);
      expect(p.data['bonusBps']).toBeGreaterThanOrEqual(50);
      expect(p.data['bonusBps']).toBeLessThanOrEqual(200);
      // Scheduled before the month's sales are sent.
      expect(p.line).toBeLessThan(
        result.accepted.find((a) => a.type === 'SaleRecorded' && a.month === starts.slice(0, 7))?.line ??
          Infinity,
      );
    }
    expect(promos.some((p) => 'skus' in p.data)).toBe(true);
    expect(promos.some((p) => 'channelIds' in p.data)).toBe(true);
    expect(promos.some((p) => !('skus' in p.data) && !('channelIds' in p.data))).toBe(true);
    const trainings = accepted('TrainingCompleted');
    expect(trainings.some((t) => 'certification' in t.data)).toBe(true);
    expect(trainings.some((t) => !('certification' in t.data))).toBe(true);
    const surveys = accepted('SatisfactionSurveyed');
    expect(new Set(surveys.map((s) => s.month))).toEqual(
      new Set(['2026-03', '2026-06', '2026-09', '2026-12']),
    );
  });

  it('writes every timestamp with the offset and a real date', () => {
    const all = result.accepted.map((a) => a.event['occurredAt'] as string);
    expect(all.filter((t) => !t.endsWith('+08:00'))).toEqual([]);
    expect(all.some((t) => t.startsWith('2026-02-28'))).toBe(true);
    expect(all.some((t) => t.startsWith('2026-02-29'))).toBe(false);
  });

  it('follows the options: currency digits, offset, start month, leap years, partners', () => {
    const options: FeedOptions = {
      seed: 3,
      partners: 40,
      months: 5,
      startMonth: '2027-11',
      timeZoneOffset: '-05:00',
      currency: 'JPY',
      minorDigits: 0,
      salesPerPartnerMonth: 3,
      badLineRatio: 0.04,
    };
    const { lines, stats } = collect(options);
    const r = replay(lines, -300, 0, 'JPY');
    expect(r.rejected.length).toBe(stats.badLines);
    expect(stats).toMatchObject({ partners: 40, months: 5 });
    expect(stats.badLines / stats.lines).toBeGreaterThan(0.02);
    const closes = r.accepted.filter((a) => a.type === 'PeriodClosed').map((a) => a.data['month']);
    expect(closes).toEqual(['2027-11', '2027-12', '2028-01', '2028-02']);
    const sales = r.accepted.filter((a) => a.type === 'SaleRecorded');
    expect(sales.filter((s) => !/^\d+$/.test(s.data['netAmount'] as string))).toEqual([]);
    expect(r.accepted.every((a) => (a.event['occurredAt'] as string).endsWith('-05:00'))).toBe(true);
    expect(r.accepted.some((a) => (a.event['occurredAt'] as string).startsWith('2028-02-28'))).toBe(true);
    expect(
      r.accepted.filter((a) => a.type === 'ChannelRegistered').map((a) => a.event['channelId']),
    ).toHaveLength(40);
    // With 3 minor digits, amounts have exactly 3.
    const kwd = collect({ partners: 10, months: 2, currency: 'KWD', minorDigits: 3 });
    const rk = replay(kwd.lines, 480, 3, 'KWD');
    expect(rk.rejected.length).toBe(kwd.stats.badLines);
    const kwdSales = rk.accepted.filter((a) => a.type === 'SaleRecorded');
    expect(kwdSales.length).toBeGreaterThan(0);
    expect(kwdSales.filter((a) => !/^\d+\.\d{3}$/.test(a.data['netAmount'] as string))).toEqual([]);
  });

  it('can leave out bad lines, and works for one month and one partner', () => {
    const clean = collect({ badLineRatio: 0, partners: 20, months: 3 });
    expect(clean.stats.badLines).toBe(0);
    expect(replay(clean.lines).rejected).toEqual([]);
    const tiny = collect({ partners: 1, months: 1 });
    const r = replay(tiny.lines);
    expect(r.rejected.length).toBe(tiny.stats.badLines);
    expect(r.accepted.filter((a) => a.type === 'PeriodClosed')).toEqual([]);
    expect(r.accepted.filter((a) => a.type === 'ChannelRegistered')).toHaveLength(1);
  });

  it('rejects invalid options', () => {
    const bad: FeedOptions[] = [
      { partners: 0 },
      { months: 0 },
      { months: 1.5 },
      { startMonth: '2026-13' },
      { startMonth: '26-01' },
      { badLineRatio: -0.1 },
      { timeZoneOffset: '+8' },
      { currency: 'cny' },
      { minorDigits: -1 },
      { seed: 0.5 },
      { salesPerPartnerMonth: Number.NaN },
      { v2: 'yes' as unknown as boolean },
    ];
    for (const options of bad)
      expect(() => generateFeed(options), JSON.stringify(options)).toThrow(RangeError);
  });
});

describe('writeFeed', () => {
  it('writes the same lines, one per line, and returns the stats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chanperf-feed-'));
    try {
      const options: FeedOptions = { seed: 9, partners: 30, months: 4 };
      const path = join(dir, 'feed.ndjson');
      const stats = await writeFeed(path, options);
      const expected = collect(options);
      expect(stats).toEqual(expected.stats);
      expect(readFileSync(path, 'utf8')).toBe(expected.lines.map((l) => `${l}\n`).join(''));
      const never = join(dir, 'never.ndjson');
      await expect(writeFeed(never, { partners: 0 })).rejects.toThrow(RangeError);
      expect(existsSync(never)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('streaming', () => {
  // 1,000,000 lines take about 5 s of CPU on the 2-core CI box (10 s and more of wall time
  // when other suites run alongside), so the test streams half as many; the shape is the same.
  const LINES = 500_000;

  it(`generates ${LINES.toLocaleString('en')} lines lazily, without holding them`, () => {
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let chars = 0;
    let peak = 0;
    for (const line of generateFeed({ partners: 10_000, salesPerPartnerMonth: 8 })) {
      count++;
      chars += line.length;
      if (count % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      if (count === LINES) break;
    }
    expect(count).toBe(LINES);
    // Holding the lines would take more than `chars` bytes (> 120 MB); the generator keeps
    // per-partner state and one day's plan (~30 MB at 10,000 partners).
    expect(chars).toBeGreaterThan(120e6);
    expect(peak).toBeLessThan(80e6);
  });
});
