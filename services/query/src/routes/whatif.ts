/**
 * What-if programs over HTTP (analyst and admin; a partner key gets 403 as on every analyst route):
 *
 * - `GET /v1/program/current`: the program in effect for the log's last month, as the
 *   `ProgramPublished` payload that published it (the What-if page starts from it);
 * - `POST /v1/whatif`: the comparison `chanperf whatif --format json` prints, computed in a
 *   worker thread bounded in time and heap (`whatIfRunner.ts`). 422 for a proposal ingestion
 *   would reject (its code and message), 503 while another run is going, and 503 when the run
 *   outlives CHANPERF_WHATIF_TIMEOUT_MS or CHANPERF_WHATIF_MAX_HEAP_MB (the worker is stopped).
 */
import {
  formatAmount,
  formatMonth,
  programInEffect,
  type Program,
  type ProjectionState,
} from '@chanperf/domain';
import { planWhatIf, type Feed } from '@chanperf/engine';
import { errorSchema, sendError, type App } from '@chanperf/runtime';
import * as E from 'fp-ts/lib/Either.js';
import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { whatIfRunner, type WhatIfLimits, type WhatIfOutcome } from '../whatIfRunner.js';
import { whatIfBodySchema, whatIfResultSchema } from '../whatIfSchemas.js';
import { ANALYSTS, asOfQuery, type QueryContext } from './context.js';

export interface WhatIfRouteOptions extends Partial<WhatIfLimits> {
  /** For tests: the log the runs read (default: the store's). */
  readonly feed?: Feed & { head(): Promise<number> };
  /** For tests: each run's worker as it starts. */
  readonly started?: (worker: Worker) => void;
}

const programPayloadSchema = z
  .object({
    programId: z.string(),
    effectiveFrom: z.string(),
    growthTargetBps: z.number().int(),
    growthBonusBps: z.number().int(),
    tierReview: z.enum(['quarterly', 'monthly']),
    downgradeGraceReviews: z.number().int(),
    tiers: z.array(
      z.object({
        id: z.string(),
        rebateBps: z.number().int(),
        minTrailingNet: z.string(),
        minCertifiedTrainees: z.number().int(),
      }),
    ),
    volumeRebate: z.array(z.object({ minQuarterNet: z.string(), rateBps: z.number().int() })),
    inactivityMonths: z.number().int().optional(),
    priceProtectionDays: z.number().int().optional(),
  })
  .describe('a ProgramPublished payload (spec §3)');

/** A program as its `ProgramPublished` payload (amounts back to decimal strings). */
function payloadOf(p: Program, digits: number): z.infer<typeof programPayloadSchema> {
  const money = (minor: number) => formatAmount(minor, digits);
  return {
    programId: p.programId,
    effectiveFrom: formatMonth(p.effectiveFrom),
    growthTargetBps: p.growthTargetBps,
    growthBonusBps: p.growthBonusBps,
    tierReview: p.tierReview,
    downgradeGraceReviews: p.downgradeGraceReviews,
    tiers: p.tiers.map((t) => ({ ...t, minTrailingNet: money(t.minTrailingNet) })),
    volumeRebate: p.volumeRebate.map((b) => ({ ...b, minQuarterNet: money(b.minQuarterNet) })),
    ...(p.inactivityMonths === undefined ? {} : { inactivityMonths: p.inactivityMonths }),
    ...(p.priceProtectionDays === undefined ? {} : { priceProtectionDays: p.priceProtectionDays }),
  };
}

function currentProgram(state: ProjectionState): Program | undefined {
  return state.maxMonth === null
    ? state.programs[state.programs.length - 1]
    : (programInEffect(state.programs, state.maxMonth) ?? state.programs[state.programs.length - 1]);
}

const DEFAULT_LIMITS: WhatIfLimits = { timeoutMs: 120_000, maxHeapMb: 1024 };

/** The problem an outcome other than `done` answers. */
function problemOf(outcome: Exclude<WhatIfOutcome, { kind: 'done' }>): { code: string; message: string } {
  switch (outcome.kind) {
    case 'busy':
      return {
        code: 'WHATIF_BUSY',
        message: 'a what-if run is already going (one at a time): ask again once it has answered',
      };
    case 'timedOut':
      return {
        code: 'WHATIF_TIMED_OUT',
        message: `the what-if run took longer than ${outcome.timeoutMs} ms (CHANPERF_WHATIF_TIMEOUT_MS) and was stopped`,
      };
    case 'outOfMemory':
      return {
        code: 'WHATIF_OUT_OF_MEMORY',
        message: `the what-if run needed more than ${outcome.maxHeapMb} MB of heap (CHANPERF_WHATIF_MAX_HEAP_MB) and was stopped`,
      };
    case 'failed':
      return { code: 'WHATIF_FAILED', message: `the what-if run failed: ${outcome.message}` };
  }
}

export function registerWhatIfRoutes(app: App, ctx: QueryContext, options: WhatIfRouteOptions = {}): void {
  const { settings, store } = ctx.runtime;
  const limits = { ...DEFAULT_LIMITS, ...options };
  const runner = whatIfRunner(settings, limits, options.started);
  const feed = options.feed ?? store.log;

  app.get(
    '/v1/program/current',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary:
          'The program in effect for the last month, as the ProgramPublished payload that published it',
        querystring: asOfQuery,
        response: {
          200: programPayloadSchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (_request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const program = currentProgram(state);
      if (program === undefined) return sendError(reply, 404, 'NO_PROGRAM', 'no program has been published');
      return payloadOf(program, ctx.digits);
    },
  );

  app.post(
    '/v1/whatif',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary: 'What the figures would have been with the program replaced from a month on',
        description:
          'Replays the log, up to its head when the run starts, twice in a worker thread (as logged, and with the proposed ' +
          'program governing every month from `from` on) and compares them per partner and in total: rebates per month ' +
          'and quarter (actual, proposed, delta), the tier after each review, growth status changes, alerts raised or ' +
          'not, program KPIs. One run at a time: 503 WHATIF_BUSY while one is going; 503 WHATIF_TIMED_OUT or ' +
          'WHATIF_OUT_OF_MEMORY when a run outlives its bounds (CHANPERF_WHATIF_TIMEOUT_MS, CHANPERF_WHATIF_MAX_HEAP_MB). ' +
          'The read model is never written.',
        body: whatIfBodySchema,
        response: {
          200: whatIfResultSchema,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          422: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const plan = planWhatIf(request.body.program, request.body.from, settings);
      if (E.isLeft(plan)) return sendError(reply, 422, plan.left.code, plan.left.message);
      const outcome = await runner.run(feed, plan.right);
      if (outcome.kind === 'done') return outcome.result;
      const { code, message } = problemOf(outcome);
      if (outcome.kind === 'failed') ctx.log.error({ code }, message);
      else ctx.log.warn({ code }, message);
      if (outcome.kind === 'busy') void reply.header('retry-after', '5');
      return sendError(reply, 503, code, message);
    },
  );
}
