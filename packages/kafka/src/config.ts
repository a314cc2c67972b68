/**
 * Kafka configuration from the environment, validated with zod. Kafka is off unless
 * `CHANPERF_KAFKA_BROKERS` is set. Security settings are passed through to KafkaJS; TLS
 * certificates are always verified unless an operator turns that off by name.
 */
import * as E from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { ORDERINGS, type Ordering } from './eventTimeMerge.js';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Everything the adapter needs to reach the brokers; see {@link loadKafkaConfig}. */
export interface KafkaConfig {
  /** `host:port` of the bootstrap brokers. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS: undefined = plaintext. Paths are read when the client is created. */
  readonly tls:
    | {
        readonly caFile: string | undefined;
        readonly certFile: string | undefined;
        readonly keyFile: string | undefined;
        readonly servername: string | undefined;
        /** Always true unless CHANPERF_KAFKA_SSL_REJECT_UNAUTHORIZED=false. */
        readonly rejectUnauthorized: boolean;
      }
    | undefined;
  readonly sasl:
    { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | undefined;
  /** Consumer group of the ERP ingress. */
  readonly groupId: string;
  /** Idempotent producers (acks=all, one request in flight); off only for brokers that cannot. */
  readonly idempotent: boolean;
  /** How long a producer waits to fill a batch before sending it. */
  readonly lingerMs: number;
  readonly sessionTimeoutMs: number;
  /** Longest a fetch waits at the broker for records (bounds the ingress latency). */
  readonly fetchMaxWaitMs: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /**
   * How the ERP ingress orders the partitions of the ERP topic and the control topic:
   * `merge` (event-time order up to the watermark), `control` (only program events wait
   * for the watermark) or `arrival` (nothing waits). See docs/kafka.md.
   */
  readonly ordering: Ordering;
  /** An ERP partition with no record for this long stops holding the watermark back. */
  readonly idleTimeoutMs: number;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const broker = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, 'each broker must be host:port');

const envSchema = z
  .object({
    CHANPERF_KAFKA_BROKERS: z
      .string()
      .transform((v) => v.split(',').filter((b) => b.trim() !== ''))
      .pipe(z.array(broker).min(1, 'at least one host:port')),
    CHANPERF_KAFKA_CLIENT_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - (at most 100)')
      .default('chanperf'),
    CHANPERF_KAFKA_GROUP_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, . _ - (at most 200)')
      .default('chanperf-ingestion'),
    CHANPERF_KAFKA_SSL: bool.default(false),
    CHANPERF_KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
    CHANPERF_KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
    CHANPERF_KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
    CHANPERF_KAFKA_SSL_SERVERNAME: z.string().min(1).optional(),
    CHANPERF_KAFKA_SSL_REJECT_UNAUTHORIZED: bool.default(true),
    CHANPERF_KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS).optional(),
    CHANPERF_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    CHANPERF_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    CHANPERF_KAFKA_IDEMPOTENT: bool.default(true),
    CHANPERF_KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
    CHANPERF_KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
    CHANPERF_KAFKA_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(10).max(30_000).default(1000),
    CHANPERF_KAFKA_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    CHANPERF_KAFKA_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
    CHANPERF_KAFKA_ORDERING: z
      .enum(ORDERINGS as [Ordering, ...Ordering[]], { error: `one of ${ORDERINGS.join(', ')}` })
      .default('merge'),
    CHANPERF_KAFKA_IDLE_TIMEOUT_MS: z.coerce
      .number({ error: 'a number of milliseconds' })
      .int('a whole number of milliseconds')
      .min(10, 'at least 10 ms')
      .max(3_600_000, 'at most 3600000 ms (one hour)')
      .default(5000),
  })
  .superRefine((c, ctx) => {
    const sasl = [
      c.CHANPERF_KAFKA_SASL_MECHANISM,
      c.CHANPERF_KAFKA_SASL_USERNAME,
      c.CHANPERF_KAFKA_SASL_PASSWORD,
    ];
    const given = sasl.filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHANPERF_KAFKA_SASL_MECHANISM'],
        message: 'SASL needs CHANPERF_KAFKA_SASL_MECHANISM, _USERNAME and _PASSWORD together',
      });
    }
    const tlsDetail =
      c.CHANPERF_KAFKA_SSL_CA_FILE ?? c.CHANPERF_KAFKA_SSL_CERT_FILE ?? c.CHANPERF_KAFKA_SSL_KEY_FILE;
    if (!c.CHANPERF_KAFKA_SSL && tlsDetail !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHANPERF_KAFKA_SSL'],
        message: 'TLS files are set but CHANPERF_KAFKA_SSL is not true',
      });
    }
    if ((c.CHANPERF_KAFKA_SSL_CERT_FILE === undefined) !== (c.CHANPERF_KAFKA_SSL_KEY_FILE === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['CHANPERF_KAFKA_SSL_CERT_FILE'],
        message: 'a client certificate needs both CHANPERF_KAFKA_SSL_CERT_FILE and _KEY_FILE',
      });
    }
  });

