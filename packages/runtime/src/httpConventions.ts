/**
 * What every route gets without saying so: an OpenAPI operation id and documented 4XX answers
 * (derived from the route when it declares none), `ETag`/`304 Not Modified` on reads that carry
 * the log position they reflect, and compression of large answers (gzip or brotli, as the
 * client asks). Tested in httpConventions.int.spec.ts; the whole document is linted there by
 * Redocly's recommended rules.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { App } from './http.js';
import { z } from 'zod';
import { errorSchema, sendError } from './httpErrors.js';

/** The header every read route sets: the log position its answer reflects. */
const POSITION_HEADER = 'x-chanperf-position';

/**
 * `GET /v1/channels/:id/months/:month` → `getChannelsByIdMonthsByMonth`: the method, then each
 * path segment (`v1` dropped) in camel case, parameters as `By<Name>`.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((s) => s !== '' && s !== 'v1')
    .flatMap((s) => (s.startsWith(':') ? ['by', s.slice(1)] : s.split(/[^A-Za-z0-9]+/)))
    .filter((w) => w !== '');
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

/** The 4XX a route may answer, by what it declares: input to validate, a key to check. */
function clientErrors(route: { method: string | string[]; schema?: object; config?: object }): number[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const roles = (route.config as { roles?: unknown } | undefined)?.roles;
  const codes = new Set<number>();
  if (schema.params !== undefined || schema.querystring !== undefined || schema.body !== undefined)
    codes.add(400);
  if (roles !== undefined) {
    codes.add(401);
    codes.add(403);
  }
  if (schema.params !== undefined) codes.add(404);
  if (schema.body !== undefined) {
    codes.add(413);
    codes.add(415);
  }
  if (route.method === 'GET') codes.add(406);
  if (codes.size === 0) codes.add(404);
  return [...codes].sort((a, b) => a - b);
}

/** Every error answer, as the OpenAPI document states it: problem details (httpErrors.ts). */
const problemResponse = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: z.toJSONSchema(errorSchema, { target: 'openapi-3.0' }) } },
};

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/**
 * The OpenAPI transform: zod → JSON Schema (fastify-type-provider-zod), then an operation id
 * and the route's 4XX answers where the route states none of its own.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Record<string, unknown>;
  const method = Array.isArray(input.route.method) ? (input.route.method[0] ?? 'GET') : input.route.method;
  schema.operationId ??= operationIdOf(method, out.url);
  const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
  for (const code of clientErrors(input.route)) response[String(code)] ??= problemResponse;
  // Every error goes through sendError: whatever a route declared for it, it is a problem document.
  for (const code of Object.keys(response)) if (Number(code) >= 400) response[code] = problemResponse;
  schema.response = response;
  return out;
}

/** The variant of a URL's answer that a request sees: who asks (partners see their own) and in what format. */
function variantOf(request: FastifyRequest): string {
  const p = (request as { principal?: { role: string; channelId?: string } | null }).principal;
  const who = p === null || p === undefined ? '' : `${p.role}:${p.channelId ?? ''}`;
  return createHash('sha256')
    .update(`${request.url}\u0000${request.headers.accept ?? ''}\u0000${who}`)
    .digest('base64url')
    .slice(0, 16);
}

/** Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

/**
 * `ETag` on every 200 GET that says its log position: the position and the request's variant
 * (path and query, Accept, who asks). The answer cannot change until the log moves, so a client
 * sending it back in `If-None-Match` gets `304` and no body.
 */
function installEtags(app: App): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200) return payload;
    const position = reply.getHeader(POSITION_HEADER);
    if (position === undefined) return payload;
    const etag = `W/"${String(position)}-${variantOf(request)}"`;
    void reply.header('etag', etag);
    if (!matches(request.headers['if-none-match'], etag)) return payload;
    void reply.code(304);
    reply.removeHeader('content-length');
    return '';
  });
}

/** The media types a route's 200 answers in: its `content` keys, else JSON; undefined when it declares none. */
function producedTypes(schema: unknown): string[] | undefined {
  const s = schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
  const ok = s?.hide === true ? undefined : s?.response?.['200'];
  if (ok === undefined) return undefined;
  const content =
    typeof ok === 'object' && ok !== null && !('_zod' in ok)
      ? (ok as { content?: object }).content
      : undefined;
  return content === undefined ? ['application/json'] : Object.keys(content);
}

/** Whether an `Accept` header admits one of `types` (a range with q=0 admits nothing). */
export function acceptable(accept: string | undefined, types: readonly string[]): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const [range = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    const [type, sub] = range.split('/');
    return types.some((t) => {
      const [tt, ts] = t.split('/');
      return (type === '*' && sub === '*') || (type === tt && (sub === '*' || sub === ts));
    });
  });
}

/** 406 when the request's `Accept` admits none of the types the route answers in. */
function installNotAcceptable(app: App): void {
  app.addHook('onRequest', async (request, reply) => {
    const types = producedTypes(request.routeOptions.schema);
    if (types === undefined || acceptable(request.headers.accept, types)) return;
    return sendError(reply, 406, 'NOT_ACCEPTABLE', `this route answers ${types.join(' or ')}`);
  });
}

/** Installs the conventions above (before the routes are registered). */
export async function installHttpConventions(app: App): Promise<void> {
  installNotAcceptable(app);
  installEtags(app); // before compression: a 304 has no body to compress
  // Reads only: a write's answer (POST /v1/events: a result per line) compressed on the write
  // path cost HTTP ingest 12 % (bench:ab, 4 alternated rounds) for a client on the same
  // network. Set before the plugin's own onRoute hook reads it.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('GET')) (route as { compress?: false }).compress ??= false;
  });
  // Read answers over 1 KiB, brotli or gzip as the client prefers; brotli at quality 4 (its default,
  // 11, took longer than the 1 MB report it compressed saves on a LAN). The live stream is not
  // compressed (its facts must not wait in a compressor's buffer).
  await app.register(compress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    customTypes: /^(application\/(json|x-ndjson|problem\+json)|text\/(csv|html|css|javascript))/,
  });
}
