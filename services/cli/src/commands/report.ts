/**
 * The commands on what a database holds: `report` prints the report once the read model is at
 * the log's head; `project` brings it there; `rebuild` drops it and re-projects the whole log.
 * `project` and `rebuild` print `{ position, seconds }` and show their progress on stderr.
 */
import { reportTextOf, savedState } from '@chanperf/engine';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { intOption, needDb, type CommandLine } from '../commandLine.js';
import { progressMode, startProgress } from '../progress.js';
import { print, printPieces } from '../stdout.js';
import { printReportAsOf } from './reportAsOf.js';
import { projectedByUsOrThem, projectorLease, takeTurn } from '../turns.js';

export async function reportCommand(commandLine: CommandLine): Promise<void> {
  const asOf = commandLine.values['as-of'];
  await withEngine(needDb(commandLine, true), commandLine.config, commandLine.logger, async (engine) => {
    if (typeof asOf === 'string') return printReportAsOf(engine, asOf);
    await printPieces(await reportOnceProjected(engine, false));
  });
}

/** Projects up to the log's head here, or waits for the process that projects this read model. */
export async function projectCommand(commandLine: CommandLine): Promise<void> {
  await timed(commandLine, async (engine, progress) => {
    const turn = await projectedByUsOrThem(engine.store, 'chanperf project', engine.logger);
    try {
      if (turn === undefined) return await engine.store.readStore.position();
      await progress.from(await engine.store.readStore.position());
      return await engine.runner.catchUp();
    } finally {
      turn?.release();
    }
  });
}

export async function rebuildCommand(commandLine: CommandLine): Promise<void> {
  await timed(commandLine, async (engine, progress) => {
    // Dropping the read model under a live projector would corrupt it: wait for the lease.
    const seconds = intOption(commandLine, 'wait', 60);
    const turn = await takeTurn(projectorLease(engine.store, 'chanperf rebuild'), {
      waiting: (holder) => `waiting for ${holder} to stop projecting before rebuilding (up to ${seconds} s)`,
      waitMs: seconds * 1000,
      logger: engine.logger,
    });
    try {
      await engine.store.readStore.reset();
      await progress.from(0);
      return await engine.runner.catchUp();
    } finally {
      turn.release();
    }
  });
}

/** A projection's progress: positions projected of the log's head (read when it starts). */
interface ProjectionProgress {
  /** The projection starts at `position`. */
  from(position: number): Promise<void>;
}

/**
 * Runs `project` (answering the read model's position) on the database, with its progress on
 * stderr (progress.ts); prints the position and the time it took.
 */
async function timed(
  commandLine: CommandLine,
  project: (engine: CommandEngine, progress: ProjectionProgress) => Promise<number>,
): Promise<void> {
  const { command, config, logger } = commandLine;
  const progress = startProgress({ label: command, mode: progressMode(commandLine.values.quiet), logger });
  let share: { start: number; total: number } | undefined;
  const projected = (position: number) => {
    if (share === undefined) return;
    progress.update({
      events: position - share.start,
      position: `position ${position.toLocaleString('en-US')} of ${share.total.toLocaleString('en-US')}`,
      share: { ...share, done: position },
    });
  };
  const done = await withEngine(
    needDb(commandLine, true),
    config,
    logger,
    async (engine) => {
      const started = process.hrtime.bigint();
      const position = await project(engine, {
        from: async (start) => {
          share = { start, total: await engine.store.log.head() };
          projected(start);
        },
      });
      return { position, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    },
    { projected },
  );
  progress.finish();
  await print(`${JSON.stringify(done)}\n`);
}

/**
 * The report's text once the read model reflects the log's head: projected here (when this
 * command holds, or can take, the projector's lease) or by the process that projects it.
 */
export async function reportOnceProjected(
  engine: CommandEngine,
  projectedHere: boolean,
): Promise<AsyncIterable<string>> {
  const turn = projectedHere
    ? undefined
    : await projectedByUsOrThem(engine.store, 'chanperf report', engine.logger);
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
