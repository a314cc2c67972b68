/**
 * POST /v1/events: ERP systems post events, a JSON array or NDJSON, at most {@link MAX_ITEMS}
 * a request; the answer says per item whether it was accepted, a duplicate or rejected.
 */
import { isBlankLine } from '@chanperf/domain';
import type { RawInput } from '@chanperf/engine';
import { errorSchema, sendError, type App } from '@chanperf/runtime';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { IngestionDeps, IngestionService } from './ingestionService.js';
import { outcomeSchema, toItem, type ItemOutcome } from './itemOutcomes.js';
import { capRaw, rejectedRoom } from './rejectedLimits.js';
import { eventsMediaType, identityOnly, MAX_DEPTH, ndjsonInputs, nestsDeeperThan } from './requestBodies.js';

export const MAX_ITEMS = 10_000;

const postResultSchema = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  results: z.array(outcomeSchema),
});

/**
 * The answer's JSON text. Serialized here rather than by the route's zod serializer, which
 * checked every item of a 1 000-item answer against `postResultSchema` (that schema still
 * documents it: the items are built by `toItem` from its `outcomeSchema`).
 */
function summary(items: ItemOutcome[]): string {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const i of items) counts[i.status]++;
  return JSON.stringify({
    accepted: counts.accepted,
    duplicates: counts.duplicate,
    rejected: counts.rejected,
    results: items,
  } satisfies z.infer<typeof postResultSchema>);
}

export function registerEventRoutes(app: App, runtime: IngestionDeps, service: IngestionService): void {
  const { rejectedMaxBytesPerItem } = runtime.config;
  app.post(
    '/v1/events',
    {
      config: { roles: ['ingest', 'admin'] },
      onRequest: [eventsMediaType, identityOnly, rejectedRoom(runtime)],
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
        inputs = ndjsonInputs(request);
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
      // The text is sent as it is (the typed reply would take only the object).
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(summary(items));
    },
  );
}
