#!/usr/bin/env node
/**
 * `chanperf` — the command line of the embedded engine: reads the command line, runs the
 * command (commands/*.ts), and turns a failure into one line on stderr and an exit code
 * (2: a bad invocation; 1: a full disk or an unexpected failure, with its stack).
 *
 * stdout carries only the command's result (and `--help`, `--version`). stderr is the log
 * stream: pino lines, a refreshed progress line when it is a terminal (progress.ts), and the
 * one line of a failure. Only the command that runs is loaded (commandTable.ts): `--help`
 * reads neither the engine nor Kafka, Fastify or prom-client.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { COMMANDS, USAGE } from './commandTable.js';
import { leaveProgressLine } from './progress.js';
import { print } from './stdout.js';
import { UsageError } from './usageError.js';

/** The running command's logger, once it has one (a failure of `serve` is logged as JSON). */
let running: { command: string; logger: Logger } | undefined;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h') return print(USAGE).then(() => 0);
  if (name === '--version' || name === '-V') return print(`chanperf ${version()}\n`).then(() => 0);
  const spec = COMMANDS.find((c) => c.name === (name === 'help' ? rest[0] : name));
  if (name === 'help' && rest[0] === undefined) return print(USAGE).then(() => 0);
  if (spec === undefined) {
    throw new UsageError(`unknown command "${name === 'help' ? rest[0] : name}" (try chanperf --help)`);
  }
  if (name === 'help' || asksForHelp(rest)) return print(spec.help).then(() => 0);
  // The options are checked before the command's module (and what it needs) is loaded.
  const { parseCommandLine } = await import('./commandLine.js');
  const commandLine = parseCommandLine(spec, rest);
  const run = await spec.load();
  running = { command: spec.name, logger: commandLine.logger };
  const code = await run(commandLine);
  return typeof code === 'number' ? code : 0;
}

/** `--help` or `-h` among the options (not after `--`, where it would be a FILE's name). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.includes('--help') || options.includes('-h');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Says on stderr why the command failed; answers the exit code. */
async function failed(err: unknown, argv: readonly string[]): Promise<number> {
  leaveProgressLine();
  if (err instanceof UsageError) {
    process.stderr.write(`chanperf: ${err.message}\n`);
    return 2;
  }
  const [{ dbArgument, storageFullLine }, { EngineError }] = await Promise.all([
    import('./storageFull.js'),
    import('@chanperf/engine'),
  ]);
  // A full disk: one line naming the database, exit 1, no stack (checked first: the store
  // wraps SQLITE_FULL in a retriable EngineError).
  const full = storageFullLine(err, dbArgument(argv));
  if (full !== undefined) {
    process.stderr.write(`${full}\n`);
    return 1;
  }
  if (err instanceof EngineError && !err.retriable) {
    process.stderr.write(`chanperf: ${err.message}\n`);
    return 2;
  }
  // Another rebuild still builds after `--wait`: expected, one line naming it, exit 1 (try again).
  if (err instanceof EngineError && err.code === 'REBUILD_RUNNING') {
    process.stderr.write(`chanperf: ${err.message}\n`);
    return 1;
  }
  if (running?.command === 'serve') {
    // The services' stderr is JSON lines only: the failure is one more (level fatal).
    running.logger.fatal({ err }, 'chanperf: unexpected failure');
    return 1;
  }
  process.stderr.write(`chanperf: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
  return 1;
}

main(process.argv.slice(2))
  .catch((err: unknown) => failed(err, process.argv.slice(2)))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`chanperf: unexpected failure: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
