/**
 * A wire-level stand-in for an EventStoreDB node, for tests on machines where no server can run
 * (no container runtime; no registry ships one). It is a gRPC server built on the client's own
 * generated service definitions, so the REAL `@eventstore/db-client` talks to it over loopback
 * with `esdb://127.0.0.1:PORT?tls=false`: every byte the adapter sends and receives crosses the
 * EventStoreDB protocol.
 *
 * What it serves, with an in-memory log:
 * - `Streams.Read` of `$all` forwards from a position (inclusive) with a count, and
 *   subscriptions to `$all` from a position (exclusive): confirmation, catch-up, a checkpoint
 *   and `caughtUp`, then live events; stream-name and event-type filters (prefixes or regex)
 *   with filtered checkpoints every `checkpointInterval × 32` events scanned;
 * - `Streams.Append` and `Streams.BatchAppend`: expected revision any / no_stream /
 *   stream_exists / exact, `WrongExpectedVersion` (an `AppendResp` field on Append, a
 *   `google.rpc.Status` with packed details on BatchAppend, as the real server encodes them),
 *   the 1 MiB maximum append size counted as the server counts it (data + metadata + 2 × type
 *   length per event), idempotent resends under `any` (every id already in the stream);
 * - `ServerFeatures.GetSupportedMethods` (BatchAppend can be left out to drive the client's
 *   Append path);
 * - `$`-prefixed system streams (`$stats-…` on every start) and `$>` link events in `$ce-<category>`
 *   after every append, present in `$all` as on a server running its standard projections;
 * - `restart()`: a forced shutdown that drops every connection and call, then the same port
 *   again; `stop()` / `start()` to keep it down for a while; `loseAcknowledgements` to write an
 *   append and answer it with UNAVAILABLE.
 *
 * What it does NOT prove: the server's own idempotence window and its partial-match rules, ACLs
 * and authentication (it runs insecure), TLS, leader elections and `not leader` redirects,
 * gossip/discovery, scavenging and stream metadata (`$maxAge`, `$tb`), deletes and tombstones,
 * reads of single streams, persistent subscriptions, durability, or performance. Those stay for
 * the testcontainers suite (`eventstoredb.contract.spec.ts`) against the real image. Test code.
 */
import { randomUUID } from 'node:crypto';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import {
  appendSuccess,
  appendWrongVersion,
  batchError,
  batchSuccess,
  grpc,
  maxAppendSizeError,
  services,
  streamIdentifier,
  streamNameOf,
  streamsPb,
  supportedMethods,
  uuid,
  uuidOf,
  type Expected,
  type GrpcServer,
  type ServiceError,
} from './standIn.wire.js';
import { StandInLog, type Proposed, type Stored } from './standIn.log.js';

/** The real server's default `MaxAppendSize`. */
export const ONE_MIB = 1024 * 1024;

interface ServerCall<Req> {
  readonly request: Req;
  readonly cancelled: boolean;
  on(event: 'cancelled' | 'close', listener: () => void): void;
  emit(event: 'error', error: ServiceError): boolean;
}
interface WritableCall<Req, Res> extends ServerCall<Req> {
  write(message: Res): boolean;
  end(): void;
}
interface ReadableCall<Req> {
  on(event: 'data', listener: (message: Req) => void): void;
  on(event: 'end' | 'cancelled' | 'error', listener: () => void): void;
}
interface DuplexCall<Req, Res> extends ReadableCall<Req> {
  write(message: Res): boolean;
  emit(event: 'error', error: ServiceError): boolean;
  end(): void;
}
type Callback<Res> = (error: ServiceError | null, response?: Res) => void;

export interface StandInOptions {
  /** Offer BatchAppend in GetSupportedMethods (default true, as a 21.10+ node). */
  readonly batchAppend?: boolean;
  readonly maxAppendSize?: number;
}

export class EsdbStandIn {
  readonly log = new StandInLog();
  private server: GrpcServer | undefined;
  private port = 0;
  private readonly maxAppendSize: number;
  private readonly batchAppend: boolean;
  /** Appends that will be written but answered with UNAVAILABLE (a lost acknowledgement). */
  loseAcknowledgements = 0;
  /** Sizes (as the server counts them) of the appends it accepted, in order. */
  readonly appendSizes: number[] = [];
  /** Calls received, by kind (what the client really used). */
  readonly calls = { read: 0, subscribe: 0, append: 0, batchAppend: 0 };
  /** Appends refused with WrongExpectedVersion. */
  wrongExpectedVersions = 0;
  /** Skip the idempotence check of `any` appends (the real one is best effort). */
  idempotent = true;

