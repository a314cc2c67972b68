/**
 * An in-process stand-in for an EventStoreDB server and its Node client, for this package's
 * tests on machines without a container runtime. It models what the adapter relies on, as the
 * real client documents it: `$all` ordered by (commit, prepare) positions with gaps, system
 * and foreign streams in `$all`; `readAll` from a position inclusive, a catch-up subscription
 * from a position exclusive, then live, with a server-side stream-prefix filter and a
 * `caughtUp` event; JSON data and metadata serialized on write and parsed on read; best-effort
 * idempotence of `expectedRevision: any` appends (same id in the same stream); and failures
 * typed as the client's (`type: 'unavailable'`), a restart dropping every subscription.
 *
 * It proves the adapter's logic (ordering, indexing, resuming, journaling, reconnecting), not
 * the server's behaviour: the same suites run against the real server under testcontainers.
 * Test code: src/testing/ is excluded from the package's build (see tsconfig.json).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
  AllStreamSubscription,
  AppendResult,
  EventData,
  Position,
  ReadAllOptions,
  StreamingRead,
  SubscribeToAllOptions,
} from '@eventstore/db-client';
import type { EsdbClient } from '../client.js';

interface StoredEvent {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array | undefined;
  readonly position: Position;
}

function clientError(type: string, message: string): Error {
  return Object.assign(new Error(message), { type });
}

function compare(a: Position, b: Position): number {
  return a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;
}

function parseJson(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseMetadata(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return bytes;
  }
}

class FakeSubscription extends Readable {
  constructor(private readonly onUnsubscribe: (s: FakeSubscription) => void) {
    super({ objectMode: true });
  }
  override _read(): void {}
  unsubscribe(): Promise<void> {
    this.onUnsubscribe(this);
    if (!this.destroyed) this.push(null);
    return Promise.resolve();
  }
}

export class FakeEventStoreDb {
  private readonly all: StoredEvent[] = [];
  private readonly revisions = new Map<string, bigint>();
  private next = 1000n;
  private down = false;
  private readonly live = new Map<FakeSubscription, (s: StoredEvent) => boolean>();
  /** Appends that will be written but answered with a failure (a lost acknowledgement). */
  loseAcknowledgements = 0;
  /** Best-effort idempotence of `any` appends, as the server does it; off to test the index. */
  idempotent = true;
  appendCalls = 0;

  constructor() {
    this.system('$settings', '$settings');
  }

  /** Writes an event of another application or of the server itself. */
  system(stream: string, type: string): void {
    this.write(stream, [
      { id: randomUUID(), type, contentType: 'application/json', data: { at: 1 }, metadata: undefined },
    ]);
  }

  /** Takes the server down (every call fails, subscriptions drop) or brings it back. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.dropSubscriptions();
  }

  private dropSubscriptions(): void {
    for (const sub of [...this.live.keys()]) {
      this.live.delete(sub);
      sub.destroy(clientError('unavailable', '14 UNAVAILABLE: Connection dropped'));
    }
  }

  /** Drops every subscription, refuses calls until it is back, and comes back. */
  async restart(): Promise<void> {
    this.setDown(true);
    await new Promise((resolve) => setImmediate(resolve));
    this.down = false;
  }

  /** The events of one stream, as the client would read them. */
  stream(streamId: string): AllStreamRecordedEvent[] {
    return this.all.filter((e) => e.streamId === streamId).map((e) => this.recorded(e));
  }

  /** A client connected to this server (each node has its own). */
  client(): EsdbClient {
    return {
      appendToStream: (streamName, events, options) => {
        this.appendCalls++;
        if (this.down)
          return Promise.reject(clientError('unavailable', '14 UNAVAILABLE: No connection established'));
        if (options?.expectedRevision !== undefined && options.expectedRevision !== 'any') {
          return Promise.reject(
            clientError('invalid-argument', 'the fake supports expectedRevision any only'),
          );
        }
        const result = this.write(streamName, Array.isArray(events) ? events : [events]);
        if (this.loseAcknowledgements > 0) {
          this.loseAcknowledgements--;
          return Promise.reject(
            clientError('deadline-exceeded', '4 DEADLINE_EXCEEDED: acknowledgement lost'),
          );
        }
        return Promise.resolve(result);
      },
      readAll: (options?: ReadAllOptions) => this.readAll(options ?? {}),
      subscribeToAll: (options?: SubscribeToAllOptions) => this.subscribeToAll(options ?? {}),
      dispose: () => Promise.resolve(),
    };
  }

  private write(streamId: string, events: readonly EventData[]): AppendResult {
    let revision = this.revisions.get(streamId) ?? -1n;
    const existing = new Set(this.all.filter((e) => e.streamId === streamId).map((e) => e.id));
    let position: Position | undefined;
    for (const e of events) {
      if (this.idempotent && existing.has(e.id)) continue;
      revision++;
      const data =
        e.contentType === 'application/json'
          ? Buffer.from(JSON.stringify(e.data), 'utf8')
          : Buffer.from(e.data);
      const metadata =
        e.metadata === undefined
          ? undefined
          : e.metadata instanceof Uint8Array
            ? e.metadata
            : Buffer.from(JSON.stringify(e.metadata), 'utf8');
      position = { commit: this.next, prepare: this.next };
      this.next += BigInt(100 + data.length);
      const stored: StoredEvent = {
        streamId,
        id: e.id,
        type: e.type,
        revision,
        contentType: e.contentType,
        data,
        metadata,
        position,
      };
      this.all.push(stored);
      for (const [sub, accepts] of this.live) if (accepts(stored)) sub.push(this.resolved(stored));
    }
    this.revisions.set(streamId, revision);
    return { success: true, nextExpectedRevision: revision, ...(position !== undefined ? { position } : {}) };
  }

  private readAll(options: ReadAllOptions): StreamingRead<AllStreamResolvedEvent> {
    let out: Readable;
    if (this.down) {
      out = new Readable({
        objectMode: true,
        read() {
          this.destroy(clientError('unavailable', '14 UNAVAILABLE: No connection established'));
        },
      });
    } else {
      const from = options.fromPosition;
      const start =
        from === undefined || from === 'start'
          ? 0
          : from === 'end'
            ? this.all.length
            : this.all.findIndex((e) => compare(e.position, from) >= 0); // inclusive
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const slice = start < 0 ? [] : this.all.slice(start, start + max);
      out = Readable.from(slice.map((e) => this.resolved(e)));
    }
    return Object.assign(out, { cancel: () => Promise.resolve() });
  }

  private subscribeToAll(options: SubscribeToAllOptions): AllStreamSubscription {
    const sub = new FakeSubscription((s) => this.live.delete(s));
    const filter = options.filter;
    const prefixes = filter !== undefined && 'prefixes' in filter ? filter.prefixes : undefined;
    const accepts = (e: StoredEvent) =>
      prefixes === undefined || prefixes.some((p) => e.streamId.startsWith(p));
    const from = options.fromPosition;
    setImmediate(() => {
      if (this.down) {
        sub.destroy(clientError('unavailable', '14 UNAVAILABLE: No connection established'));
        return;
      }
      for (const e of this.all) {
        const after =
          from === undefined || from === 'start' || (from !== 'end' && compare(e.position, from) > 0);
        if (after && accepts(e)) sub.push(this.resolved(e));
      }
      this.live.set(sub, accepts);
      sub.emit('caughtUp');
    });
    return sub;
  }

  private recorded(e: StoredEvent): AllStreamRecordedEvent {
    const isJson = e.contentType === 'application/json';
    // The client parses metadata as JSON and hands over the bytes when that fails.
    const metadata = e.metadata === undefined ? undefined : parseMetadata(e.metadata);
    return {
      streamId: e.streamId,
      id: e.id,
      revision: e.revision,
      type: e.type,
      created: new Date(0),
      isJson,
      data: isJson ? parseJson(e.data) : e.data,
      metadata,
      position: e.position,
    } as AllStreamRecordedEvent;
  }

  private resolved(e: StoredEvent): AllStreamResolvedEvent {
    return { event: this.recorded(e), commitPosition: e.position.commit };
  }
}
