/**
 * (v2) What the v2 routes share: the options of a list route (JSON or CSV, a role set, a
 * querystring), and the answer as JSON or as a CSV table of its rows.
 */
import { errorSchema } from '@chanperf/runtime';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { CSV_CONTENT_TYPE, toCsv, wantsCsv, type CsvColumn } from '../csv.js';
import { jsonOrCsv } from './context.js';

/** The options of a list route: `roles` may read it; `ok` is the JSON answer's schema. */
export function listRouteOptions<Roles, Query, Ok extends z.ZodType>(
  roles: Roles,
  summary: string,
  querystring: Query,
  ok: Ok,
) {
  return {
    config: { roles },
    schema: {
      tags: ['query'],
      summary,
      querystring,
      response: { 200: jsonOrCsv(ok), 400: errorSchema, 401: errorSchema, 403: errorSchema },
    },
  };
}

/** How a request asked for its answer: its `Accept` header and `?format=`. */
export interface Wants {
  readonly headers: { readonly accept?: string | undefined };
  readonly query: { readonly format?: 'json' | 'csv' | undefined };
}

/** `json` as it is, or `rows` as a CSV table when the request prefers CSV. */
export function jsonOrCsvAnswer<Row, Json>(
  request: Wants,
  reply: FastifyReply,
  table: { readonly columns: readonly CsvColumn<Row>[]; readonly rows: readonly Row[] },
  json: Json,
): Json | FastifyReply {
  void reply.header('vary', 'Accept');
  if (wantsCsv(request.headers.accept, request.query.format)) {
    return reply.type(CSV_CONTENT_TYPE).send(toCsv(table.columns, table.rows));
  }
  return json;
}
