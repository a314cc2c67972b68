/**
 * Validation of one raw input (spec §2): JSON object → schema → a typed event plus its
 * canonical content, the form duplicates are compared in ("the known fields as written",
 * unknown fields dropped, key order irrelevant, defaults not filled in).
 */
import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { eventSchemas, EVENT_TYPES, type ChanperfEvent, type EventSchemas } from './events.js';
import type { Rejection } from './rejection.js';
import { validSale } from './saleFastPath.js';

export interface ValidEvent {
  readonly event: ChanperfEvent;
  /** Canonical JSON of the known fields: keys in schema order, unknown fields dropped. */
  readonly canonical: string;
}

const BLANK = /^[ \t\r]*$/;

/** Blank lines (only spaces, tabs, CR) are skipped silently and not counted. */
export function isBlankLine(line: string): boolean {
  return BLANK.test(line);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(event)'}: ${i.message}`)
    .join('; ');
}

/**
 * Each schema through `z.compile`: an accepted event takes generated code (about twice the
 * runtime parser's speed, the same output); a refused one falls back to the runtime parser,
 * so the issues, and the rejection message made of them, are the runtime's own. A schema
 * the compiler refused would keep the runtime parser, slower but the same; a spec compiles
 * each with `strict` so that cannot happen unnoticed.
 */
function compileSchemas(schemas: EventSchemas): EventSchemas {
  const compiled: Record<string, z.ZodType> = {};
  for (const type of EVENT_TYPES) compiled[type] = z.compile(schemas[type]);
  return compiled as EventSchemas;
}

/**
 * Compiled schemas by minor digits, built once per process: building and compiling them takes
 * ~25 ms (`new Function` for each type) and every `runScenario` makes a validator. Sharing is
 * safe: a schema keeps no state between parses. At most one entry per currency precision.
 */
const compiledByDigits = new Map<number, EventSchemas>();

function compiledSchemas(minorDigits: number): EventSchemas {
  let schemas = compiledByDigits.get(minorDigits);
  if (schemas === undefined) {
    schemas = compileSchemas(eventSchemas(minorDigits));
    compiledByDigits.set(minorDigits, schemas);
  }
  return schemas;
}

/** A validator bound to one deployment's currency precision. */
export class EventValidator {
  private readonly schemas: EventSchemas;
  private readonly types: ReadonlySet<string> = new Set(EVENT_TYPES);
  private readonly minorDigits: number;

  constructor(minorDigits: number) {
    this.minorDigits = minorDigits;
    this.schemas = compiledSchemas(minorDigits);
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
    if (type === 'SaleRecorded' || type === 'SaleReturned') {
      const sale = validSale(obj, this.minorDigits);
      if (sale !== undefined) return E.right(sale);
    }
    const schema = this.schemas[type as keyof EventSchemas] as z.ZodType<ChanperfEvent>;
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

/** Strips a leading UTF-8 byte-order mark (`first`: the start of a file) and a trailing CR. */
export function normalizeLine(line: string, first: boolean): string {
  let s = first && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s;
}
