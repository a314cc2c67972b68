/**
 * `chanperf demo [--seed N] [--partners N] [--dir DIR]`: a newcomer's first run. Generates a
 * seeded, realistic feed with spec v2 in it (@chanperf/feed-generator, `v2: true`), runs it
 * through the embedded pipeline and prints what a channel manager looks at first
 * (demoSummary.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '@chanperf/domain';
import { writeFeed } from '@chanperf/feed-generator';
import type { EngineConfig } from '@chanperf/runtime/engine';
import type { Logger } from 'pino';
import { withEngine } from '../commandEngine.js';
import { intOption, type CommandLine } from '../commandLine.js';
import { ingestFile } from '../pipeline.js';
import { fileFigures, progressMode, startProgress, type ProgressMode } from '../progress.js';
import { print } from '../stdout.js';
import { summarize } from './demoSummary.js';

export async function demoCommand(commandLine: CommandLine): Promise<void> {
  await runDemo({
    config: commandLine.config,
    logger: commandLine.logger,
    seed: intOption(commandLine, 'seed', 42),
    partners: intOption(commandLine, 'partners', 200),
    dir: commandLine.values.dir ?? process.env.CHANPERF_DATA_DIR ?? '.chanperf',
    progress: progressMode(commandLine.values.quiet),
    print,
  });
}

export interface DemoOptions {
  readonly config: EngineConfig;
  readonly logger: Logger;
  readonly seed: number;
  readonly partners: number;
  readonly dir: string;
  /** Progress of the run on stderr (progress.ts); none when absent. */
  readonly progress?: ProgressMode;
  readonly print: (text: string) => Promise<void>;
}

/** Runs the demo and prints its summary; returns the report it summarised. */
export async function runDemo(o: DemoOptions): Promise<Report> {
  mkdirSync(o.dir, { recursive: true });
  const feedPath = resolve(join(o.dir, 'demo-feed.ndjson'));
  const dbPath = resolve(join(o.dir, 'demo.db'));
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const started = process.hrtime.bigint();
  const stats = await writeFeed(feedPath, {
    seed: o.seed,
    partners: o.partners,
    currency: o.config.settings.currency,
    minorDigits: o.config.settings.minorDigits,
    v2: true,
  });
  const report = await withEngine(dbPath, o.config, o.logger, async (engine) => {
    const progress = startProgress({ label: 'demo', mode: o.progress ?? 'quiet', logger: o.logger });
    await ingestFile(engine, feedPath, {
      project: true,
      logger: o.logger,
      progress: (where) => progress.update(fileFigures(where)),
    });
    progress.finish();
    return engine.report();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await o.print(summarize(report, o.config.settings, { feedPath, dbPath, lines: stats.lines, seconds }));
  return report;
}
