/**
 * The node's local index of the log: every entry of the namespace's streams, numbered in `$all`
 * order, in the embedded store's `events` table (so `read`, `contents` and the acceptance
 * facts are local SQLite queries), with the `$all` position it has read up to committed in
 * the same transaction.
 *
 * Two readers feed it, both in `$all` order and both idempotent:
 * - a catch-up subscription to `$all`, filtered server-side on the `<ns>-` prefix, resumed
 *   from the stored position and re-established with backoff after a dropped connection or a
 *   server restart (the live path: other nodes' appends arrive here);
 * - `pull()`, a `readAll` from the stored position to the end, used where the engine needs
 *   "everything committed before now": its own appends (read-your-writes), the duplicate
 *   check, `head()`, start-up.
 *
 * Why it cannot lose or repeat an entry: each batch written is a run of `$all` that starts at
 * or before the stored position (both readers start from it), so the index is always a
 * prefix of the filtered `$all`; entries at or before the stored position are dropped, and
 * an `eventId` already indexed is skipped by the store (first occurrence wins, the same rule
 * on every node); the stored position moves in the same transaction as the entries.
 *
 * It also knows the revision of the log stream (`<ns>-log`) it holds: the expected revision of
 * this node's next append. It is kept in memory: on a start with a stored position it is not
 * known until the index reads an event of the log stream or an append is refused with the
 * server's current revision (`caughtUpTo`).
 */
import {
  FORWARDS,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
} from '@eventstore/db-client';
import type { Counts } from '@chanperf/domain';
import { EngineError, type EventLog, type Feed, type NewLogEntry } from '@chanperf/engine';
import type { EsdbClient, EsdbLogger } from './client.js';
import { decodeRecorded } from './codec.js';
import { esdbCall, toEngineError } from './errors.js';
import { formatPosition, fromCheckpoint, isAfter, toCheckpoint, type AllPosition } from './positions.js';
import { logStream, streamPrefix } from './streams.js';

const NO_COUNTS: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

/** Events read from `$all` per page, and entries per local transaction. */
const PAGE = 1000;

/** One `$all` event as the index sees it: its position, and its entry when it is one. */
interface Indexed {
  readonly position: AllPosition;
  readonly entry: NewLogEntry | undefined;
  /** Its revision, when it is an event of the log stream. */
  readonly logRevision: bigint | undefined;
  /** The append attempt that wrote it (chanperf's entries). */
  readonly batch: string | undefined;
}

/** What the index holds: how far into `$all`, and the log stream's last revision there. */
export interface IndexedUpTo {
  readonly position: AllPosition | undefined;
  /** -1 when the log stream has no event there; undefined when not known yet. */
  readonly revision: bigint | undefined;
}

export interface ReconnectPolicy {
  /** First wait before resubscribing (ms); doubles up to `maxMs`. */
  readonly minMs: number;
  readonly maxMs: number;
}

export class LocalLogIndex {
  private position: AllPosition | undefined;
  private revision: bigint | undefined;
  private readonly key: string;
  private readonly logStream: string;
  private writing: Promise<unknown> = Promise.resolve();
  private pulling: Promise<void> | undefined;
  private pullAgain: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private subscription: AllStreamSubscription | undefined;
  private live = false;
  private closed = false;
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<(head: number) => void>();

  constructor(
    private readonly client: EsdbClient,
    private readonly local: EventLog & Feed,
    private readonly namespace: string,
    private readonly logger: EsdbLogger | undefined,
    private readonly reconnect: ReconnectPolicy,
  ) {
    this.key = `eventstoredb:${namespace}:$all`;
    this.logStream = logStream(namespace);
  }

  /** Loads the stored `$all` position. */
  async open(): Promise<void> {
    this.position = fromCheckpoint(await this.local.sourceCheckpoint(this.key));
    this.revision = this.position === undefined ? -1n : undefined;
  }

  /**
   * What the index holds now. Read before the view: a view read after it is at least as new, and
   * a view newer than the revision only costs a refused append, never a stale acceptance.
   */
  upTo(): IndexedUpTo {
    return { position: this.position, revision: this.revision };
  }

