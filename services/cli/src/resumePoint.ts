/**
 * Where `ingest` resumes a file: files are known by their first 64 KiB (`fileKey`), and a
 * checkpoint is resumed only when the file's bytes before it are the ones ingested (their
 * sha256 is kept with the checkpoint). A different file that merely shares a long prefix is
 * ingested from the start, under a key of its own.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SourceCheckpoint } from '@chanperf/engine';
import type { Logger } from 'pino';
import type { CommandEngine } from './commandEngine.js';

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

/** Where `ingestFile` starts a file: the checkpoint it continues, and the hash of the bytes before it. */
export interface ResumePoint {
  readonly key: string;
  readonly done: SourceCheckpoint | undefined;
  /** sha256 already fed every byte before `done.offset` (none when starting afresh). */
  readonly hash: Hash;
}

/**
 * The sha256 states after the first `offset` bytes of the file, for each of `offsets` the file
 * reaches (read once, in order).
 */
async function prefixHashes(path: string, offsets: readonly number[]): Promise<Map<number, Hash>> {
  const states = new Map<number, Hash>();
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let pos = 0;
    for (const target of [...new Set(offsets)].sort((a, b) => a - b)) {
      while (pos < target) {
        const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, target - pos), pos);
        if (bytesRead === 0) return states;
        hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      states.set(target, hash.copy());
    }
  } finally {
    await file.close();
  }
  return states;
}

/**
 * Finds where to start `path`. Files with the same first 64 KiB (`fileKey`) have checkpoints
 * under `KEY`, `KEY#2`, `KEY#3`…; the file resumes the one whose recorded prefix (its sha256)
 * is the file's own first bytes — the furthest one when several are. None: the file is new, or
 * changed since it was ingested (another day's export with the same header), and it is read
 * from the start under the next free key. A checkpoint from before prefix hashes is resumed
 * unverified, as it was then.
 */
export async function resumePoint(
  engine: CommandEngine,
  path: string,
  size: number,
  logger: Logger,
): Promise<ResumePoint> {
  const base = fileKey(path);
  const keyAt = (i: number) => (i === 0 ? base : `${base}#${i + 1}`);
  const candidates: SourceCheckpoint[] = [];
  for (;;) {
    const checkpoint = await engine.store.log.sourceCheckpoint(keyAt(candidates.length));
    if (checkpoint === undefined) break;
    candidates.push(checkpoint);
  }
  const free = keyAt(candidates.length);
  const resumed = await resumable(
    path,
    candidates.filter((c) => c.offset <= size),
    logger,
  );
  if (resumed !== undefined) return resumed;
  if (candidates.length > 0) {
    logger.warn(
      { file: basename(path), key: free, checkpoints: candidates.length },
      'file changed since it was ingested (it starts like an ingested file, but the bytes before the recorded offset differ): ingesting it from the start',
    );
  }
  return { key: free, done: undefined, hash: createHash('sha256') };
}

/**
 * Of the checkpoints `fits` (within the file's size), the one the file continues: the furthest
 * whose prefix hash matches the file's bytes, else one recorded without a prefix hash.
 */
async function resumable(
  path: string,
  fits: readonly SourceCheckpoint[],
  logger: Logger,
): Promise<ResumePoint | undefined> {
  if (fits.length === 0) return undefined;
  const states = await prefixHashes(
    path,
    fits.map((c) => c.offset),
  );
  const stateAt = (c: SourceCheckpoint) => states.get(c.offset);
  const verified = fits
    .filter((c) => c.prefixHash !== undefined && stateAt(c)?.copy().digest('hex') === c.prefixHash)
    .sort((a, b) => b.offset - a.offset)[0];
  if (verified !== undefined) {
    logger.info({ line: verified.line, offset: verified.offset }, 'resuming file');
    return { key: verified.key, done: verified, hash: stateAt(verified) as Hash };
  }
  const legacy = fits.find((c) => c.prefixHash === undefined && stateAt(c) !== undefined);
  if (legacy !== undefined) {
    logger.warn(
      { line: legacy.line, offset: legacy.offset },
      'resuming file unverified: its checkpoint was recorded before prefix hashes were kept',
    );
    return { key: legacy.key, done: legacy, hash: stateAt(legacy) as Hash };
  }
  return undefined;
}
