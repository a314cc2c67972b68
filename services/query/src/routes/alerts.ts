/**
 * `GET /v1/alerts`: alerts in the order raised, with their sequence numbers, paged by `since`
 * (partners: their own channel's only). CSV and xlsx: one row per alert, a column per field of
 * any kind (empty where the kind has none).
 */
import type { Alert } from '@chanperf/domain';
import { errorSchema, type App } from '@chanperf/runtime';
import { z } from 'zod';
import type { CsvColumn } from '../csv.js';
import { tableAnswer } from '../exports.js';
import { alertLogSchema, channelIdParam } from '../schemas.js';
import {
  asOfMonth,
  channelScope,
  forbiddenChannel,
  formatQuery,
  jsonOrCsv,
  READERS,
  type DerivedFacts,
  type QueryContext,
} from './context.js';

/** Alerts read per page when scanning for one channel's. */
const ALERT_SCAN_PAGE = 500;

interface AlertEntry {
  seq: number;
  alert: Alert;
}

/** A field of the alert, whatever its kind (null when its kind has none). */
const field =
  (name: string) =>
  (e: AlertEntry): string | number | boolean | null =>
    (e.alert as unknown as Record<string, string | number | boolean | null | undefined>)[name] ?? null;

const TEXT_FIELDS = ['id', 'kind', 'channelId', 'month', 'quarter', 'tier', 'qualifyingTier', 'from', 'to'];
const NUMBER_FIELDS = [
  'growthBps',
  'targetBps',
  'cumulativeNet',
  'cumulativeTarget',
  'idleMonths',
  'inactivityMonths',
];

const alertColumns: CsvColumn<AlertEntry>[] = [
  { header: 'seq', value: (e) => e.seq, kind: 'number' },
  ...TEXT_FIELDS.map((name) => ({ header: name, value: field(name) })),
  ...NUMBER_FIELDS.map((name) => ({ header: name, value: field(name), kind: 'number' as const })),
  { header: 'lastSaleMonth', value: field('lastSaleMonth') },
  { header: 'restated', value: field('restated') },
];

type AlertLog = Pick<DerivedFacts, 'alertLog'>;

/** Up to `limit` alerts of `channelId` after `since`: the port reads every channel's, so scan pages. */
async function channelAlerts(
  store: AlertLog,
  channelId: string,
  since: number,
  limit: number,
): Promise<AlertEntry[]> {
  const alerts: AlertEntry[] = [];
  let after = since;
  for (;;) {
    const page = await store.alertLog(after, ALERT_SCAN_PAGE);
    for (const entry of page)
      if (entry.alert.channelId === channelId && alerts.length < limit) alerts.push(entry);
    const last = page[page.length - 1];
    if (alerts.length >= limit || page.length < ALERT_SCAN_PAGE || last === undefined) return alerts;
    after = last.seq;
  }
}

export function registerAlertsRoute(app: App, ctx: QueryContext): void {
  app.get(
    '/v1/alerts',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'Alerts in the order raised, with their sequence numbers (partners: their own channel only)',
        querystring: formatQuery.extend({
          since: z.coerce.number().int().min(0).default(0).describe('return alerts with seq > since'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          channelId: channelIdParam.optional().describe('only this channel (a partner: its own)'),
        }),
        response: {
          200: jsonOrCsv(alertLogSchema),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { since, limit } = request.query;
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      const { state, derived: store } = await ctx.snapshot(reply);
      const alerts =
        scope === undefined
          ? [...(await store.alertLog(since, limit))]
          : await channelAlerts(store, scope, since, limit);
      const name = ['alerts', scope ?? null, since === 0 ? null : `after${since}`, asOfMonth(state)];
      const json = { alerts, next: alerts[alerts.length - 1]?.seq ?? since };
      return tableAnswer(request, reply, { columns: alertColumns, rows: alerts, name }, json);
    },
  );
}
