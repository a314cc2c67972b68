/** Runs the built `chanperf` CLI as a child process (tests need `tsc -b` to have run). */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../services/cli/dist/main.js', import.meta.url));

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` (tsc -b) first`);
}

export function chanperf(args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  assertBuilt();
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CHANPERF_LOG_LEVEL: 'warn', ...env },
    maxBuffer: 512 * 1024 * 1024,
  });
}

/** Starts the CLI without waiting; for tests that kill it. */
export function chanperfAsync(args: string[], env: NodeJS.ProcessEnv = {}) {
  assertBuilt();
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, CHANPERF_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts `chanperf serve ARGS…`; `url` resolves with the address it prints once it listens
 * (`chanperf: serving on URL`) and rejects, with its stderr, if it exits before.
 */
export function serveAsync(args: string[], env: NodeJS.ProcessEnv) {
  const child = chanperfAsync(['serve', ...args], env);
  const url = new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) =>
      reject(new Error(`serve ${args.join(' ')} exited with ${String(code)}: ${err}`)),
    );
  });
  return { child, url };
}

/** Stops a child with SIGTERM; resolves once it has exited (at once if it already has). */
export function stopChild(child: {
  exitCode: number | null;
  signalCode: NodeJS.Signals | null;
  once(event: 'exit', f: () => void): unknown;
  kill(signal: NodeJS.Signals): boolean;
}): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
