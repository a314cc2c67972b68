/**
 * Deployment settings (spec §1): the reporting time zone and the currency. Both are fixed once
 * per deployment; the currency's ISO 4217 minor digits fix the precision of every amount.
 */
import * as E from 'fp-ts/lib/Either.js';

export interface DeploymentSettings {
  readonly timeZone: string;
  readonly currency: string;
  /** ISO 4217 minor digits of the currency: CNY 2, JPY 0, KWD 3. */
  readonly minorDigits: number;
}

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_CURRENCY = 'CNY';

let knownCurrencies: ReadonlySet<string> | undefined;

function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return knownCurrencies.has(code);
}

/** Validates a time zone and a currency; Left carries a one-line reason for the operator. */
export function resolveSettings(timeZone: string, currency: string): E.Either<string, DeploymentSettings> {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return E.left(`unknown time zone "${timeZone}" (expected an IANA name such as Asia/Shanghai)`);
  }
  if (!/^[A-Z]{3}$/.test(currency) || !isKnownCurrency(currency)) {
    return E.left(`unknown currency "${currency}" (expected an ISO 4217 code such as CNY)`);
  }
  const minorDigits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits;
  return E.right({ timeZone, currency, minorDigits: minorDigits ?? 2 });
}

/** The default deployment: Asia/Shanghai, CNY. */
export const defaultSettings: DeploymentSettings = {
  timeZone: DEFAULT_TIMEZONE,
  currency: DEFAULT_CURRENCY,
  minorDigits: 2,
};
