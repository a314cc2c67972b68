/**
 * (v2) What the v2 list routes share: their options (JSON, CSV or xlsx, a role set, a
 * querystring). The answer in each format is `tableAnswer` (exports.ts).
 */
import { errorSchema } from '@chanperf/runtime';
import type { z } from 'zod';
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
      response: {
        200: jsonOrCsv(ok),
        400: errorSchema,
        401: errorSchema,
        403: errorSchema,
        409: errorSchema,
      },
    },
  };
}
