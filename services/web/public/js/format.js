// @ts-check
/**
 * How figures read on the page. Money arrives as decimal strings with the currency's minor
 * digits ("-12.30"); sums and comparisons are done on integer minor units (BigInt), never on
 * floats. Numbers are used only for drawing.
 */

import { lang, t } from './i18n.js';

/** @typedef {import('./types.js').GrowthStatus} GrowthStatus */

/**
 * The program's currency. The API does not publish it yet; the engine's default (CNY, spec §2)
 * is assumed.
 */
const CURRENCY_SYMBOL = '¥';

/**
 * Minor units and digits of a decimal string ("-12.30" → { minor: -1230n, digits: 2 }).
 * @param {string} amount
 * @returns {{ minor: bigint, digits: number }}
 */
export function parseAmount(amount) {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const minor = BigInt(whole + fraction);
  return { minor: negative ? -minor : minor, digits: fraction.length };
}

/**
 * @param {bigint} minor
 * @param {number} digits
 * @returns {string} "-12.30" style, as the API writes it
 */
export function formatMinor(minor, digits) {
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * Σ of decimal strings, exactly; `digits` is taken from the amounts (all alike in one answer).
 * @param {readonly string[]} amounts
 * @returns {string | null} null for an empty list
 */
export function sumAmounts(amounts) {
  if (amounts.length === 0) return null;
  let sum = 0n;
  let digits = 0;
  for (const a of amounts) {
    const p = parseAmount(a);
    sum += p.minor;
    digits = Math.max(digits, p.digits);
  }
  return formatMinor(sum, digits);
}

/**
 * @param {string} a
 * @param {string} b
 * @returns {number} <0, 0, >0 like a comparator
 */
export function compareAmounts(a, b) {
  const pa = parseAmount(a);
  const pb = parseAmount(b);
  const scale = Math.max(pa.digits, pb.digits);
  const x = pa.minor * 10n ** BigInt(scale - pa.digits);
  const y = pb.minor * 10n ** BigInt(scale - pb.digits);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The currency, thousands separators, the API's digits kept: "-1234567.50" → "−¥1,234,567.50"
 * (exact in both languages: the figures reconcile to the cent).
 * @param {string | null | undefined} amount
 * @returns {string}
 */
export function money(amount) {
  if (amount === null || amount === undefined) return '—';
  const negative = amount.startsWith('-');
  const [whole = '0', fraction] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '−' : ''}${CURRENCY_SYMBOL}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/**
 * Compact money for chart axes and headline figures, the way each team reads large amounts:
 * English 1,250,000 → "¥1.25M"; Chinese → "¥125万", 3.2e8 → "¥3.2亿".
 * @param {number} value
 * @returns {string}
 */
export function compactMoney(value) {
  const abs = Math.abs(value);
  const sign = `${value < 0 ? '−' : ''}${CURRENCY_SYMBOL}`;
  if (lang() === 'zh') {
    if (abs >= 1e8) return `${sign}${trim(abs / 1e8)}亿`;
    if (abs >= 1e4) return `${sign}${trim(abs / 1e4)}万`;
    return `${sign}${trim(abs)}`;
  }
  if (abs >= 1e9) return `${sign}${trim(abs / 1e9)}B`;
  if (abs >= 1e6) return `${sign}${trim(abs / 1e6)}M`;
  if (abs >= 1e3) return `${sign}${trim(abs / 1e3)}k`;
  return `${sign}${trim(abs)}`;
}

/** @param {number} n */
function trim(n) {
  return n.toFixed(2).replace(/\.?0+$/, '');
}

/**
 * Basis points as a signed percentage with two decimals, exactly: 2000 → "+20.00%".
 * @param {number | null | undefined} bps
 * @param {{ sign?: boolean }} [options]
 * @returns {string}
 */
export function percent(bps, options = {}) {
  if (bps === null || bps === undefined) return '—';
  const abs = Math.abs(bps);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
  if (bps < 0) return `−${text}`;
  return options.sign === false || bps === 0 ? text : `+${text}`;
}

/** @type {Readonly<Record<GrowthStatus, string>>} */
const STATUS_LABEL = {
  MET: 'met',
  MISSED: 'missed',
  NO_BASELINE: 'no baseline',
  OPEN: 'open',
};

/**
 * @param {GrowthStatus} status
 * @returns {string}
 */
export function statusLabel(status) {
  return t(STATUS_LABEL[status]);
}

/** @type {Readonly<Record<string, string>>} */
const TIER_NAME_ZH = {
  registered: '注册',
  bronze: '铜牌',
  silver: '银牌',
  gold: '金牌',
  platinum: '铂金',
  diamond: '钻石级',
};

/**
 * Whether the page has a Chinese name for a tier id (the conventional ones); the program
 * defines its own ids, which are data and shown as they are.
 * @param {string} tier
 * @returns {boolean}
 */
export function knownTier(tier) {
  return Object.hasOwn(TIER_NAME_ZH, tier);
}

/**
 * A tier's display name: the id in English, the plan's name in Chinese (an id the page does
 * not know is shown as it is).
 * @param {string} tier
 * @returns {string}
 */
export function tierName(tier) {
  return lang() === 'zh' ? (TIER_NAME_ZH[tier] ?? tier) : tier;
}

/**
 * Conventional tier order, for sorting: the API does not publish the program's tier list
 * yet, so unknown ids sort after these, alphabetically.
 */
const TIER_ORDER = ['registered', 'bronze', 'silver', 'gold', 'platinum', 'diamond'];

/**
 * @param {string | null} a
 * @param {string | null} b
 * @returns {number}
 */
export function compareTiers(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ia = TIER_ORDER.indexOf(a);
  const ib = TIER_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a < b ? -1 : 1;
}

/**
 * The calendar quarter of a month: "2026-04" → "2026-Q2".
 * @param {string} month
 * @returns {string}
 */
export function quarterOf(month) {
  const [year = '', mm = '1'] = month.split('-');
  return `${year}-Q${Math.floor((Number(mm) - 1) / 3) + 1}`;
}

/**
 * "2026-03" → "Mar 2026" / "2026年3月" (fixed labels: the page does not depend on the browser's
 * locale; never a two-digit year).
 * @param {string} month
 * @returns {string}
 */
export function monthLabel(month) {
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const [year = '', mm = '1'] = month.split('-');
  if (lang() === 'zh') return `${year}年${Number(mm)}月`;
  return `${names[Number(mm) - 1] ?? mm} ${year}`;
}

/**
 * "2026-Q2" → "Q2 2026" / "2026年第2季度".
 * @param {string} quarter
 * @returns {string}
 */
export function quarterLabel(quarter) {
  const [year = '', q = ''] = quarter.split('-Q');
  return lang() === 'zh' ? `${year}年第${q}季度` : `Q${q} ${year}`;
}
