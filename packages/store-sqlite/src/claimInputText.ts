/**
 * (v2) The text of an `rm_claim_batches` row: claim input records one after another, each a
 * kind letter (`s` sale, `r` return, `c` count) then its fields in a fixed order. A string field
 * is its length in UTF-16 code units, `:`, then the string itself, so nothing is escaped
 * whatever an id holds (the validator refuses lone surrogates, so the text survives UTF-8); a
 * number is its decimal text then `,`. Appending records to a string this way cost about an
 * eighth of `JSON.stringify` of the same records as objects (300k records, this machine).
 */
import type { ClaimInputRecord, Instant } from '@chanperf/domain';

const field = (s: string) => `${s.length}:${s}`;
const instantText = (t: Instant) => `${t.seconds},${field(t.fraction)}`;

/** One record's text. */
export function claimInputText(r: ClaimInputRecord): string {
  const key = `${field(r.channelId)}${field(r.sku)}`;
  switch (r.kind) {
    case 'sale':
      return `s${key}${field(r.orderId)}${field(r.eventId)}${r.quantity},${instantText(r.occurredAt)}`;
    case 'return':
      return `r${key}${field(r.orderId)}${field(r.eventId)}${r.quantity},`;
    case 'count':
      return `c${key}${field(r.eventId)}${r.onHand},${instantText(r.asOf)}`;
  }
}

/** The records of a text made of `claimInputText`s, in order. */
export function claimInputsOfText(text: string): ClaimInputRecord[] {
  const out: ClaimInputRecord[] = [];
  let i = 0;
  const str = () => {
    const colon = text.indexOf(':', i);
    const end = colon + 1 + Number(text.slice(i, colon));
    const s = text.slice(colon + 1, end);
    i = end;
    return s;
  };
  const num = () => {
    const comma = text.indexOf(',', i);
    const n = Number(text.slice(i, comma));
    i = comma + 1;
    return n;
  };
  const instant = (): Instant => {
    const seconds = num();
    return { seconds, fraction: str() };
  };
  while (i < text.length) {
    const kind = text[i++];
    const channelId = str();
    const sku = str();
    if (kind === 'c') {
      const eventId = str();
      const onHand = num();
      out.push({ kind: 'count', channelId, sku, eventId, onHand, asOf: instant() });
      continue;
    }
    const orderId = str();
    const eventId = str();
    const quantity = num();
    if (kind === 's')
      out.push({ kind: 'sale', channelId, sku, orderId, eventId, occurredAt: instant(), quantity });
    else out.push({ kind: 'return', channelId, sku, orderId, eventId, quantity });
  }
  return out;
}
