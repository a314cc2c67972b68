/**
 * EventStoreDB event ids: a name-based UUID (RFC 9562 version 5, SHA-1) of the ERP `eventId`,
 * so a resend carries the same id and the server can recognise it too.
 *
 * Implemented on `node:crypto` rather than the `uuid` package: version 5 is a dozen lines
 * (hash, set version and variant bits, format), the digest comes from Node itself, and it
 * keeps a dependency (and its ESM/CJS and major-version churn) out of the log's write path.
 * The known-answer test in `eventIds.unit.spec.ts` pins it to the RFC's example.
 */
import { createHash } from 'node:crypto';

/**
 * The root namespace of chanperf's ids. Never change it: every id already written to a
 * database was derived from it, and a resend must map to the same id forever.
 */
export const CHANPERF_UUID_NAMESPACE = '8acd7300-c262-40f1-add9-06116b36871b';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The version 5 UUID of `name` (UTF-8) in `namespace` (a UUID string). */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6); // version 5
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8); // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The EventStoreDB event id of an ERP `eventId` within a stream namespace. The namespace takes
 * part so that two deployments (or test runs) sharing one database never share ids.
 */
export function esdbEventId(namespace: string, eventId: string): string {
  return uuidV5(eventId, uuidV5(namespace, CHANPERF_UUID_NAMESPACE));
}
