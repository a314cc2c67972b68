/**
 * Today's validator as it was at commit a4a8d77, before `z.compile` and the hand-written
 * timestamp and amount scans: the oracle `validationEquivalence.unit.spec.ts` proves the new
 * path against (same outcome, rejection message and canonical string for every input). Test
 * code, kept verbatim on purpose: do not "fix" or speed it up, and do not import from the
 * production field and check modules it stands in for. A later change of the rules (a new
 * event type, a new field) is made in the production schemas and, once proven, here too.
 */
import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { parseMonth, type Instant } from '../calendar.js';
import { CHANNEL_KINDS, EVENT_TYPES, type ChanperfEvent } from '../events.js';
import type { Rejection } from '../rejection.js';
import type { ValidEvent } from '../validation.js';

// --- calendar.ts -------------------------------------------------------------------------

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

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

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with a real calendar date and time (no
 * leap second). Returns undefined for anything else, including a missing offset.
 */
export function legacyParseTimestamp(text: string): Instant | undefined {
  const m = TS_RE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const dim = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > dim || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offset = (oh * 60 + om) * 60 * (m[8] === '-' ? -1 : 1);
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return { seconds, fraction: (m[7] ?? '').replace(/0+$/, '') };
}

// --- money.ts ----------------------------------------------------------------------------

const DECIMAL = /^([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a decimal amount string ("1999.90") into minor units with `digits` minor digits.
 * Returns undefined when the string is not a decimal, has more fraction digits than the
 * currency allows, or exceeds the safe-integer range.
 */
export function legacyParseAmount(text: string, digits: number): number | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > digits) return undefined;
  const value = Number((m[1] ?? '') + frac.padEnd(digits, '0'));
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Why `parseAmount` refused `text`, for a rejection message. */
export function legacyAmountProblem(text: string, digits: number): string | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return 'must be a decimal string like "1999.90"';
  if ((m[2] ?? '').length > digits) return `has more than ${digits} fraction digits`;
  if (legacyParseAmount(text, digits) === undefined) return 'is too large';
  return undefined;
}

// --- fields.ts ---------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// With the u flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A string of `min`–`max` UTF-16 code units (JavaScript's `length`, as the spec counts;
 * zod's own min/max count code points), well-formed: a lone surrogate (possible only through
 * a JSON escape) cannot be stored, compared or exported losslessly as UTF-8.
 */
