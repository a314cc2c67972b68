/**
 * Child processes of the Kafka suites. The runner (test/kafka/erpRunner.ts) is transpiled with
 * TypeScript's transpileModule into test/kafka/dist/ (ignored by git and ESLint) and imports
 * the workspace packages' dist, so they are built first (`tsc -b`, incremental).
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = `${ROOT}test/kafka/erpRunner.ts`;
const OUT_DIR = `${ROOT}test/kafka/dist`;
export const RUNNER = `${OUT_DIR}/erpRunner.mjs`;

interface TypeScriptApi {
  transpileModule(
    source: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string },
  ): { outputText: string };
  ModuleKind: { ESNext: unknown };
  ScriptTarget: { ES2022: unknown };
}

/** Builds what the runner imports and writes the runner; returns why it cannot, if so. */
export function buildRunner(): string | undefined {
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  const build = spawnSync(
    process.execPath,
    [tsc, '-b', 'packages/kafka', 'services/ingestion', 'services/projection'],
    { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
  );
  if (build.status !== 0) return `tsc -b failed: ${(build.stdout + build.stderr).trim().slice(0, 2000)}`;
  const ts = createRequire(import.meta.url)(`${ROOT}node_modules/typescript`) as TypeScriptApi;
  const { outputText } = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    fileName: SOURCE,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  const kafkaDist = pathToFileURL(`${ROOT}packages/kafka/dist/index.js`).href;
  const code = outputText.replace(`'../../packages/kafka/src/index.js'`, `'${kafkaDist}'`);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(RUNNER, code);
  return undefined;
}

export type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Starts the runner with `env` and resolves once it is consuming. */
export function startRunner(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [RUNNER], {
    env: {
      ...process.env,
      CHANPERF_LOG_LEVEL: process.env.CHANPERF_TEST_LOG_LEVEL ?? 'warn',
      RUNNER_ROOT: ROOT,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (process.env.CHANPERF_TEST_LOG_LEVEL !== undefined) process.stderr.write(d);
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code, signal) =>
      reject(new Error(`runner exited (${code ?? signal}): ${stderr.slice(-2000)}`)),
    );
  });
}

/** Kills `child` with `signal` and waits until it is gone. */
export async function kill(child: Child, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
