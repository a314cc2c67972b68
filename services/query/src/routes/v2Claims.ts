/**
 * (v2) Price protection (spec §4 "Price protection", 价保): `GET /v1/price-changes` (every
 * change, published to every partner), `GET /v1/claims?channelId=&changeId=&sku=` (a partner:
 * its own claims only) and `GET /v1/channels/:id/claims`. Entries are the report's
 * `priceProtection` entries; CSV writes a claim's basis as counts of sale and return ids and
 * the inventory report's id. A v1 log answers empty lists.
 */
import {
  channelClaimsReport,
  priceChangesReport,
  priceProtectionReport,
  type ClaimReport,
  type PriceChangeReport,
  type ProjectionState,
} from '@chanperf/domain';
import type { App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { channelIdParam } from '../schemas.js';
import { claimSchema, priceChangeSchema } from '../v2Schemas.js';
import {
  asOfMonth,
  channelRouteOptions,
  channelScope,
  forbiddenChannel,
  formatQuery,
  jsonOrCsv,
  READERS,
  type QueryContext,
} from './context.js';
import { listRouteOptions } from './v2Common.js';
import { tableAnswer } from '../exports.js';

const changeColumns: CsvColumn<PriceChangeReport>[] = [
  { header: 'changeId', value: (r) => r.changeId },
  { header: 'sku', value: (r) => r.sku },
  { header: 'oldUnitPrice', value: (r) => r.oldUnitPrice, kind: 'number' },
  { header: 'newUnitPrice', value: (r) => r.newUnitPrice, kind: 'number' },
  { header: 'effectiveAt', value: (r) => r.effectiveAt },
  { header: 'month', value: (r) => r.month },
  { header: 'windowDays', value: (r) => r.windowDays, kind: 'number' },
  { header: 'protected', value: (r) => r.protected },
];

const claimColumns: CsvColumn<ClaimReport>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'sku', value: (r) => r.sku },
  { header: 'changeId', value: (r) => r.changeId },
  { header: 'month', value: (r) => r.month },
  { header: 'purchasedUnits', value: (r) => r.purchasedUnits, kind: 'number' },
  { header: 'returnedUnits', value: (r) => r.returnedUnits, kind: 'number' },
  { header: 'windowUnits', value: (r) => r.windowUnits, kind: 'number' },
  { header: 'onHand', value: (r) => r.onHand, kind: 'number' },
  { header: 'eligibleUnits', value: (r) => r.eligibleUnits, kind: 'number' },
  { header: 'unitCredit', value: (r) => r.unitCredit, kind: 'number' },
  { header: 'credit', value: (r) => r.credit, kind: 'number' },
  { header: 'restated', value: (r) => r.restated },
  { header: 'basisSales', value: (r) => r.basis.sales.length, kind: 'number' },
  { header: 'basisReturns', value: (r) => r.basis.returns.length, kind: 'number' },
  { header: 'basisInventory', value: (r) => r.basis.inventory },
];

const claimsQuery = formatQuery.extend({
  channelId: channelIdParam.optional().describe('only this channel (a partner: its own)'),
  changeId: z.string().min(1).max(128).optional().describe('only claims on this price change'),
  sku: z.string().min(1).max(64).optional().describe('only claims on this SKU'),
});

interface ClaimFilter {
  readonly channelId: string | undefined;
  readonly changeId?: string | undefined;
  readonly sku?: string | undefined;
}

/** The claims in report order, of one channel when `channelId` is given, then filtered. */
function claimsOf(state: ProjectionState, digits: number, filter: ClaimFilter): ClaimReport[] {
  if (!state.v2Log) return [];
  const c = filter.channelId === undefined ? undefined : state.channels.get(filter.channelId);
  const claims =
    filter.channelId === undefined
      ? priceProtectionReport(state, digits).claims
      : c === undefined
        ? []
        : channelClaimsReport(state, c, digits);
  return claims.filter(
    (claim) =>
      (filter.changeId === undefined || claim.changeId === filter.changeId) &&
      (filter.sku === undefined || claim.sku === filter.sku),
  );
}

function registerPriceChangesRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/price-changes',
    listRouteOptions(
      READERS,
      '(v2) Every price change in log order, with its window and whether it is a protected cut',
      formatQuery,
      z.object({ changes: z.array(priceChangeSchema) }),
    ),
    async (request, reply) => {
      const { state } = await ctx.snapshot(reply);
      const changes = state.v2Log ? priceChangesReport(state, ctx.digits) : [];
      return tableAnswer(
        request,
        reply,
        { columns: changeColumns, rows: changes, name: ['price-changes', asOfMonth(state)] },
        { changes },
      );
    },
  );
}

export function registerClaimRoutes(app: App, ctx: QueryContext): void {
  registerPriceChangesRoute(app, ctx);
  app.get(
    '/v1/claims',
    listRouteOptions(
      READERS,
      '(v2) Price-protection claims in report order (partners: their own channel only)',
      claimsQuery,
      z.object({ claims: z.array(claimSchema) }),
    ),
    async (request, reply) => {
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      const { state } = await ctx.snapshot(reply);
      const claims = claimsOf(state, ctx.digits, { ...request.query, channelId: scope });
      return tableAnswer(
        request,
        reply,
        { columns: claimColumns, rows: claims, name: ['claims', scope ?? null, asOfMonth(state)] },
        { claims },
      );
    },
  );
  app.get(
    '/v1/channels/:id/claims',
    channelRouteOptions(
      "(v2) One channel's price-protection claims, in report order",
      z.object({ id: channelIdParam }),
      jsonOrCsv(z.object({ channelId: z.string(), claims: z.array(claimSchema) })),
      { querystring: formatQuery },
    ),
    async (request, reply) =>
      ctx.withChannel(request, reply, request.params.id, ({ state, channel }) => {
        const claims = claimsOf(state, ctx.digits, { channelId: channel.channelId });
        return tableAnswer(
          request,
          reply,
          { columns: claimColumns, rows: claims, name: ['claims', channel.channelId, asOfMonth(state)] },
          { channelId: channel.channelId, claims },
        );
      }),
  );
}
