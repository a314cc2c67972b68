/**
 * Group commit: the inputs of requests waiting at the same time are ingested in one call — one
 * transaction, one fsync — and each request is answered with exactly its own outcomes, only
 * once that commit is durable. With `CHANPERF_DURABILITY=power` each commit waits for the disk,
 * and the synchronous commit holds the event loop meanwhile: four clients posting 1 000-line
 * bodies paid one fsync per body.
 *
 * The combined call is the serial order of the requests (the ingestor decides its inputs one
 * by one against the log's head, each accepted event folded in before the next is checked), so
 * every request gets the outcomes it would get committed alone right after those grouped
 * before it. A failed commit fails every request of its group with the same error: none of
 * them was acknowledged, and nothing of them was committed.
 *
 * A group starts at the end of the event loop's turn that brought its first request, after the
 * sockets read in that turn (setImmediate): the synchronous commit before held the loop while
 * other clients' bodies came in, and each of them used to be committed on its own. Requests
 * that come while a group commits make the next group. A lone client waits one turn of the
 * loop. (Waiting up to 10 ms for bodies whose headers were in was measured too: slower.)
 */
import type { Outcome, RawInput } from '@chanperf/engine';

/** Ingests inputs in one atomic call, one outcome per input (as `IngestionService.ingest`). */
export type IngestCall = (
  inputs: readonly RawInput[],
  redriving?: readonly (number | null)[],
) => Promise<Outcome[]>;

export interface GroupCommitOptions {
  /** A group takes no more requests once it holds this many inputs (at least one request). */
  readonly maxInputs: number;
}

interface Waiting {
  readonly inputs: readonly RawInput[];
  readonly redriving: readonly (number | null)[] | undefined;
  readonly resolve: (outcomes: Outcome[]) => void;
  readonly reject: (err: unknown) => void;
}

/** `call` through group commits: the returned function ingests in the next group, as `call` would. */
export function groupCommitter(call: IngestCall, options: GroupCommitOptions): IngestCall {
  const pending: Waiting[] = [];
  let committing = false;
  /** A look at the pending requests is due (setImmediate). */
  let scheduled = false;

  /** Looks at the pending requests once the current turn of the event loop has read its sockets. */
  const kick = (): void => {
    if (committing || scheduled || pending.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (!committing && pending.length > 0) void commit(takeGroup(pending, options.maxInputs));
    });
  };

  const commit = async (group: Waiting[]): Promise<void> => {
    committing = true;
    try {
      const inputs = group.flatMap((w) => w.inputs);
      const redriving = group.some((w) => w.redriving !== undefined)
        ? group.flatMap((w) => w.redriving ?? w.inputs.map(() => null))
        : undefined;
      const outcomes = await call(inputs, redriving);
      if (outcomes.length !== inputs.length) {
        throw new Error(`ingest answered ${outcomes.length} outcomes for ${inputs.length} inputs`);
      }
      let at = 0;
      for (const w of group) {
        w.resolve(outcomes.slice(at, at + w.inputs.length));
        at += w.inputs.length;
      }
    } catch (err) {
      for (const w of group) w.reject(err);
    } finally {
      committing = false;
      kick();
    }
  };

  return (inputs, redriving) =>
    new Promise<Outcome[]>((resolve, reject) => {
      pending.push({ inputs, redriving, resolve, reject });
      kick();
    });
}

/** The oldest waiting requests, up to `maxInputs` inputs (always at least one request). */
function takeGroup(pending: Waiting[], maxInputs: number): Waiting[] {
  let n = 0;
  let count = 0;
  for (const w of pending) {
    if (count > 0 && n + w.inputs.length > maxInputs) break;
    n += w.inputs.length;
    count++;
  }
  return pending.splice(0, count);
}
