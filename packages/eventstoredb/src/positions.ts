/**
 * Positions in `$all` and how the local index stores them.
 *
 * The engine numbers the log 1, 2, 3, … without gaps; EventStoreDB orders `$all` by
 * (commit, prepare) byte positions with gaps. The mapping is a definition, not a table:
 * engine position N is the N-th event of `$all` in the namespace's streams whose ERP
 * `eventId` has not been seen before. Every node that reads `$all` in order computes the
 * same numbering, so a read model's stored position means the same thing on any node, and
 * the local index only needs to remember how far into `$all` it has read.
 */
import { EngineError, type SourceCheckpoint } from '@chanperf/engine';

/** A position in `$all` (the same shape as the client's, kept here so none of its types leak). */
export interface AllPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Orders two `$all` positions: negative, zero or positive. */
export function comparePositions(a: AllPosition, b: AllPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** True when `a` is strictly after `b` (anything is after "nothing read yet"). */
export function isAfter(a: AllPosition, b: AllPosition | undefined): boolean {
  return b === undefined || comparePositions(a, b) > 0;
}

/**
 * The local index keeps its `$all` position as a source checkpoint (`offset` = commit,
 * `line` = prepare), so it is committed in the same SQLite transaction as the entries it
 * covers. Byte positions stay below 2^53 for any log under 8 PiB; past that we refuse.
 */
export function toCheckpoint(key: string, p: AllPosition): SourceCheckpoint {
  const offset = Number(p.commit);
  const line = Number(p.prepare);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(line) || offset < 0 || line < 0) {
    throw new EngineError(
      'ESDB_POSITION_OUT_OF_RANGE',
      `$all position ${p.commit}/${p.prepare} cannot be stored exactly`,
      false,
    );
  }
  return { key, offset, line };
}

export function fromCheckpoint(c: SourceCheckpoint | undefined): AllPosition | undefined {
  return c === undefined ? undefined : { commit: BigInt(c.offset), prepare: BigInt(c.line) };
}

export function formatPosition(p: AllPosition | undefined): string {
  return p === undefined ? 'start' : `${p.commit}/${p.prepare}`;
}
