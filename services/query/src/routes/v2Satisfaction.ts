/**
 * (v2) Satisfaction per quarter (spec §4 "Satisfaction"): `GET /v1/channels/:id/satisfaction`
 * (a partner: its own), `GET /v1/satisfaction` (analysts: every channel's) and `GET
 * /v1/program/quarters` (analysts: the program's quarters, survey coverage included).
 * Entries are the report's `satisfaction` and `program.quarters` entries; CSV has one row per
 * (channel, quarter). A v1 log answers empty lists.
 */
import {
  channelSatisfactionReport,
  programQuartersReport,
  satisfactionReport,
  type ProgramQuarterReport,
  type SatisfactionReport,
} from '@chanperf/domain';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { channelIdParam } from '../schemas.js';
import { programQuarterSchema, satisfactionSchema } from '../v2Schemas.js';
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

interface SatisfactionRow {
  readonly channelId: string;
  readonly quarter: SatisfactionReport['quarters'][number];
}

const columns: CsvColumn<SatisfactionRow>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'quarter', value: (r) => r.quarter.quarter },
  { header: 'surveys', value: (r) => r.quarter.surveys, kind: 'number' },
  { header: 'respondents', value: (r) => r.quarter.respondents, kind: 'number' },
  { header: 'satisfactionAvg', value: (r) => r.quarter.satisfactionAvg, kind: 'number' },
];

const quarterColumns: CsvColumn<ProgramQuarterReport>[] = [
  { header: 'quarter', value: (r) => r.quarter },
  { header: 'channels', value: (r) => r.channels, kind: 'number' },
  { header: 'surveyedChannels', value: (r) => r.surveyedChannels, kind: 'number' },
  { header: 'surveyCoverageBps', value: (r) => r.surveyCoverageBps, kind: 'number' },
  { header: 'satisfactionAvg', value: (r) => r.satisfactionAvg, kind: 'number' },
];

const table = (entries: readonly SatisfactionReport[]) => ({
  columns,
  rows: entries.flatMap((s) => s.quarters.map((quarter) => ({ channelId: s.channelId, quarter }))),
});

function registerProgramQuartersRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/program/quarters',
    listRouteOptions(
      ANALYSTS,
      '(v2) Program totals per quarter: channels, surveyed channels, survey coverage, satisfaction',
      formatQuery,
      z.object({ quarters: z.array(programQuarterSchema) }),
    ),
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const quarters = state.v2Log ? programQuartersReport(state) : [];
      return tableAnswer(
        request,
        reply,
        { columns: quarterColumns, rows: quarters, name: ['program-quarters', asOfMonth(state)] },
        { quarters },
      );
    },
  );
}

export function registerSatisfactionRoutes(app: App, ctx: QueryContext): void {
  registerProgramQuartersRoute(app, ctx);
  app.get(
    '/v1/satisfaction',
    listRouteOptions(
      ANALYSTS,
      "(v2) Every channel's satisfaction per quarter, in report order",
      formatQuery,
      z.object({ satisfaction: z.array(satisfactionSchema) }),
    ),
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const satisfaction = state.v2Log ? satisfactionReport(state) : [];
      return tableAnswer(
        request,
        reply,
        { ...table(satisfaction), name: ['satisfaction', asOfMonth(state)] },
        { satisfaction },
      );
    },
  );
  app.get(
    '/v1/channels/:id/satisfaction',
    channelRouteOptions(
      "(v2) One channel's satisfaction per quarter, from its first month",
      z.object({ id: channelIdParam }),
      jsonOrCsv(satisfactionSchema),
      { querystring: formatQuery },
    ),
    async (request, reply) =>
      ctx.withChannel(request, reply, request.params.id, ({ state, channel }) => {
        const entry = state.v2Log
          ? channelSatisfactionReport(state, channel)
          : { channelId: channel.channelId, quarters: [] };
        return tableAnswer(
          request,
          reply,
          { ...table([entry]), name: ['satisfaction', channel.channelId, asOfMonth(state)] },
          entry,
        );
      }),
  );
}
