/**
 * The webhook notifier: one signed POST of one alert. Retrying is the caller's business; this
 * module only says whether an attempt succeeded and, if not, why (without the response body,
 * which is the receiver's and may hold anything).
 *
 * Two signatures, both over the exact bytes sent:
 * - Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id` (the alert id, the same
 *   on every retry), `webhook-timestamp` (unix seconds of the attempt), `webhook-signature`
 *   (`v1,<base64 HMAC-SHA256(key, "${id}.${timestamp}.${body}")>`). The key: a secret of the
 *   form `whsec_<base64>` (the scheme's own format) is base64-decoded; any other secret is used
 *   as its UTF-8 bytes.
 * - `X-Chanperf-Signature: sha256=<hex HMAC-SHA256(secret as written, body)>`, kept for the
 *   receivers written before; it does not cover the timestamp, so it does not stop replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '@chanperf/domain';
import { redactUrls } from './redact.js';

export const SIGNATURE_HEADER = 'X-Chanperf-Signature';
export const ALERT_ID_HEADER = 'X-Chanperf-Alert-Id';
/** The Standard Webhooks headers. */
const WEBHOOK_ID_HEADER = 'webhook-id';
const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
/** How far a receiver lets `webhook-timestamp` be from its clock (the scheme's 5 minutes). */
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
const WHSEC_PREFIX = 'whsec_';

export interface WebhookTarget {
  readonly url: string;
  /** HMAC key; without one the request is sent unsigned (start-up warns about it). */
  readonly secret: string | undefined;
}

export interface WebhookClientOptions {
  readonly fetch: typeof fetch;
  /** Each attempt is aborted after this long. */
  readonly attemptTimeoutMs: number;
  /** Clock of `webhook-timestamp`, in ms (default `Date.now`). */
  readonly now?: () => number;
}

/** `error` never quotes a URL in full: URLs in it are redacted (`redactUrl`). */
export type AttemptResult =
  { readonly ok: true; readonly status: number } | { readonly ok: false; readonly error: string };

/** The JSON body of an alert: `id` and `kind` first, then its fields in their order. */
export function alertBody(alert: Alert): string {
  const { id, kind, ...fields } = alert;
  return JSON.stringify({ id, kind, ...fields });
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`, computed over the exact bytes sent. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Receiver side: whether `header` is the signature of the raw `body` under `secret` (constant time). */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The HMAC key of the Standard Webhooks signature: `whsec_<base64>` decoded, else the UTF-8 bytes. */
function standardKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function standardDigest(
  secret: string,
  id: string,
  timestamp: number | string,
  body: string | Buffer,
): Buffer {
  return createHmac('sha256', standardKey(secret))
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(body)
    .digest();
}

/** `v1,<base64 HMAC-SHA256(key, "${id}.${timestamp}.${body}")>` (Standard Webhooks). */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${standardDigest(secret, id, timestamp, body).toString('base64')}`;
}

/**
 * Receiver side of the Standard Webhooks scheme: whether one of the space-separated `v1,…`
 * signatures of `webhook-signature` signs `webhook-id`, `webhook-timestamp` and the raw
 * `body` under `secret`, and the timestamp is within 5 minutes of the receiver's clock.
 * Header names in lower case (as Node's `IncomingMessage.headers` gives them).
 */
export function verifyStandardSignature(
  secret: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  options: { readonly now?: () => number; readonly toleranceSeconds?: number } = {},
): boolean {
  const one = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const id = one(WEBHOOK_ID_HEADER);
  const timestamp = one(WEBHOOK_TIMESTAMP_HEADER);
  const signatures = one(WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || timestamp === undefined || signatures === undefined) return false;
  if (!/^\d{1,15}$/.test(timestamp)) return false;
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > (options.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS))
    return false;
  const expected = standardDigest(secret, id, timestamp, body);
  return signatures.split(' ').some((entry) => {
    if (!entry.startsWith('v1,')) return false;
    const given = Buffer.from(entry.slice(3), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Posts `alert` once; any 2xx is success, anything else (status, network, timeout) a failure. */
export async function postAlert(
  target: WebhookTarget,
  alert: Alert,
  options: WebhookClientOptions,
): Promise<AttemptResult> {
  const body = alertBody(alert);
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [ALERT_ID_HEADER]: alert.id,
    [WEBHOOK_ID_HEADER]: alert.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
  };
  if (target.secret !== undefined) {
    headers[WEBHOOK_SIGNATURE_HEADER] = standardSignature(target.secret, alert.id, timestamp, body);
    headers[SIGNATURE_HEADER] = signature(target.secret, body);
  }
  try {
    const response = await options.fetch(target.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.attemptTimeoutMs),
    });
    // Drain nothing we do not need, but release the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, error: `HTTP ${response.status}` };
  } catch (err) {
    return { ok: false, error: describeFailure(err, options.attemptTimeoutMs) };
  }
}

/** Why an attempt failed, in one line; URLs quoted by the error (fetch quotes them) are redacted. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return redactUrls(String(err)).slice(0, 300);
  if (err.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, …) as its cause.
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = (cause as (Error & { code?: unknown }) | undefined)?.code;
  const detail = cause === undefined ? '' : `: ${typeof code === 'string' ? code : cause.message}`;
  return redactUrls(`${err.message}${detail}`).slice(0, 300);
}
