/**
 * `chanperf serve` as a process: alerts reach a webhook exactly once by id, signed, even when
 * the receiver fails at first and the server is SIGKILLed between alerts and restarted.
 *
 * The kill is placed deterministically: the receiver accepts the first alert, then parks the
 * next request without answering; the test kills the server once that first delivery is in the
 * ledger and the second is parked. (A kill in the window after a receiver's 2xx and before the
 * ledger write re-sends that alert with the same `X-Chanperf-Alert-Id`, documented at-least-once
 * behaviour covered in services/alerting; it is not what this test measures.)
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '@chanperf/testing';
import { serveAsync } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const SECRET = 'webhook-secret-for-tests';
const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').trimEnd().split('\n');
const expectedIds = (
  JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as { alerts: { id: string }[] }
).alerts.map((a) => a.id);

interface Receiver {
  url: string;
  calls: number;
  accepted: Map<string, number>;
  badSignatures: number;
  /** Requests parked unanswered while `hold` is on. */
  parked: number;
  /** While true, requests after the first two failures are parked instead of accepted. */
  hold: boolean;
  /** Turns `hold` on once this many alerts have been accepted. */
  holdAfter: number;
  waitFor(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

/**
 * A webhook receiver that fails its first two calls, then accepts and counts by alert id; once
 * `hold` is set it parks requests without answering (their sockets die with the server).
 */
async function receiver(): Promise<Receiver> {
  const waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  const state = {
    calls: 0,
    accepted: new Map<string, number>(),
    badSignatures: 0,
    parked: 0,
    hold: false,
    holdAfter: Infinity,
  };
  const notify = () => {
    for (const w of [...waiters]) {
      if (w.predicate()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.calls++;
      if (state.calls <= 2) {
        res.writeHead(500).end();
        return;
      }
      if (state.hold) {
        state.parked++;
        notify();
        return;
      }
      const body = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      if (req.headers['x-chanperf-signature'] !== expected) state.badSignatures++;
      const id = (JSON.parse(body.toString('utf8')) as { id: string }).id;
      state.accepted.set(id, (state.accepted.get(id) ?? 0) + 1);
      if ([...state.accepted.values()].reduce((a, b) => a + b, 0) >= state.holdAfter) state.hold = true;
      res.writeHead(204).end();
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get calls() {
      return state.calls;
    },
    accepted: state.accepted,
    get badSignatures() {
      return state.badSignatures;
    },
    get parked() {
      return state.parked;
    },
    get hold() {
      return state.hold;
    },
    set hold(value: boolean) {
      state.hold = value;
    },
    get holdAfter() {
      return state.holdAfter;
    },
    set holdAfter(value: number) {
      state.holdAfter = value;
    },
    waitFor(predicate) {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function deliveredCount(db: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return conn
      .prepare(`SELECT COUNT(*) FROM alert_deliveries WHERE status = 'delivered'`)
      .pluck()
      .get() as number;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

/** Re-checks `condition` every 20 ms; fails, saying `what`, once `timeoutMs` has passed. */
const until = (what: string, condition: () => boolean, timeoutMs = 30_000) =>
  waitUntil(what, condition, timeoutMs, 20);

let dir: string;
let hook: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-serve-'));
  hook = await receiver();
});

afterAll(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('chanperf serve: alerts to a webhook across a SIGKILL', () => {
  it('delivers every alert of basic.ndjson exactly once by id, signed', async () => {
    const env = {
      CHANPERF_DATA_DIR: dir,
      CHANPERF_HTTP_PORT: '0',
      CHANPERF_WEBHOOK_URL: hook.url,
      CHANPERF_WEBHOOK_SECRET: SECRET,
      CHANPERF_LOG_LEVEL: 'warn',
    };
    const post = (url: string, lines: string[]) =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines.join('\n'),
      });

    // Up to close-02: two alerts (CH-B and CH-C missed February). The first is delivered and
    // recorded; the second is in flight, parked by the receiver, when the server is killed.
    hook.holdAfter = 1;
    const first = serveAsync([], env);
    const url1 = await first.url;
    expect((await post(url1, basic.slice(0, 27))).status).toBe(200);
    await hook.waitFor(() => hook.parked >= 1);
    await until('the first alert recorded delivered', () => deliveredCount(join(dir, 'chanperf.db')) >= 1);
    expect(deliveredCount(join(dir, 'chanperf.db'))).toBe(1);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    // The rest after a restart: the retraction and the March miss, plus the parked one.
    expect(hook.accepted.size).toBe(1);
    hook.hold = false;
    hook.holdAfter = Infinity;
    const second = serveAsync([], env);
    const url2 = await second.url;
    expect((await post(url2, basic.slice(27))).status).toBe(200);
    await hook.waitFor(() => expectedIds.every((id) => hook.accepted.has(id)));
    await until(
      'every alert recorded delivered',
      () => deliveredCount(join(dir, 'chanperf.db')) === expectedIds.length,
    );
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));

    expect(hook.calls).toBeGreaterThanOrEqual(expectedIds.length + 2);
    expect(hook.badSignatures).toBe(0);
    expect([...hook.accepted.keys()].sort()).toEqual([...expectedIds].sort());
    for (const id of expectedIds) expect(hook.accepted.get(id)).toBe(1);
  }, 60_000);
});
