/**
 * `chanperf export --db PATH` / `chanperf export --eventstore URL --db LOCAL.db`: the log of
 * either store on stdout (exportFormat.ts): the accepted entries in log order with their
 * payloads as stored, the rejected inputs with their bytes, the counts, the source checkpoints,
 * and a trailer with the SHA-256 of everything before it. Progress on stderr (progress.ts).
 * `--rejected FILE` also writes the rejected inputs alone to FILE (the same lines), for whoever
 * corrects and redrives them; the export on stdout stays whole (import needs nothing else).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import type { LogEntry } from '@chanperf/engine';
import type { CommandLine } from '../commandLine.js';
import { progressMode, startProgress, type Progress } from '../progress.js';
import { print } from '../stdout.js';
import {
  checkpointLine,
  countsLine,
  entryLine,
  headerLine,
  rejectedLine,
  trailerLine,
} from './exportFormat.js';
import { openMovableStore, type MovableStore } from './exportStore.js';

const PAGE = 1000;
const CHUNK = 1 << 20;

/** stdout in chunks of about 1 MiB, hashing every byte written. */
class HashedOutput {
  readonly hash = createHash('sha256');
  private pending: string[] = [];
  private size = 0;

  async write(text: string): Promise<void> {
    this.hash.update(text);
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    await print(text);
  }
}

export async function exportCommand(commandLine: CommandLine): Promise<void> {
  const { logger } = commandLine;
  const store = await openMovableStore(commandLine, commandLine.config.settings, true);
  try {
    const progress = startProgress({ label: 'export', mode: progressMode(commandLine.values.quiet), logger });
    const out = new HashedOutput();
    const head = await store.log.head();
    await out.write(headerLine(commandLine.config.settings, head));
    await writeEntries(store, out, head, progress);
    const rejected = await writeRejected(store, out, commandLine.values.rejected);
    await out.write(countsLine(await store.log.counts()));
    const checkpoints = store.checkpoints();
    for (const c of checkpoints) await out.write(checkpointLine(c));
    const sha256 = out.hash.copy().digest('hex');
    await out.write(trailerLine({ entries: head, rejected, checkpoints: checkpoints.length, sha256 }));
    await out.flush();
    progress.finish();
    logger.info(
      { entries: head, rejected, checkpoints: checkpoints.length, sha256 },
      `exported ${store.name}`,
    );
  } finally {
    await store.close();
  }
}

/** Entries 1..head, in pages; fails if the log does not have them (it changed under the export). */
async function writeEntries(store: MovableStore, out: HashedOutput, head: number, progress: Progress) {
  let after = 0;
  while (after < head) {
    const page: LogEntry[] = await store.log.read(after, Math.min(PAGE, head - after));
    if (page.length === 0) throw new Error(`${store.name}: the log ends at position ${after}, not ${head}`);
    for (const e of page) {
      if (e.position !== ++after)
        throw new Error(`${store.name}: position ${e.position} where ${after} was expected`);
      await out.write(entryLine(e));
    }
    progress.update({
      events: after,
      position: `position ${after.toLocaleString('en-US')}`,
      share: { done: after, total: head, start: 0 },
    });
  }
}

/**
 * Every rejected input in id order, with its bytes as received; answers how many. With `file`,
 * the same lines go to it too (created or emptied first).
 */
async function writeRejected(
  store: MovableStore,
  out: HashedOutput,
  file: string | undefined,
): Promise<number> {
  if (file !== undefined) writeFileSync(file, '');
  let count = 0;
  for (let afterId = 0; ;) {
    const page = await store.log.list({ afterId, limit: PAGE });
    if (page.length === 0) return count;
    const lines: string[] = [];
    for (const record of page) {
      const raw = (await store.log.rawBytes(record.id)) ?? Buffer.from(record.raw);
      const line = rejectedLine({ record, raw });
      await out.write(line);
      lines.push(line);
      count++;
      afterId = record.id;
    }
    if (file !== undefined) appendFileSync(file, lines.join(''));
  }
}