/**
 * Reads the Kafka settings from `env`. Right(undefined) when `CHANPERF_KAFKA_BROKERS` is unset
 * (Kafka is off); Left carries every problem, one per line, naming the variable.
 *
 * Variables: `CHANPERF_KAFKA_BROKERS=host:port[,…]`, `_CLIENT_ID`, `_GROUP_ID`,
 * `_SASL_MECHANISM` (plain, scram-sha-256, scram-sha-512) with `_SASL_USERNAME` and
 * `_SASL_PASSWORD`, `_SSL=true` with optional `_SSL_CA_FILE`, `_SSL_CERT_FILE`,
 * `_SSL_KEY_FILE`, `_SSL_SERVERNAME`, `_SSL_REJECT_UNAUTHORIZED` (default true),
 * `_IDEMPOTENT` (default true), `_LINGER_MS` (5), `_SESSION_TIMEOUT_MS` (30000),
 * `_FETCH_MAX_WAIT_MS` (1000),
 * `_CONNECTION_TIMEOUT_MS` (3000), `_REQUEST_TIMEOUT_MS` (30000), `_ORDERING` (`merge`,
 * `control`, `arrival`; default merge), `_IDLE_TIMEOUT_MS` (5000).
 */
export function loadKafkaConfig(env: NodeJS.ProcessEnv): E.Either<string, KafkaConfig | undefined> {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith('CHANPERF_KAFKA_') && v !== undefined && v !== '') raw[k] = v;
  if (raw.CHANPERF_KAFKA_BROKERS === undefined) {
    const stray = Object.keys(raw);
    return stray.length === 0
      ? E.right(undefined)
      : E.left(
          `CHANPERF_KAFKA_BROKERS: required when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set`,
        );
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    return E.left(
      parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`).join('\n'),
    );
  }
  const c = parsed.data;
  return E.right({
    brokers: c.CHANPERF_KAFKA_BROKERS.map((b) => b.trim()),
    clientId: c.CHANPERF_KAFKA_CLIENT_ID,
    tls: c.CHANPERF_KAFKA_SSL
      ? {
          caFile: c.CHANPERF_KAFKA_SSL_CA_FILE,
          certFile: c.CHANPERF_KAFKA_SSL_CERT_FILE,
          keyFile: c.CHANPERF_KAFKA_SSL_KEY_FILE,
          servername: c.CHANPERF_KAFKA_SSL_SERVERNAME,
          rejectUnauthorized: c.CHANPERF_KAFKA_SSL_REJECT_UNAUTHORIZED,
        }
      : undefined,
    sasl:
      c.CHANPERF_KAFKA_SASL_MECHANISM !== undefined &&
      c.CHANPERF_KAFKA_SASL_USERNAME !== undefined &&
      c.CHANPERF_KAFKA_SASL_PASSWORD !== undefined
        ? {
            mechanism: c.CHANPERF_KAFKA_SASL_MECHANISM,
            username: c.CHANPERF_KAFKA_SASL_USERNAME,
            password: c.CHANPERF_KAFKA_SASL_PASSWORD,
          }
        : undefined,
    groupId: c.CHANPERF_KAFKA_GROUP_ID,
    idempotent: c.CHANPERF_KAFKA_IDEMPOTENT,
    lingerMs: c.CHANPERF_KAFKA_LINGER_MS,
    sessionTimeoutMs: c.CHANPERF_KAFKA_SESSION_TIMEOUT_MS,
    fetchMaxWaitMs: c.CHANPERF_KAFKA_FETCH_MAX_WAIT_MS,
    connectionTimeoutMs: c.CHANPERF_KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: c.CHANPERF_KAFKA_REQUEST_TIMEOUT_MS,
    ordering: c.CHANPERF_KAFKA_ORDERING,
    idleTimeoutMs: c.CHANPERF_KAFKA_IDLE_TIMEOUT_MS,
  });
}
