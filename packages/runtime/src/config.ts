/**
 * Service configuration from the environment, validated with zod. A bad value stops start-up
 * with a message naming the variable.
 */
import { z } from 'zod';
import * as E from 'fp-ts/lib/Either.js';
import type { DeploymentSettings } from '@chanperf/domain';
import {
  chanperfVariables,
  describeProblems,
  engineConfigOf,
  engineEnvSchema,
  type EngineConfig,
} from './engine.js';

export const ROLES = ['ingest', 'analyst', 'partner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const apiKeySchema = z
  .object({
    key: z.string().min(16, 'API keys must be at least 16 characters'),
    role: z.enum(ROLES),
    channelId: z.string().min(1).optional(),
  })
  .refine((k) => (k.role === 'partner') === (k.channelId !== undefined), {
    message: 'a partner key needs a channelId, and only a partner key may have one',
  });

export type ApiKey = z.infer<typeof apiKeySchema>;

const jsonList = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.issues.push({ code: 'custom', message: 'must be a JSON list', input: text });
    return z.NEVER;
  }
});

/**
 * Whether a URL is free of credentials (`user:password@`, or a token as the user). fetch
 * refuses such a URL on every attempt, and the URL would end up in logs and in the delivery
 * ledger; the check never echoes the URL.
 */
function withoutCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username === '' && u.password === '';
  } catch {
    return true; // not a URL at all: z.url() reports that
  }
}

/** A Standard Webhooks secret, `whsec_<base64>`, decodes; other secrets are taken as they are. */
function standardSecretIsBase64(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return true;
  const b64 = secret.slice('whsec_'.length);
  return b64.length > 0 && b64.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64);
}

/** An origin as a browser sends it: `https://host` or `http://host:port`, nothing after. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

const envSchema = engineEnvSchema.extend({
  CHANPERF_DATA_DIR: z.string().min(1).default('./.chanperf'),
  CHANPERF_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  CHANPERF_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CHANPERF_API_KEYS: jsonList.pipe(z.array(apiKeySchema)).optional(),
  CHANPERF_WEBHOOK_URL: z
    .url({ protocol: /^https?$/ })
    .refine(withoutCredentials, {
      message:
        'must not carry credentials (user:password@host); authenticate the requests with CHANPERF_WEBHOOK_SECRET instead',
    })
    .optional(),
  CHANPERF_WEBHOOK_SECRET: z
    .string()
    .min(1)
    .refine(standardSecretIsBase64, 'a whsec_ secret (Standard Webhooks) must be followed by base64')
    .optional(),
  CHANPERF_AUTO_CLOSE_DAY: z.coerce.number().int().min(1).max(28).optional(),
  // Readiness: /readyz answers 503 while the read model trails the log by more than this.
  CHANPERF_READY_MAX_LAG: z.coerce.number().int().min(0).default(100_000),
  // Where one `serve` projects: a worker thread of its own (the other core), or the main thread.
  CHANPERF_SERVE_PROJECTION_THREAD: z.enum(['worker', 'main'], 'must be worker or main').default('worker'),
  // `serve` runs its services on a thread with a young generation this large (MiB); 0: on the
  // process's main thread, with node's own (16 MiB semi-spaces unless node's flags say otherwise).
  CHANPERF_SERVE_YOUNG_GENERATION_MB: z.coerce.number().int().min(0).max(3072).default(192),
  // HTTP ingestion limits: what a rejected input may keep, how many the store holds, and how
  // long a request body may take to arrive.
  CHANPERF_REJECTED_MAX_BYTES_PER_ITEM: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  CHANPERF_REJECTED_MAX_TOTAL: z.coerce.number().int().min(1).default(1_000_000),
  CHANPERF_HTTP_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  // Hardening: /metrics answers without a key only when made public (a scraper on a private network).
  CHANPERF_METRICS_PUBLIC: z.enum(['true', 'false'], 'must be true or false').default('false'),
  // Browser pages on these origins may call the API (CORS); none by default.
  CHANPERF_CORS_ORIGINS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(z.array(z.string().regex(ORIGIN, 'each origin is scheme://host[:port], no path, no *')))
    .default([]),
  // What-if runs (POST /v1/whatif): one at a time, in a worker thread bounded in time and heap.
  CHANPERF_WHATIF_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  CHANPERF_WHATIF_MAX_HEAP_MB: z.coerce.number().int().min(32).max(65_536).default(1024),
});

export interface ServiceConfig {
  /** The engine's settings, read as every other process reads them (`engine.ts`). */
  readonly engine: EngineConfig;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly settings: DeploymentSettings;
  readonly apiKeys: readonly ApiKey[];
  readonly webhook: { readonly url: string; readonly secret: string | undefined } | undefined;
  readonly autoCloseDay: number | undefined;
  readonly logLevel: string;
  /** Lag (events) past which /readyz answers 503 (CHANPERF_READY_MAX_LAG). */
  readonly readyMaxLag: number;
  /**
   * Where `serve` (all services in one process) projects (CHANPERF_SERVE_PROJECTION_THREAD): a
   * worker thread on connections of its own, or the main thread. The EventStoreDB log, and
   * `serve --only projection`, project on the main thread.
   */
  readonly serveProjectionThread: 'worker' | 'main';
  /**
   * The young generation, in MiB, of the thread `serve` runs its services on
   * (CHANPERF_SERVE_YOUNG_GENERATION_MB; V8's semi-spaces are a third of it); 0 runs them on
   * the process's main thread, whose young generation only node's flags can size.
   */
  readonly serveYoungGenerationMb: number;
  // HTTP ingestion limits.
  /** Raw bytes kept of one rejected HTTP item; beyond, the first ones (CHANPERF_REJECTED_MAX_BYTES_PER_ITEM). */
  readonly rejectedMaxBytesPerItem: number;
  /** Rejected inputs the store may hold before HTTP ingestion answers 507 (CHANPERF_REJECTED_MAX_TOTAL). */
  readonly rejectedMaxTotal: number;
  /** Time a request has to arrive whole, headers and body (CHANPERF_HTTP_BODY_TIMEOUT_MS). */
  readonly httpBodyTimeoutMs: number;
  // Hardening.
  /** `/metrics` without a key even when keys are configured (CHANPERF_METRICS_PUBLIC=true). */
  readonly metricsPublic: boolean;
  /** Origins whose pages may call the API cross-origin (CHANPERF_CORS_ORIGINS); empty: CORS off. */
  readonly corsOrigins: readonly string[];
  // What-if runs.
  /** A what-if run's worker is terminated after this long (CHANPERF_WHATIF_TIMEOUT_MS). */
  readonly whatIfTimeoutMs: number;
  /** The worker's old-generation heap limit in MB (CHANPERF_WHATIF_MAX_HEAP_MB). */
  readonly whatIfMaxHeapMb: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Reads the configuration; Left carries every problem, one per line. */
