/**
 * The ingestion pipeline: parse → validate (zod) → duplicate check → acceptance checks →
 * append. Every non-blank input ends accepted, duplicate or rejected with the spec's code;
 * rejected inputs are kept with their raw text. A batch is committed atomically, decided
 * inside the log's append against its head.
 *
 * One input is one fp-ts pipeline: an `Option` (none for a blank line) of an `Either` whose
 * Left is the `Rejection` of the first check that failed (validation, then the duplicate and
 * acceptance checks chained after it) and whose Right is the event past them.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  classify,
  EventValidator,
  isBlankLine,
  MonthClock,
  type ChanperfEvent,
  type Counts,
  type DeploymentSettings,
  type Rejection,
  type RejectionCode,
  type ValidEvent,
} from '@chanperf/domain';
import type { Logger } from 'pino';
import type {
  AcceptanceView,
  EventLog,
  IngestBatch,
  NewLogEntry,
  RejectedInput,
  SourceCheckpoint,
} from './ports.js';

/** An event just appended, with its log position and its payload as stored. */
export interface AppendedEvent {
  readonly position: number;
  readonly event: ChanperfEvent;
  readonly payload: string;
}

/** One raw input: a line of a file, an item of an HTTP body, a Kafka record. */
export interface RawInput {
  /** The text as received (a BOM and a trailing CR already removed for lines). */
  readonly text: string;
  readonly source: string;
  readonly line: number | null;
  /** The exact bytes received, when they differ from `text`'s UTF-8 (invalid UTF-8, a BOM or CR removed). */
  readonly bytes?: Uint8Array;
  /** Why the bytes cannot be read as text (not UTF-8): rejected MALFORMED_JSON with this reason. */
  readonly unreadable?: string;
}

/**
 * A batch's inputs by index: an array of them, or a file's lines decoded one at a time as they
 * are read (`LineBatch`, lines.ts). `at` answers each index below `length`.
 */
export interface Inputs {
  readonly length: number;
  at(index: number): RawInput | undefined;
}

export type Outcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly eventId: string }
  | {
      readonly status: 'rejected';
      readonly eventId: string | null;
      readonly code: RejectionCode;
      readonly message: string;
    }
  | { readonly status: 'skipped' };

export interface IngestOptions {
  readonly checkpoint?: SourceCheckpoint;
  /**
   * Parallel to the inputs: the rejected-record id each input redrives (or null). Those not
   * rejected again are marked redriven in the same commit.
   */
  readonly redriving?: readonly (number | null)[];
}

export class Ingestor {
  private readonly validator: EventValidator;
  private readonly clock: MonthClock;
  /** The last closed month as of the last append (the log's view then). */
  private closed: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((appended: readonly AppendedEvent[]) => void)[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly settings: DeploymentSettings,
    private readonly logger?: Logger,
  ) {
    this.validator = new EventValidator(settings.minorDigits);
    this.clock = new MonthClock(settings.timeZone);
  }

