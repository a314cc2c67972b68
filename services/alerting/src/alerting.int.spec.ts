/**
 * The alerting service on real sockets (a node:http receiver on 127.0.0.1) and real SQLite
 * files: basic.ndjson goes through ingestion and projection, its alerts through alerting.
 * Every wait is a condition (a receiver call, a ledger state), never a sleep.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../../test/support/sharedSpec.js';
import type { Alert } from '@chanperf/domain';
import { createIngestion } from '@chanperf/ingestion';
import { startProjection, type ProjectionService } from '@chanperf/projection';
import { loadConfig, openRuntime, type Runtime } from '@chanperf/runtime';
import { startAlerting, verifySignature, type AlertingOptions, type AlertingService } from './index.js';
import { postAlert } from './webhook.js';

const EXPECTED = (
  JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as { alerts: Alert[] }
).alerts;
const IDS = EXPECTED.map((a) => a.id);
const SECRET = 'test-webhook-secret';

/** Fast retries: tiny delays, fixed jitter. */
const FAST: AlertingOptions = { initialDelayMs: 2, maxDelayMs: 10, random: () => 0.5, pollMs: 50 };

// ---------------------------------------------------------------------------------------------
// A webhook receiver that answers by policy and records every call.

interface Call {
  readonly alertId: string;
  readonly status: number;
  readonly signatureValid: boolean;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
}

type Policy = (alertId: string, callIndex: number) => number;

