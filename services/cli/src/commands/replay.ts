/**
 * `chanperf replay FILE [--db PATH] [--quiet]`: runs FILE through the pipeline (into a temporary
 * database unless `--db` names one) and prints the report as JSON; shows progress on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../commandEngine.js';
import { needFile, type CommandLine } from '../commandLine.js';
import { print, printPieces } from '../stdout.js';
import { ingestTakingTurns } from './ingest.js';
import { reportOnceProjected } from './report.js';

export async function replayCommand(commandLine: CommandLine): Promise<void> {
  const file = needFile(commandLine);
  const { db } = commandLine.values;
  const tmp = db === undefined ? mkdtempSync(join(tmpdir(), 'chanperf-replay-')) : undefined;
  const engine = await openEngine(
    db ?? join(tmp ?? '.', 'replay.db'),
    commandLine.config,
    commandLine.logger,
  );
  try {
    // With the projection on its own thread, the report comes from that thread's state
    // as the projection finishes; otherwise it is built here.
    let printed = false;
    const projected = await ingestTakingTurns(engine, file, {
      command: 'replay',
      project: true,
      quiet: commandLine.values.quiet,
      report: async (text) => {
        printed = true;
        await print(text);
      },
    });
    if (printed) await print('\n');
    else await printPieces(await reportOnceProjected(engine, projected));
  } finally {
    engine.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}
