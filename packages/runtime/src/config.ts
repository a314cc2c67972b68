/**
 * Service configuration from the environment, validated with zod. A bad value stops start-up
 * with a message naming the variable.
 */
import { z } from 'zod';
import * as E from 'fp-ts/lib/Either.js';
import {
  DEFAULT_CURRENCY,
  DEFAULT_TIMEZONE,
  resolveSettings,
  type DeploymentSettings,
} from '@chanperf/domain';

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

const envSchema = z.object({
  CHANPERF_DATA_DIR: z.string().min(1).default('./.chanperf'),
  CHANPERF_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  CHANPERF_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  CHANPERF_TIMEZONE: z.string().default(DEFAULT_TIMEZONE),
  CHANPERF_CURRENCY: z.string().default(DEFAULT_CURRENCY),
  CHANPERF_API_KEYS: jsonList.pipe(z.array(apiKeySchema)).optional(),
  CHANPERF_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  CHANPERF_WEBHOOK_SECRET: z.string().min(1).optional(),
  CHANPERF_AUTO_CLOSE_DAY: z.coerce.number().int().min(1).max(28).optional(),
  CHANPERF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ServiceConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly settings: DeploymentSettings;
  readonly apiKeys: readonly ApiKey[];
  readonly webhook: { readonly url: string; readonly secret: string | undefined } | undefined;
  readonly autoCloseDay: number | undefined;
  readonly logLevel: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Reads the configuration; Left carries every problem, one per line. */
export function loadConfig(env: NodeJS.ProcessEnv): E.Either<string, ServiceConfig> {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('CHANPERF_') && v !== undefined && v !== '') raw[k] = v;
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    return E.left(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('\n'),
    );
  }
  const c = parsed.data;
  const settings = resolveSettings(c.CHANPERF_TIMEZONE, c.CHANPERF_CURRENCY);
  if (E.isLeft(settings)) return settings;
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
    dataDir: c.CHANPERF_DATA_DIR,
    host: c.CHANPERF_HTTP_HOST,
    port: c.CHANPERF_HTTP_PORT,
    settings: settings.right,
    apiKeys,
    webhook:
      c.CHANPERF_WEBHOOK_URL === undefined
        ? undefined
        : { url: c.CHANPERF_WEBHOOK_URL, secret: c.CHANPERF_WEBHOOK_SECRET },
    autoCloseDay: c.CHANPERF_AUTO_CLOSE_DAY,
    logLevel: c.CHANPERF_LOG_LEVEL,
  });
}
