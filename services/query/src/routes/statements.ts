/**
 * `GET /v1/channels/:id/statements/:quarter`: a partner's quarterly statement (issue 18), the
 * same sealed document `chanperf statement` writes for the same log position: JSON, or the
 * printable HTML page (`?format=html` or `Accept: text/html`). Pinned to `asOf` (a log
 * position), by default the read model's position (as every read route); the position is sent
 * in `x-chanperf-position`, so the ETag of a pinned statement never changes. A partner key
 * reads only its own (403 before anything is read). At the read model's position the figures
 * come from it; at another, from a replay of the log up to there (statementStateAt), so the
 * last few documents are kept, asked for again as the page is reloaded or printed.
 */
import { sendError, type App } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { channelIdParam } from '../schemas.js';
import { channelRouteOptions, forbiddenChannel, POSITION_HEADER, type QueryContext } from './context.js';
import { isStatement, statementAt, type SealedStatement } from './statementsDocument.js';
import { statementHtml } from './statementsHtml.js';
import { statementSchema } from './statementsSchema.js';
import { canReadChannel } from '@chanperf/runtime';

/** Documents kept, by channel, quarter and position (a statement at a position never changes). */
const KEPT = 32;

const query = z.object({
  format: z
    .enum(['json', 'html'])
    .optional()
    .describe('overrides the Accept header (application/json or text/html)'),
  asOf: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe("the log position to pin the statement to (default: the read model's)"),
});

const answer = {
  description:
    'The sealed statement as JSON, or the printable HTML page with `Accept: text/html` (or `?format=html`).',
  content: { 'application/json': { schema: statementSchema }, 'text/html': { schema: z.string() } },
};

function wantsHtml(request: FastifyRequest, format: 'json' | 'html' | undefined): boolean {
  if (format !== undefined) return format === 'html';
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
}

function send(reply: FastifyReply, s: SealedStatement, html: boolean): FastifyReply {
  void reply.header(POSITION_HEADER, String(s.position));
  return html
    ? reply.type('text/html; charset=utf-8').send(statementHtml(s))
    : reply.type('application/json; charset=utf-8').send(JSON.stringify(s));
}

export function registerStatementRoutes(app: App, ctx: QueryContext): void {
  const kept = new Map<string, SealedStatement>();
  const source = {
    log: ctx.runtime.store.log,
    channelLog: ctx.channelLog,
    settings: ctx.runtime.settings,
  };
  app.get(
    '/v1/channels/:id/statements/:quarter',
    channelRouteOptions(
      "A partner's quarterly statement, pinned to a log position and sealed with the SHA-256 of its canonical JSON",
      z.object({ id: channelIdParam, quarter: z.string().describe('YYYY-Qn') }),
      answer,
      {
        querystring: query,
        description:
          'Months (net, growth against the target, tier, rebate), quarter totals, the quarter-end tier review, each ' +
          'rebate component with the events behind it, and (v2) the target attainment and price-protection claims. ' +
          '`seal.sha256` is the SHA-256 of the canonical JSON of the document without `seal`; ' +
          '`chanperf verify-statement` recomputes it at `position`.',
      },
    ),
    async (request, reply) => {
      const { id, quarter } = request.params;
      if (!canReadChannel(request, id)) return forbiddenChannel(reply);
      await ctx.channelLogCaughtUp();
      const snapshot = await ctx.snapshot(reply);
      const position = request.query.asOf ?? snapshot.position;
      const key = `${id}\u0000${quarter}\u0000${position}`;
      let found = kept.get(key);
      if (found === undefined) {
        const made = await statementAt(source, id, quarter, position, snapshot);
        if (!isStatement(made))
          return sendError(reply, made.code === 'BAD_REQUEST' ? 400 : 404, made.code, made.message);
        if (kept.size >= KEPT) kept.clear();
        kept.set(key, made);
        found = made;
      }
      return send(reply, found, wantsHtml(request, request.query.format));
    },
  );
}