  /** Runs `read` between two writes of the index (given what the index holds then). */
  atRest<T>(read: (at: IndexedUpTo) => Promise<T>): Promise<T> {
    const run = this.writing.then(() => read({ position: this.position, revision: this.revision }));
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * After the server refused an append because the log stream is at `current`: pulls (the
   * pull starts after the refusal, so it reads the event at `current`), then holds at least it.
   */
  async caughtUpTo(current: bigint): Promise<void> {
    await this.pull();
    await this.atRest(() => {
      if (this.revision === undefined || this.revision < current) this.revision = current;
      return Promise.resolve();
    });
  }

  /** The eventIds that the append attempts `batches` wrote to `$all` after `from`. */
  async appendedBy(batches: ReadonlySet<string>, from: AllPosition | undefined): Promise<Set<string>> {
    const out = new Set<string>();
    for (let at = from; ;) {
      const page = await this.readPage(at);
      for (const resolved of page) {
        const item = this.indexed(resolved);
        if (item === undefined || !isAfter(item.position, from)) continue;
        if (item.entry !== undefined && item.batch !== undefined && batches.has(item.batch))
          out.add(item.entry.eventId);
        at = item.position;
      }
      if (page.length < PAGE) return out;
    }
  }

  /** True while the subscription is connected and has caught up with `$all`. */
  get isLive(): boolean {
    return this.live;
  }

  /** Calls `listener` with the new head each time entries are indexed. */
  onAppended(listener: (head: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Indexes everything `$all` holds now. Concurrent calls share a read, but a call made while
   * a read is under way gets one that starts after it (it must see what was committed before
   * the call).
   */
  pull(): Promise<void> {
    if (this.pulling === undefined) {
      this.pulling = this.pullNow().finally(() => {
        this.pulling = undefined;
      });
      return this.pulling;
    }
    this.pullAgain ??= this.pulling
      .catch(() => undefined)
      .then(() => {
        this.pullAgain = undefined;
        return this.pull();
      });
    return this.pullAgain;
  }

  /**
   * Pulls until every id is indexed (read-your-writes after an append). A follower node may
   * serve reads slightly behind the leader, hence a few tries.
   */
  async ensureIndexed(eventIds: readonly string[], attempts = 5): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.pull();
      const have = await this.local.contents(eventIds);
      const missing = eventIds.filter((id) => !have.has(id));
      if (missing.length === 0) return;
      if (attempt >= attempts) {
        throw new EngineError(
          'ESDB_INDEX_BEHIND',
          `${missing.length} appended event(s) not readable from $all yet (first: ${missing[0]})`,
          true,
        );
      }
      await this.pause(50 * attempt);
    }
  }

  /** Starts the live subscription (idempotent). */
  follow(): void {
    this.following ??= this.followLoop();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.wakers) wake();
    const sub = this.subscription;
    if (sub !== undefined) {
      await sub.unsubscribe().catch(() => undefined);
      sub.destroy();
    }
    await Promise.allSettled([this.following, this.pulling, this.pullAgain, this.writing]);
  }

  private async pullNow(): Promise<void> {
    for (;;) {
      if (this.closed) throw closedError();
      const from = this.position;
      const page = await this.readPage(from);
      const items: Indexed[] = [];
      let last: AllPosition | undefined;
      for (const resolved of page) {
        const item = this.indexed(resolved);
        // readAll starts AT `from` (inclusive); the subscription after it: skip what we have.
        if (item === undefined || !isAfter(item.position, from)) continue;
        items.push(item);
        last = item.position;
      }
      if (last !== undefined) await this.write(items, last);
      if (page.length < PAGE || last === undefined) return;
    }
  }

  /** Up to a page of `$all` from `from` (inclusive). */
  private readPage(from: AllPosition | undefined): Promise<AllStreamResolvedEvent[]> {
    return esdbCall('read of $all', async () => {
      const events: AllStreamResolvedEvent[] = [];
      const read = this.client.readAll({
        fromPosition: from ?? START,
        maxCount: PAGE,
        direction: FORWARDS,
        resolveLinkTos: false,
      });
      for await (const e of read) events.push(e);
      return events;
    });
  }

