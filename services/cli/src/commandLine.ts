/**
 * A `chanperf` command line: its options, parsed strictly, and the one configuration every
 * command runs with (the flags, then CHANPERF_* variables, then the defaults: engine.ts). A
 * bad invocation is a `UsageError`: one line on stderr, exit code 2.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import type { Logger } from 'pino';
import { loadEngineConfig, type EngineConfig } from '@chanperf/runtime/engine';
import { createLogger } from '@chanperf/runtime/logger';
import { COMMON_OPTIONS, type CommandSpec } from './commandTable.js';
import { logStream } from './progress.js';
import { fail } from './usageError.js';

/** Every command's options (each takes its own: commandTable.ts). */
type AllOptions = typeof COMMON_OPTIONS & {
  db: { type: 'string' };
  'no-project': { type: 'boolean' };
  quiet: { type: 'boolean' };
  after: { type: 'string' };
  limit: { type: 'string' };
  seed: { type: 'string' };
  partners: { type: 'string' };
  dir: { type: 'string' };
  only: { type: 'string' };
  wait: { type: 'string' };
  // chanperf export / import
  eventstore: { type: 'string' };
  rejected: { type: 'string' };
  // whatif
  program: { type: 'string' };
  from: { type: 'string' };
  format: { type: 'string' };
  /** `report --as-of` (issue 18). */
  'as-of': { type: 'string' };
};

type Options = ReturnType<typeof parseArgs<{ options: AllOptions; allowPositionals: true }>>['values'];

export interface CommandLine {
  readonly command: string;
  readonly values: Options;
  readonly positionals: readonly string[];
  /** This process's environment with the flags applied (`--timezone`, `--currency`). */
  readonly env: NodeJS.ProcessEnv;
  readonly config: EngineConfig;
  /** pino on stderr (JSON, or pino-pretty's lines), at the configured level. */
  readonly logger: Logger;
}

/**
 * Parses the arguments after the command's name against that command's options; an option it
 * does not take, or a bad setting, fails with a `UsageError`.
 */
export function parseCommandLine(spec: CommandSpec, args: readonly string[]): CommandLine {
  const command = spec.name;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...spec.options },
    });
  } catch (err) {
    fail(`${command}: ${optionProblem(err as Error & { code?: string })} (see chanperf ${command} --help)`);
  }
  const values = parsed.values as Options;
  const env = { ...process.env };
  if (values.timezone !== undefined) env.CHANPERF_TIMEZONE = values.timezone;
  if (values.currency !== undefined) env.CHANPERF_CURRENCY = values.currency;
  const config = loadEngineConfig(env);
  if (E.isLeft(config)) fail(config.left.replaceAll('\n', '; '));
  const { logLevel: level, logFormat: format } = config.right;
  const logger = createLogger({ service: 'cli', level, format, destination: logStream });
  return { command, values, positionals: parsed.positionals, env, config: config.right, logger };
}

/** parseArgs' complaint, shortened: `unknown option --x`, else its own words. */
function optionProblem(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown option ${option}`;
  return err.message;
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
