#!/usr/bin/env node
/**
 * `chanperf` — the command line of the embedded engine: reads the command line, runs the
 * command (commands/*.ts), and turns a failure into one line on stderr and an exit code
 * (2: a bad invocation; 1: a full disk or an unexpected failure, with its stack).
 * stdout carries only the command's result; logs (pino JSON) go to stderr.
 */
import { EngineError } from '@chanperf/engine';
import { fail, parseCommandLine, UsageError, type CommandLine } from './commandLine.js';
import { demoCommand } from './commands/demo.js';
import { ingestCommand } from './commands/ingest.js';
import { rejectedCommand } from './commands/rejected.js';
import { replayCommand } from './commands/replay.js';
import { projectCommand, rebuildCommand, reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';
import { print } from './stdout.js';
import { dbArgument, storageFullLine } from './storageFull.js';

const USAGE = `usage: chanperf <command> [options]

commands:
  replay FILE [--db PATH]        run FILE through the pipeline, print the report (JSON)
  ingest FILE --db PATH          append FILE to the database (resumable) and project it
         [--no-project]          only append; project later with \`project\`
  report --db PATH               print the report of what the database holds
  project --db PATH              bring the read model up to the log's head
  rebuild --db PATH [--wait S]   drop the read model and re-project the whole log (waits up
                                 to S seconds, default 60, for another projector to stop)
  rejected --db PATH             list rejected inputs as NDJSON (raw input, code, message)
         [--after ID] [--limit N]
  demo [--seed N] [--partners N] [--dir DIR]
                                 generate a realistic feed, run it, print a summary
  serve [--only ingestion|projection|alerting|query]
                                 run the services (HTTP API, projection, alerting);
                                 configured by CHANPERF_* environment variables

common options:
  --timezone TZ    reporting time zone (env CHANPERF_TIMEZONE, default Asia/Shanghai)
  --currency CUR   ISO 4217 currency (env CHANPERF_CURRENCY, default CNY)
`;

const COMMANDS = new Map<string, (commandLine: CommandLine) => Promise<void>>([
  ['replay', replayCommand],
  ['ingest', ingestCommand],
  ['report', reportCommand],
  ['project', projectCommand],
  ['rebuild', rebuildCommand],
  ['rejected', rejectedCommand],
  ['serve', serveCommand],
  ['demo', demoCommand],
]);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    await print(USAGE);
    return command === undefined ? 2 : 0;
  }
  // The options and the configuration are checked before the command's name.
  const commandLine = parseCommandLine(command, rest);
  const run = COMMANDS.get(command);
  if (run === undefined) fail(`unknown command "${command}" (try chanperf help)`);
  await run(commandLine);
  return 0;
}

/** Says on stderr why the command failed; answers the exit code. */
function failed(err: unknown, argv: readonly string[]): number {
  // A full disk: one line naming the database, exit 1, no stack (checked first: the store
  // wraps SQLITE_FULL in a retriable EngineError).
  const full = storageFullLine(err, dbArgument(argv));
  if (full !== undefined) {
    process.stderr.write(`${full}\n`);
    return 1;
  }
  if (err instanceof UsageError || (err instanceof EngineError && !err.retriable)) {
    process.stderr.write(`chanperf: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`chanperf: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = failed(err, process.argv.slice(2));
  },
);
