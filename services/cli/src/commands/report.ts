/**
 * The commands on what a database holds: `report` prints the report once the read model is at
 * the log's head; `project` brings it there; `rebuild` re-projects the whole log into a read
 * model beside the current one (which keeps answering) and switches to it once caught up.
 * `project` and `rebuild` print `{ position, seconds }` and show their progress on stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, reportTextOf, savedState } from '@chanperf/engine';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { intOption, needDb, type CommandLine } from '../commandLine.js';
import { progressMode, startProgress } from '../progress.js';
import { print, printPieces } from '../stdout.js';
import { printReportAsOf } from './reportAsOf.js';
import { projectedByUsOrThem } from '../turns.js';

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

/**
 * Builds the read model again beside the current one, which serve and the other commands keep
 * reading (and a serve keeps projecting) until the switch; needs no projector's lease. Waits up
 * to `--wait` seconds while another rebuild of this database builds.
 */
export async function rebuildCommand(commandLine: CommandLine): Promise<void> {
  await timed(commandLine, async (engine, progress) => {
    const deadline = Date.now() + intOption(commandLine, 'wait', 60) * 1000;
    let said = false;
    for (;;) {
      try {
        return await engine.runner.rebuild({
          what: `chanperf rebuild (pid ${process.pid})`,
          onStart: (position) => progress.from(position),
          onBatch: (position) => progress.at(position),
        });
      } catch (err) {
        if (!(err instanceof EngineError) || err.code !== 'REBUILD_RUNNING' || Date.now() >= deadline)
          throw err;
        if (!said) engine.logger.warn(`chanperf: ${err.message}; waiting`);
        said = true;
        await sleep(100);
      }
    }
  });
}

/** A projection's progress: positions projected of the log's head (read when it starts). */
interface ProjectionProgress {
  /** The projection starts at `position`. */
  from(position: number): Promise<void>;
  /** It committed up to `position` (a side build; the engine's own runner reports itself). */
  at(position: number): void;
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
        at: projected,
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
