/** `GET /v1/report`: the spec §7 report for everything ingested so far (analyst, admin). */
import { buildReport } from '@chanperf/domain';
import { errorSchema, type App } from '@chanperf/runtime';
import { reportSchema } from '../schemas.js';
import { ANALYSTS, type QueryContext } from './context.js';

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
        summary: 'The spec §7 report for everything ingested so far',
        response: { 200: reportSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (_request, reply) => {
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
