/**
 * The webhook notifier: one signed POST of one alert. Retrying is the caller's business; this
 * module only says whether an attempt succeeded and, if not, why (without the response body,
 * which is the receiver's and may hold anything).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '@chanperf/domain';

export const SIGNATURE_HEADER = 'X-Chanperf-Signature';
export const ALERT_ID_HEADER = 'X-Chanperf-Alert-Id';

export interface WebhookTarget {
  readonly url: string;
  /** HMAC key; without one the request is sent unsigned (start-up warns about it). */
  readonly secret: string | undefined;
}

export interface WebhookClientOptions {
  readonly fetch: typeof fetch;
  /** Each attempt is aborted after this long. */
  readonly attemptTimeoutMs: number;
}

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

/** Posts `alert` once; any 2xx is success, anything else (status, network, timeout) a failure. */
export async function postAlert(
  target: WebhookTarget,
  alert: Alert,
  options: WebhookClientOptions,
): Promise<AttemptResult> {
  const body = alertBody(alert);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [ALERT_ID_HEADER]: alert.id,
  };
  if (target.secret !== undefined) headers[SIGNATURE_HEADER] = signature(target.secret, body);
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

function describeFailure(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err).slice(0, 300);
  if (err.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, …) as its cause.
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const code = (cause as (Error & { code?: unknown }) | undefined)?.code;
  const detail = cause === undefined ? '' : `: ${typeof code === 'string' ? code : cause.message}`;
  return `${err.message}${detail}`.slice(0, 300);
}
