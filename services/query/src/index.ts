/**
 * The query service over HTTP: the spec §7 report, channels and their months, `explain` (the
 * events behind every figure of a channel-month), a channel's trainings and certifications,
 * alerts, tier movements, program totals, CSV for the month tables, and a live stream of
 * derived facts.
 *
 * Every answer is computed from the read model as of one log position (`runtime.readModel()`),
 * sent back in the `x-chanperf-position` header. Authorization: analyst and admin read
 * everything; a partner key reads only its own channel — any other channel, the lists, the
 * report and the program totals answer 403 without naming or showing anything foreign.
 */
import {
  buildReport,
  channelReport,
  currentTier,
  formatAmount,
  formatMonth,
  monthOfYear,
  monthReport,
  MonthClock,
  parseMonth,
  programReport,
  type ChannelState,
  type Month,
  type MonthReport,
  type ProgramMonthReport,
  type ProjectionState,
} from '@chanperf/domain';
import type { Alert } from '@chanperf/domain';
import { canReadChannel, errorSchema, sendError, type App, type Runtime } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CSV_CONTENT_TYPE, toCsv, wantsCsv, type CsvColumn } from './csv.js';
import { explainMonth } from './explain.js';
import { registerLiveRoute, type LiveOptions } from './live.js';
import {
  alertLogSchema,
  channelDetailSchema,
  channelIdParam,
  channelListItemSchema,
  channelMonthSchema,
  explainSchema,
  monthParam,
  programMonthSchema,
  reportSchema,
  tierMovementSchema,
  trainingsSchema,
} from './schemas.js';
import { channelTrainings } from './trainings.js';

export { explainMonth, RULES } from './explain.js';
export { channelTrainings, CERTIFICATION_WINDOW_MONTHS } from './trainings.js';
export { csvField, guardFormula, toCsv, wantsCsv } from './csv.js';
export { visibleTo, sseEvent, HEARTBEAT_MS } from './live.js';
export * from './schemas.js';

export type QueryOptions = LiveOptions;

/** Roles that may read figures (partners: their own channel only). */
const READERS = ['analyst', 'admin', 'partner'] as const;
/** Roles that may read across channels. */
const ANALYSTS = ['analyst', 'admin'] as const;
const POSITION_HEADER = 'x-chanperf-position';
const ALERT_SCAN_PAGE = 500;
const REPORT_ATTEMPTS = 5;

const formatQuery = z.object({
  format: z
    .enum(['json', 'csv'])
    .optional()
    .describe('overrides the Accept header (text/csv or application/json)'),
});

/** A JSON-or-CSV 200 response, for the OpenAPI document. */
function jsonOrCsv<T extends z.ZodType>(schema: T) {
  return {
    description: 'JSON, or CSV with `Accept: text/csv` (or `?format=csv`)',
    content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } },
  };
}

type ChannelListItem = z.infer<typeof channelListItemSchema>;
type ChannelMonthRow = MonthReport & { channelId: string };

const channelColumns: CsvColumn<ChannelListItem>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'name', value: (r) => r.name },
  { header: 'kind', value: (r) => r.kind },
  { header: 'online', value: (r) => r.online },
  { header: 'region', value: (r) => r.region },
  { header: 'tier', value: (r) => r.tier },
  { header: 'firstMonth', value: (r) => r.firstMonth },
  { header: 'lastClosedMonth', value: (r) => r.lastClosedMonth },
  { header: 'lastClosedNet', value: (r) => r.lastClosedNet, kind: 'number' },
  { header: 'lastClosedGrowthBps', value: (r) => r.lastClosedGrowthBps, kind: 'number' },
  { header: 'lastClosedGrowthStatus', value: (r) => r.lastClosedGrowthStatus },
  { header: 'quarter', value: (r) => r.quarter },
  { header: 'quarterRebateAccrued', value: (r) => r.quarterRebateAccrued, kind: 'number' },
];

const monthColumns: CsvColumn<ChannelMonthRow>[] = [
  { header: 'channelId', value: (r) => r.channelId },
  { header: 'month', value: (r) => r.month },
  { header: 'sales', value: (r) => r.sales, kind: 'number' },
  { header: 'returns', value: (r) => r.returns, kind: 'number' },
  { header: 'net', value: (r) => r.net, kind: 'number' },
  { header: 'orders', value: (r) => r.orders, kind: 'number' },
  { header: 'units', value: (r) => r.units, kind: 'number' },
  { header: 'closed', value: (r) => r.closed },
  { header: 'restated', value: (r) => r.restated },
  { header: 'tier', value: (r) => r.tier },
  { header: 'growthBps', value: (r) => r.growthBps, kind: 'number' },
  { header: 'growthStatus', value: (r) => r.growthStatus },
  { header: 'targetBps', value: (r) => r.targetBps, kind: 'number' },
  { header: 'rebateBase', value: (r) => r.rebate.base, kind: 'number' },
  { header: 'rebateGrowthBonus', value: (r) => r.rebate.growthBonus, kind: 'number' },
  { header: 'rebatePromotion', value: (r) => r.rebate.promotion, kind: 'number' },
  { header: 'rebateVolume', value: (r) => r.rebate.volume, kind: 'number' },
  { header: 'rebateTotal', value: (r) => r.rebate.total, kind: 'number' },
];

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

