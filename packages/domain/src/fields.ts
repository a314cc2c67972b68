/** Field schemas shared by the events and the program (spec §2 "Envelope" and value rules). */
import { z } from 'zod';
import { amountProblem, parseAmount } from './money.js';
import { parseMonth, parseTimestamp } from './calendar.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether a string is well-formed UTF-16: no lone surrogate. `isWellFormed` (ES2024, in Node
 * 20) answers natively what `/[\uD800-\uDFFF]/u` did, three times faster; the project's lib
 * is ES2023, hence the cast.
 */
function wellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed();
}

/** `text(min, max)`'s predicate, for the sales' fast path (`saleFastPath.ts`) to share. */
export function isText(s: string, min: number, max: number): boolean {
  return s.length >= min && s.length <= max && wellFormed(s);
}

/** An eventId: 1–128 code units, well-formed, no control character. */
export function isEventId(s: string): boolean {
  return isText(s, 1, 128) && !CONTROL.test(s);
}

export const CHANNEL_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const CURRENCY = /^[A-Z]{3}$/;

/**
 * A string of `min`–`max` UTF-16 code units (JavaScript's `length`, as the spec counts;
 * zod's own min/max count code points), well-formed: a lone surrogate (possible only through
 * a JSON escape) cannot be stored, compared or exported losslessly as UTF-8.
 *
 * One `refine` predicate, so `z.compile` calls it directly on the fast path; the message is
 * worked out only for a refused value. `abort` keeps the issue aborting, as the `check` it
 * replaced left it (an issue without `continue`), so later checks are skipped as before.
 */
export function text(min: number, max: number) {
  const lengthMessage =
    min === 0 ? `must be at most ${max} characters` : `must be ${min}-${max} characters (UTF-16 code units)`;
  return z.string().refine((s) => isText(s, min, max), {
    abort: true,
    error: (issue) =>
      wellFormed(issue.input as string) ? lengthMessage : 'must be well-formed Unicode (no lone surrogate)',
  });
}

export const eventIdSchema = text(1, 128).refine(
  (s) => !CONTROL.test(s),
  'must not contain control characters',
);

export const channelIdSchema = z.string().regex(CHANNEL_ID, 'must be 1-64 of A-Z a-z 0-9 . _ -');

export const timestampSchema = z
  .string()
  .refine(
    (s) => parseTimestamp(s) !== undefined,
    'must be an RFC 3339 timestamp with offset, e.g. 2026-03-05T10:00:00+08:00',
  );

export const monthSchema = z.string().refine((s) => parseMonth(s) !== undefined, 'must be a month YYYY-MM');

/** (v2) A calendar year `YYYY`: four digits 0–9. */
export const yearSchema = z.string().regex(/^[0-9]{4}$/, 'must be a year YYYY');

export const currencySchema = z.string().regex(CURRENCY, 'must be three upper-case letters');

/**
 * A decimal amount string with at most `digits` fraction digits. A `refine` predicate for
 * `z.compile`'s fast path (see `text`); the message is `amountProblem`'s for a refused value.
 */
export function amountSchema(digits: number) {
  return z.string().refine((s) => parseAmount(s, digits) !== undefined, {
    abort: true,
    error: (issue) => amountProblem(issue.input as string, digits),
  });
}
