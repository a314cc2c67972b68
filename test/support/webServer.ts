/**
 * What the page's end-to-end tests (test/e2e/web*.spec.ts) share: the services composed on a
 * real socket (127.0.0.1, a free port) over a temporary data dir with the given API keys,
 * where screenshots go, and a few page helpers.
 *
 * Screenshots go to test/e2e/screenshots/ (linked from the READMEs) only when asked, with
 * UPDATE_SCREENSHOTS=1; otherwise to a temporary folder, so a test run leaves the work tree
 * as it found it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { registerIngestionRoutes } from '@chanperf/ingestion';
import { startProjection, type ProjectionService } from '@chanperf/projection';
import { registerQueryRoutes } from '@chanperf/query';
import { createHttpServer, loadConfig, openRuntime, type App, type Runtime } from '@chanperf/runtime';
import { registerWebRoutes } from '../../services/web/src/index.js';
import type { Locator, Page } from './headlessChromium.js';

// pino comes with the runtime package (the workspace root does not depend on it).
type Logger = Parameters<typeof openRuntime>[1];
const { pino } = createRequire(new URL('../../packages/runtime/package.json', import.meta.url))('pino') as {
  pino: (options: { level: string }) => Logger;
};

export interface ApiKey {
  readonly key: string;
  readonly role: 'admin' | 'analyst' | 'partner' | 'ingest';
  readonly channelId?: string;
}

export interface WebServer {
  readonly url: string;
  readonly runtime: Runtime;
  readonly projection: ProjectionService;
  /** POSTs NDJSON with `key` (expects 200) and waits until the projection has applied it. */
  post(body: string, key: string): Promise<void>;
  /** A second server on the same runtime: query routes and the page only. */
  alsoServeQueryAndPage(): Promise<string>;
  close(): Promise<void>;
}

/** Composes ingestion, projection, query and the page on 127.0.0.1 over a temporary data dir. */
export async function startWebServer(keys: readonly ApiKey[]): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-web-'));
  const config = loadConfig({ CHANPERF_DATA_DIR: dir, CHANPERF_API_KEYS: JSON.stringify(keys) });
  if (config._tag === 'Left') throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const projection = startProjection(runtime, { pollMs: 50 });
  const apps: App[] = [];
  const serve = async (withIngestion: boolean): Promise<string> => {
    const app = await createHttpServer(runtime, { ready: () => Promise.resolve(projection.ready()) });
    apps.push(app);
    if (withIngestion) await registerIngestionRoutes(app, runtime);
    await registerQueryRoutes(app, runtime, { heartbeatMs: 1000 });
    await registerWebRoutes(app, runtime);
    return app.listen({ host: '127.0.0.1', port: 0 });
  };
  const url = await serve(true);
  return {
    url,
    runtime,
    projection,
    async post(body, key) {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
        body,
      });
      expect(res.status).toBe(200);
      await projection.waitFor();
    },
    alsoServeQueryAndPage: () => serve(false),
    async close() {
      for (const app of apps.reverse()) await app.close();
      await projection.stop();
      runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Where screenshots go: the README's folder with UPDATE_SCREENSHOTS=1, else a temporary one. */
export function screenshotsDir(): { dir: string; cleanUp: () => void } {
  const keep = process.env.UPDATE_SCREENSHOTS === '1';
  const dir = keep
    ? fileURLToPath(new URL('../e2e/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'chanperf-screenshots-'));
  mkdirSync(dir, { recursive: true });
  return { dir, cleanUp: () => (keep ? undefined : rmSync(dir, { recursive: true, force: true })) };
}

export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, name), fullPage: true, animations: 'disabled' });
}

export async function signIn(page: Page, key: string, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('#api-key', key);
  await page.click('#login-form button[type="submit"]');
}

/** One attribute of every element a locator matches, in document order. */
export async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  const values: (string | null)[] = [];
  for (const el of await locator.all()) values.push(await el.getAttribute(name));
  return values;
}
