/**
 * (v2) Two-level distribution roll-ups (spec §4 "Two-level distribution", 总代 → 二级代理):
 * `GET /v1/rollups` (analysts: every top-level partner's) and `GET /v1/channels/:id/rollup`
 * (a partner: its own id only — a top-level partner sees its tree's rows, member ids
 * included, never a member's own figures; null when the channel is no one's parent). Entries
 * are the report's `rollups` entries; CSV has one row per (partner, month), members joined
 * by a space. A v1 log answers an empty list (and null).
 */
import { channelRollupReport, rollupsReport, type RollupReport } from '@chanperf/domain';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { channelIdParam } from '../schemas.js';
import { rollupSchema } from '../v2Schemas.js';
import {
  ANALYSTS,
  asOfMonth,
  channelRouteOptions,
  formatQuery,
  jsonOrCsv,
  type QueryContext,
} from './context.js';
import { listRouteOptions } from './v2Common.js';
import { tableAnswer } from '../exports.js';

interface RollupMonthRow {
  readonly channelId: string;
  readonly month: RollupReport['months'][number];
}

const columns: CsvColumn<RollupMonthRow>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'month', value: (r) => r.month.month },
  { header: 'members', value: (r) => r.month.members.join(' ') },
  { header: 'net', value: (r) => r.month.net, kind: 'number' },
  { header: 'previousNet', value: (r) => r.month.previousNet, kind: 'number' },
  { header: 'growthBps', value: (r) => r.month.growthBps, kind: 'number' },
  { header: 'growthStatus', value: (r) => r.month.growthStatus },
  { header: 'targetBps', value: (r) => r.month.targetBps, kind: 'number' },
];

const table = (rollups: readonly RollupReport[]) => ({
  columns,
  rows: rollups.flatMap((r) => r.months.map((month) => ({ channelId: r.channelId, month }))),
});

export function registerRollupRoutes(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/rollups',
    listRouteOptions(
      ANALYSTS,
      "(v2) Every top-level partner's roll-up of its tree, per month",
      formatQuery,
      z.object({ rollups: z.array(rollupSchema) }),
    ),
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const rollups = state.v2Log ? rollupsReport(state, ctx.digits) : [];
      return tableAnswer(
        request,
        reply,
        { ...table(rollups), name: ['rollups', asOfMonth(state)] },
        { rollups },
      );
    },
  );
  app.get(
    '/v1/channels/:id/rollup',
    channelRouteOptions(
      "(v2) The roll-up of a top-level partner's tree per month (null: it is no one's parent)",
      z.object({ id: channelIdParam }),
      jsonOrCsv(z.object({ channelId: z.string(), rollup: rollupSchema.nullable() })),
      { querystring: formatQuery },
    ),
    async (request, reply) =>
      ctx.withChannel(request, reply, request.params.id, ({ state, channel }) => {
        const rollup = state.v2Log ? channelRollupReport(state, channel, ctx.digits) : null;
        return tableAnswer(
          request,
          reply,
          {
            ...table(rollup === null ? [] : [rollup]),
            name: ['rollup', channel.channelId, asOfMonth(state)],
          },
          {
            channelId: channel.channelId,
            rollup,
          },
        );
      }),
  );
}
