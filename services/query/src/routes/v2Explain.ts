/**
 * (v2) `GET /v1/channels/:id/claims/:changeId/explain`: the events behind a price-protection
 * claim, to the cent. The lines come from the domain (`explainClaim`): each sale in the
 * window (+ its units), each counted return (− its units), and the inventory report used (0,
 * or − the units it cuts: `INVENTORY_CAP`); their units add up to the eligible units and their
 * credits to the claim's credit, exactly. This module writes them as text.
 *
 * Instants are written in UTC (`…Z`): the claim inputs keep instants, not the events' text.
 * A return's own `occurredAt` is not a claim input (its original sale's is), so it is null.
 */
import {
  claimExplanation,
  formatAmount,
  formatMonth,
  type ClaimExplanation,
  type ClaimLine,
  type Instant,
} from '@chanperf/domain';
import { sendError, type App } from '@chanperf/runtime';
import { z } from 'zod';
import { channelIdParam } from '../schemas.js';
import { claimExplainSchema } from '../v2Schemas.js';
import { channelRouteOptions, type QueryContext } from './context.js';

type ClaimExplain = z.infer<typeof claimExplainSchema>;
type ExplainLine = ClaimExplain['lines'][number];

/** An instant in UTC, RFC 3339 with its fraction digits as given: `2026-01-20T02:00:00.5Z`. */
function instantText(at: Instant): string {
  const iso = new Date(at.seconds * 1000).toISOString().slice(0, 19);
  return `${iso}${at.fraction === '' ? '' : `.${at.fraction}`}Z`;
}

function lineOf(line: ClaimLine, x: ClaimExplanation, money: (v: bigint) => string): ExplainLine {
  const { claim } = x;
  const window = `[${instantText(x.windowStart)}, E)`;
  const figures = { units: Number(line.units), credit: money(line.credit) };
  switch (line.kind) {
    case 'sale':
      return {
        eventId: line.eventId,
        type: 'SaleRecorded',
        occurredAt: instantText(line.occurredAt),
        ...figures,
        note: `sale of ${line.units} unit(s) in the window ${window}`,
      };
    case 'return': {
      const counted = -line.units;
      const part =
        counted === BigInt(line.quantity) ? '' : `; ${counted} counted (window units never go below 0)`;
      return {
        eventId: line.eventId,
        type: 'ReturnRecorded',
        occurredAt: null,
        ...figures,
        note: `return of ${line.quantity} unit(s) of a sale at ${instantText(line.originalSaleAt)}, in the window${part}`,
      };
    }
    case 'count':
    case 'cap': {
      const asOf = line.asOf === null ? null : instantText(line.asOf);
      const note =
        line.onHand === null
          ? `no inventory report with asOf in [${instantText(x.windowStart)}, E]: nothing is eligible`
          : line.kind === 'count'
            ? `on hand ${line.onHand} as of ${asOf} ≥ window units ${claim.windowUnits}: no cut`
            : `on hand ${line.onHand} as of ${asOf} < window units ${claim.windowUnits}: ${-line.units} unit(s) cut`;
      return {
        eventId: line.eventId,
        type: line.kind === 'count' ? 'InventoryReported' : 'INVENTORY_CAP',
        occurredAt: asOf,
        ...figures,
        note,
      };
    }
  }
}

/** The explanation as the route answers it. */
export function claimExplainReport(x: ClaimExplanation, digits: number): ClaimExplain {
  const { claim } = x;
  const money = (v: bigint) => formatAmount(v, digits);
  const onHand = claim.onHand === null ? 'none' : String(claim.onHand);
  return {
    channelId: claim.channelId,
    changeId: claim.changeId,
    sku: claim.sku,
    month: formatMonth(claim.month),
    unitCredit: money(claim.unitCredit),
    credit: money(claim.credit),
    eligibleUnits: Number(claim.eligibleUnits),
    lines: x.lines.map((line) => lineOf(line, x, money)),
    steps: [
      {
        label: 'max(0, purchased − returned) = window units',
        value: `max(0, ${claim.purchasedUnits} − ${claim.returnedUnits}) = ${claim.windowUnits}`,
      },
      {
        label: 'min(window units, on hand) = eligible units (no report: 0)',
        value: `min(${claim.windowUnits}, ${onHand}) = ${claim.eligibleUnits}`,
      },
      {
        label: 'eligible units × unit credit = credit',
        value: `${claim.eligibleUnits} × ${money(claim.unitCredit)} = ${money(claim.credit)}`,
      },
    ],
  };
}

export function registerClaimExplainRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/channels/:id/claims/:changeId/explain',
    channelRouteOptions(
      '(v2) The events behind a price-protection claim, line by line, adding up to its credit',
      z.object({ id: channelIdParam, changeId: z.string().min(1).max(128).describe('changeId') }),
      claimExplainSchema,
      {},
    ),
    async (request, reply) =>
      ctx.withChannel(request, reply, request.params.id, ({ state, channel }) => {
        const { changeId } = request.params;
        const x = state.v2Log ? claimExplanation(state, channel, changeId) : null;
        if (x === null) {
          return sendError(
            reply,
            404,
            'UNKNOWN_CLAIM',
            `channel ${channel.channelId} has no claim on ${changeId}`,
          );
        }
        return claimExplainReport(x, ctx.digits);
      }),
  );
}