  /**
   * Calls `listener` after each commit with the events it appended, already parsed, so a
   * projection in the same process need not read them back from the log.
   */
  onAppended(listener: (appended: readonly AppendedEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** The last closed month as the last append saw it (another process may have closed since). */
  get lastClosed(): number | null {
    return this.closed;
  }

  /**
   * Reads the last closed month. Nothing else is kept between appends: every append decides
   * against the log's head inside its own write (`EventLog.append`).
   */
  async init(): Promise<void> {
    this.closed = (await this.log.acceptanceFacts()).lastClosed;
  }

  /**
   * Ingests a batch in order and commits it atomically. Calls are serialized, so concurrent
   * callers see the log order they were queued in.
   */
  ingest(inputs: Inputs, options: IngestOptions = {}): Promise<Outcome[]> {
    const run = this.queue.then(() => this.ingestNow(inputs, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ingestNow(inputs: Inputs, options: IngestOptions): Promise<Outcome[]> {
    // Parsing and validation need no lock: they happen before the append's write transaction.
    // Each input is read once here (a file's line is decoded now and dies young); a rejected
    // one is read again for its raw text.
    const validated: O.Option<E.Either<Rejection, ValidEvent>>[] = [];
    for (let i = 0; i < inputs.length; i++) validated.push(this.validate(inputs.at(i) as RawInput));
    const ids: string[] = [];
    for (const v of validated) if (O.isSome(v) && E.isRight(v.value)) ids.push(v.value.right.event.eventId);
    let decided: Decided | undefined;
    const { positions } = await this.log.append(ids, (view) => {
      decided = this.decide(view, inputs, validated, options);
      return decided.batch;
    });
    const { outcomes, acceptedEvents, batch } = decided as Decided;
    if (this.listeners.length > 0 && acceptedEvents.length > 0) {
      const appended: AppendedEvent[] = [];
      positions.forEach((position, i) => {
        const event = acceptedEvents[i];
        const entry = batch.accepted[i];
        if (position > 0 && event !== undefined && entry !== undefined) {
          appended.push({ position, event, payload: entry.payload });
        }
      });
      for (const listener of this.listeners) listener(appended);
    }
    for (const r of batch.rejected) {
      this.logger?.debug(
        { eventId: r.eventId, code: r.code, source: r.source, line: r.line },
        'input rejected',
      );
    }
    return outcomes;
  }

  /** Validation of one input: none for a blank line, else its rejection or the valid event. */
  private validate(input: RawInput): O.Option<E.Either<Rejection, ValidEvent>> {
    if (input.unreadable !== undefined) {
      return O.some(E.left({ code: 'MALFORMED_JSON', message: input.unreadable, eventId: null }));
    }
    return isBlankLine(input.text) ? O.none : O.some(this.validator.validateText(input.text));
  }

  /**
   * The duplicate and acceptance checks of every validated input against the log's view, in
   * order (each accepted event folded into the view's state before the next is checked).
   */
  private decide(
    view: AcceptanceView,
    inputs: Inputs,
    validated: readonly O.Option<E.Either<Rejection, ValidEvent>>[],
    options: IngestOptions,
  ): Decided {
    const decision = new BatchDecision(inputs);
    // A rejected validation is rejected; a valid event is checked, and its check's outcome
    // settled. Made once per batch, not per input (the hot loop), and with `E.fold` rather
    // than `E.chain`: fp-ts's `chain` spreads its arguments on every call, which cost the
    // decider a third more time per input here.
    const reject = (rejection: Rejection) => decision.reject(rejection);
    const settle = E.fold(reject, (checked: Checked) => decision.admit(checked));
    const decideInput = O.fold(
      () => decision.skip(),
      E.fold(reject, (valid: ValidEvent) => settle(this.check(view, decision, valid))),
    );
    for (const v of validated) decideInput(v);
    this.closed = view.acceptance.lastClosed;
    return decision.done(options);
  }

  /**
   * The duplicate check (against the batch's earlier events, then the log's) and the
   * acceptance checks of one valid event (spec §2, in order); an accepted event is folded into
   * the view's acceptance state.
   */
  private check(
    view: AcceptanceView,
    decision: BatchDecision,
    valid: ValidEvent,
  ): E.Either<Rejection, Checked> {
    const { event, canonical } = valid;
    const c = classify(
      view.acceptance,
      event,
      canonical,
      decision.earlier(event.eventId) ?? view.content(event.eventId),
      this.settings.currency,
      this.clock,
    );
    return c.status === 'rejected'
      ? E.left({ code: c.code, message: c.message, eventId: event.eventId })
      : E.right({ valid, duplicate: c.status === 'duplicate' });
  }
}

/** A valid event past the checks: new (to be appended), or a duplicate of an accepted one. */
interface Checked {
  readonly valid: ValidEvent;
  readonly duplicate: boolean;
}

/** One decision of a batch: what to commit, and what each input became. */
interface Decided {
  readonly batch: IngestBatch;
  readonly outcomes: Outcome[];
  readonly acceptedEvents: ChanperfEvent[];
}

/** A batch being decided, input by input: its outcomes, counts and what to commit. */
class BatchDecision {
  /** Canonical contents of the events this batch accepted so far, by eventId. */
  private readonly inBatch = new Map<string, string>();
  private readonly accepted: NewLogEntry[] = [];
  private readonly acceptedEvents: ChanperfEvent[] = [];
  private readonly rejected: RejectedInput[] = [];
  private readonly counts: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  private readonly outcomes: Outcome[] = [];

  /** `inputs` are decided in order, one outcome each: the one being decided is `inputs[outcomes.length]`. */
  constructor(private readonly inputs: Inputs) {}

  /** The canonical content of an event with this eventId the batch accepted earlier. */
  earlier(eventId: string): string | undefined {
    return this.inBatch.get(eventId);
  }

  /** A blank line: skipped, not counted. */
  skip(): void {
    this.outcomes.push({ status: 'skipped' });
  }

  reject({ code, message, eventId }: Rejection): void {
    const input = this.inputs.at(this.outcomes.length) as RawInput;
    this.counts.lines++;
    this.counts.rejected++;
    this.rejected.push({
      source: input.source,
      line: input.line,
      eventId,
      code,
      message,
      raw: input.bytes !== undefined ? Uint8Array.from(input.bytes) : input.text,
    });
    this.outcomes.push({ status: 'rejected', eventId, code, message });
  }

  admit({ valid, duplicate }: Checked): void {
    const { event, canonical } = valid;
    this.counts.lines++;
    if (duplicate) {
      this.counts.duplicates++;
      this.outcomes.push({ status: 'duplicate', eventId: event.eventId });
      return;
    }
    this.inBatch.set(event.eventId, canonical);
    this.counts.accepted++;
    this.accepted.push({
      eventId: event.eventId,
      type: event.type,
      channelId: 'channelId' in event && event.channelId !== undefined ? event.channelId : null,
      payload: canonical,
    });
    this.acceptedEvents.push(event);
    this.outcomes.push({ status: 'accepted', eventId: event.eventId });
  }

  /** The batch to commit: the inputs redriven (`options.redriving`) that were not rejected again. */
  done(options: IngestOptions): Decided {
    const outcomes = this.outcomes;
    const redriven: number[] = [];
    options.redriving?.forEach((id, i) => {
      const status = outcomes[i]?.status;
      if (id !== null && (status === 'accepted' || status === 'duplicate')) redriven.push(id);
    });
    const batch: IngestBatch = {
      accepted: this.accepted,
      rejected: this.rejected,
      counts: this.counts,
      ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}),
      ...(redriven.length > 0 ? { redriven } : {}),
    };
    return { batch, outcomes, acceptedEvents: this.acceptedEvents };
  }
}
