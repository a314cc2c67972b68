/**
 * The protocol side of the stand-in server (`standIn.ts`): the client's own generated protobuf
 * and gRPC modules, and the messages the stand-in answers with, encoded as the real server
 * encodes them (KurrentDB `Streams.Append.cs`, `Streams.BatchAppend.cs`, `Status.cs`,
 * `RpcExceptions.cs`).
 *
 * The modules are loaded from `@eventstore/db-client`'s own directory: google-protobuf registers
 * its message classes process-wide, and a second copy would corrupt the client's; grpc-js
 * resolves through the client too, so the server and client share one copy. Test code.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';

const requireHere = createRequire(import.meta.url);
const clientRoot = dirname(dirname(requireHere.resolve('@eventstore/db-client')));
const fromClient = createRequire(join(clientRoot, 'package.json'));

/** The part of `@grpc/grpc-js` the stand-in uses. */
export interface GrpcMetadata {
  set(key: string, value: string): void;
}
export interface ServiceError {
  code: number;
  details: string;
  metadata?: GrpcMetadata;
}
export interface GrpcServer {
  addService(service: unknown, implementation: object): void;
  bindAsync(address: string, credentials: unknown, callback: (err: Error | null, port: number) => void): void;
  forceShutdown(): void;
}
interface GrpcJs {
  Server: new (options?: object) => GrpcServer;
  ServerCredentials: { createInsecure(): unknown };
  Metadata: new () => GrpcMetadata;
  status: { readonly INVALID_ARGUMENT: number; readonly UNAVAILABLE: number; readonly UNIMPLEMENTED: number };
}
interface PackableAny {
  pack(serialized: Uint8Array, name: string): void;
}

export const grpc = fromClient('@grpc/grpc-js') as GrpcJs;
export const streamsPb = fromClient('./generated/streams_pb.js') as typeof StreamsPb;
export const sharedPb = fromClient('./generated/shared_pb.js') as typeof SharedPb;
export const services = {
  streams: (fromClient('./generated/streams_grpc_pb.js') as { StreamsService: unknown }).StreamsService,
  features: (fromClient('./generated/serverfeatures_grpc_pb.js') as { ServerFeaturesService: unknown })
    .ServerFeaturesService,
};
const featuresPb = fromClient('./generated/serverfeatures_pb.js') as {
  SupportedMethods: new () => {
    setMethodsList(v: unknown[]): void;
    setEventStoreServerVersion(v: string): void;
  };
  SupportedMethod: new () => { setMethodName(v: string): void; setServiceName(v: string): void };
};
const statusPb = fromClient('./generated/status_pb.js') as {
  Status: new () => { setCode(v: number): void; setMessage(v: string): void; setDetails(v: unknown): void };
};
const anyPb = fromClient('google-protobuf/google/protobuf/any_pb.js') as { Any: new () => PackableAny };

/** google.rpc.Code values the real server puts in BatchAppend errors. */
const RPC_CODE = { ALREADY_EXISTS: 6, INVALID_ARGUMENT: 3 };

/** The expected revision of an append, as the request carries it. */
export type Expected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export function uuidOf(id: SharedPb.UUID | undefined): string {
  return id?.getString() ?? '';
}

export function uuid(value: string): SharedPb.UUID {
  const u = new sharedPb.UUID();
  u.setString(value);
  return u;
}

export function streamIdentifier(name: string): SharedPb.StreamIdentifier {
  const s = new sharedPb.StreamIdentifier();
  s.setStreamName(Buffer.from(name, 'utf8'));
  return s;
}

export function streamNameOf(id: SharedPb.StreamIdentifier | undefined): string {
  return Buffer.from(id?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

/** `ServerFeatures.GetSupportedMethods`: what a 23.10 node answers, minus BatchAppend if asked. */
export function supportedMethods(batchAppend: boolean): unknown {
  const methods = [
    ['event_store.client.streams.Streams', 'read'],
    ['event_store.client.streams.Streams', 'append'],
    ...(batchAppend ? [['event_store.client.streams.Streams', 'batchappend']] : []),
    ['event_store.client.server_features.ServerFeatures', 'getsupportedmethods'],
  ].map(([service, method]) => {
    const m = new featuresPb.SupportedMethod();
    m.setServiceName(service ?? '');
    m.setMethodName(method ?? '');
    return m;
  });
  const out = new featuresPb.SupportedMethods();
  out.setMethodsList(methods);
  out.setEventStoreServerVersion('23.10.0-standin');
  return out;
}

/** What `RpcExceptions.MaxAppendSizeExceeded` sends on `Streams.Append`. */
export function maxAppendSizeError(max: number): ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'maximum-append-size-exceeded');
  metadata.set('maximum-append-size', String(max));
  return { code: grpc.status.INVALID_ARGUMENT, details: `Maximum Append Size of ${max} Exceeded.`, metadata };
}

