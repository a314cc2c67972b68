/**
 * The embedded pipeline behind `replay`, `ingest` and `report`: stream a file in batches,
 * ingest each batch (one transaction with the file checkpoint), then project it (one
 * transaction with the projection checkpoint). A crash anywhere resumes without double counts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { DeploymentSettings, Report } from '@chanperf/domain';
import { batchLines, Ingestor, ProjectionRunner, reportOf, reportTextOf } from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import type { Logger } from 'pino';

export interface Engine {
  readonly store: SqliteStore;
  readonly ingestor: Ingestor;
  readonly runner: ProjectionRunner;
  readonly settings: DeploymentSettings;
  report(): Promise<Report>;
  /** The report's JSON text in pieces, for printing without holding it whole. */
  reportText(): Promise<Iterable<string>>;
  close(): void;
}

/** Events per ingestion and projection transaction (CHANPERF_BATCH_SIZE, default 10000). */
export function batchSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CHANPERF_BATCH_SIZE ?? 10000);
  return Number.isSafeInteger(n) && n > 0 ? n : 10000;
}

export async function openEngine(
  path: string,
  settings: DeploymentSettings,
  logger: Logger,
): Promise<Engine> {
  const store = sqliteStore({ path, settings });
  const ingestor = new Ingestor(store.log, settings, logger);
  await ingestor.init();
  const runner = new ProjectionRunner(store.log, store.readStore, settings, {
    logger,
    batchSize: batchSize(),
  });
  // The projection takes the appended events straight from the ingestor (no read-back).
  ingestor.onAppended((appended) => runner.offer(appended));
  return {
    store,
    ingestor,
    runner,
    settings,
    report: () => reportOf(runner, store.log, store.readStore, store.log, settings),
    reportText: () => reportTextOf(runner, store.log, store.readStore, store.log, settings),
    close: () => store.close(),
  };
}

/** Identifies a file by its first 64 KiB, so a resumed or appended-to export is recognised. */
export function fileKey(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return `file:${createHash('sha256').update(buf.subarray(0, n)).digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

export interface IngestSummary {
  readonly lines: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly resumedFromLine: number;
  readonly position: number;
}

export async function ingestFile(
  engine: Engine,
  path: string,
  options: { project: boolean; batchSize?: number; logger: Logger },
): Promise<IngestSummary> {
  const key = fileKey(path);
  const done = await engine.store.log.sourceCheckpoint(key);
  const size = statSync(path).size;
  const startOffset = done?.offset ?? 0;
  const summary = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  if (done !== undefined) options.logger.info({ line: done.line, offset: done.offset }, 'resuming file');
  let lastLog = 0;
  if (startOffset < size) {
    const chunks = createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
    for await (const batch of batchLines(chunks, {
      source: `file:${basename(path)}`,
      batchSize: options.batchSize ?? batchSize(),
      startOffset,
      startLine: done?.line ?? 0,
    })) {
      const outcomes = await engine.ingestor.ingest(batch.inputs, {
        checkpoint: { key, offset: batch.endOffset, line: batch.endLine },
      });
      for (const o of outcomes) {
        if (o.status === 'accepted') summary.accepted++;
        else if (o.status === 'duplicate') summary.duplicates++;
        else if (o.status === 'rejected') summary.rejected++;
        if (o.status !== 'skipped') summary.lines++;
      }
      if (options.project) await engine.runner.catchUp();
      if (batch.endLine - lastLog >= 250_000) {
        lastLog = batch.endLine;
        options.logger.info(
          { line: batch.endLine, percent: Math.round((batch.endOffset / size) * 100) },
          'ingest progress',
        );
      }
    }
  }
  const position = options.project ? await engine.runner.catchUp() : await engine.store.log.head();
  return { ...summary, resumedFromLine: done?.line ?? 0, position };
}
