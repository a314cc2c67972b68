/**
 * The analysts' page: plain HTML, CSS and JavaScript modules under `public/`, served as they
 * are (no build step at run time, nothing fetched from another origin). The page at `/` asks
 * for an API key and reads everything else from the query API with it, so serving the page
 * itself needs no key and reveals no figure.
 *
 * Assets are read once at registration and served from memory under `/assets/…` with a strong
 * ETag; only files that exist under `public/` at start-up are routes, so a request path can
 * never reach outside it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendError, type App, type Runtime } from '@chanperf/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where the page's files live: beside `src/` and `dist/`, so both the sources and the build find it. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page runs only its own scripts and styles and talks only to its own origin. Styles set
 * through the CSSOM (`element.style.x = …`) are allowed by `style-src 'self'`; inline
 * `<script>`, `style="…"` attributes and `eval` are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export interface WebOptions {
  /** Directory holding `index.html` and the assets (default: this package's `public/`). */
  readonly publicDir?: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Every servable file under `dir`, keyed by its `/`-separated path relative to `dir`. */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of walk(dir)) {
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
    if (contentType === undefined) continue;
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(relative(dir, file).split(sep).join('/'), { body, contentType, etag });
  }
  return assets;
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: Asset,
  extra: Readonly<Record<string, string>> = {},
): FastifyReply {
  void reply
    .headers(extra)
    .header('content-type', asset.contentType)
    .header('etag', asset.etag)
    // Revalidate every time: a redeploy must never leave a stale module beside a fresh one.
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.send(asset.body);
}

/**
 * Serves the page at `/` and its files at `/assets/<path>`. Public routes (no key): the page
 * holds no data; every figure it shows comes from the key-protected API.
 */
export function registerWebRoutes(
  app: App,
  runtime: Pick<Runtime, 'logger'>,
  options: WebOptions = {},
): Promise<void> {
  const dir = options.publicDir ?? PUBLIC_DIR;
  const assets = loadAssets(dir);
  const index = assets.get('index.html');
  if (index === undefined) throw new Error(`web: no index.html in ${dir}`);
  runtime.logger.child({ service: 'web' }).debug({ assets: assets.size }, 'web page assets loaded');

  app.get('/', { schema: { hide: true } }, (request, reply) =>
    send(request, reply, index, {
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
    }),
  );

  app.get('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const path = (request.params as { '*'?: string })['*'] ?? '';
    const asset = path === 'index.html' ? undefined : assets.get(path);
    if (asset === undefined) {
      return sendError(reply, 404, 'NOT_FOUND', `no asset ${path}`);
    }
    return send(request, reply, asset);
  });
  return Promise.resolve();
}
