/**
 * The commands on what a database holds: `report` prints the report once the read model is at
 * the log's head; `project` brings it there; `rebuild` drops it and re-projects the whole log.
 * `project` and `rebuild` print `{ position, seconds }`.
 */
import { reportTextOf, savedState } from '@chanperf/engine';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { intOption, needDb, type CommandLine } from '../commandLine.js';
import { print, printPieces } from '../stdout.js';
import { projectedByUsOrThem, projectorLease, takeTurn } from '../turns.js';

export async function reportCommand(commandLine: CommandLine): Promise<void> {
  await withEngine(needDb(commandLine, true), commandLine.config, commandLine.logger, async (engine) => {
    await printPieces(await reportOnceProjected(engine, false));
  });
}

/** Projects up to the log's head here, or waits for the process that projects this read model. */
export async function projectCommand(commandLine: CommandLine): Promise<void> {
  await timed(commandLine, async (engine) => {
    const turn = await projectedByUsOrThem(engine.store, 'chanperf project');
    try {
      return turn !== undefined ? await engine.runner.catchUp() : await engine.store.readStore.position();
    } finally {
      turn?.release();
    }
  });
}

export async function rebuildCommand(commandLine: CommandLine): Promise<void> {
  await timed(commandLine, async (engine) => {
    // Dropping the read model under a live projector would corrupt it: wait for the lease.
    const seconds = intOption(commandLine, 'wait', 60);
    const turn = await takeTurn(projectorLease(engine.store, 'chanperf rebuild'), {
      waiting: (holder) => `waiting for ${holder} to stop projecting before rebuilding (up to ${seconds} s)`,
      waitMs: seconds * 1000,
    });
    try {
      await engine.store.readStore.reset();
      return await engine.runner.catchUp();
    } finally {
      turn.release();
    }
  });
}

/** Runs `project` (answering the read model's position) on the database; prints the position and the time it took. */
async function timed(
  commandLine: CommandLine,
  project: (engine: CommandEngine) => Promise<number>,
): Promise<void> {
  await withEngine(needDb(commandLine, true), commandLine.config, commandLine.logger, async (engine) => {
    const started = process.hrtime.bigint();
    const position = await project(engine);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await print(`${JSON.stringify({ position, seconds })}\n`);
  });
}

/**
 * The report's text once the read model reflects the log's head: projected here (when this
 * command holds, or can take, the projector's lease) or by the process that projects it.
 */
export async function reportOnceProjected(
  engine: CommandEngine,
  projectedHere: boolean,
): Promise<AsyncIterable<string>> {
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
