/**
 * The KafkaJS client of one process: brokers, TLS and SASL from {@link KafkaConfig}, and
 * KafkaJS's own log lines routed into pino (never its message payloads: those may carry
 * partner data).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  Kafka,
  logLevel,
  type KafkaConfig as KafkaJSConfig,
  type logCreator,
  type SASLOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from './config.js';
import { KafkaAdapterError } from './errors.js';

function readTlsFile(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new KafkaAdapterError('KAFKA_CONFIG', `cannot read the Kafka TLS ${what} ${path}`, false, {
      cause,
    });
  }
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
    default: {
      const never: never = sasl.mechanism;
      return never;
    }
  }
}

/** KafkaJS's levels onto pino's; KafkaJS INFO is chatty (joins, commits): debug here. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      // KafkaJS adds its own timestamp and logger name; pino has both.
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(log))
        if (k !== 'message' && k !== 'timestamp' && k !== 'logger') extra[k] = v;
      const fields = { kafkajs: extra };
      const { message } = log;
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}

/** The KafkaJS client options for `config` (reads the TLS files; throws KAFKA_CONFIG). */
export function kafkaClientOptions(config: KafkaConfig, logger: Logger): KafkaJSConfig {
  let ssl: ConnectionOptions | undefined;
  if (config.tls !== undefined) {
    const ca = readTlsFile(config.tls.caFile, 'CA file');
    const cert = readTlsFile(config.tls.certFile, 'certificate file');
    const key = readTlsFile(config.tls.keyFile, 'key file');
    ssl = {
      rejectUnauthorized: config.tls.rejectUnauthorized,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(config.tls.servername !== undefined ? { servername: config.tls.servername } : {}),
    };
    if (!config.tls.rejectUnauthorized) {
      logger.warn('Kafka TLS certificate verification is OFF (CHANPERF_KAFKA_SSL_REJECT_UNAUTHORIZED=false)');
    }
  }
  return {
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(logger),
    ...(ssl !== undefined ? { ssl } : {}),
    ...(config.sasl !== undefined ? { sasl: saslOptions(config.sasl) } : {}),
  };
}

/** Creates the KafkaJS client for `config`; KafkaJS logs go to `logger` (service `kafka`). */
export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  return new Kafka(kafkaClientOptions(config, logger.child({ service: 'kafka' })));
}
