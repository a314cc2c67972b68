/**
 * What every query route shares: who may read what (roles, a partner's scope, the 403 that
 * names nothing), the read-model snapshot of a request and its position header, the cache of
 * serialised documents, and the resolution of a path's channel and month with their 400/404.
 */
import {
  formatMonth,
  MonthClock,
  parseMonth,
  type Alert,
  type ChannelState,
  type Month,
  type ProjectionState,
  type TierMovement,
} from '@chanperf/domain';
import { asOfReads, isRefusal, parseAsOf, type AsOfHistory, type ChannelLog } from '@chanperf/engine';
import { canReadChannel, errorSchema, sendError, type Runtime } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { XLSX_CONTENT_TYPE } from '../csv.js';

/** What the query service uses of the runtime: the store and read model, the bus, logs. */
export type QueryDeps = Pick<Runtime, 'store' | 'readModel' | 'settings' | 'bus' | 'logger'>;

/** Roles that may read figures (partners: their own channel only). */
export const READERS = ['analyst', 'admin', 'partner'] as const;
/** Roles that may read across channels. */
export const ANALYSTS = ['analyst', 'admin'] as const;
export const POSITION_HEADER = 'x-chanperf-position';
/** Bound on the cached documents; the cache is emptied when it is reached. */
const MAX_DOCUMENTS = 20_000;

/**
 * The errors every channel route may answer: bad id, month or asOf, no key, another partner's
 * channel, unknown, an asOf the log cannot answer (beyond its head, in the future).
 */
export const CHANNEL_ERRORS = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
} as const;

/** `?asOf=` (issue 18), accepted by every read route. */
export const asOfQuery = z.object({
  asOf: z
    .string()
    .max(64)
    .optional()
    .describe(
      'answer as the log stood at this log position (a whole number), or after the last commit appended at or ' +
        'before this RFC 3339 instant (2026-04-05T00:00:00Z; the append time, not the events’ own time). The ' +
        'answer’s x-chanperf-position header says which position. 400 when malformed; 409 beyond the log’s head ' +
        'or later than now.',
    ),
});

/**
 * The options of a route on one channel (`/v1/channels/:id…`): readable by every reader (a
 * partner only for its own channel, checked by `readChannel`), tagged `query`, answering `ok`
 * or one of CHANNEL_ERRORS.
 */
export function channelRouteOptions<Params, Ok, Extra extends object>(
  summary: string,
  params: Params,
  ok: Ok,
  /** More schema fields (`description`, `querystring`), `{}` for none. */
  extra: Extra,
) {
  return {
    config: { roles: READERS },
    schema: {
      tags: ['query'],
      summary,
      querystring: asOfQuery,
      ...extra,
      params,
      response: { 200: ok, ...CHANNEL_ERRORS },
    },
  };
}

/** `?format=`, for the routes that answer JSON, CSV or an Excel workbook. */
export const formatQuery = asOfQuery.extend({
  format: z
    .enum(['json', 'csv', 'xlsx'])
    .optional()
    .describe(`overrides the Accept header (application/json, text/csv or ${XLSX_CONTENT_TYPE})`),
});

/** A JSON, CSV or xlsx 200 response, for the OpenAPI document (and the 406 check, which reads its types). */
export function jsonOrCsv<T extends z.ZodType>(schema: T) {
  return {
    description:
      `JSON; CSV with \`Accept: text/csv\` (or \`?format=csv\`); an Excel workbook with \`Accept: ${XLSX_CONTENT_TYPE}\` ` +
      '(or `?format=xlsx`). CSV and xlsx come as an attachment with a file name, with a percentage column beside ' +
      'every column of basis points.',
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string() },
      [XLSX_CONTENT_TYPE]: { schema: z.string().describe('binary') },
    },
  };
}

/** The last month of the log as `YYYY-MM` (null before any), for export file names. */
export function asOfMonth(state: ProjectionState): string | null {
  return state.maxMonth === null ? null : formatMonth(state.maxMonth);
}

