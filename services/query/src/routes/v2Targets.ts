/**
 * (v2) Partner targets (spec §4 "Targets and quarterly commitments"): `GET
 * /v1/channels/:id/targets` (one channel, every year ascending; a partner: its own) and `GET
 * /v1/targets?year=` (analysts: every channel's, in report order). Entries are the report's
 * `targets` entries; CSV has one row per (target, quarter). A v1 log answers empty lists.
 */
import { channelTargetsReport, targetsReport, type TargetReport } from '@chanperf/domain';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { channelIdParam } from '../schemas.js';
import { targetSchema } from '../v2Schemas.js';
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

interface TargetQuarterRow {
  readonly target: TargetReport;
  readonly quarter: TargetReport['quarters'][number];
}

const columns: CsvColumn<TargetQuarterRow>[] = [
  { header: 'channelId', value: (r) => r.target.channelId },
  { header: 'year', value: (r) => r.target.year },
  { header: 'annualTarget', value: (r) => r.target.annualTarget, kind: 'number' },
  { header: 'targetEventId', value: (r) => r.target.targetEventId },
  { header: 'ytdNet', value: (r) => r.target.ytdNet, kind: 'number' },
  { header: 'attainmentBps', value: (r) => r.target.attainmentBps, kind: 'number' },
  { header: 'closedMonths', value: (r) => r.target.closedMonths, kind: 'number' },
  { header: 'sellingMonths', value: (r) => r.target.sellingMonths, kind: 'number' },
  { header: 'closedNet', value: (r) => r.target.closedNet, kind: 'number' },
  { header: 'projectedNet', value: (r) => r.target.projectedNet, kind: 'number' },
  { header: 'status', value: (r) => r.target.status },
  { header: 'quarter', value: (r) => r.quarter.quarter },
  { header: 'quarterTarget', value: (r) => r.quarter.target, kind: 'number' },
  { header: 'quarterNet', value: (r) => r.quarter.net, kind: 'number' },
  { header: 'cumulativeTarget', value: (r) => r.quarter.cumulativeTarget, kind: 'number' },
  { header: 'cumulativeNet', value: (r) => r.quarter.cumulativeNet, kind: 'number' },
  { header: 'quarterStatus', value: (r) => r.quarter.status },
];

const table = (targets: readonly TargetReport[]) => ({
  columns,
  rows: targets.flatMap((target) => target.quarters.map((quarter) => ({ target, quarter }))),
});

export function registerTargetRoutes(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/targets',
    channelRouteOptions(
      "(v2) One channel's targets, every year ascending, with their quarterly commitments",
      z.object({ id: channelIdParam }),
      jsonOrCsv(z.object({ channelId: z.string(), targets: z.array(targetSchema) })),
      { querystring: formatQuery },
    ),
    async (request, reply) =>
      ctx.withChannel(request, reply, request.params.id, ({ state, channel }) => {
        const targets = state.v2Log ? channelTargetsReport(state, channel, ctx.digits) : [];
        return tableAnswer(
          request,
          reply,
          { ...table(targets), name: ['targets', channel.channelId, asOfMonth(state)] },
          { channelId: channel.channelId, targets },
        );
      }),
  );
  app.get(
    '/v1/targets',
    listRouteOptions(
      ANALYSTS,
      "(v2) Every channel's targets in report order, optionally of one year",
      formatQuery.extend({
        year: z
          .string()
          .regex(/^\d{4}$/, 'a year is YYYY')
          .optional(),
      }),
      z.object({ targets: z.array(targetSchema) }),
    ),
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const { year } = request.query;
      const targets = state.v2Log
        ? targetsReport(state, ctx.digits).filter((t) => year === undefined || t.year === year)
        : [];
      return tableAnswer(
        request,
        reply,
        { ...table(targets), name: ['targets', year ?? null, asOfMonth(state)] },
        { targets },
      );
    },
  );
}
