/**
 * `chanperf ingest FILE --db PATH [--no-project]`: appends FILE to the database, resumably,
 * and projects it unless another live process projects that read model. Prints the summary.
 */
import { basename } from 'node:path';
import { withEngine, type CommandEngine } from '../commandEngine.js';
import { needDb, needFile, type CommandLine } from '../commandLine.js';
import { ingestFile, type IngestSummary } from '../pipeline.js';
import { print } from '../stdout.js';
import { fileTurn, projectorLease, tryTurn } from '../turns.js';

export async function ingestCommand(commandLine: CommandLine): Promise<void> {
  const file = needFile(commandLine);
  const project = commandLine.values['no-project'] !== true;
  await withEngine(needDb(commandLine, false), commandLine.config, commandLine.logger, async (engine) => {
    await ingestTakingTurns(engine, file, project, undefined, async (summary) => {
      await print(`${JSON.stringify(summary)}\n`);
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
