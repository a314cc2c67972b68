/**
 * The channels: `GET /v1/channels` (every channel, who it is, its last closed month, its rebate
 * accrued this quarter), `GET /v1/channels/:id` (one channel with every month, as in the
 * report) and `GET /v1/channels/:id/months/:month` (one channel-month). The list and the
 * channel answer CSV too.
 */
import {
  channelReport,
  currentTier,
  formatAmount,
  formatMonth,
  monthOfYear,
  monthReport,
  quarterRebateAccrued,
  type ChannelState,
  type Month,
  type MonthReport,
  type ProjectionState,
} from '@chanperf/domain';
import { AS_OF_ONE_BY_ONE } from '@chanperf/engine';
import { errorSchema, type App } from '@chanperf/runtime';
import { z } from 'zod';
import { preferredFormat, type CsvColumn } from '../csv.js';
import { sendTable, tableAnswer, varyOnAccept } from '../exports.js';
import {
  channelDetailSchema,
  channelIdParam,
  channelListItemSchema,
  channelMonthSchema,
  monthParam,
} from '../schemas.js';
import {
  ANALYSTS,
  asOfMonth,
  channelRouteOptions,
  formatQuery,
  jsonOrCsv,
  type QueryContext,
} from './context.js';

type ChannelListItem = z.infer<typeof channelListItemSchema>;

/** A page of a list: where to start (an opaque cursor: a `next` of an earlier page) and how many. */
const pageQuery = {
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, 'a cursor is the `next` of an earlier page')
    .optional()
    .describe('the `next` of the previous page'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('at most this many (1–1000); absent: all'),
};
export type ChannelMonthRow = MonthReport & { channelId: string };

const channelColumns: CsvColumn<ChannelListItem>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'name', value: (r) => r.name },
  { header: 'kind', value: (r) => r.kind },
  { header: 'online', value: (r) => r.online },
  { header: 'region', value: (r) => r.region },
  { header: 'tier', value: (r) => r.tier },
  { header: 'firstMonth', value: (r) => r.firstMonth },
  { header: 'lastClosedMonth', value: (r) => r.lastClosedMonth },
  { header: 'lastClosedNet', value: (r) => r.lastClosedNet, kind: 'number' },
  { header: 'lastClosedGrowthBps', value: (r) => r.lastClosedGrowthBps, kind: 'number' },
  { header: 'lastClosedGrowthStatus', value: (r) => r.lastClosedGrowthStatus },
  { header: 'quarter', value: (r) => r.quarter },
  { header: 'quarterRebateAccrued', value: (r) => r.quarterRebateAccrued, kind: 'number' },
];

export const monthColumns: CsvColumn<ChannelMonthRow>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'month', value: (r) => r.month },
  { header: 'sales', value: (r) => r.sales, kind: 'number' },
  { header: 'returns', value: (r) => r.returns, kind: 'number' },
  { header: 'net', value: (r) => r.net, kind: 'number' },
  { header: 'orders', value: (r) => r.orders, kind: 'number' },
  { header: 'units', value: (r) => r.units, kind: 'number' },
  { header: 'closed', value: (r) => r.closed },
  { header: 'restated', value: (r) => r.restated },
  { header: 'tier', value: (r) => r.tier },
  { header: 'growthBps', value: (r) => r.growthBps, kind: 'number' },
  { header: 'growthStatus', value: (r) => r.growthStatus },
  { header: 'targetBps', value: (r) => r.targetBps, kind: 'number' },
  { header: 'rebateBase', value: (r) => r.rebate.base, kind: 'number' },
  { header: 'rebateGrowthBonus', value: (r) => r.rebate.growthBonus, kind: 'number' },
  { header: 'rebatePromotion', value: (r) => r.rebate.promotion, kind: 'number' },
  { header: 'rebateVolume', value: (r) => r.rebate.volume, kind: 'number' },
  { header: 'rebateTotal', value: (r) => r.rebate.total, kind: 'number' },
];

/** "2026-Q2": the quarter that holds `month`. */
function quarterLabel(month: Month): string {
  return `${Math.floor(month / 12)}-Q${Math.floor(monthOfYear(month) / 3) + 1}`;
}

