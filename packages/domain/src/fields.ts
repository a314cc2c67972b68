/** Field schemas shared by the events and the program (spec §2 "Envelope" and value rules). */
import { z } from 'zod';
import { amountProblem } from './money.js';
import { parseMonth, parseTimestamp } from './calendar.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// With the u flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A string of `min`–`max` UTF-16 code units (JavaScript's `length`, as the spec counts;
 * zod's own min/max count code points), well-formed: a lone surrogate (possible only through
 * a JSON escape) cannot be stored, compared or exported losslessly as UTF-8.
 */
export function text(min: number, max: number) {
  return z.string().check((ctx) => {
    if (LONE_SURROGATE.test(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        message: 'must be well-formed Unicode (no lone surrogate)',
        input: ctx.value,
      });
      return;
    }
    const n = ctx.value.length;
    if (n < min || n > max) {
      ctx.issues.push({
        code: 'custom',
        message:
          min === 0
            ? `must be at most ${max} characters`
            : `must be ${min}-${max} characters (UTF-16 code units)`,
        input: ctx.value,
      });
    }
  });
}

export const eventIdSchema = text(1, 128).refine(
  (s) => !CONTROL.test(s),
  'must not contain control characters',
);

export const channelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 . _ -');

export const timestampSchema = z
  .string()
  .refine(
    (s) => parseTimestamp(s) !== undefined,
    'must be an RFC 3339 timestamp with offset, e.g. 2026-03-05T10:00:00+08:00',
  );

export const monthSchema = z.string().refine((s) => parseMonth(s) !== undefined, 'must be a month YYYY-MM');

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be three upper-case letters');

/** A decimal amount string with at most `digits` fraction digits. */
export function amountSchema(digits: number) {
  return z.string().check((ctx) => {
    const problem = amountProblem(ctx.value, digits);
    if (problem !== undefined) {
      ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    }
  });
}
