#!/usr/bin/env node
/**
 * `chanperf` — the command line of the embedded engine.
 * stdout carries only the command's result; logs (pino JSON) go to stderr.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { pino, type Logger } from 'pino';
import type { DeploymentSettings } from '@chanperf/domain';
import { EngineError } from '@chanperf/engine';
import { inPieces } from './pieces.js';
import { settingsFrom } from './settings.js';
import { ingestFile, openEngine } from './pipeline.js';
import { runDemo } from './demo.js';
import { ConfigError, SERVICES, serveUntilSignal, type ServiceName } from './serve.js';

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

function makeLogger(): Logger {
  return pino(
    { level: process.env.CHANPERF_LOG_LEVEL ?? 'info', base: { service: 'cli' } },
    pino.destination(2),
  );
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
  const settingsE = settingsFrom(values, process.env);
  if (E.isLeft(settingsE)) fail(settingsE.left);
  const settings: DeploymentSettings = settingsE.right;
  const logger = makeLogger();
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
      const engine = await openEngine(values.db ?? join(tmp ?? '.', 'replay.db'), settings, logger);
      try {
        // With the projection on its own thread, the report comes from that thread's state
        // as the projection finishes; otherwise it is built here.
        let printed = false;
        await ingestFile(engine, file, {
          project: true,
          logger,
          report: async (text) => {
            printed = true;
            await write(text);
          },
        });
        if (printed) await write('\n');
        else await writeChunks(engine.reportText());
      } finally {
        engine.close();
        if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
      }
      return 0;
    }
    case 'ingest': {
      const file = needFile();
      const engine = await openEngine(needDb(false), settings, logger);
      try {
        const summary = await ingestFile(engine, file, { project: values['no-project'] !== true, logger });
        await write(`${JSON.stringify(summary)}\n`);
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'report':
    case 'project':
    case 'rebuild': {
      const engine = await openEngine(needDb(true), settings, logger);
      try {
        if (command === 'rebuild') await engine.store.readStore.reset();
        if (command === 'report') {
          await writeChunks(engine.reportText());
        } else {
          const started = process.hrtime.bigint();
          const position = await engine.runner.catchUp();
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          await write(`${JSON.stringify({ position, seconds })}\n`);
        }
      } finally {
        engine.close();
      }
      return 0;
    }
    case 'rejected': {
      const engine = await openEngine(needDb(true), settings, logger);
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
      const env = { ...process.env };
      if (values.timezone !== undefined) env.CHANPERF_TIMEZONE = values.timezone;
      if (values.currency !== undefined) env.CHANPERF_CURRENCY = values.currency;
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
        settings,
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
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
