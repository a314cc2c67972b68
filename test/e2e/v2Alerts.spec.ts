/**
 * (v2) The four v2 alert kinds through `chanperf` as processes, like the v1 alerts: the replay
 * raises the hand-checked alerts of test/support/v2AlertStream.ts; `serve` sends each to a
 * webhook exactly once by id, signed and conforming to its schema, across a SIGKILL placed
 * between v2 alerts; `GET /v1/alerts` lists each once; `GET /v1/live` streams them as
 * AlertRaised facts. Every wait is a condition, never a sleep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '@chanperf/domain';
import { chanperf, serveAsync } from '../support/cli.js';
import {
  V2_ALERT_LINES,
  V2_EXPECTED_ALERTS,
  V2_EXPECTED_IDS,
  V2_KINDS,
  V2_RESTART_AT,
  v2SchemaProblem,
} from '../support/v2AlertStream.js';
import { startWebhookReceiver } from '../support/webhookReceiver.js';

const SECRET = 'v2-alerts-webhook-secret';

const teardown: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-v2-alerts-'));
  teardown.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Reads `GET /v1/live` and keeps the alerts of its AlertRaised facts; `connected` resolves once
 * the stream is open (facts projected from then on are seen). The stream ends with its server.
 */
async function liveAlerts(url: string) {
  const alerts: Alert[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/live`, { signal: abort.signal });
  expect(res.status).toBe(200);
  let connected!: () => void;
  const isConnected = new Promise<void>((resolve) => (connected = resolve));
  const read = async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        if (event.includes(': connected')) connected();
        const data = event.find((l) => l.startsWith('data: '));
        if (event.includes('event: AlertRaised') && data !== undefined)
          alerts.push((JSON.parse(data.slice(6)) as { alert: Alert }).alert);
      }
      for (const w of [...waiters]) if (w.check()) w.resolve();
    }
  };
  const done = read().catch(() => undefined); // a killed server ends the stream with an error
  teardown.push(async () => {
    abort.abort();
    await done;
  });
  await isConnected;
  return {
    alerts,
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ check, resolve }));
    },
  };
}

const post = (url: string, lines: readonly string[]) =>
  fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  });

/** `chanperf_alerts_delivered_total{via="webhook"}` of a running server. */
async function deliveredToWebhook(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^chanperf_alerts_delivered_total\{via="webhook"\} (\d+)$/m.exec(text);
  return Number(m?.[1] ?? 0);
}

/** The `alert raised` lines a server writes to stderr (pino JSON), collected as they come. */
type LogLine = Record<string, unknown> & { readonly alertId: string };
function alertLogLines(child: ReturnType<typeof serveAsync>['child']): LogLine[] {
  const lines: LogLine[] = [];
  let buffer = '';
  child.stderr.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as LogLine;
      if (line.msg === 'alert raised') lines.push(line);
    }
  });
  return lines;
}

/**
 * Sends `signal` to a running server and waits until it is gone and its stderr is drained
 * (`close`, not `exit`, so every log line it wrote has been read); a no-op once it has exited.
 */
async function stopped(child: ReturnType<typeof serveAsync>['child'], signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill(signal);
  await closed;
}

describe('v2 alerts through chanperf', () => {
  it('given the v2 alert stream, when replayed, then the engine raises the hand-checked alerts, each v2 kind at least once', () => {
    const file = join(tempDir(), 'v2-alerts.ndjson');
    writeFileSync(file, V2_ALERT_LINES.join('\n') + '\n');
    const run = chanperf(['replay', file]);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { alerts: Alert[]; counts: { rejected: number } };
    expect(report.counts.rejected).toBe(0);
    expect(report.alerts).toEqual(V2_EXPECTED_ALERTS);
    expect(new Set(report.alerts.map((a) => a.kind))).toEqual(new Set(['GROWTH_TARGET_MISSED', ...V2_KINDS]));
    for (const alert of report.alerts.filter((a) => V2_KINDS.includes(a.kind as never)))
      expect(v2SchemaProblem(alert), alert.id).toBeUndefined();
    // The check itself bites: an extra field, a missing one, or `kind` not second is a problem.
    const [, inactive] = V2_EXPECTED_ALERTS;
    expect(v2SchemaProblem({ ...inactive, note: 'extra' })).toBeDefined();
    expect(v2SchemaProblem({ ...inactive, lastSaleMonth: undefined })).toBeDefined();
    expect(v2SchemaProblem({ kind: inactive?.kind, ...inactive })).toBeDefined();
  });

  it('given serve SIGKILLed between v2 alerts, then the webhook gets each once by id, signed, schema-valid; the alert log and the live stream have each', async () => {
    // Accepts the first two alerts (the v1 miss and CHANNEL_INACTIVE), parks the third
    // (TARGET_BEHIND/1) while the first server is alive, and accepts everything afterwards.
    let parking = true;
    const receiver = await startWebhookReceiver(SECRET, (_id, call) => (parking && call >= 2 ? 'park' : 204));
    teardown.push(() => receiver.close());
    const env = {
      CHANPERF_DATA_DIR: tempDir(),
      CHANPERF_HTTP_PORT: '0',
      CHANPERF_WEBHOOK_URL: receiver.url,
      CHANPERF_WEBHOOK_SECRET: SECRET,
      CHANPERF_LOG_LEVEL: 'info',
    };

    const first = serveAsync([], env);
    const logged1 = alertLogLines(first.child);
    teardown.push(() => stopped(first.child, 'SIGKILL'));
    const url1 = await first.url;
    const live1 = await liveAlerts(url1);
    expect((await post(url1, V2_ALERT_LINES.slice(0, V2_RESTART_AT))).status).toBe(200);
    await receiver.until(() => receiver.parked() >= 1);
    await live1.until(() => live1.alerts.length >= 3);
    // Deliveries go one at a time: the third was sent only after the second was recorded.
    expect(await deliveredToWebhook(url1)).toBe(2);
    await stopped(first.child, 'SIGKILL');
    const acceptedBeforeKill = receiver.accepted().map((c) => c.alertId);
    expect(acceptedBeforeKill).toEqual(V2_EXPECTED_IDS.slice(0, 2));

    parking = false;
    const second = serveAsync([], env);
    const logged2 = alertLogLines(second.child);
    teardown.push(() => stopped(second.child, 'SIGTERM'));
    const url2 = await second.url;
    const live2 = await liveAlerts(url2);
    expect((await post(url2, V2_ALERT_LINES.slice(V2_RESTART_AT))).status).toBe(200);
    await receiver.until(() => V2_EXPECTED_IDS.every((id) => receiver.acceptedCounts().has(id)));
    await live2.until(() => live2.alerts.length >= 3);

    // The webhook: every alert once by id (the parked one re-sent after the restart), in order.
    expect(Object.fromEntries(receiver.acceptedCounts())).toEqual(
      Object.fromEntries(V2_EXPECTED_IDS.map((id) => [id, 1])),
    );
    const accepted = receiver.accepted();
    expect(accepted.map((c) => c.alertId)).toEqual(V2_EXPECTED_IDS);
    for (const call of receiver.calls) {
      expect(call.signatureValid, call.alertId).toBe(true);
      expect(call.headers['x-chanperf-alert-id']).toBe(call.alertId);
      expect(call.headers['webhook-id']).toBe(call.alertId);
    }
    expect(accepted.map((c) => JSON.parse(c.raw) as Alert)).toEqual(V2_EXPECTED_ALERTS);
    const v2Bodies = accepted
      .map((c) => JSON.parse(c.raw) as Alert)
      .filter((a) => V2_KINDS.includes(a.kind as never));
    expect(v2Bodies).toHaveLength(5);
    for (const body of v2Bodies) expect(v2SchemaProblem(body), body.id).toBeUndefined();

    // The alert log: each once, in the order raised, with its figures.
    const log = (await (await fetch(`${url2}/v1/alerts`)).json()) as {
      alerts: { seq: number; alert: Alert }[];
    };
    expect(log.alerts.map((e) => e.alert)).toEqual(V2_EXPECTED_ALERTS);
    expect(log.alerts.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    await stopped(second.child, 'SIGTERM'); // every line it logged is read once it has closed

    // The log: one line per alert, by the process that raised it — who, what, which month, no figures.
    expect(logged1.map((l) => l.alertId)).toEqual(V2_EXPECTED_IDS.slice(0, 3));
    expect(logged2.map((l) => l.alertId)).toEqual(V2_EXPECTED_IDS.slice(3));
    for (const line of [...logged1, ...logged2]) {
      const alert = V2_EXPECTED_ALERTS.find((a) => a.id === line.alertId)!;
      expect(line).toMatchObject({ kind: alert.kind, channelId: alert.channelId, month: alert.month });
      for (const figure of ['cumulativeNet', 'cumulativeTarget', 'idleMonths', 'lastSaleMonth', 'growthBps'])
        expect(line, `${line.alertId} logs ${figure}`).not.toHaveProperty(figure);
    }

    // The live stream: alerts 1–3 from the first server, 4–6 from the second; all four v2 kinds.
    expect([...live1.alerts, ...live2.alerts]).toEqual(V2_EXPECTED_ALERTS);
    expect(new Set(live1.alerts.concat(live2.alerts).map((a) => a.kind))).toEqual(
      new Set(['GROWTH_TARGET_MISSED', ...V2_KINDS]),
    );
  }, 60_000);
});