/** The list row of a channel: who it is, its last closed month, its rebate this quarter. */
function channelListItem(state: ProjectionState, channel: ChannelState, digits: number): ChannelListItem {
  const lastClosed =
    state.lastClosed !== null && state.lastClosed >= channel.firstMonth ? state.lastClosed : null;
  const closedReport = lastClosed === null ? undefined : monthReport(state, channel, lastClosed, digits);
  const latest = state.maxMonth;
  return {
    channelId: channel.channelId,
    name: channel.name,
    kind: channel.kind,
    online: channel.online,
    region: channel.region,
    tier: currentTier(state, channel),
    firstMonth: formatMonth(channel.firstMonth),
    lastClosedMonth: closedReport?.month ?? null,
    lastClosedNet: closedReport?.net ?? null,
    lastClosedGrowthBps: closedReport?.growthBps ?? null,
    lastClosedGrowthStatus: closedReport?.growthStatus ?? null,
    quarter: latest === null ? null : quarterLabel(latest),
    quarterRebateAccrued:
      latest === null ? null : formatAmount(quarterRebateAccrued(state, channel, latest), digits),
  };
}

function registerChannelListRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary: 'Every channel: who it is, its tier, its last closed month, its rebate accrued this quarter',
        description:
          'In registration order. Without `limit`, every channel; with it, a page: pass `next` back as `cursor` for the ' +
          'following one (also in a `Link: <…>; rel="next"` header, for CSV). `next` is null on the last page.',
        querystring: formatQuery.extend(pageQuery),
        response: {
          200: jsonOrCsv(z.object({ channels: z.array(channelListItemSchema), next: z.string().nullable() })),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const { cursor, limit } = request.query;
      const from = cursor === undefined ? 0 : Number(cursor);
      const to =
        limit === undefined ? state.channelOrder.length : Math.min(from + limit, state.channelOrder.length);
      // A state as of a position reads channels one by one when asked by id (asOfLazy.ts) and all
      // at once from its snapshot when walked: a long page walks, so it says so before it starts
      // (`size` reads them all) rather than paying the single reads first.
      if (to - from > AS_OF_ONE_BY_ONE) void state.channels.size;
      const channels = state.channelOrder.slice(from, to).flatMap((id) => {
        const c = state.channels.get(id);
        return c === undefined ? [] : [channelListItem(state, c, ctx.digits)];
      });
      const next = to < state.channelOrder.length ? String(to) : null;
      if (next !== null) {
        const url = new URL(request.url, 'http://localhost');
        url.searchParams.set('cursor', next);
        void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
      }
      const page = cursor === undefined ? null : `from${from}`;
      const name = ['partners', page, asOfMonth(state)];
      return tableAnswer(
        request,
        reply,
        { columns: channelColumns, rows: channels, name },
        { channels, next },
      );
    },
  );
}

function registerChannelRoute(app: App, ctx: QueryContext): void {
  const { digits } = ctx;
  app.get(
    '/v1/channels/:id',
    channelRouteOptions(
      'One channel with every month, as in the report',
      z.object({ id: channelIdParam }),
      jsonOrCsv(channelDetailSchema),
      { querystring: formatQuery },
    ),
    async (request, reply) => {
      const { id } = request.params;
      return ctx.withChannel(request, reply, id, ({ state, position, channel }) => {
        varyOnAccept(reply);
        const format = preferredFormat(request.headers.accept, request.query.format);
        if (format !== 'json') {
          const rows = channelReport(state, channel, digits).months.map((m) => ({ channelId: id, ...m }));
          const name = ['partner', id, asOfMonth(state)];
          return sendTable(reply, format, { columns: monthColumns, rows, name });
        }
        return ctx.cachedJson(reply, position, `channel\u0000${id}`, () => ({
          ...channelReport(state, channel, digits),
          region: channel.region,
        }));
      });
    },
  );
}

function registerChannelMonthRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/months/:month',
    channelRouteOptions(
      'The figures of one channel-month',
      z.object({ id: channelIdParam, month: monthParam }),
      channelMonthSchema,
      {},
    ),
    async (request, reply) => {
      const { id } = request.params;
      return ctx.withChannelMonth(request, reply, request.params, ({ state, position, channel, month }) => {
        return ctx.cachedJson(reply, position, `month\u0000${id}\u0000${month}`, () => ({
          channelId: id,
          ...monthReport(state, channel, month, ctx.digits),
        }));
      });
    },
  );
}

/** The channel routes: the list, one channel, one channel-month. */
export function registerChannelRoutes(app: App, ctx: QueryContext): void {
  registerChannelListRoute(app, ctx);
  registerChannelRoute(app, ctx);
  registerChannelMonthRoute(app, ctx);
}
