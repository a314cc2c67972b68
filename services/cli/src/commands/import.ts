/**
 * `chanperf import FILE --db PATH` / `chanperf import FILE --eventstore URL --db LOCAL.db`: a
 * file of `chanperf export` into either store, through the engine's ports.
 *
 * 1. The whole file is checked first (every line, the trailer's SHA-256): nothing is written
 *    from a corrupt or truncated file.
 * 2. The target must hold a prefix of the file's log (empty, or what an interrupted import of
 *    this file left), and no ingestion ledgers of its own unless this file's import marker is
 *    there; anything else is refused before a write.
 * 3. The entries the target lacks are committed in batches with zero counts.
 * 4. The rejected inputs and counts are committed in one batch with the checkpoint
 *    `import:<sha256>` as its marker (so they are recorded once), then the source checkpoints.
 * 5. The target is read back and must equal the file: positions, eventIds, payloads, rejected
 *    inputs (bytes included), counts and checkpoints.
 *
 * A second run finds everything there, writes nothing and says so (`"changed": false`).
 */
import { basename } from 'node:path';
import type { Counts } from '@chanperf/domain';
import type { IngestBatch, LogEntry } from '@chanperf/engine';
import type { Logger } from 'pino';
import { needFile, type CommandLine } from '../commandLine.js';
import { progressMode, startProgress, type Progress } from '../progress.js';
import { print } from '../stdout.js';
import { fail } from '../usageError.js';
import { readExport, type ExportContents } from './exportFile.js';
import { openMovableStore, readRange, type MovableStore } from './exportStore.js';
import { verifyImport } from './importVerify.js';

const NO_COUNTS: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

export async function importCommand(commandLine: CommandLine): Promise<void> {
  const file = needFile(commandLine);
  const { logger, config } = commandLine;
  const contents = await readExport(file);
  const { header } = contents;
  if (header.timeZone !== config.settings.timeZone || header.currency !== config.settings.currency) {
    fail(
      `import: ${file} was exported with time zone ${header.timeZone} and currency ${header.currency}; ` +
        `this command runs with ${config.settings.timeZone} and ${config.settings.currency} ` +
        `(pass --timezone ${header.timeZone} --currency ${header.currency})`,
    );
  }
  const store = await openMovableStore(commandLine, config.settings, false);
  try {
    const marker = `import:${contents.sha256}`;
    const imported = (await store.log.sourceCheckpoint(marker)) !== undefined;
    const head = await store.log.head();
    await refuseOtherLog(store, file, contents.header.head, head);
    if (!imported) await refuseForeignLedgers(store);
    const progress = startProgress({
      label: `import ${basename(file)}`,
      mode: progressMode(commandLine.values.quiet),
      logger,
    });
    const appended = await appendRest(store, file, { head, total: contents.header.head }, progress, logger);
    if (!imported) await store.log.commit(ledgerBatch(contents, marker));
    const checkpoints = await importCheckpoints(store, contents);
    progress.finish();
    await verifyImport(store, file, contents);
    const changed = appended > 0 || !imported || checkpoints > 0;
    const summary = {
      entries: header.head,
      appended,
      rejected: contents.rejected.length,
      ledgers: imported ? 'already imported' : 'imported',
      checkpoints: contents.checkpoints.length,
      changed,
      verified: true,
    };
    if (!changed)
      logger.info({ sha256: contents.sha256 }, `${store.name} already holds ${file}: nothing changed`);
    await print(`${JSON.stringify(summary)}\n`);
  } finally {
    await store.close();
  }
}

/** A target without this file's marker must have no ledgers yet: they would be mixed with the file's. */
async function refuseForeignLedgers(store: MovableStore): Promise<void> {
  const counts = await store.log.counts();
  const rejected = await store.log.list({ limit: 1 });
  const checkpoints = store.checkpoints();
  if (counts.lines > 0 || rejected.length > 0 || checkpoints.length > 0) {
    fail(
      `import: ${store.name} has ingestion ledgers of its own (${counts.lines} lines counted, ` +
        `${checkpoints.length} source checkpoints${rejected.length > 0 ? ', rejected inputs' : ''}): ` +
        'import into a new database (or a new EventStoreDB namespace with a new local file)',
    );
  }
}

/** Refuses a target whose log (`head` entries) is not a prefix of the file's (`total`). */
async function refuseOtherLog(store: MovableStore, file: string, total: number, head: number): Promise<void> {
  const notPrefix = (why: string) =>
    fail(`import: the log of ${store.name} is not a prefix of ${file}'s (${why}); import into an empty log`);
  if (head > total) notPrefix(`it has ${head} entries, the file ${total}`);
  if (head === 0) return;
  await readExport(file, async (batch) => {
    const held = batch.filter((e) => e.position <= head);
    for (const [i, e] of (await readRange(store, held)).entries()) {
      const expected = held[i] as LogEntry;
      if (e.eventId !== expected.eventId || e.payload !== expected.payload) {
        notPrefix(
          `position ${e.position} holds ${e.eventId}, line ${e.position + 1} of the file ${expected.eventId}`,
        );
      }
    }
  });
}

/** Appends the file's entries after the target's `head`, in batches; answers how many. */
async function appendRest(
  store: MovableStore,
  file: string,
  { head, total }: { readonly head: number; readonly total: number },
  progress: Progress,
  logger: Logger,
): Promise<number> {
  let appended = 0;
  await readExport(file, async (batch) => {
    const rest = batch.filter((e) => e.position > head);
    if (rest.length === 0) return;
    const { positions } = await store.log.commit({
      accepted: rest.map(({ eventId, type, channelId, payload }) => ({ eventId, type, channelId, payload })),
      rejected: [],
      counts: NO_COUNTS,
    });
    rest.forEach((e, i) => {
      if (positions[i] !== e.position) {
        throw new Error(
          `${store.name}: ${e.eventId} went to position ${positions[i]}, not ${e.position} (another writer?)`,
        );
      }
    });
    appended += rest.length;
    const last = (rest[rest.length - 1] as LogEntry).position;
    logger.debug({ position: last }, 'imported through position');
    progress.update({
      events: appended,
      position: `position ${last.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
      share: { done: last, total, start: head },
    });
  });
  return appended;
}

/** The rejected inputs (their redriven marks) and counts, with the import's marker, as one commit. */
function ledgerBatch(contents: ExportContents, marker: string): IngestBatch {
  return {
    accepted: [],
    rejected: contents.rejected.map(({ record: r, raw }) => ({
      source: r.source,
      line: r.line,
      eventId: r.eventId,
      code: r.code,
      message: r.message,
      raw,
    })),
    // The target had no rejected inputs: they get the file's ids 1…R.
    redriven: contents.rejected.filter((r) => r.record.status === 'redriven').map((r) => r.record.id),
    counts: contents.counts,
    checkpoint: { key: marker, offset: contents.header.head, line: contents.rejected.length },
  };
}

/** Sets the source checkpoints the target lacks; answers how many were set. */
async function importCheckpoints(store: MovableStore, contents: ExportContents): Promise<number> {
  let set = 0;
  for (const c of contents.checkpoints) {
    const held = await store.log.sourceCheckpoint(c.key);
    if (JSON.stringify(held) === JSON.stringify(c)) continue;
    await store.log.commit({ accepted: [], rejected: [], counts: NO_COUNTS, checkpoint: c });
    set++;
  }
  return set;
}
