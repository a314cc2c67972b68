/** Given an environment, when the Kafka configuration is loaded, then … */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { kafkaClientOptions } from './client.js';
import { loadKafkaConfig, type KafkaConfig } from './config.js';

const load = (env: Record<string, string>) => loadKafkaConfig(env);
const ok = (env: Record<string, string>): KafkaConfig => {
  const c = load(env);
  if (E.isLeft(c)) throw new Error(c.left);
  if (c.right === undefined) throw new Error('Kafka is off');
  return c.right;
};
const problems = (env: Record<string, string>): string => {
  const c = load(env);
  if (E.isRight(c)) throw new Error('expected a problem');
  return c.left;
};

describe('loadKafkaConfig', () => {
  it('keeps Kafka off without CHANPERF_KAFKA_BROKERS', () => {
    expect(load({ CHANPERF_DATA_DIR: '/tmp' })).toEqual(E.right(undefined));
  });

  it('refuses Kafka settings without brokers', () => {
    expect(problems({ CHANPERF_KAFKA_SSL: 'true' })).toMatch(/CHANPERF_KAFKA_BROKERS: required/);
  });

  it('reads brokers and applies the defaults', () => {
    const c = ok({ CHANPERF_KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092,' });
    expect(c).toMatchObject({
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      clientId: 'chanperf',
      groupId: 'chanperf-ingestion',
      idempotent: true,
      tls: undefined,
      sasl: undefined,
    });
  });

  it('names the variable of a bad value', () => {
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'no-port' })).toMatch(
      /^CHANPERF_KAFKA_BROKERS: each broker must be host:port/,
    );
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_SSL: 'yes' })).toMatch(
      /^CHANPERF_KAFKA_SSL:/,
    );
  });

  it('orders by event time with a 5 s idleness timeout unless told otherwise, and names bad values', () => {
    expect(ok({ CHANPERF_KAFKA_BROKERS: 'k:9092' })).toMatchObject({
      ordering: 'merge',
      idleTimeoutMs: 5000,
    });
    expect(
      ok({
        CHANPERF_KAFKA_BROKERS: 'k:9092',
        CHANPERF_KAFKA_ORDERING: 'control',
        CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '250',
      }),
    ).toMatchObject({ ordering: 'control', idleTimeoutMs: 250 });
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_ORDERING: 'offset' })).toBe(
      'CHANPERF_KAFKA_ORDERING: one of merge, control, arrival',
    );
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '5' })).toBe(
      'CHANPERF_KAFKA_IDLE_TIMEOUT_MS: at least 10 ms',
    );
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '2.5' })).toBe(
      'CHANPERF_KAFKA_IDLE_TIMEOUT_MS: a whole number of milliseconds',
    );
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_IDLE_TIMEOUT_MS: 'soon' })).toBe(
      'CHANPERF_KAFKA_IDLE_TIMEOUT_MS: a number of milliseconds',
    );
  });

  it('wants SASL mechanism, username and password together', () => {
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9092', CHANPERF_KAFKA_SASL_USERNAME: 'u' })).toMatch(
      /CHANPERF_KAFKA_SASL_MECHANISM: SASL needs/,
    );
    const c = ok({
      CHANPERF_KAFKA_BROKERS: 'k:9093',
      CHANPERF_KAFKA_SSL: 'true',
      CHANPERF_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      CHANPERF_KAFKA_SASL_USERNAME: 'chanperf',
      CHANPERF_KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'chanperf', password: 'secret' });
  });

  it('verifies TLS certificates unless turned off by name', () => {
    const on = ok({ CHANPERF_KAFKA_BROKERS: 'k:9093', CHANPERF_KAFKA_SSL: 'true' });
    expect(on.tls?.rejectUnauthorized).toBe(true);
    const off = ok({
      CHANPERF_KAFKA_BROKERS: 'k:9093',
      CHANPERF_KAFKA_SSL: 'true',
      CHANPERF_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
    });
    expect(off.tls?.rejectUnauthorized).toBe(false);
    expect(problems({ CHANPERF_KAFKA_BROKERS: 'k:9093', CHANPERF_KAFKA_SSL_CA_FILE: '/ca.pem' })).toMatch(
      /CHANPERF_KAFKA_SSL: TLS files are set/,
    );
  });

  it('passes TLS and SASL through to KafkaJS', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), child: () => logger } as never;
    const options = kafkaClientOptions(
      ok({
        CHANPERF_KAFKA_BROKERS: 'k:9093',
        CHANPERF_KAFKA_SSL: 'true',
        CHANPERF_KAFKA_SASL_MECHANISM: 'plain',
        CHANPERF_KAFKA_SASL_USERNAME: 'u',
        CHANPERF_KAFKA_SASL_PASSWORD: 'p',
      }),
      logger,
    );
    expect(options.ssl).toEqual({ rejectUnauthorized: true });
    expect(options.sasl).toEqual({ mechanism: 'plain', username: 'u', password: 'p' });
    expect(warnings).toEqual([]);
    expect(() =>
      kafkaClientOptions(
        ok({
          CHANPERF_KAFKA_BROKERS: 'k:9093',
          CHANPERF_KAFKA_SSL: 'true',
          CHANPERF_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
        }),
        logger,
      ),
    ).toThrow(/cannot read the Kafka TLS CA file/);
  });
});
