/** `GET /v1/tier-movements`: tier movements in the order they happened (partners: their own channel's only). */
import { errorSchema, type App } from '@chanperf/runtime';
import { z } from 'zod';
import { channelIdParam, tierMovementSchema } from '../schemas.js';
import { channelScope, forbiddenChannel, READERS, type QueryContext } from './context.js';

export function registerTierMovementsRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/tier-movements',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'Tier movements in the order they happened (partners: their own channel only)',
        querystring: z.object({ channelId: channelIdParam.optional().describe('only this channel') }),
        response: {
          200: z.object({ tierMovements: z.array(tierMovementSchema) }),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      await ctx.snapshot(reply);
      const all = await ctx.runtime.store.readStore.tierMovements();
      return { tierMovements: scope === undefined ? all : all.filter((m) => m.channelId === scope) };
    },
  );
}
