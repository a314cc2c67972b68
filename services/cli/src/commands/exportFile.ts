/**
 * Reading an export file (exportFormat.ts) whole, line by line: every line parsed and checked,
 * the sections in their order, positions and rejected ids gap-free from 1, the trailer's
 * counts and its SHA-256 of the bytes before it. A problem is an `EXPORT_FILE_BAD` naming the
 * line. Entries stream to the caller in batches; nothing else of the log is held.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Counts } from '@chanperf/domain';
import type { LogEntry, SourceCheckpoint } from '@chanperf/engine';
import {
  badFile,
  parseLine,
  type ExportedRejected,
  type ExportHeader,
  type ExportLine,
  type ExportTrailer,
} from './exportFormat.js';

export interface ExportContents {
  readonly header: ExportHeader;
  readonly rejected: readonly ExportedRejected[];
  readonly counts: Counts;
  readonly checkpoints: readonly SourceCheckpoint[];
  /** The trailer's SHA-256 (checked): identifies the file. */
  readonly sha256: string;
}

/** The sections in file order. */
const RANK: Record<ExportLine['kind'], number> = {
  header: 0,
  entry: 1,
  rejected: 2,
  counts: 3,
  checkpoint: 4,
  trailer: 5,
};

/** The file's lines as bytes (without their newline), numbered from 1; a last line without one is flagged. */
async function* lines(file: string): AsyncGenerator<{ bytes: Buffer; number: number; ended: boolean }> {
  let rest = Buffer.alloc(0);
  let number = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    let data = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10)) {
      yield { bytes: data.subarray(0, nl), number: ++number, ended: true };
      data = data.subarray(nl + 1);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) yield { bytes: rest, number: number + 1, ended: false };
}

/** What the sections say so far, while the file is read. */
class Sections {
  header: ExportHeader | undefined;
  last = -1;
  entries = 0;
  readonly rejected: ExportedRejected[] = [];
  counts: Counts | undefined;
  readonly checkpoints: SourceCheckpoint[] = [];
  readonly hash = createHash('sha256');

  constructor(private readonly file: string) {}

  /** Checks `line` (number `n`) against what came before and records it. */
  take(line: ExportLine, n: number): void {
    const bad = (what: string) => badFile(this.file, n, what);
    if (n === 1 && line.kind !== 'header') throw bad('not the header of a chanperf export');
    const once = line.kind === 'header' || line.kind === 'counts' || line.kind === 'trailer';
    if (RANK[line.kind] < this.last || (once && RANK[line.kind] === this.last)) {
      throw bad(`a ${line.kind} line out of place`);
    }
    this.last = RANK[line.kind];
    switch (line.kind) {
      case 'header':
        this.header = line.header;
        return;
      case 'entry':
        if (line.entry.position !== this.entries + 1) {
          throw bad(`position ${line.entry.position} where ${this.entries + 1} was expected`);
        }
        this.entries++;
        return;
      case 'rejected':
        if (line.rejected.record.id !== this.rejected.length + 1) {
          throw bad(
            `rejected input ${line.rejected.record.id} where ${this.rejected.length + 1} was expected`,
          );
        }
        this.rejected.push(line.rejected);
        return;
      case 'counts':
        this.counts = line.counts;
        return;
      case 'checkpoint':
        this.checkpoints.push(line.checkpoint);
        return;
      case 'trailer':
        return;
    }
  }
}

/**
 * Reads and checks all of `file`; hands its entries to `onEntries` in batches of `batch`, in
 * order (each batch awaited before the next is read).
 */
export async function readExport(
  file: string,
  onEntries?: (entries: LogEntry[]) => Promise<void>,
  batch = 1000,
): Promise<ExportContents> {
  const s = new Sections(file);
  let pending: LogEntry[] = [];
  let trailer: { line: ExportTrailer; number: number } | undefined;
  let last = 0;
  for await (const { bytes, number, ended } of lines(file)) {
    last = number;
    if (trailer !== undefined) throw badFile(file, number, 'a line after the trailer');
    if (!ended) throw badFile(file, number, 'the file ends inside this line (truncated)');
    let line: ExportLine;
    try {
      line = parseLine(bytes.toString('utf8'));
    } catch (err) {
      throw badFile(file, number, (err as Error).message);
    }
    s.take(line, number);
    if (line.kind === 'trailer') {
      trailer = { line: line.trailer, number };
      continue;
    }
    s.hash.update(bytes).update('\n');
    if (line.kind === 'entry' && onEntries !== undefined) {
      pending.push(line.entry);
      if (pending.length >= batch) {
        await onEntries(pending);
        pending = [];
      }
    }
  }
  if (trailer === undefined) {
    throw badFile(file, last + 1, `the file ends without its trailer (truncated after line ${last})`);
  }
  const contents = finish(file, s, trailer.line, trailer.number);
  if (pending.length > 0 && onEntries !== undefined) await onEntries(pending);
  return contents;
}

function finish(file: string, s: Sections, trailer: ExportTrailer, n: number): ExportContents {
  const bad = (what: string) => badFile(file, n, what);
  const sha256 = s.hash.digest('hex');
  if (sha256 !== trailer.sha256) {
    throw bad(
      `SHA-256 mismatch: the lines before the trailer hash to ${sha256}, the trailer says ${trailer.sha256} (the file is corrupt)`,
    );
  }
  const header = s.header as ExportHeader;
  const found = { entries: s.entries, rejected: s.rejected.length, checkpoints: s.checkpoints.length };
  if (found.entries !== header.head || found.entries !== trailer.entries) {
    throw bad(`${found.entries} entries, the header says ${header.head}, the trailer ${trailer.entries}`);
  }
  if (found.rejected !== trailer.rejected || found.checkpoints !== trailer.checkpoints) {
    throw bad(
      `${found.rejected} rejected inputs and ${found.checkpoints} checkpoints, the trailer says ${trailer.rejected} and ${trailer.checkpoints}`,
    );
  }
  if (s.counts === undefined) throw bad('no counts line before the trailer');
  return { header, rejected: s.rejected, counts: s.counts, checkpoints: s.checkpoints, sha256 };
}