export function forbiddenChannel(reply: FastifyReply): FastifyReply {
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
export function channelScope(
  request: FastifyRequest,
  requested: string | undefined,
): string | undefined | false {
  const p = request.principal;
  if (p.role !== 'partner') return requested;
  // A partner key without a channel (the config refuses one) would see nothing, never everything.
  if (p.channelId === undefined || (requested !== undefined && requested !== p.channelId)) return false;
  return p.channelId;
}

/** The alerts and tier movements of a snapshot (the read store's, or as of a position). */
export interface DerivedFacts {
  alerts(): Promise<Alert[]>;
  alertLog(afterSeq: number, limit: number): Promise<{ readonly seq: number; readonly alert: Alert }[]>;
  tierMovements(): Promise<TierMovement[]>;
}

/** One consistent read-model state and the log position it reflects. */
export interface Snapshot {
  readonly state: ProjectionState;
  readonly position: number;
  /** The derived facts at `position`. */
  readonly derived: DerivedFacts;
  /** Set when the request asked `asOf=`: the state comes from the as-of history. */
  readonly asOf?: AsOfHistory;
}

/** A snapshot with the channel of the path. */
export interface ChannelSnapshot extends Snapshot {
  readonly channel: ChannelState;
}

/** A snapshot with the channel and the month of the path. */
export interface ChannelMonthSnapshot extends ChannelSnapshot {
  readonly month: Month;
}

/** What the route modules are given: the runtime's parts and the shared reads. */
export interface QueryContext {
  readonly runtime: QueryDeps;
  /** Minor digits of the currency. */
  readonly digits: number;
  readonly clock: MonthClock;
  readonly channelLog: ChannelLog;
  /**
   * Awaited before a route reads `channelLog`: what the log gained since the last such read is
   * prepared in slices that let other requests run (after a bulk load, ~2.7 s a million events).
   */
  channelLogCaughtUp(): Promise<void>;
  readonly log: Logger;
  /**
   * The read model as of one position, sent back in the `x-chanperf-position` header: the
   * live one, or the state as of the request's `asOf` (400/409 thrown for one it cannot answer).
   */
  snapshot(reply: FastifyReply): Promise<Snapshot>;
  /**
   * Sends the JSON of `build()`, cached under `key` for the snapshot's `position`: channel
   * and month documents change only when the projection commits, so the hot read routes
   * serve a string from a map. Bounded; emptied whenever the position moves.
   */
  cachedJson(reply: FastifyReply, position: number, key: string, build: () => unknown): FastifyReply;
  /**
   * `build()`, kept under `key` for the snapshot's `position` as `cachedJson` keeps documents:
   * for answers computed over every channel (the program's months read each channel's older
   * months back from the file), whatever format they are then sent in.
   */
  cachedValue<T>(position: number, key: string, build: () => T): T;
  /**
   * What every channel route starts with: 403 for another partner's channel (before reading
   * anything), the snapshot, 404 for an unknown channel. Resolves with undefined when the
   * error was sent (the handler then returns `reply`). Never with the reply itself: a
   * FastifyReply is thenable, so a promise resolved with it waits for the response to end and
   * resolves with undefined, which failed the handler after the response had been sent (an
   * error log with a stack for every 4xx).
   */
  readChannel(request: FastifyRequest, reply: FastifyReply, id: string): Promise<ChannelSnapshot | undefined>;
  /** `readChannel`, then the month of the path, answering 400/404 for a bad or unknown one. */
  readChannelMonth(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    text: string,
  ): Promise<ChannelMonthSnapshot | undefined>;
  /** `readChannel`, then `answer` with what it found (the reply as sent when nothing was). */
  withChannel<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    answer: (found: ChannelSnapshot) => T,
  ): Promise<T | FastifyReply>;
  /** `readChannelMonth`, then `answer` with what it found. */
  withChannelMonth<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    path: { readonly id: string; readonly month: string },
    answer: (found: ChannelMonthSnapshot) => T,
  ): Promise<T | FastifyReply>;
}

