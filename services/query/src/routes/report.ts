/**
 * `GET /v1/report`: the spec §7 report for everything ingested so far (analyst, admin). As CSV
 * or xlsx: its table of channel-months (every channel's months, as in `channels[].months`).
 */
import { buildReport, channelReport } from '@chanperf/domain';
import { errorSchema, type App } from '@chanperf/runtime';
import { preferredFormat, type CsvColumn } from '../csv.js';
import { sendTable, varyOnAccept } from '../exports.js';
import { reportSchema } from '../schemas.js';
import { monthColumns, type ChannelMonthRow } from './channels.js';
import { ANALYSTS, asOfMonth, formatQuery, jsonOrCsv, type QueryContext } from './context.js';

type ReportRow = ChannelMonthRow & { readonly name: string };

/** The partner's id and name, then its month's figures. */
const reportColumns: CsvColumn<ReportRow>[] = [
  ...monthColumns.slice(0, 1),
  { header: 'name', value: (r) => r.name },
  ...monthColumns.slice(1),
];

/** Reads of the derived lists and the state that may be retried to land on one position. */
const REPORT_ATTEMPTS = 5;

export function registerReportRoute(app: App, ctx: QueryContext): void {
  const { store } = ctx.runtime;
  app.get(
    '/v1/report',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary: 'The spec §7 report for everything ingested so far (or as of `asOf`)',
        querystring: formatQuery,
        response: {
          200: jsonOrCsv(reportSchema),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      varyOnAccept(reply);
      const format = preferredFormat(request.headers.accept, request.query.format);
      if (request.query.asOf !== undefined && format === 'json') {
        // As of a position: the state, derived facts, counts and rejections of that moment.
        const { asOf, position } = await ctx.snapshot(reply);
        if (asOf !== undefined) return asOf.reportAt(position);
      }
      if (format !== 'json') {
        const { state } = await ctx.snapshot(reply);
        const rows = state.channelOrder.flatMap((id) => {
          const c = state.channels.get(id);
          if (c === undefined) return [];
          const { name, months } = channelReport(state, c, ctx.digits);
          return months.map((m) => ({ channelId: id, name, ...m }));
        });
        return sendTable(reply, format, { columns: reportColumns, rows, name: ['report', asOfMonth(state)] });
      }
      // Alerts and tier movements are saved with the read model's checkpoint: read them and
      // the state at the same position (the projection may commit between two awaits).
      for (let attempt = 1; ; attempt++) {
        const derivedAt = await store.readStore.position();
        const tierMovements = await store.readStore.tierMovements();
        const alerts = await store.readStore.alerts();
        const counts = await store.log.counts();
        const rejected = await store.log.forReport();
        const { state, position } = await ctx.snapshot(reply);
        if (position === derivedAt || attempt === REPORT_ATTEMPTS) {
          return buildReport(state, ctx.digits, { counts, tierMovements, alerts, rejected });
        }
      }
    },
  );
}
