/**
 * `GET /v1/channels/:id/months/:month/history` (issue 18): each version of a channel-month's
 * figures, oldest first, with the log position and the event that changed it — the sales and
 * returns while the month was open, its close, then every late sale or return that restated
 * it. Up to the read model's position, or up to `asOf`. Partners read only their own channel.
 */
import { asOfReads, monthVersions } from '@chanperf/engine';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import { channelIdParam, monthHistorySchema, monthParam } from '../schemas.js';
import { channelRouteOptions, type QueryContext } from './context.js';

export function registerMonthHistoryRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/months/:month/history',
    channelRouteOptions(
      'Each version of a channel-month’s figures, with the log position and the event that changed it',
      z.object({ id: channelIdParam, month: monthParam }),
      monthHistorySchema,
      {
        description:
          'A version is the month’s figures (as `GET /v1/channels/:id/months/:month` answers them) after an event ' +
          'that changed them: a sale or return while the month was open, the PeriodClosed that closed it, a tier ' +
          'review, a late sale or return that restated it (`figures.restated` turns true). Oldest first, up to the ' +
          'read model’s position or `asOf`; the last version is the month as of that position.',
      },
    ),
    async (request, reply) =>
      ctx.withChannelMonth(request, reply, request.params, async ({ position, channel, month, asOf }) => {
        const history = asOf ?? asOfReads(ctx.runtime.store, ctx.runtime.settings);
        const versions = await monthVersions(history, channel.channelId, month, position, ctx.digits);
        return {
          channelId: channel.channelId,
          month: request.params.month,
          position,
          versions: versions.map((v) => ({
            position: v.position,
            eventId: v.eventId,
            type: v.type,
            ...v.figures,
          })),
        };
      }),
  );
}
