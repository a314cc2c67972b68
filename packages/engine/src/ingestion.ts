/**
 * The ingestion pipeline: parse → validate (zod) → duplicate check → acceptance checks →
 * append. Every non-blank input ends accepted, duplicate or rejected with the spec's code;
 * rejected inputs are kept with their raw text. A batch is committed atomically.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  classify,
  EventValidator,
  isBlankLine,
  MonthClock,
  type ChanperfEvent,
  type Counts,
  type DeploymentSettings,
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
  /** The exact bytes received, when they may differ from `text` (invalid UTF-8). */
  readonly bytes?: Uint8Array;
  /** Why the bytes cannot be read as text (not UTF-8): rejected MALFORMED_JSON with this reason. */
  readonly unreadable?: string;
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
  ingest(inputs: readonly RawInput[], options: IngestOptions = {}): Promise<Outcome[]> {
    const run = this.queue.then(() => this.ingestNow(inputs, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ingestNow(inputs: readonly RawInput[], options: IngestOptions): Promise<Outcome[]> {
    // Parsing and validation need no lock: they happen before the append's write transaction.
    const validated = inputs.map((input): Validated | null => {
      if (input.unreadable !== undefined) {
        return E.left({ code: 'MALFORMED_JSON', message: input.unreadable, eventId: null });
      }
      return isBlankLine(input.text) ? null : this.validator.validateText(input.text);
    });
    const ids: string[] = [];
    for (const v of validated) if (v !== null && E.isRight(v)) ids.push(v.right.event.eventId);
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

  /**
   * The duplicate and acceptance checks of every validated input against the log's view, in
   * order (each accepted event folded into the view's state before the next is checked).
   */
  private decide(
    view: AcceptanceView,
    inputs: readonly RawInput[],
    validated: readonly (Validated | null)[],
    options: IngestOptions,
  ): Decided {
    const acceptance = view.acceptance;
    const inBatch = new Map<string, string>();
    const accepted: NewLogEntry[] = [];
    const acceptedEvents: ChanperfEvent[] = [];
    const rejected: RejectedInput[] = [];
    const counts: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
    const outcomes: Outcome[] = [];
    validated.forEach((v, i) => {
      const input = inputs[i] as RawInput;
      if (v === null) {
        outcomes.push({ status: 'skipped' });
        return;
      }
      counts.lines++;
      const reject = (code: RejectionCode, message: string, eventId: string | null) => {
        counts.rejected++;
        rejected.push({
          source: input.source,
          line: input.line,
          eventId,
          code,
          message,
          raw: input.bytes !== undefined ? Uint8Array.from(input.bytes) : input.text,
        });
        outcomes.push({ status: 'rejected', eventId, code, message });
      };
      if (E.isLeft(v)) {
        reject(v.left.code, v.left.message, v.left.eventId);
        return;
      }
      const { event, canonical } = v.right;
      const c = classify(
        acceptance,
        event,
        canonical,
        inBatch.get(event.eventId) ?? view.content(event.eventId),
        this.settings.currency,
        this.clock,
      );
      if (c.status === 'rejected') {
        reject(c.code, c.message, event.eventId);
        return;
      }
      if (c.status === 'duplicate') {
        counts.duplicates++;
        outcomes.push({ status: 'duplicate', eventId: event.eventId });
        return;
      }
      inBatch.set(event.eventId, canonical);
      counts.accepted++;
      accepted.push({
        eventId: event.eventId,
        type: event.type,
        channelId: 'channelId' in event && event.channelId !== undefined ? event.channelId : null,
        payload: canonical,
      });
      acceptedEvents.push(event);
      outcomes.push({ status: 'accepted', eventId: event.eventId });
    });
    this.closed = acceptance.lastClosed;
    const redriven: number[] = [];
    options.redriving?.forEach((id, i) => {
      const status = outcomes[i]?.status;
      if (id !== null && (status === 'accepted' || status === 'duplicate')) redriven.push(id);
    });
    const batch: IngestBatch = {
      accepted,
      rejected,
      counts,
      ...(options.checkpoint !== undefined ? { checkpoint: options.checkpoint } : {}),
      ...(redriven.length > 0 ? { redriven } : {}),
    };
    return { batch, outcomes, acceptedEvents };
  }
}

type Validated = E.Either<{ code: RejectionCode; message: string; eventId: string | null }, ValidEvent>;

/** One decision of a batch: what to commit, and what each input became. */
interface Decided {
  readonly batch: IngestBatch;
  readonly outcomes: Outcome[];
  readonly acceptedEvents: ChanperfEvent[];
}
