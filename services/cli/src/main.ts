#!/usr/bin/env node
/**
 * `chanperf` — the command line of the embedded engine.
 * stdout carries only the command's result; logs (pino JSON) go to stderr.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pino, type Logger } from 'pino';
import { EngineError, reportTextOf, savedState } from '@chanperf/engine';
import { loadEngineConfig, type EngineConfig } from '@chanperf/runtime/engine';
import { inPieces } from './pieces.js';
import { ingestFile, openEngine, type Engine, type IngestSummary } from './pipeline.js';
import { fileTurn, projectedByUsOrThem, projectorLease, takeTurn, tryTurn } from './turns.js';
import { runDemo } from './demo.js';
import { ConfigError, SERVICES, serveUntilSignal, type ServiceName } from './serve.js';
import { dbArgument, storageFullLine } from './storageFull.js';

const USAGE = `usage: chanperf <command> [options]

commands:
  replay FILE [--db PATH]        run FILE through the pipeline, print the report (JSON)
  ingest FILE --db PATH          append FILE to the database (resumable) and project it
         [--no-project]          only append; project later with \`project\`
  report --db PATH               print the report of what the database holds
  project --db PATH              bring the read model up to the log's head
  rebuild --db PATH              drop the read model and re-project the whole log
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

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

function makeLogger(level: string): Logger {
  return pino({ level, base: { service: 'cli' } }, pino.destination(2));
}

/** Writes pieces of text, batching small ones and waiting for stdout to drain. */
async function writeChunks(chunks: AsyncIterable<string>): Promise<void> {
  for await (const piece of inPieces(chunks)) await write(piece);
  await write('\n');
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    await write(USAGE);
    return command === undefined ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
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
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  // One configuration for every command (engine.ts): the flags, then CHANPERF_*, then defaults.
  const env = { ...process.env };
  if (values.timezone !== undefined) env.CHANPERF_TIMEZONE = values.timezone;
  if (values.currency !== undefined) env.CHANPERF_CURRENCY = values.currency;
  const configE = loadEngineConfig(env);
  if (E.isLeft(configE)) fail(configE.left.replaceAll('\n', '; '));
  const config: EngineConfig = configE.right;
  const logger = makeLogger(config.logLevel);
  const needFile = (): string => {
    const file = positionals[0];
    if (file === undefined) fail(`${command}: missing FILE`);
    if (positionals.length > 1) fail(`${command}: unexpected argument ${positionals[1]}`);
    if (!existsSync(file)) fail(`${command}: no such file: ${file}`);
    return file;
  };
  const needDb = (mustExist: boolean): string => {
    if (values.db === undefined) fail(`${command}: --db PATH is required`);
    if (mustExist && !existsSync(values.db)) fail(`${command}: no such database: ${values.db}`);
    return values.db;
  };
  const int = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) fail(`${command}: --${name} must be a non-negative integer`);
    return n;
  };

  switch (command) {
    case 'replay': {
      const file = needFile();
      const tmp = values.db === undefined ? mkdtempSync(join(tmpdir(), 'chanperf-replay-')) : undefined;
      const engine = await openEngine(values.db ?? join(tmp ?? '.', 'replay.db'), config, logger);
      try {
        // With the projection on its own thread, the report comes from that thread's state
        // as the projection finishes; otherwise it is built here.
        let printed = false;
        const projected = await ingestTakingTurns(engine, file, true, async (text) => {
          printed = true;
          await write(text);
        });
        if (printed) await write('\n');
        else await writeChunks(await reportOnceProjected(engine, projected));
      } finally {
        engine.close();
        if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
      }
      return 0;
    }
    case 'ingest': {
      const file = needFile();
      const engine = await openEngine(needDb(false), config, logger);
      try {
        await ingestTakingTurns(engine, file, values['no-project'] !== true, undefined, async (summary) => {
          await write(`${JSON.stringify(summary)}\n`);
        });
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'report':
    case 'project':
    case 'rebuild': {
      const engine = await openEngine(needDb(true), config, logger);
      try {
        const started = process.hrtime.bigint();
        let position: number;
        if (command === 'rebuild') {
          // Dropping the read model under a live projector would corrupt it: wait for the lease.
          const turn = await takeTurn(projectorLease(engine.store, 'chanperf rebuild'), {
            waiting: (holder) => `waiting for ${holder} to stop projecting before rebuilding (up to 60 s)`,
            waitMs: 60_000,
          });
          try {
            await engine.store.readStore.reset();
            position = await engine.runner.catchUp();
          } finally {
            turn.release();
          }
        } else if (command === 'report') {
          await writeChunks(await reportOnceProjected(engine, false));
          return 0;
        } else {
          const turn = await projectedByUsOrThem(engine.store, 'chanperf project');
          try {
            position =
              turn !== undefined ? await engine.runner.catchUp() : await engine.store.readStore.position();
          } finally {
            turn?.release();
          }
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        await write(`${JSON.stringify({ position, seconds })}\n`);
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'rejected': {
      const engine = await openEngine(needDb(true), config, logger);
      try {
        const rows = await engine.store.log.list({
          afterId: int('after', values.after, 0),
          limit: int('limit', values.limit, 1000),
        });
        await write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'serve': {
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
      return 0;
    }
    case 'demo':
      await runDemo({
        config,
        logger,
        seed: int('seed', values.seed, 42),
        partners: int('partners', values.partners, 200),
        dir: values.dir ?? process.env.CHANPERF_DATA_DIR ?? '.chanperf',
        print: write,
      });
      return 0;
    default:
      fail(`unknown command "${command}" (try chanperf help)`);
  }
}

/**
 * `ingest`/`replay` of a file on a database others may use: takes the file's turn (a second
 * ingest of the same file waits, then resumes after the first), and projects only when no
 * other live process projects the read model (else it appends and leaves the projection to
 * that process). Answers whether this command projected.
 */
async function ingestTakingTurns(
  engine: Engine,
  file: string,
  project: boolean,
  report?: (text: string) => Promise<void>,
  done?: (summary: IngestSummary) => Promise<void>,
): Promise<boolean> {
  const mine = await fileTurn(engine.store, file);
  try {
    const projector = project
      ? tryTurn(projectorLease(engine.store, `chanperf ingest ${basename(file)}`))
      : undefined;
    if (projector !== undefined && 'heldBy' in projector) {
      process.stderr.write(`chanperf: ${projector.heldBy} projects this database; appending only\n`);
    }
    const projecting = projector !== undefined && !('heldBy' in projector);
    try {
      const summary = await ingestFile(engine, file, {
        project: projecting,
        logger: engine.logger,
        ...(report !== undefined ? { report } : {}),
      });
      await done?.(summary);
    } finally {
      if (projecting) projector.release();
    }
    return projecting;
  } finally {
    mine.release();
  }
}

/**
 * The report's text once the read model reflects the log's head: projected here (when this
 * command holds, or can take, the projector's lease) or by the process that projects it.
 */
async function reportOnceProjected(engine: Engine, projectedHere: boolean): Promise<AsyncIterable<string>> {
  const turn = projectedHere ? undefined : await projectedByUsOrThem(engine.store, 'chanperf report');
  if (projectedHere || turn !== undefined) {
    try {
      await engine.runner.catchUp();
    } finally {
      turn?.release();
    }
    return engine.reportText();
  }
  const store = engine.store;
  return reportTextOf(savedState(store.readStore), store.log, store.readStore, store.log, engine.settings);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A full disk: one line naming the database, exit 1, no stack (checked first: the store
    // wraps SQLITE_FULL in a retriable EngineError).
    const full = storageFullLine(err, dbArgument(process.argv.slice(2)));
    if (full !== undefined) {
      process.stderr.write(`${full}\n`);
      process.exitCode = 1;
    } else if (err instanceof UsageError) {
      process.stderr.write(`chanperf: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof EngineError && !err.retriable) {
      process.stderr.write(`chanperf: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`chanperf: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
