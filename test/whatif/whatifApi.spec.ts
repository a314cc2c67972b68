/**
 * `POST /v1/whatif` (issue 18) over the generated log of whatifFixture.ts: the same figures as
 * `chanperf whatif --format json`; 403 for a partner key; 422 for a program ingestion would
 * reject; 503 while a run is going (the first run is held on a gate in its log reads, never a
 * sleep); and a run over its time or heap bound answers 503 with the bound in its message, its
 * worker gone. It is in the OpenAPI document. `GET /v1/program/current` gives the program the page starts from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Feed, WhatIfResult } from '@chanperf/engine';
import { createHttpServer, loadConfig, openRuntime, type App, type Runtime } from '@chanperf/runtime';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueryRoutes } from '../../services/query/src/index.js';
import type { WhatIfRouteOptions } from '../../services/query/src/routes/whatif.js';
import { chanperf } from '../support/cli.js';
import { databaseChecksum, generatedLog, type GeneratedLog } from './whatifFixture.js';

const ANALYST = 'analyst-key-whatif-0123';
const PARTNER = 'partner-key-whatif-0123';
const API_KEYS = JSON.stringify([
  { key: ANALYST, role: 'analyst' },
  { key: PARTNER, role: 'partner', channelId: 'P0001' },
]);

/** A gate the test opens: reads of the log wait on it while it is shut. */
class Gate {
  private opened: Promise<void> = Promise.resolve();
  private openIt: () => void = () => undefined;
  /** Resolves when a read arrives at the shut gate. */
  private arrivedIt: () => void = () => undefined;
  arrived: Promise<void> = Promise.resolve();
  shut(): void {
    this.opened = new Promise((resolve) => (this.openIt = resolve));
    this.arrived = new Promise((resolve) => (this.arrivedIt = resolve));
  }
  open(): void {
    this.openIt();
  }
  feed(log: Feed & { head(): Promise<number> }): Feed & { head(): Promise<number> } {
    return {
      head: () => log.head(),
      read: async (after, limit) => {
        this.arrivedIt();
        await this.opened;
        return log.read(after, limit);
      },
    };
  }
}

let log: GeneratedLog;
const opened: { app: App; runtime: Runtime }[] = [];

beforeAll(async () => {
  log = await generatedLog(16, 5);
});
afterAll(async () => {
  for (const { app, runtime } of opened) {
    await app.close();
    runtime.close();
  }
  log.remove();
});

/** The query service over the generated log, its what-if runs configured by `whatIf(runtime)`. */
async function service(whatIf: (runtime: Runtime) => WhatIfRouteOptions = () => ({})): Promise<App> {
  const config = loadConfig({ CHANPERF_DATA_DIR: log.dir, CHANPERF_API_KEYS: API_KEYS });
  if (config._tag === 'Left') throw new Error(config.left);
  const runtime = openRuntime(config.right, pino({ level: 'silent' }));
  const app = await createHttpServer(runtime, { ready: () => Promise.resolve(true) });
  await registerQueryRoutes(app, runtime, { whatIf: whatIf(runtime) });
  opened.push({ app, runtime });
  return app;
}