/** Minor units of a formatted amount ("-12.30" → -1230n): formatAmount always writes every digit. */
function minorOf(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}

function quarterLabel(month: Month): string {
  return `${Math.floor(month / 12)}-Q${Math.floor(monthOfYear(month) / 3) + 1}`;
}

/** The list row of a channel: who it is, its last closed month, its rebate this quarter. */
function channelListItem(state: ProjectionState, channel: ChannelState, digits: number): ChannelListItem {
  const lastClosed =
    state.lastClosed !== null && state.lastClosed >= channel.firstMonth ? state.lastClosed : null;
  const closedReport = lastClosed === null ? undefined : monthReport(state, channel, lastClosed, digits);
  let quarter: string | null = null;
  let accrued: string | null = null;
  if (state.maxMonth !== null) {
    const max = state.maxMonth;
    const quarterStart = max - (monthOfYear(max) % 3);
    quarter = quarterLabel(max);
    let sum = 0n;
    for (let m = Math.max(quarterStart, channel.firstMonth); m <= max; m++) {
      sum += minorOf(monthReport(state, channel, m, digits).rebate.total);
    }
    accrued = formatAmount(sum, digits);
  }
  return {
    channelId: channel.channelId,
    name: channel.name,
    kind: channel.kind,
    online: channel.online,
    region: channel.region,
    tier: currentTier(state, channel),
    firstMonth: formatMonth(channel.firstMonth),
    lastClosedMonth: closedReport?.month ?? null,
    lastClosedNet: closedReport?.net ?? null,
    lastClosedGrowthBps: closedReport?.growthBps ?? null,
    lastClosedGrowthStatus: closedReport?.growthStatus ?? null,
    quarter,
    quarterRebateAccrued: accrued,
  };
}

function forbiddenChannel(reply: FastifyReply): FastifyReply {
  // Never echo the requested id: a partner learns nothing about other channels.
  return sendError(reply, 403, 'FORBIDDEN', 'a partner key may read only its own channel');
}

function unknownChannel(reply: FastifyReply, channelId: string): FastifyReply {
  return sendError(reply, 404, 'UNKNOWN_CHANNEL', `no channel ${channelId} has been registered`);
}

/** The channel-month to answer for, or the error already sent. */
function resolveMonth(
  reply: FastifyReply,
  state: ProjectionState,
  channel: ChannelState,
  text: string,
): Month | FastifyReply {
  const month = parseMonth(text);
  if (month === undefined)
    return sendError(reply, 400, 'BAD_REQUEST', `not a month: ${text} (expected YYYY-MM)`);
  const last = state.maxMonth;
  if (last === null || month < channel.firstMonth || month > last) {
    const range = last === null ? 'none' : `${formatMonth(channel.firstMonth)} to ${formatMonth(last)}`;
    return sendError(
      reply,
      404,
      'UNKNOWN_MONTH',
      `${text} is not one of the months of channel ${channel.channelId} (its months: ${range})`,
    );
  }
  return month;
}

/** Which channel's rows a request may see: partners only theirs; else the optional filter. */
function channelScope(request: FastifyRequest, requested: string | undefined): string | undefined | false {
  const p = request.principal;
  if (p.role !== 'partner') return requested;
  // A partner key without a channel (the config refuses one) would see nothing, never everything.
  if (p.channelId === undefined || (requested !== undefined && requested !== p.channelId)) return false;
  return p.channelId;
}

/** The errors every channel route may answer: bad id or month, no key, another partner's channel, unknown. */
const CHANNEL_ERRORS = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

/**
 * Registers the query routes. Reads go through `runtime.readModel()` (one consistent state
 * and its position per request); `explain` and `trainings` read the log up to that position.
 */
/** What the query service uses of the runtime: the store and read model, the bus, logs. */
export type QueryDeps = Pick<Runtime, 'store' | 'readModel' | 'settings' | 'bus' | 'logger'>;