/** `AppendResp.WrongExpectedVersion`, with the deprecated 20.6 fields the real server also fills. */
export function appendWrongVersion(expected: Expected, current: bigint): StreamsPb.AppendResp {
  const w = new streamsPb.AppendResp.WrongExpectedVersion();
  const empty = new sharedPb.Empty();
  if (expected === 'any') w.setExpectedAny(empty).setAny2060(empty);
  else if (expected === 'stream_exists') w.setExpectedStreamExists(empty).setStreamExists2060(empty);
  else if (expected === 'no_stream') w.setExpectedNoStream(empty);
  else w.setExpectedRevision(expected.toString()).setExpectedRevision2060(Number(expected));
  if (current < 0n) w.setCurrentNoStream(empty).setNoStream2060(empty);
  else w.setCurrentRevision(current.toString()).setCurrentRevision2060(Number(current));
  return new streamsPb.AppendResp().setWrongExpectedVersion(w);
}

export function appendSuccess(current: bigint, position: bigint | undefined): StreamsPb.AppendResp {
  const s = new streamsPb.AppendResp.Success();
  if (current < 0n) s.setNoStream(new sharedPb.Empty());
  else s.setCurrentRevision(current.toString());
  if (position === undefined) s.setNoPosition(new sharedPb.Empty());
  else
    s.setPosition(
      new streamsPb.AppendResp.Position()
        .setCommitPosition(position.toString())
        .setPreparePosition(position.toString()),
    );
  return new streamsPb.AppendResp().setSuccess(s);
}

function rpcStatus(
  code: number,
  message: string,
  details: { serializeBinary(): Uint8Array },
  type: string,
): unknown {
  const any = new anyPb.Any();
  any.pack(details.serializeBinary(), type);
  const status = new statusPb.Status();
  status.setCode(code);
  status.setMessage(message);
  status.setDetails(any);
  return status;
}

/** A BatchAppend failure, as `Status.WrongExpectedVersion` / `Status.MaximumAppendSizeExceeded`. */
export function batchError(
  failure:
    { kind: 'wrong-version'; expected: Expected; current: bigint } | { kind: 'too-large'; max: number },
): Parameters<StreamsPb.BatchAppendResp['setError']>[0] {
  if (failure.kind === 'too-large') {
    const d = new sharedPb.MaximumAppendSizeExceeded();
    d.setMaxappendsize(failure.max);
    return rpcStatus(
      RPC_CODE.INVALID_ARGUMENT,
      'MaximumAppendSizeExceeded',
      d,
      'event_store.client.MaximumAppendSizeExceeded',
    ) as Parameters<StreamsPb.BatchAppendResp['setError']>[0];
  }
  const d = new sharedPb.WrongExpectedVersion();
  const empty = new sharedPb.Empty();
  const { expected, current } = failure;
  if (current < 0n) d.setCurrentNoStream(empty);
  else d.setCurrentStreamRevision(current.toString());
  if (expected === 'any') d.setExpectedAny(empty);
  else if (expected === 'stream_exists') d.setExpectedStreamExists(empty);
  else if (expected === 'no_stream') d.setExpectedNoStream(empty);
  else d.setExpectedStreamPosition(expected.toString());
  return rpcStatus(
    RPC_CODE.ALREADY_EXISTS,
    'WrongExpectedVersion',
    d,
    'event_store.client.WrongExpectedVersion',
  ) as Parameters<StreamsPb.BatchAppendResp['setError']>[0];
}

export function batchSuccess(
  current: bigint,
  position: bigint | undefined,
): StreamsPb.BatchAppendResp.Success {
  const s = new streamsPb.BatchAppendResp.Success();
  if (current < 0n) s.setNoStream(new sharedPb.Empty());
  else s.setCurrentRevision(current.toString());
  if (position === undefined) s.setNoPosition(new sharedPb.Empty());
  else
    s.setPosition(
      new sharedPb.AllStreamPosition()
        .setCommitPosition(position.toString())
        .setPreparePosition(position.toString()),
    );
  return s;
}
