/**
 * The ingestion service over HTTP: ERP systems post events (JSON array or NDJSON), operators
 * inspect and redrive rejected inputs and close periods. A 200 means the batch is durable in
 * the log: the whole body is committed in one transaction, or nothing is.
 */
import { isUtf8 } from 'node:buffer';
import {
  formatMonth,
  isBlankLine,
  parseMonth,
  parseTimestamp,
  MonthClock,
  normalizeLine,
  REJECTION_CODES,
  type Month,
} from '@chanperf/domain';
import { invalidUtf8Offset, lineInput, type Ingestor, type Outcome, type RawInput } from '@chanperf/engine';
import { errorSchema, sendError, type App, type Runtime } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export const MAX_ITEMS = 10_000;
/** Deepest JSON nesting accepted in a JSON-array body; events nest 4 levels. */
export const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` (iterative: no stack to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const outcomeSchema = z.object({
  index: z.number().describe('0-based position of the item in the body (blank NDJSON lines are skipped)'),
  eventId: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  code: z.enum(REJECTION_CODES).optional(),
  message: z.string().optional(),
});

const postResultSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  results: z.array(outcomeSchema),
});

const rejectedSchema = z.object({
  id: z.number(),
  source: z.string(),
  line: z.number().nullable(),
  eventId: z.string().nullable(),
  code: z.enum(REJECTION_CODES),
  message: z.string(),
  raw: z.string(),
  status: z.enum(['open', 'redriven']),
});

type ItemOutcome = z.infer<typeof outcomeSchema>;

function toItem(index: number, o: Outcome): ItemOutcome | undefined {
  if (o.status === 'skipped') return undefined;
  if (o.status === 'rejected')
    return { index, eventId: o.eventId, status: 'rejected', code: o.code, message: o.message };
  return { index, eventId: o.eventId, status: o.status };
}

export interface IngestionService {
  /** Ingests inputs, counts them in the metrics, wakes the projection, and auto-closes. */
  ingest(inputs: readonly RawInput[], redriving?: readonly (number | null)[]): Promise<Outcome[]>;
}

/** What the ingestion service uses of the runtime. */
export type IngestionDeps = Pick<
  Runtime,
  'store' | 'ingestor' | 'bus' | 'config' | 'settings' | 'metrics' | 'logger'
>;

export function createIngestion(runtime: IngestionDeps): IngestionService {
  const clock = new MonthClock(runtime.settings.timeZone);
  const m = runtime.metrics;
  const count = (outcomes: readonly Outcome[]) => {
    for (const o of outcomes) {
      if (o.status === 'accepted') m.eventsAccepted.inc();
      else if (o.status === 'duplicate') m.eventsDuplicate.inc();
      else if (o.status === 'rejected') m.eventsRejected.inc({ code: o.code });
    }
  };

  /**
   * CHANPERF_AUTO_CLOSE_DAY: month M is closed once an event dated on or after that day of
   * M+1 is accepted — by appending PeriodClosed (dated like that event), so a replay of the
   * log closes the same months at the same points.
   */
  const autoClose = async (ingestor: Ingestor, inputs: readonly RawInput[], outcomes: readonly Outcome[]) => {
    const day = runtime.config.autoCloseDay;
    if (day === undefined) return;
    let best: { month: Month; occurredAt: string } | undefined;
    outcomes.forEach((o, i) => {
      if (o.status !== 'accepted') return;
      const body = JSON.parse(inputs[i]?.text ?? '{}') as { type?: string; occurredAt?: string };
      if (body.type === 'PeriodClosed' || body.occurredAt === undefined) return;
      const at = parseTimestamp(body.occurredAt);
      if (at === undefined) return;
      const month = clock.monthOf(at) - 1;
      if (clock.dayOfMonth(at) >= day && (best === undefined || month > best.month)) {
        best = { month, occurredAt: body.occurredAt };
      }
    });
    if (best === undefined) return;
    const last = ingestor.lastClosed;
    if (last !== null && best.month <= last) return;
    const event = {
      eventId: `auto-close/${formatMonth(best.month)}`,
      type: 'PeriodClosed',
      occurredAt: best.occurredAt,
      data: { month: formatMonth(best.month) },
    };
    const closed = await ingestor.ingest([{ text: JSON.stringify(event), source: 'auto-close', line: null }]);
    count(closed);
    runtime.logger.info({ month: event.data.month, outcome: closed[0]?.status }, 'auto-close');
  };

  return {
    async ingest(inputs, redriving) {
      const ingestor = await runtime.ingestor();
      const outcomes = await ingestor.ingest(inputs, redriving === undefined ? {} : { redriving });
      count(outcomes);
      await autoClose(ingestor, inputs, outcomes);
      runtime.bus.emit('appended', await runtime.store.log.head());
      return outcomes;
    },
  };
}

function summarize(items: ItemOutcome[]) {
  return {
    accepted: items.filter((i) => i.status === 'accepted').length,
    duplicates: items.filter((i) => i.status === 'duplicate').length,
    rejected: items.filter((i) => i.status === 'rejected').length,
    results: items,
  };
}

const ACCEPTED_TYPES =
  'send application/json (an array of events) or application/x-ndjson (one event per line)';

/** An error the error handler answers with this status and code. */
function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/**
 * A 415 unless every content coding of the request is `identity`: bodies are not decoded
 * (docs/decisions.md), and a compressed body read as JSON would only give confusing errors.
 */
async function identityOnly(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const header = request.headers['content-encoding'] ?? '';
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return undefined;
  return sendError(
    reply,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Encoding ${codings.join(', ')} is not supported: send the body uncompressed (identity)`,
  );
}