export function registerQueryRoutes(app: App, runtime: QueryDeps, options: QueryOptions = {}): Promise<void> {
  const digits = runtime.settings.minorDigits;
  const clock = new MonthClock(runtime.settings.timeZone);
  const channelLog = runtime.store.channelLog();
  const log = runtime.logger.child({ service: 'query' });

  const snapshot = async (reply: FastifyReply) => {
    const model = await runtime.readModel();
    void reply.header(POSITION_HEADER, String(model.position));
    return model;
  };

  /**
   * Serialised channel and month documents of the current read-model position: they change
   * only when the projection commits, so the hot read routes serve a string from a map.
   * Bounded; emptied whenever the position moves.
   */
  const documents = { position: -1, byKey: new Map<string, string>() };
  const MAX_DOCUMENTS = 20_000;
  const cachedJson = (
    reply: FastifyReply,
    position: number,
    key: string,
    build: () => unknown,
  ): FastifyReply => {
    if (documents.position !== position || documents.byKey.size >= MAX_DOCUMENTS) {
      documents.position = position;
      documents.byKey.clear();
    }
    let json = documents.byKey.get(key);
    if (json === undefined) {
      json = JSON.stringify(build());
      documents.byKey.set(key, json);
    }
    return reply.type('application/json; charset=utf-8').send(json);
  };

  /**
   * What every channel route starts with: 403 for another partner's channel (before reading
   * anything), the snapshot, 404 for an unknown channel. Resolves with undefined when the
   * error was sent (the handler then returns `reply`). Never with the reply itself: a
   * FastifyReply is thenable, so a promise resolved with it waits for the response to end and
   * resolves with undefined, which failed the handler after the response had been sent (an
   * error log with a stack for every 4xx).
   */
  const readChannel = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
  ): Promise<{ state: ProjectionState; position: number; channel: ChannelState } | undefined> => {
    if (!canReadChannel(request, id)) {
      forbiddenChannel(reply);
      return undefined;
    }
    const { state, position } = await snapshot(reply);
    const channel = state.channels.get(id);
    if (channel === undefined) {
      unknownChannel(reply, id);
      return undefined;
    }
    return { state, position, channel };
  };

  /** `readChannel`, then the month of the path, answering 400/404 for a bad or unknown one. */
  const readChannelMonth = async (request: FastifyRequest, reply: FastifyReply, id: string, text: string) => {
    const found = await readChannel(request, reply, id);
    if (found === undefined) return undefined;
    const month = resolveMonth(reply, found.state, found.channel, text);
    if (typeof month !== 'number') return undefined;
    return { ...found, month };
  };

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
        const derivedAt = await runtime.store.readStore.position();
        const tierMovements = await runtime.store.readStore.tierMovements();
        const alerts = await runtime.store.readStore.alerts();
        const counts = await runtime.store.log.counts();
        const rejected = await runtime.store.log.forReport();
        const { state, position } = await snapshot(reply);
        if (position === derivedAt || attempt === REPORT_ATTEMPTS) {
          return buildReport(state, digits, { counts, tierMovements, alerts, rejected });
        }
      }
    },
  );

  app.get(
    '/v1/channels',
    {
      config: { roles: ANALYSTS },
      schema: {
        tags: ['query'],
        summary: 'Every channel: who it is, its tier, its last closed month, its rebate accrued this quarter',
        querystring: formatQuery,
        response: {
          200: jsonOrCsv(z.object({ channels: z.array(channelListItemSchema) })),
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { state } = await snapshot(reply);
      const channels = state.channelOrder.flatMap((id) => {
        const c = state.channels.get(id);
        return c === undefined ? [] : [channelListItem(state, c, digits)];
      });
      void reply.header('vary', 'Accept');
      if (wantsCsv(request.headers.accept, request.query.format)) {
        return reply.type(CSV_CONTENT_TYPE).send(toCsv(channelColumns, channels));
      }
      return { channels };
    },
  );

  app.get(
    '/v1/channels/:id',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'One channel with every month, as in the report',
        params: z.object({ id: channelIdParam }),
        querystring: formatQuery,
        response: {
          200: jsonOrCsv(channelDetailSchema),
          ...CHANNEL_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const found = await readChannel(request, reply, id);
      if (found === undefined) return reply;
      const { state, position, channel } = found;
      void reply.header('vary', 'Accept');
      if (wantsCsv(request.headers.accept, request.query.format)) {
        const rows = channelReport(state, channel, digits).months.map((m) => ({ channelId: id, ...m }));
        return reply.type(CSV_CONTENT_TYPE).send(toCsv(monthColumns, rows));
      }
      return cachedJson(reply, position, `channel\u0000${id}`, () => ({
        ...channelReport(state, channel, digits),
        region: channel.region,
      }));
    },
  );

  app.get(
    '/v1/channels/:id/months/:month',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'The figures of one channel-month',
        params: z.object({ id: channelIdParam, month: monthParam }),
        response: {
          200: channelMonthSchema,
          ...CHANNEL_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const found = await readChannelMonth(request, reply, id, request.params.month);
      if (found === undefined) return reply;
      const { state, position, channel, month } = found;
      return cachedJson(reply, position, `month\u0000${id}\u0000${month}`, () => ({
        channelId: id,
        ...monthReport(state, channel, month, digits),
      }));
    },
  );

  app.get(
    '/v1/channels/:id/months/:month/explain',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary:
          'Every figure of a channel-month with the events behind it, to reconcile each rebate to the cent',
        description:
          'For sales, returns, growth and each rebate component: the reported figure, the figure recomputed from ' +
          'the events in the log (`computed`), the exact unrounded sum (`unrounded`), the rule, and per event its ' +
          'eventId, signed amount, the bps applied and its exact contribution (amount × bps / 10000). ' +
          'Σ contribution = unrounded; round(unrounded) half away from zero = computed = figure.',
        params: z.object({ id: channelIdParam, month: monthParam }),
        response: {
          200: explainSchema,
          ...CHANNEL_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const found = await readChannelMonth(request, reply, id, request.params.month);
      if (found === undefined) return reply;
      const { state, position, channel, month } = found;
      const explanation = explainMonth({
        state,
        position,
        channel,
        month,
        report: monthReport(state, channel, month, digits),
        digits,
        clock,
        log: channelLog,
      });
      if (!explanation.consistent) {
        log.warn(
          { channelId: id, month: explanation.month, position },
          'explain: figures recomputed from the log differ from the read model',
        );
      }
      return explanation;
    },
  );

  app.get(
    '/v1/channels/:id/trainings',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary:
          'A channel’s trainings and certifications: per month, per trainee, and certified in the last 12 months',
        description:
          'Read from the TrainingCompleted events in the log up to the read model’s position (x-chanperf-position). ' +
          '`months`: every month of the channel with the trainings completed and how many certified. `trainees`: ' +
          'everyone who completed a course, with the certifications earned (certification, courseId, month, eventId). ' +
          '`certifiedLast12Months`: distinct trainees certified in the 12 months ending with the latest month ' +
          '(M−11 … M), the count a tier review compares with minCertifiedTrainees (spec §4).',
        params: z.object({ id: channelIdParam }),
        response: {
          200: trainingsSchema,
          ...CHANNEL_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const found = await readChannel(request, reply, id);
      if (found === undefined) return reply;
      const { state, position, channel } = found;
      const { trainings, consistent } = channelTrainings({
        state,
        position,
        channel,
        clock,
        log: channelLog,
      });
      if (!consistent) {
        // Ids and counts only: trainee ids stay out of the logs.
        log.warn(
          { channelId: id, position },
          'trainings: training counts read from the log differ from the read model',
        );
      }
      return trainings;
    },
  );

  app.get(
    '/v1/alerts',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'Alerts in the order raised, with their sequence numbers (partners: their own channel only)',
        querystring: z.object({
          since: z.coerce.number().int().min(0).default(0).describe('return alerts with seq > since'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          channelId: channelIdParam.optional().describe('only this channel (a partner: its own)'),
        }),
        response: { 200: alertLogSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const { since, limit } = request.query;
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      await snapshot(reply);
      const store = runtime.store.readStore;
      let alerts: { seq: number; alert: Alert }[];
      if (scope === undefined) {
        alerts = [...(await store.alertLog(since, limit))];
      } else {
        // The port reads every channel's alerts: scan pages, keep this channel's.
        alerts = [];
        let after = since;
        for (;;) {
          const page = await store.alertLog(after, ALERT_SCAN_PAGE);
          for (const entry of page)
            if (entry.alert.channelId === scope && alerts.length < limit) alerts.push(entry);
          const last = page[page.length - 1];
          if (alerts.length >= limit || page.length < ALERT_SCAN_PAGE || last === undefined) break;
          after = last.seq;
        }
      }
      return { alerts, next: alerts[alerts.length - 1]?.seq ?? since };
    },
  );

  app.get(
    '/v1/tier-movements',
    {
      config: { roles: READERS },
      schema: {
        tags: ['query'],
        summary: 'Tier movements in the order they happened (partners: their own channel only)',
        querystring: z.object({ channelId: channelIdParam.optional().describe('only this channel') }),
        response: {
          200: z.object({ tierMovements: z.array(tierMovementSchema) }),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const scope = channelScope(request, request.query.channelId);
      if (scope === false) return forbiddenChannel(reply);
      await snapshot(reply);
      const all = await runtime.store.readStore.tierMovements();
      return { tierMovements: scope === undefined ? all : all.filter((m) => m.channelId === scope) };
    },
  );

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
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { state } = await snapshot(reply);
      const months = programReport(state, digits);
      void reply.header('vary', 'Accept');
      if (wantsCsv(request.headers.accept, request.query.format)) {
        return reply.type(CSV_CONTENT_TYPE).send(toCsv(programColumns, months));
      }
      return { months };
    },
  );

  registerLiveRoute(app, runtime, options);
  return Promise.resolve();
}
