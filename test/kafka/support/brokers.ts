/**
 * Brokers the Kafka suites run against:
 * - `librdkafka mock`: infra/bin/kafka-mock, built (librdkafka-dev installed when missing) by
 *   infra/kafka-mock/build.sh on first use; a fresh one per test. KafkaJS cannot use
 *   idempotent producers on it, so those are off there.
 * - `apache/kafka`: the real broker (KRaft, single node) through testcontainers, where a
 *   container runtime exists.
 * A target that cannot run says why (console.warn) and its suites are skipped, never silently.
 */
import { createRequire } from 'node:module';
import { freePort } from '@chanperf/testing';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import {
  buildMockBroker,
  startMockBroker,
  type MockBrokerOptions,
} from '../../../packages/kafka/src/bench/devBroker.js';
import { pino } from 'pino';
import { createKafka, loadKafkaConfig, TOPICS, type KafkaConfig } from '../../../packages/kafka/src/index.js';

function kafkaConfigFor(bootstrap: string): KafkaConfig {
  const c = loadKafkaConfig({ CHANPERF_KAFKA_BROKERS: bootstrap });
  if (c._tag === 'Left' || c.right === undefined) throw new Error(`bad broker address ${bootstrap}`);
  return c.right;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface RunningBroker {
  readonly bootstrap: string;
  /** The CHANPERF_KAFKA_* variables for this broker. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export interface BrokerTarget {
  readonly name: string;
  /** Why this target cannot run here; undefined when it can. */
  readonly skip: string | undefined;
  /** Starts a broker with `topics` created (others are auto-created with 4 partitions). */
  start(topics: readonly TopicSpec[]): Promise<RunningBroker>;
}

/** Settings of every suite: a short session timeout, so a killed member leaves its group fast. */
const COMMON_ENV = {
  CHANPERF_KAFKA_CLIENT_ID: 'chanperf-test',
  CHANPERF_KAFKA_SESSION_TIMEOUT_MS: '6000',
  CHANPERF_KAFKA_LINGER_MS: '2',
  CHANPERF_KAFKA_FETCH_MAX_WAIT_MS: '100',
  // A partition that stops receiving records stops holding the others back this soon.
  CHANPERF_KAFKA_IDLE_TIMEOUT_MS: '300',
};

/** The control topic has one partition (the mock would auto-create it with 4). */
const withControl = (topics: readonly TopicSpec[]): TopicSpec[] =>
  topics.some((t) => t.name === TOPICS.erpControl)
    ? [...topics]
    : [...topics, { name: TOPICS.erpControl, partitions: 1 }];

/** A mock cluster of several brokers, some slow (librdkafka mock only: see startMockBroker). */
type MockLayout = Pick<MockBrokerOptions, 'brokers' | 'leaders' | 'rtt'>;

export const mockTarget: BrokerTarget & {
  start(topics: readonly TopicSpec[], layout?: MockLayout): Promise<RunningBroker>;
} = {
  name: 'librdkafka mock',
  skip: buildMockBroker(),
  async start(topics: readonly TopicSpec[], layout: MockLayout = {}) {
    const broker = await startMockBroker({ ...layout, topics: withControl(topics) });
    return {
      bootstrap: broker.bootstrap,
      env: { ...COMMON_ENV, CHANPERF_KAFKA_BROKERS: broker.bootstrap, CHANPERF_KAFKA_IDEMPOTENT: 'false' },
      // A test broker needs no clean shutdown (the mock takes ~2 s for one).
      stop: () => broker.stop(0),
    };
  },
};

/** The part of testcontainers used here (it is a dependency of packages/kafka, not of the root). */
interface Testcontainers {
  getContainerRuntimeClient(): Promise<unknown>;
  GenericContainer: new (image: string) => ContainerBuilder;
  Wait: { forLogMessage(message: RegExp): unknown };
}
interface ContainerBuilder {
  withExposedPorts(...ports: { container: number; host: number }[]): ContainerBuilder;
  withEnvironment(env: Record<string, string>): ContainerBuilder;
  withWaitStrategy(strategy: unknown): ContainerBuilder;
  withStartupTimeout(ms: number): ContainerBuilder;
  start(): Promise<{ stop(): Promise<unknown> }>;
}

const requireFromKafka = createRequire(new URL('../../../packages/kafka/package.json', import.meta.url));
const testcontainers = async (): Promise<Testcontainers> =>
  (await import(pathToFileURL(requireFromKafka.resolve('testcontainers')).href)) as Testcontainers;

async function containerSkip(): Promise<string | undefined> {
  try {
    await (await testcontainers()).getContainerRuntimeClient();
    return undefined;
  } catch (err) {
    return `no container runtime for testcontainers (${(err as Error).message})`;
  }
}

/**
 * apache/kafka in KRaft mode. @testcontainers/kafka 11's KafkaContainer only knows the
 * confluentinc/cp-kafka images, so this is a GenericContainer whose host port is chosen first
 * and mapped 1:1, so that the advertised listener is right from the start. Topics are
 * created by the suites' first producer/admin (auto-creation, 4 partitions by default).
 */
export const containerTarget: BrokerTarget = {
  name: 'apache/kafka (testcontainers)',
  skip: await containerSkip(),
  async start(topics) {
    const { GenericContainer, Wait } = await testcontainers();
    const port = await freePort();
    const container = await new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: port, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_NUM_PARTITIONS: '4',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start();
    const bootstrap = `localhost:${port}`;
    // Real Kafka supports CreateTopics: the partition counts asked for, the control topic's 1.
    const admin = createKafka(kafkaConfigFor(bootstrap), pino({ level: 'silent' })).admin();
    await admin.connect();
    await admin.createTopics({
      topics: withControl(topics).map((t) => ({ topic: t.name, numPartitions: t.partitions })),
    });
    await admin.disconnect();
    return {
      bootstrap,
      env: { ...COMMON_ENV, CHANPERF_KAFKA_BROKERS: bootstrap, CHANPERF_KAFKA_IDEMPOTENT: 'true' },
      async stop() {
        await container.stop();
      },
    };
  },
};

export const TARGETS: readonly BrokerTarget[] = [mockTarget, containerTarget];

/** `describe` per target (all by default); a target that cannot run is reported and skipped. */
export function describeOnBrokers(
  title: string,
  body: (target: BrokerTarget) => void,
  targets: readonly BrokerTarget[] = TARGETS,
): void {
  for (const target of targets) {
    if (target.skip !== undefined) {
      console.warn(`[kafka] "${title}" on ${target.name}: SKIPPED — ${target.skip}`);
      describe.skip(`${title} [${target.name}: skipped, ${target.skip}]`, () => {
        it('needs the broker', () => undefined);
      });
    } else {
      describe(`${title} [${target.name}]`, () => body(target));
    }
  }
}