function text(min: number, max: number) {
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

const eventIdSchema = text(1, 128).refine((s) => !CONTROL.test(s), 'must not contain control characters');

const channelIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 . _ -');

const timestampSchema = z
  .string()
  .refine(
    (s) => legacyParseTimestamp(s) !== undefined,
    'must be an RFC 3339 timestamp with offset, e.g. 2026-03-05T10:00:00+08:00',
  );

const monthSchema = z.string().refine((s) => parseMonth(s) !== undefined, 'must be a month YYYY-MM');

const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be three upper-case letters');

/** A decimal amount string with at most `digits` fraction digits. */
function amountSchema(digits: number) {
  return z.string().check((ctx) => {
    const problem = legacyAmountProblem(ctx.value, digits);
    if (problem !== undefined) {
      ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    }
  });
}

// --- program.ts --------------------------------------------------------------------------

const bps = z.int().min(0).max(10000);

function programSchema(digits: number) {
  const amount = amountSchema(digits);
  return z
    .object({
      programId: text(1, 128),
      effectiveFrom: z.string().refine((s) => parseMonth(s) !== undefined, 'must be YYYY-MM'),
      growthTargetBps: bps,
      growthBonusBps: bps,
      tierReview: z.enum(['quarterly', 'monthly']),
      downgradeGraceReviews: z.int().min(0),
      tiers: z
        .array(
          z.object({
            id: text(1, 64),
            rebateBps: bps,
            minTrailingNet: amount,
            minCertifiedTrainees: z.int().min(0),
          }),
        )
        .min(1),
      volumeRebate: z.array(z.object({ minQuarterNet: amount, rateBps: bps })),
    })
    .check((ctx) => {
      const p = ctx.value;
      const issue = (message: string, path: (string | number)[]) =>
        ctx.issues.push({ code: 'custom', message, path, input: p });
      const ids = new Set<string>();
      let prevNet = -1;
      let prevCert = -1;
      p.tiers.forEach((t, i) => {
        if (ids.has(t.id)) issue(`duplicate tier id "${t.id}"`, ['tiers', i, 'id']);
        ids.add(t.id);
        const net = legacyParseAmount(t.minTrailingNet, digits) ?? 0;
        if (i === 0 && (net !== 0 || t.minCertifiedTrainees !== 0)) {
          issue('the first tier must have both minimums 0', ['tiers', 0]);
        }
        if (net < prevNet || t.minCertifiedTrainees < prevCert) {
          issue('tier minimums must never decrease down the list', ['tiers', i]);
        }
        prevNet = net;
        prevCert = t.minCertifiedTrainees;
      });
      let prevBand = -1;
      p.volumeRebate.forEach((b, i) => {
        const min = legacyParseAmount(b.minQuarterNet, digits) ?? 0;
        if (min <= prevBand) {
          issue('volumeRebate minQuarterNet must strictly increase', ['volumeRebate', i]);
        }
        prevBand = min;
      });
    });
}

// --- events.ts ---------------------------------------------------------------------------

function legacyEventSchemas(digits: number) {
  const amount = amountSchema(digits);
  const channelEnvelope = {
    eventId: eventIdSchema,
    occurredAt: timestampSchema,
    channelId: channelIdSchema,
    source: text(0, 64).optional(),
  };
  const programEnvelope = {
    eventId: eventIdSchema,
    occurredAt: timestampSchema,
    channelId: z.never('must be absent for program events').optional(),
    source: text(0, 64).optional(),
  };

  /** Sent by the vendor's partner-management system when a partner joins the program. */
  const ChannelRegistered = z.object({
    ...channelEnvelope,
    type: z.literal('ChannelRegistered'),
    data: z.object({
      name: text(1, 200),
      kind: z.enum(CHANNEL_KINDS),
      online: z.boolean().optional(),
      region: text(0, Number.MAX_SAFE_INTEGER).optional(),
    }),
  });

  const saleLine = {
    orderId: text(1, 128),
    sku: text(1, 64),
    quantity: z.int().min(1),
    netAmount: amount,
    currency: currencySchema,
  };

  /** Sent by ERP for each invoiced order line sold through the partner. */
  const SaleRecorded = z.object({
    ...channelEnvelope,
    type: z.literal('SaleRecorded'),
    data: z.object(saleLine),
  });

  /** Sent by ERP for a credit note: goods returned, `netAmount` refunded. */
  const SaleReturned = z.object({
    ...channelEnvelope,
    type: z.literal('SaleReturned'),
    data: z.object(saleLine),
  });

  /** Sent by the training platform when a partner's staff member completes a course. */
  const TrainingCompleted = z.object({
    ...channelEnvelope,
    type: z.literal('TrainingCompleted'),
    data: z.object({
      courseId: text(1, 128),
      traineeId: text(1, 128),
      certification: text(1, 64).optional(),
    }),
  });

  /** Sent by the survey tool with a partner's quarterly satisfaction score. */
  const SatisfactionSurveyed = z.object({
    ...channelEnvelope,
    type: z.literal('SatisfactionSurveyed'),
    data: z.object({ score: z.int().min(0).max(100), respondents: z.int().min(1) }),
  });

  /** Sent by channel management when a (new version of the) channel program is published. */
  const ProgramPublished = z.object({
    ...programEnvelope,
    type: z.literal('ProgramPublished'),
    data: programSchema(digits),
  });

  /** Sent by channel marketing when a monthly promotion is scheduled. */
  const PromotionScheduled = z.object({
    ...programEnvelope,
    type: z.literal('PromotionScheduled'),
    data: z
      .object({
        promotionId: text(1, 128),
        startsAt: timestampSchema,
        endsAt: timestampSchema,
        bonusBps: z.int().min(0).max(10000),
        skus: z.array(text(1, 64)).min(1).optional(),
        channelIds: z.array(channelIdSchema).min(1).optional(),
      })
      .refine((d) => {
        const s = legacyParseTimestamp(d.startsAt);
        const e = legacyParseTimestamp(d.endsAt);
        return s === undefined || e === undefined || compareStartEnd(s, e);
      }, 'startsAt must be before endsAt'),
  });

  /** Sent by finance (an operator, the API or a scheduler) to close a month. */
  const PeriodClosed = z.object({
    ...programEnvelope,
    type: z.literal('PeriodClosed'),
    data: z.object({ month: monthSchema }),
  });

  const byType = {
    ChannelRegistered,
    SaleRecorded,
    SaleReturned,
    TrainingCompleted,
    SatisfactionSurveyed,
    ProgramPublished,
    PromotionScheduled,
    PeriodClosed,
  };
  return byType;
}

type LegacySchemas = ReturnType<typeof legacyEventSchemas>;

function compareStartEnd(
  s: { seconds: number; fraction: string },
  e: { seconds: number; fraction: string },
): boolean {
  return s.seconds < e.seconds || (s.seconds === e.seconds && s.fraction < e.fraction);
}

// --- validation.ts -----------------------------------------------------------------------

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(event)'}: ${i.message}`)
    .join('; ');
}