  constructor(options: StandInOptions = {}) {
    this.maxAppendSize = options.maxAppendSize ?? ONE_MIB;
    this.batchAppend = options.batchAppend ?? true;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Listens on 127.0.0.1 (a free port the first time, the same port after). */
  async start(): Promise<void> {
    const server = new grpc.Server();
    server.addService(services.streams, {
      read: (call: WritableCall<StreamsPb.ReadReq, StreamsPb.ReadResp>) => this.read(call),
      append: (call: ReadableCall<StreamsPb.AppendReq>, cb: Callback<StreamsPb.AppendResp>) =>
        this.append(call, cb),
      batchAppend: (call: DuplexCall<StreamsPb.BatchAppendReq, StreamsPb.BatchAppendResp>) =>
        this.batch(call),
    });
    server.addService(services.features, {
      getSupportedMethods: (_: unknown, cb: Callback<unknown>) =>
        cb(null, supportedMethods(this.batchAppend)),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
        err === null ? resolve(port) : reject(err),
      ),
    );
    this.server = server;
    this.log.system(`$stats-127.0.0.1:${this.port}`, '$statsCollected');
  }

  /** Drops every connection and call at once, as a crashed or restarted node does. */
  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.log.dropListeners();
  }

  async restart(): Promise<void> {
    this.stop();
    await this.start();
  }

  private read(call: WritableCall<StreamsPb.ReadReq, StreamsPb.ReadResp>): void {
    const options = call.request.getOptions();
    const all = options?.getAll();
    if (options === undefined || all === undefined) {
      call.emit('error', unimplemented('reads of single streams'));
      return;
    }
    if (options.getReadDirection() !== streamsPb.ReadReq.Options.ReadDirection.FORWARDS) {
      call.emit('error', unimplemented('backward reads'));
      return;
    }
    const from = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
    const filter = filterOf(options);
    if (options.hasSubscription()) {
      this.calls.subscribe++;
      this.subscribe(
        call,
        all.hasEnd() ? 'end' : from,
        filter,
        options.getFilter()?.getCheckpointintervalmultiplier(),
      );
      return;
    }
    this.calls.read++;
    const max = Number(options.getCount());
    let sent = 0;
    for (const e of all.hasEnd() ? [] : this.log.from(from ?? 0n, true)) {
      if (sent >= max) break;
      if (!filter(e)) continue;
      call.write(eventResp(e));
      sent++;
    }
    call.end();
  }

  private subscribe(
    call: WritableCall<StreamsPb.ReadReq, StreamsPb.ReadResp>,
    from: bigint | 'end' | undefined,
    filter: (e: Stored) => boolean,
    checkpointMultiplier: number | undefined,
  ): void {
    call.write(
      new streamsPb.ReadResp().setConfirmation(
        new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()),
      ),
    );
    const window = checkpointMultiplier === undefined ? undefined : 32 * Math.max(1, checkpointMultiplier);
    let scanned = 0;
    const deliver = (e: Stored) => {
      if (filter(e)) call.write(eventResp(e));
      else if (window !== undefined && ++scanned % window === 0) call.write(checkpointResp(e.position));
    };
    if (from !== 'end') for (const e of this.log.from(from ?? -1n, from === undefined)) deliver(e);
    const last = this.log.last();
    if (window !== undefined && last !== undefined) call.write(checkpointResp(last.position));
    call.write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
    const stop = this.log.listen(deliver);
    call.on('cancelled', stop);
    call.on('close', stop);
  }

  private append(call: ReadableCall<StreamsPb.AppendReq>, cb: Callback<StreamsPb.AppendResp>): void {
    this.calls.append++;
    let options: StreamsPb.AppendReq.Options | undefined;
    const events: Proposed[] = [];
    call.on('data', (req) => {
      if (req.hasOptions()) options = req.getOptions();
      const m = req.getProposedMessage();
      if (m !== undefined) events.push(proposed(m));
    });
    call.on('end', () => {
      const stream = streamNameOf(options?.getStreamIdentifier());
      const expected: Expected = options?.hasRevision()
        ? BigInt(options.getRevision())
        : options?.hasNoStream()
          ? 'no_stream'
          : options?.hasStreamExists()
            ? 'stream_exists'
            : 'any';
      const out = this.write(stream, expected, events);
      if (out.kind === 'too-large') cb(maxAppendSizeError(out.max));
      else if (out.kind === 'lost') cb(lostAcknowledgement());
      else if (out.kind === 'wrong-version') cb(null, appendWrongVersion(expected, out.current));
      else cb(null, appendSuccess(out.current, out.position));
    });
  }

  private batch(call: DuplexCall<StreamsPb.BatchAppendReq, StreamsPb.BatchAppendResp>): void {
    const pending = new Map<
      string,
      { options: StreamsPb.BatchAppendReq.Options | undefined; events: Proposed[] }
    >();
    call.on('data', (req) => {
      const id = uuidOf(req.getCorrelationId());
      const entry = pending.get(id) ?? { options: req.getOptions(), events: [] };
      pending.set(id, entry);
      for (const m of req.getProposedMessagesList()) entry.events.push(proposed(m));
      if (!req.getIsFinal()) return;
      pending.delete(id);
      this.calls.batchAppend++;
      const o = entry.options;
      const stream = streamNameOf(o?.getStreamIdentifier());
      const expected: Expected = o?.hasStreamPosition()
        ? BigInt(o.getStreamPosition())
        : o?.hasNoStream()
          ? 'no_stream'
          : o?.hasStreamExists()
            ? 'stream_exists'
            : 'any';
      const out = this.write(stream, expected, entry.events);
      if (out.kind === 'lost') {
        call.emit('error', lostAcknowledgement());
        return;
      }
      const resp = new streamsPb.BatchAppendResp()
        .setCorrelationId(uuid(id))
        .setStreamIdentifier(streamIdentifier(stream));
      if (out.kind === 'ok') resp.setSuccess(batchSuccess(out.current, out.position));
      else if (out.kind === 'too-large') resp.setError(batchError(out));
      else resp.setError(batchError({ kind: 'wrong-version', expected, current: out.current }));
      call.write(resp);
    });
    call.on('end', () => call.end());
  }

  private write(stream: string, expected: Expected, events: readonly Proposed[]): WriteOutcome {
    const size = events.reduce((n, e) => n + e.data.length + e.metadata.length + 2 * e.type.length, 0);
    if (size > this.maxAppendSize) return { kind: 'too-large', max: this.maxAppendSize };
    const current = this.log.revision(stream);
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && current < 0n) ||
      (expected === 'stream_exists' && current >= 0n) ||
      expected === current;
    if (!ok) {
      this.wrongExpectedVersions++;
      return { kind: 'wrong-version', current };
    }
    if (
      this.idempotent &&
      expected === 'any' &&
      events.length > 0 &&
      events.every((e) => this.log.has(stream, e.id))
    )
      return { kind: 'ok', current, position: undefined }; // an idempotent resend
    const position = this.log.append(stream, events);
    this.appendSizes.push(size);
    if (this.loseAcknowledgements > 0) {
      this.loseAcknowledgements--;
      return { kind: 'lost' };
    }
    return { kind: 'ok', current: this.log.revision(stream), position };
  }
}

