/**
 * Appends to the log stream (`<ns>-log`) with an expected revision: the server's optimistic
 * concurrency is what makes the log, not a node, the authority on acceptance. A node appends
 * at the revision its index holds; when another writer appended first the server refuses
 * (`WrongExpectedVersion`) and the node catches up and decides again.
 *
 * A batch over the append size limit goes as consecutive appends, each expecting the revision
 * the previous one left; a refusal stops it there, and the caller learns how many entries went.
 */
import { NO_STREAM } from '@eventstore/db-client';
import { EngineError, type NewLogEntry } from '@chanperf/engine';
import { appendRuns, DEFAULT_MAX_APPEND_BYTES } from './appendRuns.js';
import type { EsdbClient } from './client.js';
import { toEngineError } from './errors.js';
import { logStream } from './streams.js';

export type AppendOutcome =
  | { readonly kind: 'appended' }
  /** Another writer appended first: `appended` entries (a prefix) went before the refusal. */
  | { readonly kind: 'conflict'; readonly appended: number; readonly current: bigint };

/** How many times a node decides again before it gives up (retriable `ESDB_CONTENDED`). */
export const MAX_ATTEMPTS = 20;

export class LogWriter {
  private readonly stream: string;

  constructor(
    private readonly client: EsdbClient,
    private readonly namespace: string,
    private readonly maxAppendBytes = DEFAULT_MAX_APPEND_BYTES,
    /** Test seam: runs before each append of a batch (0, 1, …), e.g. to let another writer in. */
    private readonly beforeAppend?: (run: number) => Promise<void>,
  ) {
    this.stream = logStream(namespace);
  }

  /**
   * Appends `entries` after `revision` (-1: the stream must not exist yet), stamped with the
   * append attempt `attempt`. Other failures throw (`EngineError`), the outcome then unknown.
   */
  async appendAt(entries: readonly NewLogEntry[], attempt: string, revision: bigint): Promise<AppendOutcome> {
    let expected = revision;
    let appended = 0;
    for (const [i, run] of appendRuns(this.namespace, entries, attempt, this.maxAppendBytes).entries()) {
      await this.beforeAppend?.(i);
      const current = await this.appendRun(run.events, expected);
      if (current !== undefined) return { kind: 'conflict', appended, current };
      expected += BigInt(run.events.length);
      appended += run.entries.length;
    }
    return { kind: 'appended' };
  }

  /** One append; the stream's current revision when the server refuses the expected one. */
  private async appendRun(
    events: Parameters<EsdbClient['appendToStream']>[1],
    expected: bigint,
  ): Promise<bigint | undefined> {
    try {
      await this.client.appendToStream(this.stream, events, {
        expectedRevision: expected < 0n ? NO_STREAM : expected,
      });
      return undefined;
    } catch (err) {
      const current = wrongVersionCurrent(err);
      if (current !== undefined) return current;
      throw toEngineError(`append to ${this.stream}`, err);
    }
  }
}

/** The current revision a `WrongExpectedVersion` reports (-1 for no stream). */
function wrongVersionCurrent(err: unknown): bigint | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { type?: unknown; actualVersion?: unknown };
  if (e.type !== 'wrong-expected-version') return undefined;
  return typeof e.actualVersion === 'bigint' ? e.actualVersion : -1n;
}

/** Thrown when a node lost the race for the log `MAX_ATTEMPTS` times in a row. */
export function contended(): EngineError {
  return new EngineError(
    'ESDB_CONTENDED',
    `other writers appended first ${MAX_ATTEMPTS} times in a row: the batch was not committed, try again`,
    true,
  );
}

/** A short random pause after a refused append, so racing nodes do not retry in lockstep. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.floor(Math.random() * 5 * Math.min(attempt, 10));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
