/** `GET /v1/program/months`: program totals per month, the plan KPIs of spec §6 (JSON, CSV or xlsx). */
import { programReport, type ProgramMonthReport } from '@chanperf/domain';
import { errorSchema, type App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { tableAnswer } from '../exports.js';
import { programMonthSchema } from '../schemas.js';
import { ANALYSTS, asOfMonth, formatQuery, jsonOrCsv, type QueryContext } from './context.js';

const programColumns: CsvColumn<ProgramMonthReport>[] = [
  { header: 'month', value: (r) => r.month },
  { header: 'net', value: (r) => r.net, kind: 'number' },
  { header: 'onlineNet', value: (r) => r.onlineNet, kind: 'number' },
  { header: 'onlineShareBps', value: (r) => r.onlineShareBps, kind: 'number' },
  { header: 'activeChannels', value: (r) => r.activeChannels, kind: 'number' },
  { header: 'newChannels', value: (r) => r.newChannels, kind: 'number' },
  { header: 'trainingsCompleted', value: (r) => r.trainingsCompleted, kind: 'number' },
  { header: 'satisfactionAvg', value: (r) => r.satisfactionAvg, kind: 'number' },
];

export function registerProgramRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/program/months',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary: 'Program totals per month (the plan KPIs of spec §6)',
        querystring: formatQuery,
        response: {
          200: jsonOrCsv(z.object({ months: z.array(programMonthSchema) })),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { state, position } = await ctx.snapshot(reply);
      // Every channel's months, the older ones read back from the file: once per position.
      const months = ctx.cachedValue(position, 'program-months', () => programReport(state, ctx.digits));
      const name = ['program', asOfMonth(state)];
      return tableAnswer(request, reply, { columns: programColumns, rows: months, name }, { months });
    },
  );
}