  private async followLoop(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const from = this.position;
      let sub: AllStreamSubscription | undefined;
      try {
        sub = this.client.subscribeToAll({
          fromPosition: from ?? START,
          resolveLinkTos: false,
          filter: streamNameFilter({ prefixes: [streamPrefix(this.namespace)] }),
        });
        this.subscription = sub;
        const current = sub;
        sub.on('caughtUp', () => {
          this.live = true;
          failures = 0;
        });
        sub.on('fellBehind', () => {
          this.live = false;
        });
        this.logger?.debug({ from: formatPosition(from) }, 'subscribed to $all');
        let batch: Indexed[] = [];
        let last: AllPosition | undefined;
        for await (const resolved of current as AsyncIterable<AllStreamResolvedEvent>) {
          const item = this.indexed(resolved);
          if (item !== undefined) {
            batch.push(item);
            last = item.position;
          }
          // Write when nothing more is buffered (live) or the batch is full (catching up).
          if (last !== undefined && (batch.length >= PAGE || current.readableLength === 0)) {
            await this.write(batch, last);
            batch = [];
            last = undefined;
          }
        }
        if (last !== undefined) await this.write(batch, last);
        if (!this.closed)
          this.logger?.warn({ position: formatPosition(this.position) }, 'subscription ended');
      } catch (err) {
        if (this.closed) break;
        failures++;
        this.logger?.warn(
          {
            err: toEngineError('subscription to $all', err),
            failures,
            position: formatPosition(this.position),
          },
          'subscription to $all dropped; resubscribing',
        );
      } finally {
        this.live = false;
        this.subscription = undefined;
        // Cancel the server-side stream whatever ended the loop (close() does its own).
        if (sub !== undefined && !this.closed) {
          await sub.unsubscribe().catch(() => undefined);
          sub.destroy();
        }
      }
      if (this.closed) break;
      const { minMs, maxMs } = this.reconnect;
      await this.pause(Math.min(maxMs, minMs * 2 ** Math.min(failures, 16)));
    }
  }

  private indexed(resolved: AllStreamResolvedEvent): Indexed | undefined {
    const event = resolved.event;
    if (event === undefined) return undefined;
    const decoded = decodeRecorded(this.namespace, event);
    if (decoded.kind === 'foreign') {
      this.logger?.warn(
        { stream: event.streamId, id: event.id, reason: decoded.reason },
        'event in a chanperf stream not written by chanperf: skipped',
      );
    }
    return {
      position: event.position,
      entry: decoded.kind === 'entry' ? decoded.entry : undefined,
      logRevision: event.streamId === this.logStream ? event.revision : undefined,
      batch: decoded.kind === 'entry' ? decoded.batch : undefined,
    };
  }

  /**
   * Commits a run of `$all` ending at `last`: the entries after the stored position, and the
   * new position, in one local transaction. Writes are serialized.
   */
  private write(items: readonly Indexed[], last: AllPosition): Promise<void> {
    const run = this.writing.then(async () => {
      if (this.closed) throw closedError();
      if (!isAfter(last, this.position)) return;
      const fresh: NewLogEntry[] = [];
      let revision = this.revision;
      for (const i of items) {
        if (!isAfter(i.position, this.position)) continue;
        if (i.entry !== undefined) fresh.push(i.entry);
        if (i.logRevision !== undefined && (revision === undefined || i.logRevision > revision))
          revision = i.logRevision;
      }
      const before = fresh.length > 0 ? await this.local.head() : 0;
      await this.local.commit({
        accepted: fresh,
        rejected: [],
        counts: NO_COUNTS,
        checkpoint: toCheckpoint(this.key, last),
      });
      this.position = last;
      this.revision = revision;
      if (fresh.length === 0) return;
      const head = await this.local.head();
      if (head > before) this.notify(head);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  private notify(head: number): void {
    for (const listener of this.listeners) {
      try {
        listener(head);
      } catch (err) {
        this.logger?.warn({ err }, 'appended listener failed');
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}

function closedError(): EngineError {
  return new EngineError('ESDB_CLOSED', 'the EventStoreDB log is closed', false);
}
