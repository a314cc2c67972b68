/**
 * Rejected inputs: GET /v1/rejected (oldest first, paged by id), GET /v1/rejected/:id, and
 * POST /v1/rejected/:id/retry, the redrive — as the input was, or corrected by the body.
 */
import { REJECTION_CODES } from '@chanperf/domain';
import { lineInput, type RawInput, type RejectedRecord } from '@chanperf/engine';
import { errorSchema, sendError, type App } from '@chanperf/runtime';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { IngestionDeps, IngestionService } from './ingestionService.js';
import { outcomeSchema, toItem } from './itemOutcomes.js';
import { capRaw, rejectedRoom, TRUNCATED } from './rejectedLimits.js';
import { identityOnly, MAX_DEPTH, nestsDeeperThan } from './requestBodies.js';

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

/** The `:id` of a rejected input. */
const idParams = z.object({ id: z.coerce.number().int().min(1) });

/** The 404 of a rejected input that does not exist. */
function noSuchInput(reply: FastifyReply, id: number): FastifyReply {
  return sendError(reply, 404, 'NOT_FOUND', `no rejected input ${id}`);
}

/** The reason `lineInput` gives a line that is not UTF-8: such a record is not redriven as it was. */
const NOT_UTF8 = /^line is not valid UTF-8 \(byte offset \d+\)$/;

/** A rejected input as the API shows it: its raw bytes as text. */
function withRawText(r: RejectedRecord) {
  return { ...r, raw: typeof r.raw === 'string' ? r.raw : Buffer.from(r.raw).toString('utf8') };
}

export function registerRejectedRoutes(app: App, runtime: IngestionDeps, service: IngestionService): void {
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
      return {
        rejected: rows.map(withRawText),
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
        params: idParams,
        response: { 200: rejectedSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const r = await runtime.store.log.get(request.params.id);
      return r === undefined ? noSuchInput(reply, request.params.id) : withRawText(r);
    },
  );

  registerRedriveRoute(app, runtime, service);
}

function registerRedriveRoute(app: App, runtime: IngestionDeps, service: IngestionService): void {
  app.post(
    '/v1/rejected/:id/retry',
    {
      config: { roles: ['admin'] },
      onRequest: [identityOnly, rejectedRoom(runtime)],
      schema: {
        tags: ['ingestion'],
        summary: 'Redrive a rejected input: as it was, or corrected (the JSON body replaces it)',
        params: idParams,
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
      if (r === undefined) return noSuchInput(reply, request.params.id);
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
        const refusal = notRedrivableAsItWas(r, raw);
        if (refusal !== undefined) return sendError(reply, 409, refusal.code, refusal.message);
        input = lineInput(raw, true, `redrive:${r.id}`, null);
      } else {
        input = { text: JSON.stringify(request.body), source: `redrive:${r.id}`, line: null };
      }
      const [outcome] = await service.ingest([capRaw(input, runtime.config.rejectedMaxBytesPerItem)], [r.id]);
      const item = outcome === undefined ? undefined : toItem(0, outcome);
      if (item === undefined) return sendError(reply, 400, 'BAD_REQUEST', 'the input is blank');
      return item;
    },
  );
}

/** Why a rejected input cannot be redriven as it was (`raw`: its bytes), if it cannot. */
function notRedrivableAsItWas(r: RejectedRecord, raw: Buffer): { code: string; message: string } | undefined {
  if (NOT_UTF8.test(r.message)) {
    // Its bytes cannot be read as text (the store may give them back decoded, with
    // replacement characters: redriven so, a different eventId could be accepted).
    return {
      code: 'RAW_NOT_UTF8',
      message: `rejected input ${r.id} is not valid UTF-8: send the corrected event as the body`,
    };
  }
  if (TRUNCATED.test(raw.toString('utf8'))) {
    return {
      code: 'RAW_TRUNCATED',
      message: `only the first bytes of rejected input ${r.id} were kept: send the corrected event as the body`,
    };
  }
  return undefined;
}
