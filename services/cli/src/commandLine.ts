/**
 * A `chanperf` command line: its options, parsed strictly, and the one configuration every
 * command runs with (the flags, then CHANPERF_* variables, then the defaults: engine.ts). A
 * bad invocation is a `UsageError`: one line on stderr, exit code 2.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pino, type Logger } from 'pino';
import { loadEngineConfig, type EngineConfig } from '@chanperf/runtime/engine';

/** A bad invocation: the message is printed as `chanperf: <message>`, the exit code is 2. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

const OPTIONS = {
  db: { type: 'string' },
  timezone: { type: 'string' },
  currency: { type: 'string' },
  'no-project': { type: 'boolean' },
  after: { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  partners: { type: 'string' },
  dir: { type: 'string' },
  only: { type: 'string' },
  wait: { type: 'string' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export interface CommandLine {
  readonly command: string;
  readonly values: Options;
  readonly positionals: readonly string[];
  /** This process's environment with the flags applied (`--timezone`, `--currency`). */
  readonly env: NodeJS.ProcessEnv;
  readonly config: EngineConfig;
  /** pino JSON on stderr, at the configured level. */
  readonly logger: Logger;
}

/** Parses the arguments after `command`; a bad option or setting fails with a `UsageError`. */
export function parseCommandLine(command: string, args: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  const env = { ...process.env };
  if (values.timezone !== undefined) env.CHANPERF_TIMEZONE = values.timezone;
  if (values.currency !== undefined) env.CHANPERF_CURRENCY = values.currency;
  const config = loadEngineConfig(env);
  if (E.isLeft(config)) fail(config.left.replaceAll('\n', '; '));
  const logger = pino({ level: config.right.logLevel, base: { service: 'cli' } }, pino.destination(2));
  return { command, values, positionals, env, config: config.right, logger };
}

/** The command's FILE argument: exactly one, and it exists. */
export function needFile({ command, positionals }: CommandLine): string {
  const file = positionals[0];
  if (file === undefined) fail(`${command}: missing FILE`);
  if (positionals.length > 1) fail(`${command}: unexpected argument ${positionals[1]}`);
  if (!existsSync(file)) fail(`${command}: no such file: ${file}`);
  return file;
}

/** The `--db PATH` option, required; with `mustExist`, the database must be there already. */
export function needDb({ command, values }: CommandLine, mustExist: boolean): string {
  if (values.db === undefined) fail(`${command}: --db PATH is required`);
  if (mustExist && !existsSync(values.db)) fail(`${command}: no such database: ${values.db}`);
  return values.db;
}

/** The integer option `--name` (non-negative), or `fallback` when absent. */
export function intOption(
  { command, values }: CommandLine,
  name: 'after' | 'limit' | 'seed' | 'partners' | 'wait',
  fallback: number,
): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) fail(`${command}: --${name} must be a non-negative integer`);
  return n;
}
