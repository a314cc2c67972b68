/**
 * The webhook body, the legacy signature and one attempt. The expected signature is a fixed
 * vector, computed once with openssl over the body of `alert` (see webhookSignature.unit.spec.ts):
 *
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac k
 */
import type { Alert } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { alertBody, postAlert, signature, verifySignature } from './webhook.js';

const alert: Alert = {
  id: 'GROWTH_TARGET_MISSED/CH-B/2026-02/1',
  kind: 'GROWTH_TARGET_MISSED',
  channelId: 'CH-B',
  month: '2026-02',
  growthBps: 500,
  targetBps: 1000,
  restated: false,
};

describe('the webhook body and signature', () => {
  it('given an alert whose fields come in any order, when serialised, then id and kind come first', () => {
    const shuffled = {
      month: '2026-02',
      channelId: 'CH-C',
      kind: 'GROWTH_TARGET_MISS_RETRACTED',
      id: 'x/1',
    } as Alert;
    expect(Object.keys(JSON.parse(alertBody(shuffled)) as object)).toEqual([
      'id',
      'kind',
      'month',
      'channelId',
    ]);
  });

  it('given a secret, when a body is signed, then the header is sha256=<hex HMAC-SHA256 of the raw body>', () => {
    const body = alertBody(alert);
    const hex = 'bd1b8152326b34e52179e5133fcc2c1597683fdcc368b085a65dbb77345bd8cf';
    expect(signature('k', body)).toBe(`sha256=${hex}`);
    expect(verifySignature('k', body, `sha256=${hex}`)).toBe(true);
    expect(verifySignature('other', body, `sha256=${hex}`)).toBe(false);
    expect(verifySignature('k', `${body} `, `sha256=${hex}`)).toBe(false);
    expect(verifySignature('k', body, undefined)).toBe(false);
  });
});

describe('one webhook attempt', () => {
  const respond =
    (status: number): typeof fetch =>
    () =>
      Promise.resolve(new Response(null, { status }));

  it('given a 2xx, then it succeeds; given a 3xx or 5xx, then it fails with the status', async () => {
    const target = { url: 'http://127.0.0.1:1/hook', secret: 's' };
    expect(await postAlert(target, alert, { fetch: respond(204), attemptTimeoutMs: 1000 })).toEqual({
      ok: true,
      status: 204,
    });
    expect(await postAlert(target, alert, { fetch: respond(302), attemptTimeoutMs: 1000 })).toEqual({
      ok: false,
      error: 'HTTP 302',
    });
    expect(await postAlert(target, alert, { fetch: respond(503), attemptTimeoutMs: 1000 })).toEqual({
      ok: false,
      error: 'HTTP 503',
    });
  });

  it('given a receiver that never answers, when the attempt timeout passes, then it fails as a timeout', async () => {
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      });
    const result = await postAlert({ url: 'http://127.0.0.1:1/', secret: 's' }, alert, {
      fetch: hang,
      attemptTimeoutMs: 20,
    });
    expect(result).toEqual({ ok: false, error: 'timeout after 20 ms' });
  });

  it('given no secret, when posting, then the request carries no signature header', async () => {
    let headers: Headers | undefined;
    const capture: typeof fetch = (_url, init) => {
      headers = new Headers(init?.headers);
      return Promise.resolve(new Response(null, { status: 200 }));
    };
    await postAlert({ url: 'http://127.0.0.1:1/', secret: undefined }, alert, {
      fetch: capture,
      attemptTimeoutMs: 1000,
    });
    expect(headers?.get('x-chanperf-signature')).toBeNull();
    expect(headers?.get('x-chanperf-alert-id')).toBe(alert.id);
    expect(headers?.get('content-type')).toBe('application/json');
  });
});
