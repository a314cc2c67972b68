/**
 * A seeded, deterministic generator of a realistic ERP event feed (spec/DOMAIN.md §2) as
 * NDJSON lines, for load tests, demos and end-to-end checks.
 *
 * Shape of the feed, in log order:
 * - a `ProgramPublished` (4 tiers, quarterly review, volume bands) effective at `startMonth`,
 *   published the month before;
 * - then month by month: at mid-year (month index ⌊months/2⌋; none when months = 1) a program change
 *   effective from that still-open month (3 tiers, higher growth bonus); the month's
 *   `PromotionScheduled`s; then day by day, sorted by time of day, the partners'
 *   registrations, sales, returns, trainings and (in calendar quarter-end months) surveys,
 *   late sales dated in already closed months, exact resends of earlier lines and bad lines;
 *   finally a `PeriodClosed` for the month, dated day 1 or 2 of the next month (the last
 *   month stays open).
 *
 * Everything is valid against the spec except the deliberate bad lines (about
 * `badLineRatio` extra lines per good line): truncated JSON, schema violations (quantity 0,
 * a missing field, a timestamp without offset, too many decimals), unknown channel, currency
 * mismatch, and conflicting duplicates (an earlier sale's eventId with a different amount).
 *
 * Channel events are dated between 08:00 and 20:00 in `timeZoneOffset` (any day of the
 * month, month-end included), so their day and month are the same in any reporting zone
 * within 4 hours of that offset (`+08:00`: Asia/Shanghai, the spec's default zone).
 * `PeriodClosed` is dated 09:00–12:00 on day 1 or 2 of the next month: after the month's
 * end in any zone ahead of the offset or at most 9 hours behind it.
 *
 * The feed is produced lazily: the generator keeps per-partner state (a month's plan, the last
 * 8 sales) and the current day's schedule as small numbers, and builds each line as it is
 * yielded, so 10M-line feeds stream in constant memory. Money is integer minor units
 * throughout (bigint where products could exceed 2^53), formatted to decimal strings.
 *
 * Volumes: `salesPerPartnerMonth` sale lines per partner-month on average (distributors more,
 * agents fewer), plus about 5% returns, 0.3% late sales, 0.4% resends, trainings, surveys,
 * promotions, closes and bad lines: lines ≈ partners × months × (salesPerPartnerMonth + 0.75)
 * (the default feed: about 16,000 lines; 10,000 partners × 12 months × 8: about 1,050,000).
 */

export interface FeedOptions {
  /** PRNG seed (a safe integer); default 42. */
  seed?: number;
  /** Number of partners; default 200. About 85% register in the first month. */
  partners?: number;
  /** Number of months; default 12. Every month but the last is closed. */
  months?: number;
  /** First month, `YYYY-MM`; default `2026-01`. */
  startMonth?: string;
  /** Bad lines per good line; default 0.02. */
  badLineRatio?: number;
  /** Offset of every timestamp (`Z` or `±HH:MM`); default `+08:00`. */
  timeZoneOffset?: string;
  /** Currency of sales and returns; default `CNY`. */
  currency?: string;
  /** Minor digits of `currency` (0–8); default 2. */
  minorDigits?: number;
  /** Average sale lines per partner-month; default 6. */
  salesPerPartnerMonth?: number;
}

export interface FeedStats {
  /** Lines yielded, bad lines and resends included. */
  lines: number;
  /** Deliberately bad lines (each one is rejected by the engine). */
  badLines: number;
  partners: number;
  months: number;
}

// ---------------------------------------------------------------------------------------
// PRNG

type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: Rng;
  constructor(seed: number) {
    // Fold the high bits of a 53-bit seed into 32 bits, then scramble.
    const folded = (seed % 4294967296) ^ Math.floor(seed / 4294967296);
    this.next = mulberry32(Math.imul(folded ^ 0x9e3779b9, 0x85ebca6b) ^ 0x2c1b3c6d);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** Picks by weight; `weights` parallel to `items`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }
  /** `x` rounded down or up at random so that the mean is `x`. */
  round(x: number): number {
    const f = Math.floor(x);
    return f + (this.next() < x - f ? 1 : 0);
  }
  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------
// Money (integer minor units) and calendar helpers

/** a × (10000 + bps) / 10000, rounded down; exact. */
function scaleBps(a: number, bps: number): number {
  return Number((BigInt(a) * BigInt(10000 + bps)) / 10000n);
}