/** POST /v1/events takes JSON or NDJSON, said before its body is read (none: the same 415). */
async function eventsMediaType(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const header = request.headers['content-type'];
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType === 'application/x-ndjson') return undefined;
  return sendError(
    reply,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    header === undefined || mediaType === ''
      ? `the request has no Content-Type: ${ACCEPTED_TYPES}`
      : `Content-Type ${mediaType} is not accepted: ${ACCEPTED_TYPES}`,
  );
}

/** NDJSON bodies that are not all UTF-8: their lines are cut from the bytes (see the parser). */
const ndjsonBytes = new WeakMap<FastifyRequest, Buffer>();

/** NDJSON text (valid UTF-8) as inputs: a BOM ignored on the first line only, CRs dropped. */
function ndjsonFromText(body: string): RawInput[] {
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((text, i) => ({ text: normalizeLine(text, i === 0), source: 'http', line: i + 1 }));
}

/** NDJSON bytes as inputs, as the file reader cuts them: a line that is not UTF-8 is rejected. */
function ndjsonFromBytes(body: Buffer): RawInput[] {
  const inputs: RawInput[] = [];
  let start = 0;
  while (start < body.length) {
    const nl = body.indexOf(0x0a, start);
    const end = nl < 0 ? body.length : nl;
    const bytes = body.subarray(start, end);
    inputs.push(lineInput(bytes, start === 0, 'http', inputs.length + 1));
    start = end + 1;
  }
  return inputs;
}

/**
 * Caps what a rejected input keeps: beyond `max` bytes, the first ones (cut on a character
 * boundary) and a marker with the size. Validation still reads the whole text.
 */
export function capRaw(input: RawInput, max: number): RawInput {
  // Every UTF-16 unit is at most 3 bytes: most inputs need no measuring.
  if (input.bytes === undefined && input.text.length * 3 <= max) return input;
  const raw = input.bytes ?? Buffer.from(input.text, 'utf8');
  if (raw.length <= max) return input;
  let cut = max;
  while (cut > 0 && ((raw[cut] as number) & 0xc0) === 0x80) cut--;
  const marker = ` …[truncated: the first ${cut} of ${raw.length} bytes are kept]`;
  return { ...input, bytes: Buffer.concat([raw.subarray(0, cut), Buffer.from(marker, 'utf8')]) };
}

/** The reason `lineInput` gives a line that is not UTF-8: such a record is not redriven as it was. */
const NOT_UTF8 = /^line is not valid UTF-8 \(byte offset \d+\)$/;

/** The marker `capRaw` appends: such a record cannot be redriven as it was. */
const TRUNCATED = / …\[truncated: the first \d+ of \d+ bytes are kept\]$/;

export async function registerIngestionRoutes(app: App, runtime: IngestionDeps): Promise<void> {
  // In a scope of their own: the body parsers below are these routes' only.
  await app.register((scope: App) => {
    ingestionRoutes(scope, runtime);
    return Promise.resolve();
  });
}