export function loadConfig(env: NodeJS.ProcessEnv): E.Either<string, ServiceConfig> {
  const parsed = envSchema.safeParse(chanperfVariables(env));
  if (!parsed.success) return E.left(describeProblems(parsed.error));
  const c = parsed.data;
  const engine = engineConfigOf(c);
  if (E.isLeft(engine)) return engine;
  const apiKeys = c.CHANPERF_API_KEYS ?? [];
  if (apiKeys.length === 0 && !LOOPBACK.test(c.CHANPERF_HTTP_HOST)) {
    return E.left(
      `CHANPERF_HTTP_HOST: refusing to listen on ${c.CHANPERF_HTTP_HOST} without CHANPERF_API_KEYS (only loopback may run without keys)`,
    );
  }
  if (new Set(apiKeys.map((k) => k.key)).size !== apiKeys.length) {
    return E.left('CHANPERF_API_KEYS: keys must be unique');
  }
  return E.right({
    engine: engine.right,
    dataDir: c.CHANPERF_DATA_DIR,
    host: c.CHANPERF_HTTP_HOST,
    port: c.CHANPERF_HTTP_PORT,
    settings: engine.right.settings,
    apiKeys,
    webhook:
      c.CHANPERF_WEBHOOK_URL === undefined
        ? undefined
        : { url: c.CHANPERF_WEBHOOK_URL, secret: c.CHANPERF_WEBHOOK_SECRET },
    autoCloseDay: c.CHANPERF_AUTO_CLOSE_DAY,
    logLevel: c.CHANPERF_LOG_LEVEL,
    readyMaxLag: c.CHANPERF_READY_MAX_LAG,
    serveProjectionThread: c.CHANPERF_SERVE_PROJECTION_THREAD,
    serveYoungGenerationMb: c.CHANPERF_SERVE_YOUNG_GENERATION_MB,
    // HTTP ingestion limits.
    rejectedMaxBytesPerItem: c.CHANPERF_REJECTED_MAX_BYTES_PER_ITEM,
    rejectedMaxTotal: c.CHANPERF_REJECTED_MAX_TOTAL,
    httpBodyTimeoutMs: c.CHANPERF_HTTP_BODY_TIMEOUT_MS,
    // Hardening.
    metricsPublic: c.CHANPERF_METRICS_PUBLIC === 'true',
    corsOrigins: c.CHANPERF_CORS_ORIGINS,
    // What-if runs.
    whatIfTimeoutMs: c.CHANPERF_WHATIF_TIMEOUT_MS,
    whatIfMaxHeapMb: c.CHANPERF_WHATIF_MAX_HEAP_MB,
  });
}