/** ⌊a × b / c⌋; exact. */
function mulDiv(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

function formatMinor(value: number, digits: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad amount ${value}`);
  if (digits === 0) return String(value);
  const s = String(value).padStart(digits + 1, '0');
  return `${s.slice(0, s.length - digits)}.${s.slice(s.length - digits)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

let clockTable: string[] | undefined;
/** `HH:MM:SS` of a second of the day (0 … 86399). */
function clock(second: number): string {
  if (clockTable === undefined) {
    clockTable = [];
    for (let t = 0; t < 86400; t++) {
      clockTable.push(`${pad2(Math.floor(t / 3600))}:${pad2(Math.floor(t / 60) % 60)}:${pad2(t % 60)}`);
    }
  }
  return clockTable[second] as string;
}

interface Month {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** `YYYY-MM` */
  readonly label: string;
  readonly days: number;
}

function monthAt(startYear: number, startMonth: number, offset: number): Month {
  const index = startYear * 12 + (startMonth - 1) + offset;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return {
    year,
    month,
    label: `${String(year).padStart(4, '0')}-${pad2(month)}`,
    days: new Date(Date.UTC(year, month, 0)).getUTCDate(),
  };
}

// ---------------------------------------------------------------------------------------
// Static catalogue: SKUs, courses, names (all fictional)

interface Sku {
  readonly id: string;
  /** List price in major units. */
  readonly price: number;
}

const SKUS: readonly Sku[] = [
  { id: 'RTR-AX3000', price: 1299 },
  { id: 'SW-24G-POE', price: 3999 },
  { id: 'AP-WIFI6-PRO', price: 899 },
  { id: 'NAS-4BAY', price: 5499 },
  { id: 'CAM-2K-OUT', price: 399 },
  { id: 'UPS-1500VA', price: 2199 },
  { id: 'LIC-CLOUD-1Y', price: 12000 },
  { id: 'SVC-INSTALL', price: 500 },
];

const KINDS = ['distributor', 'reseller', 'retailer', 'ecommerce', 'agent'] as const;
type Kind = (typeof KINDS)[number];

interface KindProfile {
  readonly share: number;
  /** Monthly net range, major units (log-uniform). */
  readonly minNet: number;
  readonly maxNet: number;
  /** Relative number of sale lines. */
  readonly lines: number;
  /** Trainings per month. */
  readonly trainings: number;
  readonly names: readonly string[];
  readonly zhNames: readonly string[];
}

const PROFILES: Readonly<Record<Kind, KindProfile>> = {
  distributor: {
    share: 0.1,
    minNet: 600_000,
    maxNet: 2_800_000,
    lines: 1.6,
    trainings: 2,
    names: ['Distribution Co., Ltd.', 'Supply Chain Co.', 'Trading Group'],
    zhNames: ['商贸有限公司', '供应链有限公司'],
  },
  reseller: {
    share: 0.3,
    minNet: 60_000,
    maxNet: 600_000,
    lines: 1.0,
    trainings: 0.5,
    names: ['Solutions', 'Systems Integration', 'Networks Co.'],
    zhNames: ['科技有限公司', '系统集成有限公司'],
  },
  retailer: {
    share: 0.3,
    minNet: 20_000,
    maxNet: 200_000,
    lines: 0.8,
    trainings: 0.3,
    names: ['Electronics Store', 'Digital Retail', 'Computer Mart'],
    zhNames: ['数码专卖店', '电脑城门店'],
  },
  ecommerce: {
    share: 0.15,
    minNet: 100_000,
    maxNet: 1_500_000,
    lines: 1.2,
    trainings: 0.45,
    names: ['Online Flagship Store', 'E-Shop', 'Web Store'],
    zhNames: ['官方旗舰店', '网络专营店'],
  },
  agent: {
    share: 0.15,
    minNet: 30_000,
    maxNet: 300_000,
    lines: 0.7,
    trainings: 0.3,
    names: ['Sales Agency', 'Commercial Agents', 'Partners Agency'],
    zhNames: ['代理服务部', '商务代理有限公司'],
  },
};

const NAME_WORDS = [
  'Jade',
  'Golden Bridge',
  'Blue Sky',
  'Pine Ridge',
  'Harbor',
  'Summit',
  'Red Lantern',
  'Silver Birch',
  'Evergreen',
  'Lotus',
  'Northstar',
  'Bamboo Grove',
  'Crescent',
  'Orchid',
  'Granite',
  'Maple Leaf',
  'Cloud Peak',
  'River Gate',
  'Sunrise',
  'Willow',
  'Phoenix Hill',
  'Bright Stone',
  'Tidewater',
  'Lantern Bay',
] as const;
const ZH_WORDS = ['翠峰', '金桥', '蓝天', '松涛', '星河', '青禾', '云帆', '长风', '明湖', '远航'] as const;
const ZH_REGION: Readonly<Record<string, string>> = {
  North: '华北',
  East: '华东',
  South: '华南',
  West: '西部',
  Central: '华中',
  Northeast: '东北',
  Northwest: '西北',
  Southwest: '西南',
};
const REGIONS = Object.keys(ZH_REGION);

const COURSES: readonly { id: string; certification?: string }[] = [
  { id: 'INTRO-100' },
  { id: 'SALES-101', certification: 'CERT-SALES' },
  { id: 'PRODUCT-201', certification: 'CERT-PRODUCT' },
  { id: 'TECH-301', certification: 'CERT-TECH' },
  { id: 'ONLINE-OPS-110' },
  { id: 'SERVICE-150', certification: 'CERT-SERVICE' },
];

const ERP_SOURCES = ['erp-sap-01', 'erp-sap-02', 'erp-k3-01'] as const;

type Trend = 'growth' | 'flat' | 'decline' | 'volatile';

interface TrendParams {
  readonly growthBps: number;
  /** Month-to-month noise, ± bps. */
  readonly noiseBps: number;
}

function drawTrend(rnd: Random, kind: Kind): TrendParams {
  const trend: Trend = rnd.weighted<Trend>(
    ['growth', 'flat', 'decline', 'volatile'],
    kind === 'ecommerce' ? [0.6, 0.25, 0.05, 0.1] : [0.25, 0.35, 0.2, 0.2],
  );
  switch (trend) {
    case 'growth':
      return { growthBps: rnd.int(1100, 2200), noiseBps: 300 };
    case 'flat':
      return { growthBps: rnd.int(-200, 400), noiseBps: 500 };
    case 'decline':
      return { growthBps: rnd.int(-1500, -400), noiseBps: 400 };
    case 'volatile':
      return { growthBps: rnd.int(-300, 600), noiseBps: 3500 };
  }
}

// ---------------------------------------------------------------------------------------
// Partners

/**
 * A partner's most recent sales, for returns, as a ring of RECENT records of numbers (no
 * objects, so that a month of sales does not churn the old generation):
 */
const RECENT = 8;
const R_MONTH = 0; // month index of the order id
const R_SEQ = 1; // order number in that month; negative: late sale -n
const R_SKU = 2; // index in SKUS
const R_QUANTITY = 3; // quantity not yet returned
const R_AMOUNT = 4; // amount not yet refunded, minor units (an integer < 2^53, exact)
const R_SENT = 5; // month index × 32 + day on which the sale was sent
const R_FIELDS = 6;

interface Partner {
  /** Position in the list of partners. */
  readonly index: number;
  readonly id: string;
  readonly kind: Kind;
  readonly name: string;
  readonly region: string | undefined;
  readonly online: boolean | undefined;
  readonly source: string;
  /** Emits milliseconds in its sale timestamps (one ERP does). */
  readonly millis: boolean;
  readonly joinMonth: number;
  readonly regDay: number;
  readonly skus: readonly Sku[];
  readonly traineePool: number;
  trend: TrendParams;
  /** Underlying monthly net, minor units. */
  level: number;
  registered: boolean;
  /** Per day of the current month: [sales, returns, trainings, surveys] counts. */
  readonly plan: Uint16Array;
  salesLeft: number;
  amountLeft: number;
  orderSeq: number;
  returnSeq: number;
  trainingSeq: number;
  /** The most recent sales (see RECENT), and how many are there. */
  readonly recent: Float64Array;
  recentCount: number;
  recentNext: number;
}

const PLAN_SALE = 0;
const PLAN_RETURN = 1;
const PLAN_TRAINING = 2;
const PLAN_SURVEY = 3;

// ---------------------------------------------------------------------------------------
// Options

interface Config {
  readonly seed: number;
  readonly partners: number;
  readonly months: number;
  readonly startYear: number;
  readonly startMonth: number;
  readonly badLineRatio: number;
  readonly offset: string;
  readonly currency: string;
  readonly digits: number;
  readonly salesPerPartnerMonth: number;
}

function resolve(options: FeedOptions): Config {
  const seed = options.seed ?? 42;
  const partners = options.partners ?? 200;
  const months = options.months ?? 12;
  const start = options.startMonth ?? '2026-01';
  const badLineRatio = options.badLineRatio ?? 0.02;
  const offset = options.timeZoneOffset ?? '+08:00';
  const currency = options.currency ?? 'CNY';
  const digits = options.minorDigits ?? 2;
  const salesPerPartnerMonth = options.salesPerPartnerMonth ?? 6;
  const fail = (what: string) => {
    throw new RangeError(`generateFeed: invalid ${what}`);
  };
  if (!Number.isSafeInteger(seed)) fail(`seed ${seed}`);
  if (!Number.isSafeInteger(partners) || partners < 1 || partners > 999_999) fail(`partners ${partners}`);
  if (!Number.isSafeInteger(months) || months < 1 || months > 1200) fail(`months ${months}`);
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(start);
  if (m === null) fail(`startMonth ${start}`);
  const startYear = Number(m?.[1]);
  const startMonth = Number(m?.[2]);
  // The program is published the month before; every month must have a 4-digit year.
  if (startYear * 12 + startMonth - 2 < 0 || startYear * 12 + startMonth - 1 + months > 10000 * 12) {
    fail(`startMonth ${start} with months ${months}`);
  }
  if (!Number.isFinite(badLineRatio) || badLineRatio < 0 || badLineRatio > 10)
    fail(`badLineRatio ${badLineRatio}`);
  if (!/^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/.test(offset)) fail(`timeZoneOffset ${offset}`);
  if (!/^[A-Z]{3}$/.test(currency)) fail(`currency ${currency}`);
  if (!Number.isInteger(digits) || digits < 0 || digits > 8) fail(`minorDigits ${digits}`);
  if (!Number.isFinite(salesPerPartnerMonth) || salesPerPartnerMonth < 0 || salesPerPartnerMonth > 10_000) {
    fail(`salesPerPartnerMonth ${salesPerPartnerMonth}`);
  }
  return {
    seed,
    partners,
    months,
    startYear,
    startMonth,
    badLineRatio,
    offset,
    currency,
    digits,
    salesPerPartnerMonth,
  };
}

// ---------------------------------------------------------------------------------------
// The feed

type Json = string | number | boolean | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// Kinds of the slots of a day.
const SLOT_REGISTRATION = 0;
const SLOT_SALE = 1;
const SLOT_RETURN = 2;
const SLOT_TRAINING = 3;
const SLOT_SURVEY = 4;
const SLOT_LATE = 5;
/** Most lines in a day (the sort key is time of day × SLOT_LIMIT + slot). */
const SLOT_LIMIT = 2 ** 22;

interface LateSale {
  /** Day of the current month on which it is sent. */
  readonly day: number;
  readonly partner: Partner;
  /** The (closed) month it is dated in (index), and its day. */
  readonly month: number;
  readonly date: number;
}

type BadKind =
  | 'malformed'
  | 'quantityZero'
  | 'missingField'
  | 'noOffset'
  | 'tooManyDecimals'
  | 'unknownChannel'
  | 'currencyMismatch'
  | 'conflictingDuplicate';

const BAD_KINDS: readonly BadKind[] = [
  'malformed',
  'quantityZero',
  'missingField',
  'noOffset',
  'tooManyDecimals',
  'unknownChannel',
  'currencyMismatch',
  'conflictingDuplicate',
];

/** Exact resends per good line. */
const DUPLICATE_RATIO = 0.004;
/** Late sales per sale line of the month. */
const LATE_RATIO = 0.003;
/** Returns per sale line. */
const RETURN_RATIO = 0.05;

const HOUR = 3600;
const NONE: readonly string[] = [];

/**
 * A `SaleRecorded` or `SaleReturned` line. Written by hand because it is most of the feed and
 * `JSON.stringify` dominates the cost; every string in it is a generated identifier, a
 * timestamp, a decimal or a validated currency, so none needs escaping.
 */
function saleLine(
  type: 'SaleRecorded' | 'SaleReturned',
  eventId: string,
  occurredAt: string,
  channelId: string,
  orderId: string,
  sku: string,
  quantity: number,
  netAmount: string,
  currency: string,
  source: string,
): string {
  return (
    `{"eventId":"${eventId}","type":"${type}","occurredAt":"${occurredAt}","channelId":"${channelId}",` +
    `"data":{"orderId":"${orderId}","sku":"${sku}","quantity":${quantity},"netAmount":"${netAmount}",` +
    `"currency":"${currency}"},"source":"${source}"}`
  );
}

const tier = (id: string, rebateBps: number, minTrailingNet: string, minCertifiedTrainees: number) => ({
  id,
  rebateBps,
  minTrailingNet,
  minCertifiedTrainees,
});

/**
 * The state of the feed being generated. The generator drives it month by month and day by
 * day; it holds the partners, the current month's plan and small rings of recent lines.
 */
class FeedBuilder {
  badLines = 0;
  readonly partners: Partner[];
  /** Index of the month of the program change, or -1. */
  private readonly changeMonth: number;
  private readonly rnd: Random;
  private readonly minorPerMajor: number;
  private readonly programYear: number;
  private readonly registered: Partner[] = [];
  private readonly recentLines: string[] = [];
  private recentLinesNext = 0;
  /** Recent sale lines, for conflicting duplicates. */
  private readonly recentSales: string[] = [];
  private recentSalesNext = 0;
  private badDebt = 0;
  private badGap: number;
  private badSeq = 0;
  private badKinds: BadKind[] = [];
  private lateSeq = 0;
  private readonly monthCache: Month[] = [];
  /** The current month. */
  private mi = -1;
  private mo: Month;
  /** Per day of the current month, the partners with something to send that day. */
  private readonly busy: Partner[][] = [];
  /** Late sales to send this month. */
  private readonly late: LateSale[] = [];
  /** The current day and its slots: time of day, kind, partner index (late sale index). */
  private day = 0;
  private slots = 0;
  private readonly slotAt: number[] = [];
  private readonly slotKind: number[] = [];
  private readonly slotRef: number[] = [];
  /** Sort keys of the slots, in log order. */
  private order = new Float64Array(0);

  constructor(private readonly cfg: Config) {
    this.rnd = new Random(cfg.seed);
    this.minorPerMajor = 10 ** cfg.digits;
    this.mo = this.month(0);
    this.programYear = this.mo.year;
    this.changeMonth = cfg.months >= 2 ? Math.floor(cfg.months / 2) : -1;
    this.badGap = 0.5 + this.rnd.float();
    this.partners = this.createPartners();
  }

  get days(): number {
    return this.mo.days;
  }

  /** Month `i` of the feed (-1 … months). */
  private month(i: number): Month {
    const cached = this.monthCache[i + 1];
    if (cached !== undefined) return cached;
    const month = monthAt(this.cfg.startYear, this.cfg.startMonth, i);
    this.monthCache[i + 1] = month;
    return month;
  }

  private ts(mo: Month, day: number, second: number, millis = -1): string {
    const fraction = millis >= 0 ? `.${String(millis).padStart(3, '0')}` : '';
    return `${mo.label}-${pad2(day)}T${clock(second)}${fraction}${this.cfg.offset}`;
  }

  private createPartners(): Partner[] {
    const { cfg, rnd } = this;
    const joiners = cfg.months >= 2 ? Math.round(cfg.partners * 0.15) : 0;
    const initial = cfg.partners - joiners;
    const schedule: { joinMonth: number; regDay: number }[] = [];
    for (let i = 0; i < initial; i++) {
      schedule.push({ joinMonth: 0, regDay: 2 + Math.floor((i * 10) / initial) });
    }
    const later: { joinMonth: number; regDay: number }[] = [];
    for (let i = 0; i < joiners; i++) {
      const joinMonth = rnd.int(1, cfg.months - 1);
      later.push({ joinMonth, regDay: rnd.int(2, this.month(joinMonth).days - 1) });
    }
    later.sort((a, b) => a.joinMonth - b.joinMonth || a.regDay - b.regDay);
    schedule.push(...later);

    const width = Math.max(4, String(cfg.partners).length);
    const kindWeights = KINDS.map((k) => PROFILES[k].share);
    return schedule.map(({ joinMonth, regDay }, i): Partner => {
      const kind = rnd.weighted(KINDS, kindWeights);
      const profile = PROFILES[kind];
      const region = rnd.chance(0.9) ? rnd.pick(REGIONS) : undefined;
      const name = rnd.chance(0.35)
        ? `${region === undefined ? '' : (ZH_REGION[region] ?? '')}${rnd.pick(ZH_WORDS)}${rnd.pick(profile.zhNames)}`
        : `${rnd.pick(NAME_WORDS)} ${rnd.pick(profile.names)}`;
      let online: boolean | undefined;
      if (kind === 'ecommerce') online = rnd.chance(0.3) ? true : undefined;
      else if (kind === 'reseller' && rnd.chance(0.2)) online = true;
      else if (rnd.chance(0.1)) online = false;
      // Log-uniform base monthly net, in whole major units.
      const major = Math.round(profile.minNet * (profile.maxNet / profile.minNet) ** rnd.float());
      const source = rnd.pick(ERP_SOURCES);
      return {
        index: i,
        id: `P${String(i + 1).padStart(width, '0')}`,
        kind,
        name,
        region,
        online,
        source,
        millis: source === 'erp-k3-01',
        joinMonth,
        regDay,
        skus: rnd.sample(SKUS, rnd.int(2, 5)),
        traineePool: kind === 'distributor' ? rnd.int(6, 12) : rnd.int(2, 8),
        trend: drawTrend(rnd, kind),
        level: major * this.minorPerMajor,
        registered: false,
        plan: new Uint16Array(32 * 4),
        salesLeft: 0,
        amountLeft: 0,
        orderSeq: 0,
        returnSeq: 0,
        trainingSeq: 0,
        recent: new Float64Array(RECENT * R_FIELDS),
        recentCount: 0,
        recentNext: 0,
      };
    });
  }

  /** The program in effect from the first month, published the month before. */
  programLine(): string {
    const year = this.programYear;
    return JSON.stringify({
      eventId: `program-cn-${year}`,
      type: 'ProgramPublished',
      occurredAt: this.ts(this.month(-1), this.rnd.int(15, 25), this.rnd.int(9 * HOUR, 17 * HOUR)),
      data: {
        programId: `cn-${year}`,
        effectiveFrom: this.month(0).label,
        growthTargetBps: 1000,
        growthBonusBps: 50,
        tierReview: 'quarterly',
        downgradeGraceReviews: 1,
        tiers: [
          tier('registered', 100, '0', 0),
          tier('silver', 200, '300000', 1),
          tier('gold', 300, '1500000', 3),
          tier('diamond', 500, '6000000', 5),
        ],
        volumeRebate: [
          { minQuarterNet: '1000000', rateBps: 50 },
          { minQuarterNet: '5000000', rateBps: 100 },
        ],
      },
      source: 'channel-ops',
    });
  }

  /**
   * Starts month `mi` (right after the previous month's close): returns its opening lines
   * (the mid-year program change, the month's promotions) and plans the month.
   */
  startMonth(mi: number): string[] {
    this.mi = mi;
    this.mo = this.month(mi);
    const out: string[] = [];
    if (mi === this.changeMonth) {
      out.push(this.programChangeLine());
      // Some partners change course in the second half.
      for (const p of this.partners) if (this.rnd.chance(0.25)) p.trend = drawTrend(this.rnd, p.kind);
    }
    out.push(...this.promotionLines());
    const monthSales = this.planPartners();
    this.planLateSales(monthSales);
    return out;
  }

  /**
   * A second program effective from the current month, which is still open (the previous one
   * was the last closed): three tiers (diamond dropped, so diamond holders are clamped to
   * gold), a higher growth bonus and a richer top volume band.
   */
  private programChangeLine(): string {
    const year = this.programYear;
    return JSON.stringify({
      eventId: `program-cn-${year}-r2`,
      type: 'ProgramPublished',
      occurredAt: this.ts(this.mo, 2, this.rnd.int(13 * HOUR, 17 * HOUR)),
      data: {
        programId: `cn-${year}-r2`,
        effectiveFrom: this.mo.label,
        growthTargetBps: 1000,
        growthBonusBps: 80,
        tierReview: 'quarterly',
        downgradeGraceReviews: 1,
        tiers: [
          tier('registered', 100, '0', 0),
          tier('silver', 200, '300000', 1),
          tier('gold', 350, '1500000', 3),
        ],
        volumeRebate: [
          { minQuarterNet: '1000000', rateBps: 50 },
          { minQuarterNet: '5000000', rateBps: 120 },
        ],
      },
      source: 'channel-ops',
    });
  }

  /** 1–3 promotions with windows inside the month, scheduled during the previous month. */
  private promotionLines(): string[] {
    const { rnd, mo, mi } = this;
    const prev = this.month(mi - 1);
    const next = this.month(mi + 1);
    const out: string[] = [];
    const count = rnd.int(1, 3);
    for (let k = 1; k <= count; k++) {
      const fullMonth = rnd.chance(k === 1 ? 0.5 : 0.2);
      const startDay = fullMonth ? 1 : rnd.int(1, mo.days - 7);
      const endDay = fullMonth ? mo.days : rnd.int(startDay + 3, Math.min(startDay + 14, mo.days));
      const data: JsonObject = {
        promotionId: `PR-${mo.label}-${k}`,
        startsAt: this.ts(mo, startDay, 0),
        endsAt: endDay === mo.days ? this.ts(next, 1, 0) : this.ts(mo, endDay + 1, 0),
        bonusBps: rnd.int(50, 200),
      };
      if (k > 1) {
        if (rnd.chance(0.6)) data['skus'] = rnd.sample(SKUS, rnd.int(1, 3)).map((s) => s.id);
        else {
          const eligible = this.partners.filter((p) => p.joinMonth <= mi);
          data['channelIds'] = rnd.sample(eligible, rnd.int(2, 8)).map((p) => p.id);
        }
      }
      out.push(
        JSON.stringify({
          eventId: `promo-${mo.label}-${k}`,
          type: 'PromotionScheduled',
          occurredAt: this.ts(prev, rnd.int(18, prev.days - 1), rnd.int(9 * HOUR, 18 * HOUR)),
          data,
          source: 'channel-ops',
        }),
      );
    }
    return out;
  }

  /** Plans every partner's month: its target net and what it sends on which day. */
  private planPartners(): number {
    const { rnd, mo, mi, cfg } = this;
    const lastDay = mo.days;
    const quarterEnd = mo.month % 3 === 0;
    for (let day = 0; day <= 31; day++) {
      const list = this.busy[day];
      if (list === undefined) this.busy.push([]);
      else list.length = 0;
    }
    let monthSales = 0;
    for (const p of this.partners) {
      p.plan.fill(0);
      p.salesLeft = 0;
      p.amountLeft = 0;
      p.orderSeq = 0;
      p.returnSeq = 0;
      p.trainingSeq = 0;
      if (p.joinMonth > mi) continue;
      if (p.joinMonth === mi) this.busy[p.regDay]?.push(p);
      else p.level = Math.max(this.minorPerMajor, scaleBps(p.level, p.trend.growthBps));
      const first = p.joinMonth === mi ? p.regDay + 1 : 1;
      const profile = PROFILES[p.kind];
      const quiet = p.joinMonth < mi && rnd.chance(0.02);
      const sales = quiet ? 0 : rnd.round(cfg.salesPerPartnerMonth * profile.lines * (0.5 + rnd.float()));
      p.salesLeft = sales;
      p.amountLeft = sales === 0 ? 0 : scaleBps(p.level, rnd.int(-p.trend.noiseBps, p.trend.noiseBps));
      monthSales += sales;
      for (let s = 0; s < sales; s++) this.bump(p, rnd.int(first, lastDay), PLAN_SALE);
      const returns = rnd.round(sales * RETURN_RATIO);
      for (let s = 0; s < returns; s++) this.bump(p, rnd.int(first, lastDay), PLAN_RETURN);
      const trainings = rnd.round(profile.trainings);
      for (let s = 0; s < trainings; s++) this.bump(p, rnd.int(first, lastDay), PLAN_TRAINING);
      if (quarterEnd && rnd.chance(0.75)) this.bump(p, rnd.int(first, lastDay), PLAN_SURVEY);
    }
    return monthSales;
  }

  private bump(p: Partner, day: number, what: number): void {
    const at = day * 4;
    const { plan } = p;
    if (plan[at] === 0 && plan[at + 1] === 0 && plan[at + 2] === 0 && plan[at + 3] === 0) {
      this.busy[day]?.push(p);
    }
    plan[at + what] = (plan[at + what] ?? 0) + 1;
  }

  /** Late sales: dated in a closed month (mostly the one just closed), sent in days 1–6. */
  private planLateSales(monthSales: number): void {
    const { rnd, mi } = this;
    this.late.length = 0;
    if (mi < 1) return;
    const count = Math.max(1, rnd.round(monthSales * LATE_RATIO));
    for (let k = 0; k < count; k++) {
      const target = mi >= 2 && rnd.chance(0.1) ? mi - 2 : mi - 1;
      const tm = this.month(target);
      for (let attempt = 0; attempt < 20; attempt++) {
        const p = rnd.pick(this.partners);
        if (p.joinMonth > target) continue;
        const from = Math.max(p.joinMonth === target ? p.regDay + 1 : 1, 15);
        if (from > tm.days) continue;
        const day = rnd.int(1, 6);
        this.late.push({ day, partner: p, month: target, date: rnd.int(from, tm.days) });
        break;
      }
    }
  }

  /**
   * Plans day `day` of the current month: what each busy partner sends and when, sorted by
   * time of day. Only small slot descriptors are kept; the lines are built one by one by
   * `line(i)` as they are sent, so a day's lines never pile up in memory. Returns the number
   * of slots.
   */
  planDay(day: number): number {
    const { rnd } = this;
    this.day = day;
    this.slots = 0;
    const busy = this.busy[day] ?? [];
    for (let i = 0; i < busy.length; i++) {
      const p = busy[i] as Partner;
      if (p.joinMonth === this.mi && p.regDay === day) {
        this.slot(rnd.int(8 * HOUR, 10 * HOUR), SLOT_REGISTRATION, p.index);
        continue;
      }
      const at = day * 4;
      for (let r = p.plan[at + PLAN_RETURN] ?? 0; r > 0; r--) {
        this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_RETURN, p.index);
      }
      for (let s = p.plan[at + PLAN_SALE] ?? 0; s > 0; s--) {
        this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_SALE, p.index);
      }
      for (let t = p.plan[at + PLAN_TRAINING] ?? 0; t > 0; t--) {
        this.slot(rnd.int(9 * HOUR, 18 * HOUR), SLOT_TRAINING, p.index);
      }
      if ((p.plan[at + PLAN_SURVEY] ?? 0) > 0) this.slot(rnd.int(10 * HOUR, 16 * HOUR), SLOT_SURVEY, p.index);
    }
    for (let i = 0; i < this.late.length; i++) {
      if (this.late[i]?.day === day) this.slot(rnd.int(8 * HOUR, 20 * HOUR - 1), SLOT_LATE, i);
    }
    // Sort by time of day, ties in planning order: the key is time × 2^22 + slot number.
    const keys = new Float64Array(this.slots);
    for (let i = 0; i < this.slots; i++) keys[i] = (this.slotAt[i] as number) * SLOT_LIMIT + i;
    keys.sort();
    this.order = keys;
    return this.slots;
  }

  private slot(at: number, kind: number, ref: number): void {
    const i = this.slots++;
    if (i >= SLOT_LIMIT) throw new RangeError('generateFeed: too many lines in a day');
    this.slotAt[i] = at;
    this.slotKind[i] = kind;
    this.slotRef[i] = ref;
  }

  /**
   * The line of the i-th slot of the day in log order (null when a planned return finds no
   * earlier sale to return), with the bookkeeping of sending it.
   */
  line(i: number): string | null {
    const slot = (this.order[i] as number) % SLOT_LIMIT;
    const at = this.slotAt[slot] as number;
    const ref = this.slotRef[slot] as number;
    let line: string | null;
    switch (this.slotKind[slot] as number) {
      case SLOT_REGISTRATION:
        line = this.registration(this.partnerAt(ref), at);
        break;
      case SLOT_SALE:
        line = this.plannedSale(this.partnerAt(ref), at);
        break;
      case SLOT_RETURN:
        line = this.saleReturn(this.partnerAt(ref), at);
        break;
      case SLOT_TRAINING:
        line = this.training(this.partnerAt(ref), at);
        break;
      case SLOT_SURVEY:
        line = this.survey(this.partnerAt(ref), at);
        break;
      case SLOT_LATE: {
        const late = this.late[ref] as LateSale;
        const p = late.partner;
        this.lateSeq++;
        const amount = Math.max(this.minorPerMajor, mulDiv(p.level, this.rnd.int(20, 120), 1000));
        line = this.sale(p, late.month, late.date, at, -this.lateSeq, amount);
        break;
      }
      default:
        throw new Error('generateFeed: unknown slot kind');
    }
    if (line !== null) this.recentLinesNext = remember(this.recentLines, this.recentLinesNext, line, 256);
    return line;
  }

  private partnerAt(index: number): Partner {
    return this.partners[index] as Partner;
  }

  private registration(p: Partner, second: number): string {
    const data: JsonObject = { name: p.name, kind: p.kind };
    if (p.online !== undefined) data['online'] = p.online;
    if (p.region !== undefined) data['region'] = p.region;
    p.registered = true;
    this.registered.push(p);
    return JSON.stringify({
      eventId: `REG-${p.id}`,
      type: 'ChannelRegistered',
      occurredAt: this.ts(this.mo, this.day, second),
      channelId: p.id,
      data,
      source: 'crm-01',
    });
  }

  /** One of the month's planned sales of `p`: its share of what is left of the month's net. */
  private plannedSale(p: Partner, second: number): string {
    const amount =
      p.salesLeft <= 1 ? p.amountLeft : mulDiv(p.amountLeft, this.rnd.int(50, 150), 100 * p.salesLeft);
    p.salesLeft--;
    p.amountLeft -= amount;
    p.orderSeq++;
    return this.sale(p, this.mi, this.day, second, p.orderSeq, amount);
  }

  /** Order id of the `seq`-th order of `p` in month `mi` (late sale -seq: `L<seq>`). */
  private orderId(p: Partner, mi: number, seq: number): string {
    return `O-${p.id}-${this.month(mi).label}-${seq < 0 ? `L${-seq}` : seq}`;
  }

  /** A sale of `p` dated day `day` of month `mi` (sent today), order number `seq`. */
  private sale(p: Partner, mi: number, day: number, second: number, seq: number, amount: number): string {
    const { rnd } = this;
    const orderId = this.orderId(p, mi, seq);
    const sku = rnd.pick(p.skus);
    // Quantity from the list price less a 0–20% discount (the amount itself is exact).
    const unit = sku.price * this.minorPerMajor * (0.8 + 0.2 * rnd.float());
    const quantity = Math.max(1, Math.round(amount / unit));
    const line = saleLine(
      'SaleRecorded',
      `${orderId}/1`,
      this.ts(this.month(mi), day, second, p.millis ? rnd.int(0, 999) : -1),
      p.id,
      orderId,
      sku.id,
      quantity,
      formatMinor(amount, this.cfg.digits),
      this.cfg.currency,
      p.source,
    );
    const r = p.recentNext * R_FIELDS;
    p.recent[r + R_MONTH] = mi;
    p.recent[r + R_SEQ] = seq;
    p.recent[r + R_SKU] = SKUS.indexOf(sku);
    p.recent[r + R_QUANTITY] = quantity;
    p.recent[r + R_AMOUNT] = amount;
    p.recent[r + R_SENT] = this.mi * 32 + this.day;
    p.recentNext = (p.recentNext + 1) % RECENT;
    p.recentCount = Math.min(RECENT, p.recentCount + 1);
    this.recentSalesNext = remember(this.recentSales, this.recentSalesNext, line, 64);
    return line;
  }

  /** A credit note for part of one of `p`'s recent sales sent before today, if any. */
  private saleReturn(p: Partner, second: number): string | null {
    const { rnd } = this;
    const today = this.mi * 32 + this.day;
    const { recent } = p;
    let r = -1;
    let seen = 0;
    for (let k = 0; k < p.recentCount; k++) {
      const at = k * R_FIELDS;
      if ((recent[at + R_SENT] as number) < today && (recent[at + R_AMOUNT] as number) > 0) {
        if (rnd.float() * ++seen < 1) r = at;
      }
    }
    if (r < 0) return null;
    const sold = recent[r + R_QUANTITY] as number;
    const left = recent[r + R_AMOUNT] as number;
    let quantity: number;
    let refund: number;
    if (sold >= 2) {
      quantity = rnd.int(1, sold - 1);
      refund = mulDiv(left, quantity, sold);
      recent[r + R_QUANTITY] = sold - quantity;
    } else {
      quantity = 1; // a partial refund (price adjustment) of a single unit
      refund = mulDiv(left, rnd.int(10, 60), 100);
    }
    recent[r + R_AMOUNT] = left - refund;
    p.returnSeq++;
    const rma = `RMA-${p.id}-${this.mo.label}-${p.returnSeq}`;
    return saleLine(
      'SaleReturned',
      `${rma}/1`,
      this.ts(this.mo, this.day, second, p.millis ? rnd.int(0, 999) : -1),
      p.id,
      this.orderId(p, recent[r + R_MONTH] as number, recent[r + R_SEQ] as number),
      (SKUS[recent[r + R_SKU] as number] as Sku).id,
      quantity,
      formatMinor(refund, this.cfg.digits),
      this.cfg.currency,
      p.source,
    );
  }

  private training(p: Partner, second: number): string {
    const { rnd } = this;
    const course = rnd.pick(COURSES);
    const data: JsonObject = {
      courseId: course.id,
      traineeId: `${p.id}-T${pad2(rnd.int(1, p.traineePool))}`,
    };
    if (course.certification !== undefined && rnd.chance(0.85)) data['certification'] = course.certification;
    p.trainingSeq++;
    return JSON.stringify({
      eventId: `TRN-${p.id}-${this.mo.label}-${p.trainingSeq}`,
      type: 'TrainingCompleted',
      occurredAt: this.ts(this.mo, this.day, second),
      channelId: p.id,
      data,
      source: 'lms-01',
    });
  }

  private survey(p: Partner, second: number): string {
    const { rnd, mo } = this;
    const score = rnd.chance(0.1) ? rnd.int(10, 60) : Math.min(100, rnd.int(55, 85) + rnd.int(0, 15));
    return JSON.stringify({
      eventId: `SRV-${p.id}-${mo.year}-Q${mo.month / 3}`,
      type: 'SatisfactionSurveyed',
      occurredAt: this.ts(mo, this.day, second),
      channelId: p.id,
      data: { score, respondents: rnd.int(1, 15) },
      source: 'survey-01',
    });
  }

  /** Lines to send after a good line of `day`: resends of earlier lines and bad lines. */
  extras(day: number): readonly string[] {
    const { rnd } = this;
    let out: string[] | undefined;
    if (this.recentLines.length > 0 && rnd.chance(DUPLICATE_RATIO)) {
      // An ERP retry: of the line just sent (30%) or of one of the last 256 good lines.
      const last = (this.recentLinesNext + this.recentLines.length - 1) % this.recentLines.length;
      (out ??= []).push((rnd.chance(0.3) ? this.recentLines[last] : rnd.pick(this.recentLines)) as string);
    }
    this.badDebt += this.cfg.badLineRatio;
    while (this.badDebt >= this.badGap && this.registered.length > 0) {
      this.badDebt -= this.badGap;
      this.badGap = 0.5 + rnd.float();
      (out ??= []).push(this.badLine(day));
      this.badLines++;
    }
    return out ?? NONE;
  }

  /** A line the engine must reject; the kinds come round in shuffled cycles. */
  private badLine(day: number): string {
    const { rnd, mo, minorPerMajor } = this;
    const { currency, digits } = this.cfg;
    if (this.badKinds.length === 0) this.badKinds = rnd.sample(BAD_KINDS, BAD_KINDS.length);
    const kind = this.badKinds.pop() as BadKind;
    this.badSeq++;
    if (kind === 'conflictingDuplicate' && this.recentSales.length > 0) {
      // An earlier sale's eventId with a different (valid) amount: the ERP re-keyed the line.
      const original = JSON.parse(rnd.pick(this.recentSales)) as JsonObject;
      const data = original['data'] as JsonObject;
      const [whole = '0', fraction = '0'] = (data['netAmount'] as string).split('.');
      const amount = Number(whole) * minorPerMajor + Number(fraction) + rnd.int(1, 99) * minorPerMajor;
      return JSON.stringify({ ...original, data: { ...data, netAmount: formatMinor(amount, digits) } });
    }
    const at = this.ts(mo, day, rnd.int(8 * HOUR, 20 * HOUR - 1));
    const p = rnd.pick(this.registered);
    const sku = rnd.pick(p.skus);
    const quantity = rnd.int(1, 20);
    const orderId = `O-${p.id}-${mo.label}-E${this.badSeq}`;
    const data: JsonObject = {
      orderId,
      sku: sku.id,
      quantity,
      netAmount: formatMinor(quantity * sku.price * minorPerMajor, digits),
      currency,
    };
    const event: JsonObject = {
      eventId: `${orderId}/1`,
      type: 'SaleRecorded',
      occurredAt: at,
      channelId: p.id,
      data,
      source: p.source,
    };
    switch (kind) {
      case 'malformed': {
        const full = JSON.stringify(event);
        return full.slice(0, rnd.int(1, full.length - 2));
      }
      case 'quantityZero':
        data['quantity'] = 0;
        break;
      case 'missingField': {
        const which = rnd.int(0, 4);
        if (which === 0) delete data['sku'];
        else if (which === 1) delete data['currency'];
        else if (which === 2) delete data['netAmount'];
        else if (which === 3) delete event['occurredAt'];
        else delete event['channelId'];
        break;
      }
      case 'noOffset':
        event['occurredAt'] = at.slice(0, 19);
        break;
      case 'tooManyDecimals': {
        const amount = formatMinor(
          rnd.int(1, 99_999) * minorPerMajor + rnd.int(0, minorPerMajor - 1),
          digits,
        );
        data['netAmount'] = `${amount}${digits === 0 ? '.' : ''}${rnd.int(1, 9)}`;
        break;
      }
      case 'unknownChannel': {
        const ghost = `X${String(rnd.int(1, 999)).padStart(3, '0')}-UNREG`;
        const ghostOrder = `O-${ghost}-${mo.label}-E${this.badSeq}`;
        event['channelId'] = ghost;
        event['eventId'] = `${ghostOrder}/1`;
        data['orderId'] = ghostOrder;
        break;
      }
      case 'currencyMismatch':
      case 'conflictingDuplicate': // no sale to conflict with yet: a currency mismatch instead
        data['currency'] = currency === 'USD' ? 'EUR' : 'USD';
        break;
    }
    return JSON.stringify(event);
  }

  /** The close of the current month, dated day 1 or 2 of the next; none for the last month. */
  closeLine(): string | null {
    if (this.mi >= this.cfg.months - 1) return null;
    const next = this.month(this.mi + 1);
    return JSON.stringify({
      eventId: `close-${this.mo.label}`,
      type: 'PeriodClosed',
      occurredAt: this.ts(next, this.rnd.int(1, 2), this.rnd.int(9 * HOUR, 12 * HOUR - 1)),
      data: { month: this.mo.label },
      source: 'finance-01',
    });
  }
}

function remember(ring: string[], next: number, item: string, size: number): number {
  if (ring.length < size) ring.push(item);
  else ring[next] = item;
  return (next + 1) % size;
}

/**
 * Yields NDJSON lines (no trailing newline) lazily — must not build the whole feed in memory, so 10M-line feeds work.
 * Invalid options throw a RangeError right away.
 */
export function generateFeed(options: FeedOptions = {}): Generator<string, FeedStats> {
  return feedLines(resolve(options));
}

function* feedLines(cfg: Config): Generator<string, FeedStats> {
  const feed = new FeedBuilder(cfg);
  let lines = 0;
  yield feed.programLine();
  lines++;
  for (let mi = 0; mi < cfg.months; mi++) {
    for (const line of feed.startMonth(mi)) {
      yield line;
      lines++;
    }
    const days = feed.days;
    for (let day = 1; day <= days; day++) {
      const slots = feed.planDay(day);
      for (let i = 0; i < slots; i++) {
        const line = feed.line(i);
        if (line === null) continue;
        yield line;
        lines++;
        for (const extra of feed.extras(day)) {
          yield extra;
          lines++;
        }
      }
    }
    const close = feed.closeLine();
    if (close !== null) {
      yield close;
      lines++;
    }
  }
  return { lines, badLines: feed.badLines, partners: feed.partners.length, months: cfg.months };
}

/** Convenience: writes the feed to a file path with a newline after each line, streaming; returns stats. */
export async function writeFeed(path: string, options?: FeedOptions): Promise<FeedStats> {
  const [{ createWriteStream }, { Readable }, { pipeline }] = await Promise.all([
    import('node:fs'),
    import('node:stream'),
    import('node:stream/promises'),
  ]);
  const feed = generateFeed(options);
  let stats: FeedStats | undefined;
  /** The lines, each followed by a newline, in chunks of about 64 KiB. */
  function* chunks(): Generator<string> {
    let buffer = '';
    for (;;) {
      const next = feed.next();
      if (next.done === true) {
        stats = next.value;
        break;
      }
      buffer += `${next.value}\n`;
      if (buffer.length >= 1 << 16) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer.length > 0) yield buffer;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
  if (stats === undefined) throw new Error('writeFeed: the feed did not finish');
  return stats;
}