function ingestionRoutes(app: App, runtime: IngestionDeps): void {
  const service = createIngestion(runtime);
  const { rejectedMaxBytesPerItem, rejectedMaxTotal } = runtime.config;

  /** 507 once the rejected store holds CHANPERF_REJECTED_MAX_TOTAL inputs: nothing is dropped silently. */
  const rejectedRoom = async (_request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const held = (await runtime.store.log.counts()).rejected;
    if (held < rejectedMaxTotal) return undefined;
    return sendError(
      reply,
      507,
      'REJECTED_STORE_FULL',
      `the rejected store holds ${held} inputs, its limit (CHANPERF_REJECTED_MAX_TOTAL=${rejectedMaxTotal}): ingestion is refused until the limit is raised`,
    );
  };

  // JSON bodies must be UTF-8: decoded with replacement characters, two different eventIds
  // could become one. Otherwise Fastify's own parser (prototype poisoning refused).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        httpError(400, 'INVALID_UTF8', `body is not valid UTF-8 (byte offset ${invalidUtf8Offset(bytes)})`),
        undefined,
      );
      return;
    }
    void json(request, bytes.toString('utf8'), done);
  });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (isUtf8(bytes)) {
      done(null, bytes.toString('utf8'));
      return;
    }
    // Lines that are not UTF-8 are rejected one by one, so the handler needs the bytes.
    ndjsonBytes.set(request, bytes);
    done(null, '');
  });

  app.post(
    '/v1/events',
    {
      config: { roles: ['ingest', 'admin'] },
      onRequest: [eventsMediaType, identityOnly, rejectedRoom],
      schema: {
        tags: ['ingestion'],
        summary: 'Append ERP events (a JSON array, or NDJSON); per item: accepted, duplicate or rejected',
        description: `At most ${MAX_ITEMS} items (blank NDJSON lines not counted) and 10 MiB per request, UTF-8, not compressed. The whole body is committed at once: a 200 means durable. 507 once the rejected store is full.`,
        body: z.union([z.array(z.unknown()), z.string()]),
        response: {
          200: postResultSchema,
          400: errorSchema,
          413: errorSchema,
          415: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      let inputs: RawInput[];
      if (typeof request.body === 'string') {
        const bytes = ndjsonBytes.get(request);
        inputs = bytes !== undefined ? ndjsonFromBytes(bytes) : ndjsonFromText(request.body);
        const items = inputs.reduce((n, i) => (isBlankLine(i.text) ? n : n + 1), 0);
        if (items > MAX_ITEMS) {
          return sendError(
            reply,
            413,
            'TOO_MANY_ITEMS',
            `at most ${MAX_ITEMS} events per request (got ${items})`,
          );
        }
      } else {
        if (request.body.length > MAX_ITEMS) {
          return sendError(
            reply,
            413,
            'TOO_MANY_ITEMS',
            `at most ${MAX_ITEMS} events per request (got ${request.body.length})`,
          );
        }
        if (nestsDeeperThan(request.body, MAX_DEPTH)) {
          return sendError(reply, 400, 'TOO_DEEP', `JSON nests deeper than ${MAX_DEPTH} levels`);
        }
        inputs = request.body.map((item, i) => ({ text: JSON.stringify(item), source: 'http', line: i + 1 }));
      }
      const outcomes = await service.ingest(inputs.map((input) => capRaw(input, rejectedMaxBytesPerItem)));
      const items = outcomes.flatMap((o, i) => toItem(i, o) ?? []);
      return summarize(items);
    },
  );

  app.get(
    '/v1/rejected',
    {
      config: { roles: ['analyst', 'admin'] },
      schema: {
        tags: ['ingestion'],
        summary: 'Rejected inputs with their raw text and reason, oldest first',
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0).describe('return records with id > after'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ rejected: z.array(rejectedSchema), next: z.number().nullable() }) },
      },
    },
    async (request) => {
      const rows = await runtime.store.log.list({ afterId: request.query.after, limit: request.query.limit });
      const items = rows.map((r) => ({
        ...r,
        raw: typeof r.raw === 'string' ? r.raw : Buffer.from(r.raw).toString('utf8'),
      }));
      return {
        rejected: items,
        next: rows.length === request.query.limit ? (rows[rows.length - 1]?.id ?? null) : null,
      };
    },
  );

  app.get(
    '/v1/rejected/:id',
    {
      config: { roles: ['analyst', 'admin'] },
      schema: {
        tags: ['ingestion'],
        summary: 'One rejected input',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        response: { 200: rejectedSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const r = await runtime.store.log.get(request.params.id);
      if (r === undefined)
        return sendError(reply, 404, 'NOT_FOUND', `no rejected input ${request.params.id}`);
      return { ...r, raw: typeof r.raw === 'string' ? r.raw : Buffer.from(r.raw).toString('utf8') };
    },
  );

  app.post(
    '/v1/rejected/:id/retry',
    {
      config: { roles: ['admin'] },
      onRequest: [identityOnly, rejectedRoom],
      schema: {
        tags: ['ingestion'],
        summary: 'Redrive a rejected input: as it was, or corrected (the JSON body replaces it)',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        body: z.unknown().optional(),
        response: {
          200: outcomeSchema,
          400: errorSchema,
          404: errorSchema,
          409: errorSchema,
          415: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const r = await runtime.store.log.get(request.params.id);
      if (r === undefined)
        return sendError(reply, 404, 'NOT_FOUND', `no rejected input ${request.params.id}`);
      if (r.status === 'redriven')
        return sendError(reply, 409, 'ALREADY_REDRIVEN', `rejected input ${r.id} was already redriven`);
      if (nestsDeeperThan(request.body, MAX_DEPTH)) {
        return sendError(reply, 400, 'TOO_DEEP', `JSON nests deeper than ${MAX_DEPTH} levels`);
      }
      let input: RawInput;
      if (request.body === undefined || request.body === null) {
        // As it was: read like a line of its own (a BOM ignored, bytes that are not UTF-8
        // rejected again, never read with replacement characters).
        const raw = typeof r.raw === 'string' ? Buffer.from(r.raw, 'utf8') : Buffer.from(r.raw);
        if (NOT_UTF8.test(r.message)) {
          // Its bytes cannot be read as text (the store may give them back decoded, with
          // replacement characters: redriven so, a different eventId could be accepted).
          return sendError(
            reply,
            409,
            'RAW_NOT_UTF8',
            `rejected input ${r.id} is not valid UTF-8: send the corrected event as the body`,
          );
        }
        if (TRUNCATED.test(raw.toString('utf8'))) {
          return sendError(
            reply,
            409,
            'RAW_TRUNCATED',
            `only the first bytes of rejected input ${r.id} were kept: send the corrected event as the body`,
          );
        }
        input = lineInput(raw, true, `redrive:${r.id}`, null);
      } else {
        input = { text: JSON.stringify(request.body), source: `redrive:${r.id}`, line: null };
      }
      const [outcome] = await service.ingest([capRaw(input, rejectedMaxBytesPerItem)], [r.id]);
      const item = outcome === undefined ? undefined : toItem(0, outcome);
      if (item === undefined) return sendError(reply, 400, 'BAD_REQUEST', 'the input is blank');
      return item;
    },
  );

  app.post(
    '/v1/periods/:month/close',
    {
      config: { roles: ['admin'] },
      onRequest: [identityOnly],
      schema: {
        tags: ['ingestion'],
        summary: 'Close a month (appends PeriodClosed); closes every earlier open month too',
        params: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) }),
        body: z
          .object({
            occurredAt: z
              .string()
              .refine((s) => parseTimestamp(s) !== undefined, {
                message: 'must be an RFC 3339 timestamp with an offset or Z (2026-05-01T09:00:00+08:00)',
              })
              .optional(),
          })
          .optional(),
        response: {
          200: z.object({ status: z.enum(['accepted', 'already-closed']), eventId: z.string().nullable() }),
          400: errorSchema,
          409: errorSchema,
          415: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const month = parseMonth(request.params.month);
      if (month === undefined)
        return sendError(reply, 400, 'BAD_REQUEST', `not a month: ${request.params.month}`);
      const ingestor = await runtime.ingestor();
      if (ingestor.lastClosed !== null && month <= ingestor.lastClosed) {
        return { status: 'already-closed' as const, eventId: null };
      }
      // An operator action: its time is the server's clock, recorded in the event.
      const occurredAt = request.body?.occurredAt ?? new Date().toISOString();
      const eventId = `period-close/${request.params.month}`;
      const event = { eventId, type: 'PeriodClosed', occurredAt, data: { month: request.params.month } };
      const [outcome] = await service.ingest([{ text: JSON.stringify(event), source: 'api', line: null }]);
      if (outcome?.status === 'rejected') return sendError(reply, 409, outcome.code, outcome.message);
      return { status: 'accepted' as const, eventId };
    },
  );
}
