/**
 * `GET /v1/tier-movements`: tier movements in the order they happened (partners: their own
 * channel's only), as JSON, CSV or xlsx.
 */
import type { TierMovement } from '@chanperf/domain';
import { errorSchema, type App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { tableAnswer } from '../exports.js';
import { channelIdParam, tierMovementSchema } from '../schemas.js';
import {
  asOfMonth,
  channelScope,
  forbiddenChannel,
  formatQuery,
  jsonOrCsv,
  READERS,
  type QueryContext,
} from './context.js';

const columns: CsvColumn<TierMovement>[] = [
  { header: 'channelId', value: (m) => m.channelId },
  { header: 'from', value: (m) => m.from },
  { header: 'to', value: (m) => m.to },
  { header: 'reviewMonth', value: (m) => m.reviewMonth },
  { header: 'effectiveMonth', value: (m) => m.effectiveMonth },
  { header: 'kind', value: (m) => m.kind },
];

export function registerTierMovementsRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/tier-movements',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'Tier movements in the order they happened (partners: their own channel only)',
        querystring: formatQuery.extend({
          channelId: channelIdParam.optional().describe('only this channel'),
        }),
        response: {
          200: jsonOrCsv(z.object({ tierMovements: z.array(tierMovementSchema) })),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      const { state, derived } = await ctx.snapshot(reply);
      const all = await derived.tierMovements();
      const tierMovements = scope === undefined ? all : all.filter((m) => m.channelId === scope);
      const name = ['tier-movements', scope ?? null, asOfMonth(state)];
      return tableAnswer(request, reply, { columns, rows: tierMovements, name }, { tierMovements });
    },
  );
}
