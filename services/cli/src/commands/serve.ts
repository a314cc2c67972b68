/**
 * `chanperf serve [--only NAME]`: runs the services (serve.ts, the composition root) until
 * SIGINT or SIGTERM, configured by CHANPERF_* variables; a bad setting is a usage error.
 */
import type { CommandLine } from '../commandLine.js';
import { fail } from '../usageError.js';
import { ConfigError, SERVICES, startServer, type ServiceName } from '../serve.js';

export async function serveCommand({ env, values }: CommandLine): Promise<void> {
  const only = values.only;
  if (only !== undefined && !(SERVICES as readonly string[]).includes(only)) {
    fail(`serve: --only must be one of ${SERVICES.join(', ')}`);
  }
  try {
    await serveUntilSignal({ env, only: only as ServiceName | undefined });
  } catch (err) {
    if (err instanceof ConfigError) fail(`serve: ${err.message.replaceAll('\n', '; ')}`);
    throw err;
  }
}

/** Runs until SIGINT or SIGTERM, then shuts down gracefully. */
async function serveUntilSignal(options: {
  env: NodeJS.ProcessEnv;
  only?: ServiceName | undefined;
}): Promise<void> {
  // It logs `chanperf: serving on URL` once it listens: stderr carries JSON lines only.
  const server = await startServer(options);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
}