/** A validator bound to one deployment's currency precision. */
export class LegacyEventValidator {
  private readonly schemas: LegacySchemas;
  private readonly types: ReadonlySet<string> = new Set(EVENT_TYPES);

  constructor(minorDigits: number) {
    this.schemas = legacyEventSchemas(minorDigits);
  }

  /** Validates an already-parsed JSON value (an HTTP array item, a Kafka record). */
  validateValue(value: unknown): E.Either<Rejection, ValidEvent> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return E.left({ code: 'MALFORMED_JSON', message: 'not a JSON object', eventId: null });
    }
    const obj = value as Record<string, unknown>;
    const eventId = typeof obj.eventId === 'string' ? obj.eventId : null;
    const type = obj.type;
    if (typeof type !== 'string' || !this.types.has(type)) {
      return E.left({
        code: 'SCHEMA_VIOLATION',
        message: `type: must be one of ${EVENT_TYPES.join(', ')}`,
        eventId,
      });
    }
    const schema = this.schemas[type as keyof LegacySchemas] as z.ZodType<ChanperfEvent>;
    const parsed = schema.safeParse(obj);
    if (!parsed.success) {
      return E.left({
        code: 'SCHEMA_VIOLATION',
        message: describeIssues(parsed.error.issues),
        eventId,
      });
    }
    // zod builds its output in the schema's key order and drops unknown keys, so the plain
    // serialisation is already canonical (key order of the input does not matter); the
    // duplicate-content specs pin this.
    return E.right({ event: parsed.data, canonical: JSON.stringify(parsed.data) });
  }

  /**
   * Validates one line or record of text, as `normalizeLine` left it (a file's BOM and a
   * trailing CR removed). A BOM still there was not at the start of a file: rejected.
   */
  validateText(text: string): E.Either<Rejection, ValidEvent> {
    if (text.charCodeAt(0) === 0xfeff) {
      return E.left({
        code: 'MALFORMED_JSON',
        message: 'starts with a byte-order mark (U+FEFF), which is ignored only at the start of a file',
        eventId: null,
      });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return E.left({
        code: 'MALFORMED_JSON',
        message: `not valid JSON: ${(err as Error).message}`.slice(0, 200),
        eventId: null,
      });
    }
    return this.validateValue(value);
  }
}
