/**
 * `chanperf ingest FILE --db PATH [--no-project] [--quiet]`: appends FILE to the database,
 * resumably, and projects it unless another live process projects that read model. Prints the
 * summary; shows progress on stderr (progress.ts).
 */
import { basename } from 'node:path';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { needDb, needFile, type CommandLine } from '../commandLine.js';
import { ingestFile, type IngestSummary } from '../pipeline.js';
import { fileFigures, progressMode, startProgress } from '../progress.js';
import { print } from '../stdout.js';
import { fileTurn, projectorLease, tryTurn } from '../turns.js';

export async function ingestCommand(commandLine: CommandLine): Promise<void> {
  const file = needFile(commandLine);
  const project = commandLine.values['no-project'] !== true;
  await withEngine(needDb(commandLine, false), commandLine.config, commandLine.logger, async (engine) => {
    await ingestTakingTurns(engine, file, {
      command: 'ingest',
      project,
      quiet: commandLine.values.quiet,
      done: async (summary) => {
        await print(`${JSON.stringify(summary)}\n`);
      },
    });
  });
}

/**
 * `ingest`/`replay` of a file on a database others may use: takes the file's turn (a second
 * ingest of the same file waits, then resumes after the first), and projects only when no
 * other live process projects the read model (else it appends and leaves the projection to
 * that process). Answers whether this command projected.
 */
export async function ingestTakingTurns(
  engine: CommandEngine,
  file: string,
  o: {
    /** `replay` or `ingest`: names the progress line. */
    readonly command: string;
    readonly project: boolean;
    /** `--quiet`: no progress on stderr. */
    readonly quiet: boolean | undefined;
    /** Where a projection thread writes the report when done (replay). */
    readonly report?: (text: string) => Promise<void>;
    readonly done?: (summary: IngestSummary) => Promise<void>;
  },
): Promise<boolean> {
  const { logger } = engine;
  const mine = await fileTurn(engine.store, file, logger);
  try {
    const projector = o.project
      ? tryTurn(projectorLease(engine.store, `chanperf ingest ${basename(file)}`))
      : undefined;
    if (projector !== undefined && 'heldBy' in projector) {
      logger.warn(`chanperf: ${projector.heldBy} projects this database; appending only`);
    }
    const projecting = projector !== undefined && !('heldBy' in projector);
    const label = `${o.command} ${basename(file)}`;
    const progress = startProgress({ label, mode: progressMode(o.quiet), logger });
    try {
      const summary = await ingestFile(engine, file, {
        project: projecting,
        logger,
        progress: (where) => progress.update(fileFigures(where)),
        ...(o.report !== undefined ? { report: o.report } : {}),
      });
      progress.finish();
      await o.done?.(summary);
    } finally {
      if (projecting) projector.release();
    }
    return projecting;
  } finally {
    mine.release();
  }
}