/** An error the error handler answers with its status and code. */
function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/** The snapshot as of `text` (a position or an instant), from the as-of history. */
async function asOfSnapshot(runtime: QueryDeps, reply: FastifyReply, text: string): Promise<Snapshot> {
  const query = parseAsOf(text);
  if (typeof query === 'string') throw httpError(400, 'BAD_AS_OF', query);
  const asOf = asOfReads(runtime.store, runtime.settings);
  const point = await asOf.resolve(query);
  if (isRefusal(point)) throw httpError(409, point.code, point.message);
  const state = await asOf.stateAt(point.position);
  void reply.header(POSITION_HEADER, String(point.position));
  const derived = () => asOf.derivedAt(point.position);
  return {
    state,
    position: point.position,
    asOf,
    derived: {
      alerts: async () => (await derived()).alerts,
      alertLog: async (after, limit) =>
        (await derived()).alerts
          .slice(after, after + limit)
          .map((alert, i) => ({ seq: after + i + 1, alert })),
      tierMovements: async () => (await derived()).tierMovements,
    },
  };
}

/**
 * Answers kept for one position of one state (serialised documents, computed values), emptied
 * when the position moves, when another state comes (a read model rebuilt beside and switched
 * to, at the same position), or when full.
 */
class AnswerCache {
  private position = -1;
  private state: object | undefined;
  private readonly values = new Map<string, unknown>();

  /** The live state queries read now: another one empties the cache. */
  stateIs(state: object): void {
    if (state !== this.state) this.values.clear();
    this.state = state;
  }

  /** The answer under `key` for `position`, built once. */
  at<T>(position: number, key: string, build: () => T): T {
    if (position !== this.position || this.values.size >= MAX_DOCUMENTS) {
      this.values.clear();
      this.position = position;
    }
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = build();
    this.values.set(key, value);
    return value;
  }
}

export function queryContext(runtime: QueryDeps): QueryContext {
  const documents = new AnswerCache();

  const channelLog = runtime.store.channelLog();
  const snapshot = async (reply: FastifyReply): Promise<Snapshot> => {
    const asOf = (reply.request.query as { asOf?: unknown } | undefined)?.asOf;
    if (typeof asOf === 'string') return asOfSnapshot(runtime, reply, asOf);
    const model = await runtime.readModel();
    // Another state at the same position (a read model rebuilt beside and switched to).
    documents.stateIs(model.state);
    void reply.header(POSITION_HEADER, String(model.position));
    return { ...model, derived: runtime.store.readStore };
  };

  const readChannelMonth = async (request: FastifyRequest, reply: FastifyReply, id: string, text: string) => {
    const found = await readChannel(request, reply, id);
    if (found === undefined) return undefined;
    const month = resolveMonth(reply, found.state, found.channel, text);
    if (typeof month !== 'number') return undefined;
    return { ...found, month };
  };
  const readChannel = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
    if (!canReadChannel(request, id)) {
      forbiddenChannel(reply);
      return undefined;
    }
    const found = await snapshot(reply);
    const channel = found.state.channels.get(id);
    if (channel === undefined) {
      unknownChannel(reply, id);
      return undefined;
    }
    return { ...found, channel };
  };

  return {
    runtime,
    digits: runtime.settings.minorDigits,
    clock: new MonthClock(runtime.settings.timeZone),
    channelLog,
    async channelLogCaughtUp() {
      if (channelLog.caughtUp !== undefined) await channelLog.caughtUp(await runtime.store.log.head());
    },
    log: runtime.logger.child({ service: 'query' }),
    snapshot,
    cachedJson(reply, position, key, build) {
      const json = documents.at(position, key, () => JSON.stringify(build()));
      return reply.type('application/json; charset=utf-8').send(json);
    },
    cachedValue: (position, key, build) => documents.at(position, key, build),
    readChannel,
    readChannelMonth,
    async withChannel(request, reply, id, answer) {
      const found = await readChannel(request, reply, id);
      return found === undefined ? reply : answer(found);
    },
    async withChannelMonth(request, reply, path, answer) {
      const found = await readChannelMonth(request, reply, path.id, path.month);
      return found === undefined ? reply : answer(found);
    },
  };
}
