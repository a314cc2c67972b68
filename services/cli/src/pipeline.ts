/**
 * The embedded pipeline behind `replay`, `ingest` and `demo`: stream a file in batches,
 * ingest each batch (one transaction with the file checkpoint), then project it (one
 * transaction with the projection checkpoint). A crash anywhere resumes without double counts
 * (where a file resumes: resumePoint.ts; the projection: projector.ts).
 */
import type { Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { batchLines, type Outcome, type SourceCheckpoint } from '@chanperf/engine';
import type { Logger } from 'pino';
import type { CommandEngine } from './commandEngine.js';
import { heapUsedMiB, residentSetMiB } from './memoryGauge.js';
import { startProjector, type Projector } from './projector.js';
import { resumePoint } from './resumePoint.js';

export interface IngestSummary {
  readonly lines: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly resumedFromLine: number;
  readonly position: number;
}

/** Where a file's ingestion stands, after each batch (for progress.ts). */
export interface FileProgress {
  /** Inputs counted by this run (`IngestSummary.lines` so far). */
  readonly lines: number;
  /** The file's line and byte reached, where this run started, and the file's size. */
  readonly line: number;
  readonly offset: number;
  readonly startOffset: number;
  readonly size: number;
}

/** The outcomes counted so far (`IngestSummary` without where it resumed and ended). */
interface Counts {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export async function ingestFile(
  engine: CommandEngine,
  path: string,
  options: {
    project: boolean;
    batchSize?: number;
    logger: Logger;
    /** Where a projection thread writes the report when done (replay); unused otherwise. */
    report?: (text: string) => Promise<void>;
    /** Called after each batch is appended (and projected, in this thread). */
    progress?: (where: FileProgress) => void;
  },
): Promise<IngestSummary> {
  const size = statSync(path).size;
  const { key, done, hash } = await resumePoint(engine, path, size, options.logger);
  const summary = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const expected = estimateLines(path, done?.offset ?? 0, size);
  if (expected !== undefined) engine.store.log.reserve?.(reservationFor(expected));
  const projector = options.project ? startProjector(engine, size, expected) : undefined;
  try {
    return await ingestInto({ engine, path, key, done, hash, size, projector, summary, options });
  } catch (err) {
    await projector?.stop();
    throw err;
  }
}

/** Bytes read to estimate a file's lines. */
const SAMPLE_BYTES = 1 << 20;

/**
 * The most entries reserved ahead (~1.2 GiB of index): a file larger than that grows its index
 * on the way as before, rather than allocate it all before its first line is read (a huge file
 * of lines that are mostly rejected would otherwise fail on memory it never needed).
 */
const MAX_RESERVED = 2 ** 27;

/**
 * The room to reserve for `estimated` lines: a tenth more (an index a little too small would
 * grow once more, at the end, when its arrays are largest), at most `MAX_RESERVED`.
 */
export function reservationFor(estimated: number): number {
  return Math.min(Math.ceil(estimated * 1.1), MAX_RESERVED);
}

/**
 * The lines of `path` after byte `from`, estimated from a sample in the middle of them (a feed's
 * start — the program, registrations — is not typical of it), so that the eventId index makes
 * its room once: growing on the way, the index held its old and new arrays at once (~80 MB at
 * 10M events), the replay's peak. Undefined when the sample holds no line end.
 */
export function estimateLines(path: string, from: number, size: number): number | undefined {
  const left = size - from;
  if (left <= 0) return undefined;
  const sample = Buffer.allocUnsafe(Math.min(SAMPLE_BYTES, left));
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, sample, 0, sample.length, from + Math.floor((left - sample.length) / 2));
  } finally {
    closeSync(fd);
  }
  let lines = 0;
  for (let at = sample.indexOf(10); at !== -1 && at < read; at = sample.indexOf(10, at + 1)) lines++;
  return lines === 0 ? undefined : Math.ceil((left * lines) / read);
}

interface FileRun {
  readonly engine: CommandEngine;
  readonly path: string;
  /** The file's checkpoint key (`resumePoint`) and where a previous run of it stopped. */
  readonly key: string;
  readonly done: { offset: number; line: number } | undefined;
  /** sha256 fed the bytes before `done.offset`: each checkpoint records the prefix's hash. */
  readonly hash: Hash;
  readonly size: number;
  readonly projector: Projector | undefined;
  readonly summary: Counts;
  readonly options: {
    batchSize?: number;
    logger: Logger;
    report?: (text: string) => Promise<void>;
    progress?: (where: FileProgress) => void;
  };
}

async function ingestInto(run: FileRun): Promise<IngestSummary> {
  const { engine, path, key, done, hash, size, projector, summary, options } = run;
  const startOffset = done?.offset ?? 0;
  let lastLog = 0;
  const startLine = done?.line ?? 0;
  options.progress?.({ lines: 0, line: startLine, offset: startOffset, startOffset, size });
  if (startOffset < size) {
    const chunks = createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
    for await (const batch of batchLines(chunks, {
      source: `file:${basename(path)}`,
      batchSize: options.batchSize ?? engine.config.batchSize,
      startOffset,
      startLine,
      hash,
    })) {
      const checkpoint: SourceCheckpoint = { key, offset: batch.endOffset, line: batch.endLine };
      const outcomes = await engine.ingestor.ingest(batch.inputs, {
        checkpoint:
          batch.prefixHash === undefined ? checkpoint : { ...checkpoint, prefixHash: batch.prefixHash },
      });
      count(outcomes, summary);
      await projector?.wake();
      const { endLine: line, endOffset: offset } = batch;
      options.progress?.({ lines: summary.lines, line, offset, startOffset, size });
      // Memory as the work goes (progress.ts shows the rest): for whoever tunes it.
      if (batch.endLine - lastLog >= 250_000) {
        lastLog = batch.endLine;
        options.logger.debug(
          {
            line: batch.endLine,
            percent: Math.round((batch.endOffset / size) * 100),
            rssMiB: residentSetMiB(),
            heapMiB: heapUsedMiB(),
          },
          'ingest progress',
        );
      }
    }
  }
  const position =
    projector !== undefined ? await projector.finish(options.report) : await engine.store.log.head();
  return { ...summary, resumedFromLine: done?.line ?? 0, position };
}

/** Adds a batch's outcomes to `summary`; skipped inputs (nothing to validate) are not counted as lines. */
function count(outcomes: readonly Outcome[], summary: Counts): void {
  for (const o of outcomes) {
    if (o.status === 'accepted') summary.accepted++;
    else if (o.status === 'duplicate') summary.duplicates++;
    else if (o.status === 'rejected') summary.rejected++;
    if (o.status !== 'skipped') summary.lines++;
  }
}