type WriteOutcome =
  | { kind: 'ok'; current: bigint; position: bigint | undefined }
  | { kind: 'wrong-version'; current: bigint }
  | { kind: 'too-large'; max: number }
  | { kind: 'lost' };

function unimplemented(what: string): ServiceError {
  return { code: grpc.status.UNIMPLEMENTED, details: `the stand-in does not serve ${what}` };
}

function lostAcknowledgement(): ServiceError {
  return { code: grpc.status.UNAVAILABLE, details: 'stand-in: written, acknowledgement lost' };
}

function proposed(
  m: StreamsPb.AppendReq.ProposedMessage | StreamsPb.BatchAppendReq.ProposedMessage,
): Proposed {
  const meta = m.getMetadataMap();
  return {
    id: uuidOf(m.getId()),
    type: meta.get('type') ?? '',
    contentType: meta.get('content-type') ?? 'application/octet-stream',
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
}

function filterOf(options: StreamsPb.ReadReq.Options): (e: Stored) => boolean {
  const f = options.getFilter();
  if (f === undefined) return () => true;
  const onType = f.hasEventType();
  const expr = onType ? f.getEventType() : f.getStreamIdentifier();
  const prefixes = expr?.getPrefixList() ?? [];
  const regex = expr?.getRegex() ? new RegExp(expr.getRegex()) : undefined;
  return (e) => {
    const value = onType ? e.type : e.streamId;
    return prefixes.length > 0 ? prefixes.some((p) => value.startsWith(p)) : (regex?.test(value) ?? true);
  };
}

function eventResp(e: Stored): StreamsPb.ReadResp {
  const r = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuid(e.id))
    .setStreamIdentifier(streamIdentifier(e.streamId))
    .setStreamRevision(e.revision.toString())
    .setCommitPosition(e.position.toString())
    .setPreparePosition(e.position.toString())
    .setData(e.data)
    .setCustomMetadata(e.metadata);
  r.getMetadataMap()
    .set('type', e.type)
    .set('content-type', e.contentType)
    .set('created', e.created.toString());
  const read = new streamsPb.ReadResp.ReadEvent().setEvent(r).setCommitPosition(e.position.toString());
  return new streamsPb.ReadResp().setEvent(read);
}

function checkpointResp(position: bigint): StreamsPb.ReadResp {
  return new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint()
      .setCommitPosition(position.toString())
      .setPreparePosition(position.toString()),
  );
}