const post = (app: App, body: object, key = ANALYST) =>
  app.inject({
    method: 'POST',
    url: '/v1/whatif',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('POST /v1/whatif', () => {
  it('answers the figures of chanperf whatif --format json, and writes nothing', async () => {
    const app = await service();
    const current = await app.inject({
      method: 'GET',
      url: '/v1/program/current',
      headers: { authorization: `Bearer ${ANALYST}` },
    });
    expect(current.statusCode).toBe(200);
    // The payload that published it, amounts with the currency's minor digits as every amount the API answers.
    const cents = (amount: unknown) => Number(amount).toFixed(2);
    const revision = log.revision as {
      tiers: { minTrailingNet: string }[];
      volumeRebate: { minQuarterNet: string }[];
    };
    expect(current.json()).toEqual({
      ...revision,
      tiers: revision.tiers.map((t) => ({ ...t, minTrailingNet: cents(t.minTrailingNet) })),
      volumeRebate: revision.volumeRebate.map((b) => ({ ...b, minQuarterNet: cents(b.minQuarterNet) })),
    });

    const proposed = { ...log.revision, growthTargetBps: 1500, growthBonusBps: 150 };
    const before = databaseChecksum(log.db);
    const res = await post(app, { program: proposed, from: '2026-05' });
    expect(res.statusCode, res.body).toBe(200);
    const file = join(log.dir, 'api-proposed.json');
    writeFileSync(file, JSON.stringify(proposed));
    const cli = chanperf([
      'whatif',
      '--db',
      log.db,
      '--program',
      file,
      '--from',
      '2026-05',
      '--format',
      'json',
    ]);
    expect(cli.status, cli.stderr).toBe(0);
    const result = res.json<WhatIfResult>();
    expect(result).toEqual(JSON.parse(cli.stdout));
    expect(result.from).toBe('2026-05');
    expect(result.total.delta.total).not.toBe('0.00');
    expect(databaseChecksum(log.db)).toBe(before);
  });

  it('is in the OpenAPI document with its body, its answer and its problems', async () => {
    const app = await service();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<
        string,
        Record<string, { operationId: string; requestBody?: unknown; responses: object }>
      >;
    }>();
    const op = doc.paths['/v1/whatif']?.post;
    expect(op?.operationId).toBe('postWhatif');
    expect(op?.requestBody).toBeDefined();
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '403', '422', '503']));
    expect(doc.paths['/v1/program/current']?.get?.operationId).toBe('getProgramCurrent');
  });

  it('answers 403 to a partner key and 422 to a program ingestion would reject', async () => {
    const app = await service();
    const partner = await post(app, { program: log.revision }, PARTNER);
    expect(partner.statusCode).toBe(403);
    const bad = await post(app, { program: { ...log.revision, tiers: [] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({
      status: 422,
      code: 'SCHEMA_VIOLATION',
      error: {
        code: 'SCHEMA_VIOLATION',
        message: expect.stringMatching(/^the proposed program: tiers: /) as string,
      },
    });
  });

  it('answers 503 while a run is going, then runs again', async () => {
    const gate = new Gate();
    const app = await service((runtime) => ({ feed: gate.feed(runtime.store.log) }));
    gate.shut();
    const first = post(app, { program: log.revision });
    await gate.arrived; // the first run's worker is reading the log
    const second = await post(app, { program: log.revision });
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('5');
    expect(second.json()).toMatchObject({ code: 'WHATIF_BUSY' });
    gate.open();
    expect((await first).statusCode).toBe(200);
    expect((await post(app, { program: log.revision })).statusCode).toBe(200);
  });

  it('stops a run over its heap bound: 503 naming the bound, and the worker is gone', async () => {
    const workers: Worker[] = [];
    // 2 MB of old generation: the worker cannot even load the engine within it.
    const app = await service(() => ({ maxHeapMb: 2, started: (w) => workers.push(w) }));
    const res = await post(app, { program: log.revision });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'WHATIF_OUT_OF_MEMORY',
      detail: 'the what-if run needed more than 2 MB of heap (CHANPERF_WHATIF_MAX_HEAP_MB) and was stopped',
    });
    expect(workers[0]?.threadId).toBe(-1);
  });

  it('stops a run over its time bound: 503 naming the bound, and the worker is gone', async () => {
    const gate = new Gate();
    const workers: Worker[] = [];
    const app = await service((runtime) => ({
      feed: gate.feed(runtime.store.log),
      timeoutMs: 300,
      started: (w) => workers.push(w),
    }));
    gate.shut(); // never opened: the run cannot finish within its bound
    const res = await post(app, { program: log.revision });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'WHATIF_TIMED_OUT',
      detail: 'the what-if run took longer than 300 ms (CHANPERF_WHATIF_TIMEOUT_MS) and was stopped',
    });
    expect(workers).toHaveLength(1);
    expect(workers[0]?.threadId).toBe(-1);
    gate.open();
  });
});
