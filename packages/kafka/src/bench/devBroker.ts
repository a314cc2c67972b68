/**
 * A Kafka broker for development, tests and benchmarks on machines without Docker (not part
 * of the package's build: the benchmark beside it and test/kafka use it):
 * librdkafka's mock cluster behind `infra/bin/kafka-mock` (see infra/kafka-mock/launcher.c).
 * It speaks the Kafka protocol over TCP on loopback: produce/fetch, consumer groups and
 * committed offsets; topics are auto-created with 4 partitions; CreateTopics is not
 * supported (pass `topics` here instead) and KafkaJS cannot use idempotent producers on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is at packages/kafka/{src,dist}/bench/). */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const MOCK_BROKER_BINARY = `${ROOT}infra/bin/kafka-mock`;
const MOCK_BROKER_BUILD = `${ROOT}infra/kafka-mock/build.sh`;

export interface MockBrokerOptions {
  /** Number of brokers (default 1). */
  readonly brokers?: number;
  /** Topics to create up front, with their partition counts. */
  readonly topics?: readonly { readonly name: string; readonly partitions: number }[];
  /** First listening port (default: ports the kernel picks). */
  readonly port?: number;
  /** Partition leaders to set (brokers are numbered from 1). */
  readonly leaders?: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly broker: number;
  }[];
  /** Brokers that answer every request this many milliseconds late. */
  readonly rtt?: readonly { readonly broker: number; readonly ms: number }[];
}

export interface MockBroker {
  /** `host:port[,…]`, as for CHANPERF_KAFKA_BROKERS. */
  readonly bootstrap: string;
  readonly pid: number;
  /** Stops the broker: SIGTERM, then SIGKILL after `graceMs` (default 3000). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Builds `infra/bin/kafka-mock` when it is missing or stale (installing librdkafka-dev via
 * apt-get when its header is missing). Returns undefined on success, else why it failed.
 */
export function buildMockBroker(): string | undefined {
  const r = spawnSync('bash', [MOCK_BROKER_BUILD], { encoding: 'utf8', timeout: 600_000 });
  if (r.error !== undefined) return `cannot run ${MOCK_BROKER_BUILD}: ${r.error.message}`;
  if (r.status !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-3).join(' | ');
    return `${MOCK_BROKER_BUILD} failed (exit ${r.status}): ${tail}`;
  }
  return undefined;
}

/** Starts the mock cluster (build it first with {@link buildMockBroker}). */
export function startMockBroker(options: MockBrokerOptions = {}): Promise<MockBroker> {
  const args = [
    ...(options.brokers !== undefined ? ['--brokers', String(options.brokers)] : []),
    ...(options.port !== undefined ? ['--port', String(options.port)] : []),
    ...(options.topics ?? []).flatMap((t) => ['--topic', `${t.name}:${t.partitions}`]),
    ...(options.leaders ?? []).flatMap((l) => ['--leader', `${l.topic}:${l.partition}:${l.broker}`]),
    ...(options.rtt ?? []).flatMap((r) => ['--rtt', `${r.broker}:${r.ms}`]),
  ];
  const child = spawn(MOCK_BROKER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<MockBroker>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      resolve({
        bootstrap: out.slice(0, nl).trim(),
        pid: child.pid ?? 0,
        async stop(graceMs = 3000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        },
      });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kafka-mock exited with ${code}: ${stderr.trim()}`)));
  });
}
