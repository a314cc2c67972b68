/**
 * `chanperf serve [--only NAME]`: runs the services (serve.ts, the composition root) until
 * SIGINT or SIGTERM, configured by CHANPERF_* variables; a bad setting is a usage error.
 *
 * A `serve` that ingests (all services, or `--only ingestion`) runs them on a thread of its own
 * (CHANPERF_SERVE_YOUNG_GENERATION_MB, default 192):
 * the process's main thread starts this same command line again on a worker thread whose young
 * generation is that large, passes SIGINT and SIGTERM on to it as a message, and ends with its
 * exit code. V8 sizes a thread's young generation only when the thread starts: node's flags
 * do it for the main thread, a worker's `resourceLimits` for a worker. With node's default (16
 * MiB semi-spaces) HTTP ingestion collected its young generation every ~50 ms, each time with a
 * group commit's requests alive, copying and promoting them (see docs/performance.md).
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig } from '@chanperf/runtime/config';
import type { CommandLine } from '../commandLine.js';
import { SERVICES, type ServiceName } from '../serviceNames.js';
import { fail } from '../usageError.js';

/** The message the main thread sends the services' thread on SIGINT or SIGTERM. */
const STOP = 'chanperf:stop';

/** The CLI's entry point (built: beside `commands/`; from the sources, tests: its compiled copy). */
const MAIN_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/main.js', import.meta.url)
  : new URL('../main.js', import.meta.url);

export async function serveCommand({ env, values }: CommandLine): Promise<number | void> {
  const only = values.only;
  if (only !== undefined && !(SERVICES as readonly string[]).includes(only)) {
    fail(`serve: --only must be one of ${SERVICES.join(', ')}`);
  }
  // Only the processes that ingest: the young generation is what HTTP ingestion gains by,
  // while a process that only answers queries would hold its extra ~140 MiB for nothing.
  const ingests = only === undefined || only === 'ingestion';
  const youngMb = isMainThread && ingests ? servicesThreadYoungMb(env) : 0;
  if (youngMb > 0) return serveOnThread(youngMb);
  // The services' modules (Fastify, Kafka, the query routes…) load on the thread that runs them
  // only: loaded here too, they made a threaded start ~0.85 s slower.
  const { ConfigError, startServer } = await import('../serve.js');
  // Listened for before the start: a signal while it starts stops it once it has started
  // (after its serving line, not before its handler is there).
  const stop = stopRequest();
  try {
    // It logs `chanperf: serving on URL` once it listens: stderr carries JSON lines only.
    const server = await startServer({ env, only: only as ServiceName | undefined });
    await stop.requested;
    await server.close();
  } catch (err) {
    if (err instanceof ConfigError) fail(`serve: ${err.message.replaceAll('\n', '; ')}`);
    throw err;
  } finally {
    stop.dispose();
  }
}

/** The setting; 0 (the services on this thread) when the configuration is bad: they report it. */
function servicesThreadYoungMb(env: NodeJS.ProcessEnv): number {
  const config = loadConfig(env);
  return E.isLeft(config) ? 0 : config.right.serveYoungGenerationMb;
}

/**
 * This command line again on a worker thread with a young generation of `youngMb`; answers
 * its exit code. Its stderr (log lines, a usage error) is its own; a failure it did not catch
 * is thrown here, where main.ts reports it as it would have there.
 */
function serveOnThread(youngMb: number): Promise<number> {
  const worker = new Worker(MAIN_URL, {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: youngMb },
  });
  const stop = stopRequest();
  void stop.requested.then(() => worker.postMessage(STOP));
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    worker.once('error', (err) => {
      failure = err;
    });
    worker.once('exit', (code) => {
      stop.dispose();
      if (failure !== undefined) reject(failure);
      else resolve(code);
    });
  });
}

/**
 * SIGINT or SIGTERM (once each: a second signal ends the process at once), or on a worker thread
 * the main thread's `STOP`; `dispose` stops listening.
 */
function stopRequest(): { requested: Promise<void>; dispose(): void } {
  let dispose = () => {};
  const requested = new Promise<void>((resolve) => {
    if (!isMainThread && parentPort !== null) {
      const port = parentPort;
      const onMessage = (m: unknown) => {
        if (m === STOP) resolve();
      };
      port.on('message', onMessage);
      // A listening port keeps the thread alive: once done, it must let go.
      dispose = () => port.off('message', onMessage);
      return;
    }
    const onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  });
  return { requested, dispose: () => dispose() };
}
