/**
 * The generator's options (`FeedOptions`, all optional), their defaults and checks, and the
 * figures it returns (`FeedStats`).
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
  /**
   * (spec v2) Also send the v2 events and fields (v2Feed.ts): targets, price cuts with
   * inventory counts, two-level distribution, silent partners; default false (the v1 feed,
   * byte for byte).
   */
  v2?: boolean;
}

export interface FeedStats {
  /** Lines yielded, bad lines and resends included. */
  lines: number;
  /** Deliberately bad lines (each one is rejected by the engine). */
  badLines: number;
  partners: number;
  months: number;
}

/** `FeedOptions` with the defaults filled in and checked; `startMonth` split into year and month. */
export interface FeedConfig {
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
  readonly v2: boolean;
}

/** The options with their defaults; throws a RangeError naming the first invalid one. */
export function feedConfigOf(options: FeedOptions): FeedConfig {
  const seed = options.seed ?? 42;
  const partners = options.partners ?? 200;
  const months = options.months ?? 12;
  const start = options.startMonth ?? '2026-01';
  const badLineRatio = options.badLineRatio ?? 0.02;
  const offset = options.timeZoneOffset ?? '+08:00';
  const currency = options.currency ?? 'CNY';
  const digits = options.minorDigits ?? 2;
  const salesPerPartnerMonth = options.salesPerPartnerMonth ?? 6;
  const v2 = options.v2 ?? false;
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
  if (typeof v2 !== 'boolean') fail(`v2 ${String(v2)}`);
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
    v2,
  };
}
