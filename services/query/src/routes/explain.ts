/**
 * `GET /v1/channels/:id/months/:month/explain`: every figure of a channel-month with the
 * events behind it, to reconcile each rebate to the cent.
 *
 * The rules live in the domain (`explainChannelMonth`); this module only reads the events
 * through the `ChannelLog` port, up to the read model's position, and answers over HTTP. A
 * recomputation that disagrees with the read model is answered as it is and logged.
 */
import { EXPLAIN_RULES, explainChannelMonth, monthReport, type ExplainMonthInput } from '@chanperf/domain';
import type { ChannelLog } from '@chanperf/engine';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import { channelIdParam, explainSchema, monthParam, type Explanation } from '../schemas.js';
import { channelRouteOptions, type QueryContext } from './context.js';

/** The rules as explain states them (`EXPLAIN_RULES` of the domain). */
export const RULES = EXPLAIN_RULES;

/** What `explainMonth` needs: the domain's input, with the channel log to read the events from. */
export type ExplainInput = Omit<ExplainMonthInput, 'events'> & { readonly log: ChannelLog };

/** The explanation of a channel-month, from the channel's events in `log` up to `position`. */
export function explainMonth(input: ExplainInput): Explanation {
  const { log, position } = input;
  const channelId = input.channel.channelId;
  return explainChannelMonth({
    ...input,
    events: {
      promotions: log.promotions(position),
      // Opened when explain reads it, after the promotions.
      money: { [Symbol.iterator]: () => log.moneyEvents(channelId, position) },
      latestSaleBefore: (orderId, sku, before) => log.latestSaleBefore(channelId, orderId, sku, before),
    },
  });
}

export function registerExplainRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/months/:month/explain',
    channelRouteOptions(
      'Every figure of a channel-month with the events behind it, to reconcile each rebate to the cent',
      z.object({ id: channelIdParam, month: monthParam }),
      explainSchema,
      {
        description:
          'For sales, returns, growth and each rebate component: the reported figure, the figure recomputed from ' +
          'the events in the log (`computed`), the exact unrounded sum (`unrounded`), the rule, and per event its ' +
          'eventId, signed amount, the bps applied and its exact contribution (amount × bps / 10000). ' +
          'Σ contribution = unrounded; round(unrounded) half away from zero = computed = figure.',
      },
    ),
    async (request, reply) => {
      const { id } = request.params;
      return ctx.withChannelMonth(request, reply, request.params, ({ state, position, channel, month }) => {
        const explanation = explainMonth({
          state,
          position,
          channel,
          month,
          report: monthReport(state, channel, month, ctx.digits),
          digits: ctx.digits,
          clock: ctx.clock,
          log: ctx.channelLog,
        });
        if (!explanation.consistent) {
          ctx.log.warn(
            { channelId: id, month: explanation.month, position },
            'explain: figures recomputed from the log differ from the read model',
          );
        }
        return explanation;
      });
    },
  );
}