async function startReceiver(initial: Policy) {
  const calls: Call[] = [];
  const watchers: { check: () => boolean; resolve: () => void }[] = [];
  let policy = initial;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const alertId = (JSON.parse(raw) as { id: string }).id;
      const status = policy(alertId, calls.length);
      const header = req.headers['x-chanperf-signature'];
      calls.push({
        alertId,
        status,
        signatureValid: verifySignature(SECRET, raw, typeof header === 'string' ? header : undefined),
        headers: req.headers,
        raw,
      });
      res.writeHead(status).end();
      for (let i = watchers.length - 1; i >= 0; i--) {
        const w = watchers[i]!;
        if (w.check()) {
          watchers.splice(i, 1);
          w.resolve();
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const accepted = () => calls.filter((c) => c.status >= 200 && c.status < 300).map((c) => c.alertId);
  return {
    url: `http://127.0.0.1:${port}/hooks/chanperf`,
    calls,
    /** Ids answered 2xx, in the order they were answered. */
    accepted,
    setPolicy(next: Policy) {
      policy = next;
    },
    /** Resolves once `check` holds after a call (or now). */
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => watchers.push({ check, resolve }));
    },
    acceptedAll: (ids: readonly string[]) => () => ids.every((id) => accepted().includes(id)),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Runtimes on temp data dirs, with their log lines captured; everything is torn down after each test.

const teardown: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-alerting-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Node {
  readonly runtime: Runtime;
  readonly alerting: AlertingService;
  readonly logLines: Record<string, unknown>[];
  projection?: ProjectionService;
  /** Stops alerting (and projection), then closes the runtime: a clean process exit. */
  shutdown(): Promise<void>;
}

function open(dir: string, webhookUrl: string | undefined, options: AlertingOptions = FAST): Node {
  const env: NodeJS.ProcessEnv = { CHANPERF_DATA_DIR: dir };
  if (webhookUrl !== undefined)
    Object.assign(env, { CHANPERF_WEBHOOK_URL: webhookUrl, CHANPERF_WEBHOOK_SECRET: SECRET });
  const config = loadConfig(env);
  if (E.isLeft(config)) throw new Error(config.left);
  const logLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const runtime = openRuntime(config.right, logger);
  const alerting = startAlerting(runtime, options);
  let closed = false;
  const node: Node = {
    runtime,
    alerting,
    logLines,
    async shutdown() {
      if (closed) return;
      closed = true;
      await alerting.stop();
      await node.projection?.stop();
      runtime.close();
    },
  };
  teardown.push(() => node.shutdown());
  return node;
}

async function ingestBasic(node: Node): Promise<void> {
  node.projection = startProjection(node.runtime, { pollMs: 50 });
  const lines = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  await createIngestion(node.runtime).ingest(
    lines.map((text, i) => ({ text, source: 'basic.ndjson', line: i + 1 })),
  );
}

async function counter(
  node: Node,
  name: 'alertsDelivered' | 'webhookFailures',
  via?: string,
): Promise<number> {
  const { values } = await node.runtime.metrics[name].get();
  return values.filter((v) => via === undefined || v.labels.via === via).reduce((sum, v) => sum + v.value, 0);
}

const alertLines = (node: Node) => node.logLines.filter((l) => l.msg === 'alert raised');

// ---------------------------------------------------------------------------------------------

describe('alerting to a webhook', () => {
  it('given a receiver that fails its first two calls, then it gets every alert of basic.ndjson exactly once, in order, signed', async () => {
    const receiver = await startReceiver((_id, call) => (call < 2 ? 500 : 204));
    teardown.push(() => receiver.close());
    const node = open(tempDir(), receiver.url);
    await ingestBasic(node);
    await receiver.until(receiver.acceptedAll(IDS));
    await node.alerting.idle();

    expect(receiver.accepted()).toEqual(IDS);
    // The first alert took three attempts and held the others back meanwhile.
    expect(receiver.calls.slice(0, 3).map((c) => [c.alertId, c.status])).toEqual([
      [IDS[0], 500],
      [IDS[0], 500],
      [IDS[0], 204],
    ]);
    for (const call of receiver.calls) {
      expect(call.signatureValid).toBe(true);
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers['x-chanperf-alert-id']).toBe(call.alertId);
    }
    const bodies = receiver.calls.filter((c) => c.status === 204).map((c) => JSON.parse(c.raw) as Alert);
    expect(bodies).toEqual(EXPECTED);
    for (const body of bodies) expect(Object.keys(body).slice(0, 2)).toEqual(['id', 'kind']);

    expect(node.alerting.delivery(IDS[0]!)).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastError: 'HTTP 500',
    });
    expect(node.alerting.delivery(IDS[1]!)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastError: null,
    });
    expect(await counter(node, 'alertsDelivered', 'webhook')).toBe(IDS.length);
    expect(await counter(node, 'alertsDelivered', 'log')).toBe(IDS.length);
    expect(await counter(node, 'webhookFailures')).toBe(2);

    // One log line per alert: who, what, which month — no figures.
    expect(alertLines(node).map((l) => [l.alertId, l.kind, l.channelId, l.month])).toEqual(
      EXPECTED.map((a) => [a.id, a.kind, a.channelId, a.month]),
    );
    for (const line of alertLines(node)) expect(line).not.toHaveProperty('growthBps');
  });

  it('given a restart after the first alert is delivered, then the rest are delivered after it and none twice', async () => {
    const receiver = await startReceiver(() => 200);
    teardown.push(() => receiver.close());
    const dir = tempDir();

    const first = open(dir, receiver.url);
    await ingestBasic(first);
    await receiver.until(() => receiver.accepted().length >= 1);
    await first.shutdown();
    const beforeRestart = receiver.accepted();
    const callsBeforeRestart = receiver.calls.length;
    expect(beforeRestart.length).toBeGreaterThanOrEqual(1);
    expect(beforeRestart.length).toBeLessThan(IDS.length);

    const second = open(dir, receiver.url);
    await receiver.until(receiver.acceptedAll(IDS));
    await second.alerting.idle();

    expect(receiver.accepted()).toEqual(IDS);
    const afterRestart = receiver.calls.slice(callsBeforeRestart).map((c) => c.alertId);
    for (const id of beforeRestart) expect(afterRestart).not.toContain(id);
    // Logged once, by the process that first saw each alert.
    expect(alertLines(first).length + alertLines(second).length).toBe(IDS.length);
  });

  it('given a stop while an alert is failing, then after a restart that alert is delivered, then the others', async () => {
    const receiver = await startReceiver(() => 503);
    teardown.push(() => receiver.close());
    const dir = tempDir();

    const first = open(dir, receiver.url, { ...FAST, maxElapsedMs: 60_000 });
    await ingestBasic(first);
    await receiver.until(() => receiver.calls.length >= 3);
    await first.shutdown(); // does not wait for the 60 s budget
    expect(new Set(receiver.calls.map((c) => c.alertId))).toEqual(new Set([IDS[0]]));
    const attemptsBefore = receiver.calls.length;

    receiver.setPolicy(() => 204);
    const second = open(dir, receiver.url);
    const record = second.alerting.delivery(IDS[0]!);
    expect(record).toMatchObject({ status: 'pending', attempts: attemptsBefore, lastError: 'HTTP 503' });
    await receiver.until(receiver.acceptedAll(IDS));
    await second.alerting.idle();

    expect(receiver.accepted()).toEqual(IDS);
    expect(second.alerting.delivery(IDS[0]!)).toMatchObject({
      status: 'delivered',
      attempts: attemptsBefore + 1,
    });
  });

  it('given an alert the receiver always refuses, when its time budget is spent, then it is recorded failed and later alerts still go out', async () => {
    const receiver = await startReceiver((id) => (id === IDS[0] ? 500 : 202));
    teardown.push(() => receiver.close());
    const dir = tempDir();

    const first = open(dir, receiver.url, { ...FAST, maxElapsedMs: 30 });
    const failedWait = first.alerting.waitForAlert(IDS[0]!);
    await ingestBasic(first);
    const failed = await failedWait;
    expect(failed).toMatchObject({ status: 'failed', lastError: 'HTTP 500' });
    expect(failed.attempts).toBeGreaterThanOrEqual(1);
    await receiver.until(receiver.acceptedAll(IDS.slice(1)));
    await first.alerting.idle();

    expect(receiver.accepted()).toEqual(IDS.slice(1));
    const firstOther = receiver.calls.findIndex((c) => c.alertId !== IDS[0]);
    expect(receiver.calls.slice(0, firstOther).every((c) => c.alertId === IDS[0])).toBe(true);
    expect(firstOther).toBe(failed.attempts);
    expect(await counter(first, 'webhookFailures')).toBe(failed.attempts);
    await first.shutdown();

    // A given-up alert is a dead letter: a restart does not retry it, a redrive does.
    receiver.setPolicy(() => 204);
    const calls = receiver.calls.length;
    const second = open(dir, receiver.url);
    await second.alerting.idle();
    expect(receiver.calls.length).toBe(calls);
    expect(second.alerting.redriveFailed()).toBe(1);
    expect(await second.alerting.waitForAlert(IDS[0]!)).toMatchObject({ status: 'delivered' });
    expect(receiver.calls.slice(calls).map((c) => c.alertId)).toEqual([IDS[0]]);
  });

  it('given no webhook, then alerts are logged and recorded; when a webhook is configured later, they are sent to it', async () => {
    const dir = tempDir();
    const first = open(dir, undefined);
    await ingestBasic(first);
    await first.projection!.waitFor();
    await first.alerting.idle();
    expect(alertLines(first).map((l) => l.alertId)).toEqual(IDS);
    for (const id of IDS)
      expect(first.alerting.delivery(id)).toMatchObject({ status: 'logged', attempts: 0 });
    expect(await counter(first, 'alertsDelivered', 'log')).toBe(IDS.length);
    expect(await counter(first, 'alertsDelivered', 'webhook')).toBe(0);
    await first.shutdown();

    const receiver = await startReceiver(() => 204);
    teardown.push(() => receiver.close());
    const second = open(dir, receiver.url);
    await receiver.until(receiver.acceptedAll(IDS));
    await second.alerting.idle();
    expect(receiver.accepted()).toEqual(IDS);
    expect(alertLines(second)).toEqual([]);
  });

  it('given a read-model rebuild by another process (seqs restart, ids identical), then nothing is sent again', async () => {
    const receiver = await startReceiver(() => 204);
    teardown.push(() => receiver.close());
    const dir = tempDir();
    const node = open(dir, receiver.url);
    await ingestBasic(node);
    await receiver.until(receiver.acceptedAll(IDS));
    await node.projection!.stop();

    const rebuilder = open(dir, undefined);
    await rebuilder.alerting.stop(); // only rebuild in this one
    await rebuilder.runtime.store.readStore.reset();
    await rebuilder.runtime.runner.catchUp();
    expect((await rebuilder.runtime.store.readStore.alertLog(0, 100)).map((r) => r.alert.id)).toEqual(IDS);
    await rebuilder.shutdown();

    await node.alerting.idle();
    await node.shutdown();
    const fresh = open(dir, receiver.url);
    await fresh.alerting.idle();
    expect(receiver.accepted()).toEqual(IDS);
    expect(receiver.calls.length).toBe(IDS.length);
  });
});

describe('one webhook attempt on a real socket', () => {
  it('given nothing listening on the port, then it fails with the socket error', async () => {
    const receiver = await startReceiver(() => 204);
    const url = receiver.url;
    await receiver.close();
    const result = await postAlert({ url, secret: SECRET }, EXPECTED[0]!, { fetch, attemptTimeoutMs: 2000 });
    expect(result).toEqual({ ok: false, error: 'fetch failed: ECONNREFUSED' });
  });
});
