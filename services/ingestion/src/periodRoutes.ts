/**
 * POST /v1/periods/:month/close: an operator closes a month (and every earlier open one) by
 * appending PeriodClosed, dated now unless the body says when.
 */
import { parseMonth, parseTimestamp } from '@chanperf/domain';
import { errorSchema, sendError, type App } from '@chanperf/runtime';
import { z } from 'zod';
import type { IngestionDeps, IngestionService } from './ingestionService.js';
import { identityOnly } from './requestBodies.js';

export function registerPeriodRoutes(app: App, runtime: IngestionDeps, service: IngestionService): void {
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
