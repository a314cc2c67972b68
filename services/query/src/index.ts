/**
 * The query service over HTTP: the spec §7 report, channels and their months, `explain` (the
 * events behind every figure of a channel-month), a channel's trainings and certifications,
 * alerts, tier movements, program totals, CSV for the month tables, a live stream of
 * derived facts, and (v2) targets, price changes and claims (with their explain), roll-ups,
 * satisfaction and program quarters, each route's entries those of the report's v2 sections.
 *
 * One module per resource under `routes/`; `routes/context.ts` holds what they share. Every
 * answer is computed from the read model as of one log position (`runtime.readModel()`),
 * sent back in the `x-chanperf-position` header. Authorization: analyst and admin read
 * everything; a partner key reads only its own channel — any other channel, the lists, the
 * report and the program totals answer 403 without naming or showing anything foreign. The
 * rules behind the figures (explain and trainings included) are the domain's.
 */
import type { App } from '@chanperf/runtime';
import { registerAlertsRoute } from './routes/alerts.js';
import { registerChannelRoutes } from './routes/channels.js';
import { queryContext, type QueryDeps } from './routes/context.js';
import { registerExplainRoute } from './routes/explain.js';
import { registerLiveRoute, type LiveOptions } from './routes/live.js';
import { registerMonthHistoryRoute } from './routes/monthHistory.js';
import { registerProgramRoute } from './routes/program.js';
import { registerReportRoute } from './routes/report.js';
import { registerStatementRoutes } from './routes/statements.js';
import { registerTierMovementsRoute } from './routes/tierMovements.js';
import { registerTrainingsRoute } from './routes/trainings.js';
import { registerClaimRoutes } from './routes/v2Claims.js';
import { registerClaimExplainRoute } from './routes/v2Explain.js';
import { registerRollupRoutes } from './routes/v2Rollups.js';
import { registerSatisfactionRoutes } from './routes/v2Satisfaction.js';
import { registerTargetRoutes } from './routes/v2Targets.js';
// what-if programs (issue 18)
import { registerWhatIfRoutes, type WhatIfRouteOptions } from './routes/whatif.js';

export { explainMonth, RULES } from './routes/explain.js';
export { channelTrainings, CERTIFICATION_WINDOW_MONTHS } from './routes/trainings.js';
export { csvField, guardFormula, toCsv, wantsCsv } from './csv.js';
export { visibleTo, sseEvent, HEARTBEAT_MS } from './routes/live.js';
export * from './schemas.js';
export type { QueryDeps } from './routes/context.js';
// what-if programs (issue 18)
export { whatIfWorkbook } from './whatIfXlsx.js';
// Partner statements (issue 18): the documents `chanperf statement` and `verify-statement` use.
export {
  isStatement,
  sealHolds,
  statementAt,
  statementChanges,
  type SealedStatement,
} from './routes/statementsDocument.js';
export { statementHtml } from './routes/statementsHtml.js';

export type QueryOptions = LiveOptions & {
  /** What-if runs' bounds (the service's CHANPERF_WHATIF_* settings) and test hooks. */
  readonly whatIf?: WhatIfRouteOptions;
};

/**
 * Registers the query routes. Reads go through `runtime.readModel()` (one consistent state
 * and its position per request); `explain` and `trainings` read the log up to that position.
 */
export function registerQueryRoutes(app: App, runtime: QueryDeps, options: QueryOptions = {}): Promise<void> {
  const ctx = queryContext(runtime);
  registerReportRoute(app, ctx);
  registerChannelRoutes(app, ctx);
  registerExplainRoute(app, ctx);
  registerTrainingsRoute(app, ctx);
  registerAlertsRoute(app, ctx);
  registerTierMovementsRoute(app, ctx);
  registerProgramRoute(app, ctx);
  registerTargetRoutes(app, ctx);
  registerClaimRoutes(app, ctx);
  registerClaimExplainRoute(app, ctx);
  registerRollupRoutes(app, ctx);
  registerSatisfactionRoutes(app, ctx);
  registerStatementRoutes(app, ctx);
  // issue 18: as-of history of a channel-month
  registerMonthHistoryRoute(app, ctx);
  registerLiveRoute(app, runtime, options);
  // what-if programs (issue 18)
  registerWhatIfRoutes(app, ctx, options.whatIf);
  return Promise.resolve();
}
