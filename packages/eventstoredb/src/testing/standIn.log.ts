/**
 * The stand-in server's in-memory log (`standIn.ts`): `$all` ordered by positions with gaps (commit
 * = prepare, a single node without transactions), stream revisions, `$`-system streams and the
 * `$ce-<category>` link events a server running its standard projections writes. It outlives
 * restarts of the gRPC server, as a node's database outlives the process. Test code.
 */
import { randomUUID } from 'node:crypto';

export interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface Stored extends Proposed {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  /** .NET ticks (100 ns since 0001-01-01), as the server stamps `created`. */
  readonly created: bigint;
}

const TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000n;

export class StandInLog {
  private readonly events: Stored[] = [];
  private readonly revisions = new Map<string, bigint>();
  private readonly ids = new Map<string, Set<string>>();
  private readonly listeners = new Set<(e: Stored) => void>();
  private next = 1024n;

  /** Writes an event to a system stream (`$…`), as the server does for itself. */
  system(stream: string, type: string): void {
    this.put(stream, json(type, { at: this.next.toString() }));
  }

  revision(stream: string): bigint {
    return this.revisions.get(stream) ?? -1n;
  }

  has(stream: string, id: string): boolean {
    return this.ids.get(stream)?.has(id) ?? false;
  }

  /** Appends in order; then the `$ce-` links of a non-system stream. The last event's position. */
  append(stream: string, events: readonly Proposed[]): bigint | undefined {
    const first = this.events.length;
    for (const e of events) this.put(stream, e);
    const written = this.events.slice(first);
    const dash = stream.indexOf('-');
    if (!stream.startsWith('$') && dash > 0) {
      const category = `$ce-${stream.slice(0, dash)}`;
      for (const e of written) {
        const link = json('$>', undefined);
        this.put(category, { ...link, data: Buffer.from(`${e.revision}@${stream}`, 'utf8') });
      }
    }
    return written[written.length - 1]?.position;
  }

  /** Events at or after (`inclusive`) / after `position`, in `$all` order. */
  *from(position: bigint, inclusive: boolean): Iterable<Stored> {
    for (const e of this.events) if (inclusive ? e.position >= position : e.position > position) yield e;
  }

  last(): Stored | undefined {
    return this.events[this.events.length - 1];
  }

  /** Calls `listener` with every event written from now on; returns the way to stop. */
  listen(listener: (e: Stored) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dropListeners(): void {
    this.listeners.clear();
  }

  /** Every event of `$all`, in order. */
  all(): readonly Stored[] {
    return this.events;
  }

  /** Events of one stream. */
  stream(stream: string): Stored[] {
    return this.events.filter((e) => e.streamId === stream);
  }

  private put(streamId: string, e: Proposed): void {
    const revision = this.revision(streamId) + 1n;
    const stored: Stored = {
      ...e,
      streamId,
      revision,
      position: this.next,
      created: TICKS_AT_UNIX_EPOCH + BigInt(Date.now()) * 10_000n,
    };
    // Positions are byte offsets in the real log: leave a record's worth of gap.
    this.next += BigInt(128 + e.data.length + e.metadata.length);
    this.events.push(stored);
    this.revisions.set(streamId, revision);
    let ids = this.ids.get(streamId);
    if (ids === undefined) this.ids.set(streamId, (ids = new Set()));
    ids.add(e.id);
    for (const listener of this.listeners) listener(stored);
  }
}

function json(type: string, data: unknown): Proposed {
  const metadata = type === '$>' ? { $v: '1:-1:1:4', $causedBy: randomUUID() } : {};
  return {
    id: randomUUID(),
    type,
    contentType: data === undefined ? 'application/octet-stream' : 'application/json',
    data: Buffer.from(data === undefined ? '' : JSON.stringify(data), 'utf8'),
    metadata: Buffer.from(JSON.stringify(metadata), 'utf8'),
  };
}
