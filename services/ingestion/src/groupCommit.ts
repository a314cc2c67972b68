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
 * A group starts at the end of the event loop's turn that brought its first request (after the
 * sockets read in that turn: the synchronous commit before held the loop while other clients'
 * bodies came in, and each of them used to be committed on its own), unless other request
 * bodies are still arriving (their headers came in: `bodyArriving`); it waits for those at
 * most `maxWaitMs` after its first request. A lone client waits one turn of the loop.
 */
import type { Outcome, RawInput } from '@chanperf/engine';

/** Ingests inputs in one atomic call, one outcome per input (as `IngestionService.ingest`). */
export type IngestCall = (
  inputs: readonly RawInput[],
  redriving?: readonly (number | null)[],
) => Promise<Outcome[]>;

export interface GroupCommitOptions {
  /** The longest the first request of a group waits for bodies still arriving. */
  readonly maxWaitMs: number;
  /** A group takes no more requests once it holds this many inputs (at least one request). */
  readonly maxInputs: number;
}

export interface GroupCommitter {
  /** Ingests `inputs` in the next group commit; resolves with their outcomes once it is durable. */
  ingest: IngestCall;
  /** A request whose body is under way (its headers are in): a group may wait for it. */
  bodyArriving(request: object): void;
  /** That request's body is in hand, or the request ended without one. */
  bodyArrived(request: object): void;
}

interface Waiting {
  readonly inputs: readonly RawInput[];
  readonly redriving: readonly (number | null)[] | undefined;
  readonly since: number;
  readonly resolve: (outcomes: Outcome[]) => void;
  readonly reject: (err: unknown) => void;
}

export function groupCommitter(call: IngestCall, options: GroupCommitOptions): GroupCommitter {
  const pending: Waiting[] = [];
  /** Requests whose body is arriving, with when their headers came in. */
  const arriving = new Map<object, number>();
  let committing = false;
  /** A look at the pending requests is due (setImmediate). */
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;

  /** Whether a body that began arriving less than `maxWaitMs` ago is still on its way. */
  const bodiesUnderWay = (now: number): boolean => {
    for (const [request, since] of arriving) {
      if (now - since <= options.maxWaitMs) return true;
      arriving.delete(request); // a slow body: the group stops waiting for it
    }
    return false;
  };

  /** Looks at the pending requests once the current turn of the event loop has read its sockets. */
  const kick = (): void => {
    if (committing || scheduled || pending.length === 0) return;
    scheduled = true;
    setImmediate(decide);
  };

  const decide = (): void => {
    scheduled = false;
    const first = pending[0];
    if (committing || first === undefined) return;
    const now = performance.now();
    const waited = now - first.since;
    if (waited < options.maxWaitMs && inputCount(pending) < options.maxInputs && bodiesUnderWay(now)) {
      timer ??= setTimeout(() => {
        timer = undefined;
        kick();
      }, options.maxWaitMs - waited);
      return;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    void commit(takeGroup(pending, options.maxInputs));
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

  return {
    ingest(inputs, redriving) {
      return new Promise<Outcome[]>((resolve, reject) => {
        pending.push({ inputs, redriving, since: performance.now(), resolve, reject });
        kick();
      });
    },
    bodyArriving(request) {
      arriving.set(request, performance.now());
    },
    bodyArrived(request) {
      if (arriving.delete(request)) kick();
    },
  };
}

function inputCount(waiting: readonly Waiting[]): number {
  return waiting.reduce((n, w) => n + w.inputs.length, 0);
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
