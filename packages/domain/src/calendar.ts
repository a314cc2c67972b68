/**
 * Calendar: months as integers, RFC 3339 timestamps as exact instants, and the month of an
 * instant in the deployment time zone (spec §1, §2). No clock is read here: time is data.
 */

/** A calendar month as `year * 12 + (month - 1)`; adjacent months differ by 1. */
export type Month = number;

const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function parseMonth(text: string): Month | undefined {
  const m = MONTH_RE.exec(text);
  if (m === null) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return Number(m[1]) * 12 + month - 1;
}

export function formatMonth(month: Month): string {
  const y = Math.floor(month / 12);
  const m = month - y * 12 + 1;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}`;
}

/** 0 for January … 11 for December. */
export function monthOfYear(month: Month): number {
  return month - Math.floor(month / 12) * 12;
}

/** An exact instant: whole seconds since the Unix epoch plus the fraction's digits. */
export interface Instant {
  readonly seconds: number;
  /** Fraction-of-second digits without trailing zeros ("5" = .5 s); compared as text. */
  readonly fraction: string;
}

export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.fraction === b.fraction) return 0;
  return a.fraction < b.fraction ? -1 : 1;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const ZERO = 48;

/** The value of the `n` ASCII digits at `at`, or -1 when one of them is not 0-9. */
function digitsAt(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (!(d >= 0 && d <= 9)) return -1; // NaN past the end fails too
    v = v * 10 + d;
  }
  return v;
}

/** Where the fraction's digits after `.` at 19 end (19 itself when there is no fraction). */
function fractionEnd(text: string): number {
  if (text.charCodeAt(19) !== 0x2e) return 19;
  let i = 20;
  while (i < text.length && digitsAt(text, i, 1) >= 0) i++;
  return i === 20 ? -1 : i;
}

/** Seconds east of UTC of the zone designator `Z` or `±HH:MM` at `at` (the rest of the text). */
function offsetAt(text: string, at: number): number | undefined {
  const rest = text.length - at;
  const sign = text.charCodeAt(at);
  if (rest === 1 && sign === 0x5a) return 0; // Z
  if (rest !== 6 || (sign !== 0x2b && sign !== 0x2d) || text.charCodeAt(at + 3) !== 0x3a) {
    return undefined;
  }
  const oh = digitsAt(text, at + 1, 2);
  const om = digitsAt(text, at + 4, 2);
  if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
  return (oh * 60 + om) * 60 * (sign === 0x2d ? -1 : 1);
}

/** Whether the separators of `YYYY-MM-DDTHH:MM:SS` are where they belong. */
function separatorsOk(text: string): boolean {
  return (
    text.charCodeAt(4) === 0x2d &&
    text.charCodeAt(7) === 0x2d &&
    text.charCodeAt(10) === 0x54 &&
    text.charCodeAt(13) === 0x3a &&
    text.charCodeAt(16) === 0x3a
  );
}

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with a real calendar date and time (no
 * leap second). Returns undefined for anything else, including a missing offset. A scan of
 * character codes, not a regular expression: validation and the projection both call it
 * for every event (`legacyValidator` in testing/ keeps the regular expression it replaced,
 * and a spec proves the two agree).
 */
export function parseTimestamp(text: string): Instant | undefined {
  if (text.length < 20 || !separatorsOk(text)) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return undefined;
  const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > dim || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  const end = fractionEnd(text);
  const offset = end < 0 ? undefined : offsetAt(text, end);
  if (offset === undefined) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return { seconds, fraction: end > 20 ? trimZeros(text.slice(20, end)) : '' };
}

function trimZeros(digits: string): string {
  let n = digits.length;
  while (n > 0 && digits.charCodeAt(n - 1) === ZERO) n--;
  return n === digits.length ? digits : digits.slice(0, n);
}

/** Calendar month (UTC) of whole seconds since the epoch (H. Hinnant's civil_from_days). */
function utcMonthOf(seconds: number): Month {
  const z = Math.floor(seconds / 86400) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year * 12 + month - 1;
}

/** Seconds since the epoch of the first instant of a UTC calendar month. */
function utcMonthStart(month: Month): number {
  const y = Math.floor(month / 12);
  return daysFromCivil(y, month - y * 12 + 1, 1) * 86400;
}

/**
 * Maps instants to calendar months in one IANA time zone. For each month it finds, once, the
 * first second that belongs to it (a binary search over Intl's answer within two days of the
 * UTC month start: every UTC offset is under 26 hours), so `monthOf` is two comparisons.
 */
export class MonthClock {
  private readonly starts = new Map<Month, number>();
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      era: 'short',
      year: 'numeric',
      month: 'numeric',
    });
  }

  monthOf(instant: Instant): Month {
    const s = instant.seconds;
    const utc = utcMonthOf(s);
    if (s < this.startOf(utc)) return utc - 1;
    if (s >= this.startOf(utc + 1)) return utc + 1;
    return utc;
  }

  /**
   * The local day of the month of an instant (1-31). Exact: the cheap estimate from the
   * month's first second is confirmed with Intl near midnight, where DST could shift it.
   */
  dayOfMonth(instant: Instant): number {
    const month = this.monthOf(instant);
    const elapsed = instant.seconds - this.startOf(month);
    const estimate = Math.floor(elapsed / 86400) + 1;
    const intoDay = elapsed - (estimate - 1) * 86400;
    if (intoDay > 7200 && intoDay < 86400 - 7200) return estimate;
    this.dayFormat ??= new Intl.DateTimeFormat('en-US', { timeZone: this.timeZone, day: 'numeric' });
    return Number(this.dayFormat.format(instant.seconds * 1000));
  }

  private dayFormat: Intl.DateTimeFormat | undefined;

  /** The first whole second whose local month is `month` or later. */
  private startOf(month: Month): number {
    const hit = this.starts.get(month);
    if (hit !== undefined) return hit;
    let lo = utcMonthStart(month) - 2 * 86400;
    let hi = utcMonthStart(month) + 2 * 86400;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.exact(mid) >= month) hi = mid;
      else lo = mid + 1;
    }
    if (this.starts.size > 100_000) this.starts.clear();
    this.starts.set(month, lo);
    return lo;
  }

  private exact(seconds: number): Month {
    let year = 0;
    let month = 0;
    let bc = false;
    for (const part of this.format.formatToParts(seconds * 1000)) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'era') bc = part.value.startsWith('B');
    }
    return (bc ? 1 - year : year) * 12 + month - 1;
  }
}
