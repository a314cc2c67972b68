/**
 * Webhook signatures against fixed test vectors. The expected values were computed once,
 * independently of this code, with openssl, and pasted here:
 *
 *   BODY='{"id":"GROWTH_TARGET_MISSED/CH-B/2026-02/1",…,"restated":false}'   (the body below)
 *   ID='GROWTH_TARGET_MISSED/CH-B/2026-02/1'; TS=1767225600
 *   printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -hmac 's3cret-raw' -binary | base64
 *   KEY=$(printf '%s' 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' | base64 -d | xxd -p -c 256)
 *   printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -binary | base64
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 's3cret-raw'
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
 *
 * plus the vector of the Standard Webhooks reference libraries (msg_p5jXN8AQM9LWM0D4loKWxJek),
 * which the same openssl commands reproduce.
 */
import type { Alert } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import {
  alertBody,
  postAlert,
  signature,
  standardSignature,
  verifySignature,
  verifyStandardSignature,
} from './webhook.js';

const alert: Alert = {
  id: 'GROWTH_TARGET_MISSED/CH-B/2026-02/1',
  kind: 'GROWTH_TARGET_MISSED',
  channelId: 'CH-B',
  month: '2026-02',
  growthBps: 500,
  targetBps: 1000,
  restated: false,
};
const BODY =
  '{"id":"GROWTH_TARGET_MISSED/CH-B/2026-02/1","kind":"GROWTH_TARGET_MISSED","channelId":"CH-B","month":"2026-02","growthBps":500,"targetBps":1000,"restated":false}';
const TS = 1767225600; // 2026-01-01T00:00:00Z
const RAW_SECRET = 's3cret-raw';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const VECTORS = {
  standardRaw: 'v1,cBZPdjTHtfWC4BgGf44WqgZfWEFFDygaIG49seBLrAM=',
  standardWhsec: 'v1,/o0D4V0rZzjy7M0hX8zqFRTgvBqQG0bvr+WudE2YeRo=',
  legacyRaw: 'sha256=09ec7b27aef5c112232cf60760e7f0510b31401e1d688f12d2936a85192b7fbc',
  legacyWhsec: 'sha256=23a5018049ee4c03cee7d4652ac37352a68ebd27ae34411a8fae7a98f0797c6e',
};

describe('webhook signatures (fixed vectors)', () => {
  it('serialises the alert to the exact body of the vectors', () => {
    expect(alertBody(alert)).toBe(BODY);
  });

  it('signs with the Standard Webhooks scheme: v1,<base64 HMAC-SHA256 over id.timestamp.body>', () => {
    expect(standardSignature(RAW_SECRET, alert.id, TS, BODY)).toBe(VECTORS.standardRaw);
    // A whsec_ secret is base64: its decoded bytes are the key.
    expect(standardSignature(WHSEC, alert.id, TS, BODY)).toBe(VECTORS.standardWhsec);
    // The reference libraries' vector.
    expect(standardSignature(WHSEC, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('keeps X-Chanperf-Signature: sha256=<hex HMAC-SHA256(secret as written, body)>', () => {
    expect(signature(RAW_SECRET, BODY)).toBe(VECTORS.legacyRaw);
    expect(signature(WHSEC, BODY)).toBe(VECTORS.legacyWhsec);
    expect(verifySignature(RAW_SECRET, BODY, VECTORS.legacyRaw)).toBe(true);
  });

  it('sends both schemes on every attempt: webhook-id = the alert id, webhook-timestamp = unix seconds', async () => {
    for (const [secret, standard, legacy] of [
      [RAW_SECRET, VECTORS.standardRaw, VECTORS.legacyRaw],
      [WHSEC, VECTORS.standardWhsec, VECTORS.legacyWhsec],
    ] as const) {
      let headers: Headers | undefined;
      let body: unknown;
      const capture: typeof fetch = (_url, init) => {
        headers = new Headers(init?.headers);
        body = init?.body;
        return Promise.resolve(new Response(null, { status: 204 }));
      };
      const result = await postAlert({ url: 'http://127.0.0.1:1/hook', secret }, alert, {
        fetch: capture,
        attemptTimeoutMs: 1000,
        now: () => TS * 1000 + 999,
      });
      expect(result).toEqual({ ok: true, status: 204 });
      expect(body).toBe(BODY);
      expect(headers?.get('webhook-id')).toBe(alert.id);
      expect(headers?.get('webhook-timestamp')).toBe(String(TS));
      expect(headers?.get('webhook-signature')).toBe(standard);
      expect(headers?.get('x-chanperf-signature')).toBe(legacy);
      expect(headers?.get('x-chanperf-alert-id')).toBe(alert.id);
    }
  });

  it('given no secret, then neither signature is sent', async () => {
    let headers: Headers | undefined;
    const capture: typeof fetch = (_url, init) => {
      headers = new Headers(init?.headers);
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    await postAlert({ url: 'http://127.0.0.1:1/hook', secret: undefined }, alert, {
      fetch: capture,
      attemptTimeoutMs: 1000,
    });
    expect(headers?.get('webhook-signature')).toBeNull();
    expect(headers?.get('x-chanperf-signature')).toBeNull();
    expect(headers?.get('webhook-id')).toBe(alert.id);
  });
});

describe('verifyStandardSignature (receiver side)', () => {
  const headers = (signatureHeader: string, timestamp = String(TS)) => ({
    'webhook-id': alert.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatureHeader,
  });
  const now = () => (TS + 60) * 1000;

  it('accepts the vector, also among other space-separated signatures', () => {
    expect(verifyStandardSignature(WHSEC, BODY, headers(VECTORS.standardWhsec), { now })).toBe(true);
    expect(
      verifyStandardSignature(WHSEC, BODY, headers(`v1,bm90IGl0 ${VECTORS.standardWhsec}`), { now }),
    ).toBe(true);
    expect(verifyStandardSignature(RAW_SECRET, BODY, headers(VECTORS.standardRaw), { now })).toBe(true);
  });

  it('refuses another body, secret, id or version, a missing header, and a stale timestamp', () => {
    expect(verifyStandardSignature(WHSEC, `${BODY} `, headers(VECTORS.standardWhsec), { now })).toBe(false);
    expect(verifyStandardSignature(RAW_SECRET, BODY, headers(VECTORS.standardWhsec), { now })).toBe(false);
    expect(
      verifyStandardSignature(WHSEC, BODY, { ...headers(VECTORS.standardWhsec), 'webhook-id': 'x' }, { now }),
    ).toBe(false);
    expect(
      verifyStandardSignature(WHSEC, BODY, headers(VECTORS.standardWhsec.replace('v1,', 'v2,')), { now }),
    ).toBe(false);
    expect(verifyStandardSignature(WHSEC, BODY, { 'webhook-id': alert.id }, { now })).toBe(false);
    expect(
      verifyStandardSignature(WHSEC, BODY, headers(VECTORS.standardWhsec), { now: () => (TS + 301) * 1000 }),
    ).toBe(false);
  });
});
