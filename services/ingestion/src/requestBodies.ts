/**
 * How the ingestion routes read request bodies: UTF-8 JSON (an array of events, or a redrive's
 * corrected event) and NDJSON, never compressed, never nested deeper than {@link MAX_DEPTH}.
 * NDJSON lines that are not UTF-8 are rejected one by one, as the file reader does.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { normalizeLine } from '@chanperf/domain';
import { invalidUtf8Offset, lineInput, type RawInput } from '@chanperf/engine';
import { sendError, type App } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Deepest JSON nesting accepted in a JSON-array body; events nest 4 levels. */
export const MAX_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` (iterative: no stack to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const ACCEPTED_TYPES =
  'send application/json (an array of events) or application/x-ndjson (one event per line)';

/** An error the error handler answers with this status and code. */
function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

/**
 * A 415 unless every content coding of the request is `identity`: bodies are not decoded
 * (docs/decisions.md), and a compressed body read as JSON would only give confusing errors.
 */
export async function identityOnly(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const header = request.headers['content-encoding'] ?? '';
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return undefined;
  return sendError(
    reply,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Encoding ${codings.join(', ')} is not supported: send the body uncompressed (identity)`,
  );
}

/** POST /v1/events takes JSON or NDJSON, said before its body is read (none: the same 415). */
export async function eventsMediaType(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const header = request.headers['content-type'];
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType === 'application/x-ndjson') return undefined;
  return sendError(
    reply,
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    header === undefined || mediaType === ''
      ? `the request has no Content-Type: ${ACCEPTED_TYPES}`
      : `Content-Type ${mediaType} is not accepted: ${ACCEPTED_TYPES}`,
  );
}

/** NDJSON bodies, kept as bytes: their lines are cut and decoded one by one (`ndjsonInputs`). */
const ndjsonBodies = new WeakMap<FastifyRequest, { bytes: Buffer; utf8: boolean }>();

/**
 * The body parsers of the ingestion routes' scope. JSON bodies must be UTF-8: decoded with
 * replacement characters, two different eventIds could become one. Otherwise Fastify's own
 * parser (prototype poisoning refused). An NDJSON body is kept as its bytes, and the route
 * reads its lines with `ndjsonInputs` (its parsed body is then an empty string).
 */
export function installBodyParsers(app: App): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        httpError(400, 'INVALID_UTF8', `body is not valid UTF-8 (byte offset ${invalidUtf8Offset(bytes)})`),
        undefined,
      );
      return;
    }
    void json(request, bytes.toString('utf8'), done);
  });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    ndjsonBodies.set(request, { bytes, utf8: isUtf8(bytes) });
    done(null, '');
  });
}

/**
 * The lines of an NDJSON body (as kept by the parser above) as inputs: a BOM ignored on the
 * first line only, CRs dropped. Each line is decoded on its own (an LF byte is never inside a
 * multi-byte sequence), so a line of ASCII stays a one-byte string even when another line of
 * the body is not ASCII — decoded whole, one such line made every line two-byte, and JSON.parse
 * about a quarter slower on them. A body that is not all UTF-8 is read as the file reader reads
 * a file (`lineInput`): a line that is not UTF-8 is rejected, keeping its bytes.
 */
export function ndjsonInputs(request: FastifyRequest): RawInput[] {
  const body = ndjsonBodies.get(request);
  if (body === undefined) return [];
  const inputs: RawInput[] = [];
  const { bytes: all, utf8 } = body;
  let start = 0;
  while (start < all.length) {
    const nl = all.indexOf(0x0a, start);
    const end = nl < 0 ? all.length : nl;
    const bytes = all.subarray(start, end);
    const line = inputs.length + 1;
    inputs.push(
      utf8
        ? { text: normalizeLine(decodeUtf8(bytes), start === 0), source: 'http', line }
        : lineInput(bytes, start === 0, 'http', line),
    );
    start = end + 1;
  }
  return inputs;
}

/** Valid UTF-8 as a string: a one-byte string when it is all ASCII. */
function decodeUtf8(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}
