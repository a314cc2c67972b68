/**
 * A webhook receiver on 127.0.0.1 (a free port) for suites that send alerts to it: it answers
 * each call by a policy — an HTTP status, or `park` to hold the request unanswered (its socket
 * dies with the sender) — records every call with its body and whether its signature verifies,
 * and lets a test wait for a condition on the calls instead of sleeping. Both signatures are
 * checked here from their definitions (README, services/alerting/src/webhook.ts), not with the
 * sender's own helpers: `X-Chanperf-Signature` and Standard Webhooks' `webhook-signature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver does with a call: answer with that status, or hold it unanswered. */
export type Answer = number | 'park';
export type Policy = (alertId: string, callIndex: number) => Answer;

export interface Call {
  readonly alertId: string;
  readonly answer: Answer;
  /** Both signatures verify under the receiver's secret (a plain, non-`whsec_` one). */
  readonly signatureValid: boolean;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent. */
  readonly raw: string;
}

const same = (given: string, expected: string) =>
  given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text);

/**
 * `X-Chanperf-Signature: sha256=<hex HMAC(secret, body)>` and `webhook-signature:
 * v1,<base64 HMAC(secret, "${webhook-id}.${webhook-timestamp}.${body}")>`, both present and right.
 */
function signaturesValid(secret: string, raw: string, headers: IncomingHttpHeaders): boolean {
  const { 'x-chanperf-signature': legacy, 'webhook-id': id, 'webhook-timestamp': at } = headers;
  const standard = headers['webhook-signature'];
  if (typeof legacy !== 'string' || typeof standard !== 'string') return false;
  if (typeof id !== 'string' || typeof at !== 'string') return false;
  const expected = `v1,${hmac(secret, `${id}.${at}.${raw}`).digest('base64')}`;
  return (
    same(legacy, `sha256=${hmac(secret, raw).digest('hex')}`) &&
    standard.split(' ').some((entry) => same(entry, expected))
  );
}

export async function startWebhookReceiver(secret: string, policy: Policy) {
  const calls: Call[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...waiters]) {
      if (w.check()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const alertId = (JSON.parse(raw) as { id: string }).id;
      const answer = policy(alertId, calls.length);
      const valid = signaturesValid(secret, raw, req.headers);
      calls.push({ alertId, answer, signatureValid: valid, headers: req.headers, raw });
      if (answer !== 'park') res.writeHead(answer).end();
      notify();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const answered2xx = () => calls.filter((c) => c.answer !== 'park' && c.answer >= 200 && c.answer < 300);
  return {
    url: `http://127.0.0.1:${port}/hooks/chanperf`,
    calls,
    /** The calls answered 2xx, in order. */
    accepted: answered2xx,
    /** How many times each alert id was answered 2xx (a duplicate shows as 2). */
    acceptedCounts(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const c of answered2xx()) counts.set(c.alertId, (counts.get(c.alertId) ?? 0) + 1);
      return counts;
    },
    parked: () => calls.filter((c) => c.answer === 'park').length,
    /** Resolves once `check` holds after a call (or now). */
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ check, resolve }));
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
