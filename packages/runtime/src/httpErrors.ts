/**
 * Clear errors as RFC 9457 problem details (`application/problem+json`) for every failure —
 * 400 for a bad request, 404 for an unknown route, 507 when the storage is full, 503 (with
 * Retry-After) when the log is unavailable for now (a retriable EngineError), 503 when the
 * as-of history cannot be built within its heap limit (ASOF_OUT_OF_MEMORY), 500 (logged,
 * never detailed) for anything else: `type` (about:blank), `title` (the status's phrase),
 * `status`, `detail`, and our `code` as an extension member; `error: { code, message }`, the
 * shape before, stays for the clients written against it.
 */
import { STATUS_CODES } from 'node:http';
import { EngineError } from '@chanperf/engine';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from './http.js';
import type { Runtime } from './runtime.js';

export const errorSchema = z
  .object({
    type: z.string().describe('about:blank: the status says what kind of problem it is'),
    title: z.string().describe("the HTTP status's phrase"),
    status: z.number().int(),
    detail: z.string().describe('what went wrong, for a person'),
    code: z.string().describe('what went wrong, for a program (e.g. UNKNOWN_CHANNEL)'),
    error: z
      .object({ code: z.string(), message: z.string() })
      .describe('the same code and detail in the shape used before problem details'),
  })
  .describe('RFC 9457 problem details (application/problem+json)');

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** `Payload Too Large` → `PAYLOAD_TOO_LARGE`: a code for a status that has no code of ours. */
function codeOfStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'Bad Request').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** The problem document for `status`, `code` and `message`. */
export function problem(status: number, code: string, message: string): z.infer<typeof errorSchema> {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: message,
    code,
    error: { code, message },
  };
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem(status, code, message));
}

/**
 * The error saying that the storage is full — SQLite's SQLITE_FULL (the disk, or the
 * database's size limit), or ENOSPC — looked up along the `cause` chain (the store wraps it,
 * e.g. as an EngineError APPEND_FAILED); undefined for any other error.
 */
export function storageFullError(
  err: unknown,
): { readonly code: string; readonly message?: unknown } | undefined {
  const seen = new Set<unknown>(); // a cycle of causes ends the walk
  let e: unknown = err;
  while (typeof e === 'object' && e !== null && !seen.has(e)) {
    seen.add(e);
    const found = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (found.code === 'SQLITE_FULL' || found.code === 'ENOSPC')
      return found as { code: string; message?: unknown };
    e = found.cause;
  }
  return undefined;
}

/** The error and not-found handlers: every failure answers in the one JSON shape above. */
export function installErrorHandlers(app: App, runtime: Runtime): void {
  app.setErrorHandler(
    (err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      const full = storageFullError(err);
      if (full !== undefined) {
        // The request's transaction was rolled back: nothing of it was stored. An operator
        // has to act; one line, no stack.
        request.log.error(
          { code: full.code, reason: String(full.message), db: runtime.dbPath },
          'storage full',
        );
        return sendError(
          reply,
          507,
          'STORAGE_FULL',
          'the storage is full: nothing of this request was stored; send it again once space has been freed',
        );
      }
      if (err instanceof EngineError && err.retriable) {
        // The log is unreachable or contended for now (ESDB_UNAVAILABLE, ESDB_CONTENDED, …): the
        // sender resends, and a resend of what did get appended is answered as duplicates.
        request.log.warn({ code: err.code }, 'request failed, retriable');
        void reply.header('retry-after', '1');
        return sendError(reply, 503, err.code, `${err.message}; send the request again`);
      }
      if (err instanceof EngineError && err.code === 'ASOF_OUT_OF_MEMORY') {
        // An operator's setting (CHANPERF_ASOF_MAX_HEAP_MB), not a bug: say so, as the CLI does.
        request.log.error({ code: err.code }, err.message);
        return sendError(reply, 503, err.code, err.message);
      }
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err }, 'request failed');
        return sendError(reply, 500, 'INTERNAL', 'internal error');
      }
      // Fastify's own codes (FST_ERR_…) are its internals: the status's phrase says it instead.
      const own = err.code !== undefined && !err.code.startsWith('FST_') ? err.code : undefined;
      const code = err.validation !== undefined ? 'BAD_REQUEST' : (own ?? codeOfStatus(status));
      return sendError(reply, status, code, err.message.replace(/^FST_\w+: /, ''));
    },
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url}`),
  );
}
