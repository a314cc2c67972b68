/**
 * `GET /v1/channels/:id/months/:month/explain`: every figure of a channel-month with the
 * events behind it, to reconcile each rebate to the cent.
 *
 * The rules live in the domain (`explainChannelMonth`); this module only reads the events
 * through the `ChannelLog` port, up to the read model's position, and answers over HTTP. A
 * recomputation that disagrees with the read model is answered as it is and logged.
 *
 * As CSV or xlsx: one table, a row per figure (figure, computed, unrounded, its bps) followed by
 * a row per event behind it (amount, bps, exact contribution), so Σ contribution can be summed
 * in the spreadsheet.
 */
import { EXPLAIN_RULES, explainChannelMonth, monthReport, type ExplainMonthInput } from '@chanperf/domain';
import type { ChannelLog } from '@chanperf/engine';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { tableAnswer } from '../exports.js';
import { channelIdParam, explainSchema, monthParam, type Explanation } from '../schemas.js';
import { channelRouteOptions, formatQuery, jsonOrCsv, type QueryContext } from './context.js';

/** A row of the explain table: a figure (no eventId) or one event behind it. */
interface ExplainRow {
  readonly figure: string;
  readonly reported?: string;
  readonly computed?: string;
  readonly unrounded?: string;
  readonly eventId?: string;
  readonly position?: number;
  readonly type?: string;
  readonly occurredAt?: string;
  readonly amount?: string;
  readonly bps?: number | null;
  readonly contribution?: string;
}

const explainColumns: CsvColumn<ExplainRow>[] = [
  { header: 'figure', value: (r) => r.figure },
  { header: 'reported', value: (r) => r.reported ?? null, kind: 'number' },
  { header: 'computed', value: (r) => r.computed ?? null, kind: 'number' },
  { header: 'unrounded', value: (r) => r.unrounded ?? null, kind: 'number' },
  { header: 'eventId', value: (r) => r.eventId ?? null },
  { header: 'position', value: (r) => r.position ?? null, kind: 'number' },
  { header: 'type', value: (r) => r.type ?? null },
  { header: 'occurredAt', value: (r) => r.occurredAt ?? null },
  { header: 'amount', value: (r) => r.amount ?? null, kind: 'number' },
  { header: 'bps', value: (r) => r.bps ?? null, kind: 'number' },
  { header: 'contribution', value: (r) => r.contribution ?? null, kind: 'number' },
];

/** The explanation as rows: each figure, then the events behind it. */
function explainRows(e: Explanation): ExplainRow[] {
  const money = (figure: string, part: Explanation['sales']): ExplainRow[] => [
    { figure, reported: part.figure, computed: part.computed },
    ...part.events.map((ev) => ({ figure, ...ev })),
  ];
  const { base, growthBonus, promotion, volume, total } = e.rebate;
  const components = { base, growthBonus, promotion, volume } as const;
  return [
    ...money('sales', e.sales),
    ...money('returns', e.returns),
    { figure: 'net', reported: e.net.figure, computed: e.net.computed },
    { figure: 'growth', reported: e.growth.net, bps: e.growth.figure.growthBps },
    ...Object.entries(components).flatMap(([name, c]) => [
      {
        figure: `rebate.${name}`,
        reported: c.figure,
        computed: c.computed,
        unrounded: c.unrounded,
        bps: 'bps' in c ? c.bps : null,
      },
      ...c.events.map((ev) => ({ figure: `rebate.${name}`, ...ev })),
    ]),
    { figure: 'rebate.total', reported: total.figure, computed: total.computed },
  ];
}

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
      jsonOrCsv(explainSchema),
      {
        querystring: formatQuery,
        description:
          'For sales, returns, growth and each rebate component: the reported figure, the figure recomputed from ' +
          'the events in the log (`computed`), the exact unrounded sum (`unrounded`), the rule, and per event its ' +
          'eventId, signed amount, the bps applied and its exact contribution (amount × bps / 10000). ' +
          'Σ contribution = unrounded; round(unrounded) half away from zero = computed = figure.',
      },
    ),
    async (request, reply) => {
      const { id } = request.params;
      await ctx.channelLogCaughtUp();
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
        const name = ['explain', id, explanation.month];
        return tableAnswer(
          request,
          reply,
          { columns: explainColumns, rows: explainRows(explanation), name },
          explanation,
        );
      });
    },
  );
}
