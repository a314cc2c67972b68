/**
 * The order and sale keys of the read model's indexes (`keyIndex.ts`): each is a string made of
 * its parts, prefix-free (numbers as four Latin-1 code units, each id after its length), hashed
 * as `hash32` (keyHashes.ts) would hash that string but without building it. The string is
 * built only when it is needed: to hold a new key, or to confirm a fingerprint hit.
 */
import { fmix32 } from './keyHashes.js';

/** A key the index can hash and, when needed, spell out. */
export interface IndexKey {
  /** `hash32(text(), seed)`. */
  hash(seed: number): number;
  text(): string;
}

const FNV_PRIME = 0x01000193;

function hashText(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** The hash continued over the four code units of `chars32(n)`. */
function hashInt(h: number, n: number): number {
  h = Math.imul(h ^ ((n >>> 24) & 255), FNV_PRIME);
  h = Math.imul(h ^ ((n >>> 16) & 255), FNV_PRIME);
  h = Math.imul(h ^ ((n >>> 8) & 255), FNV_PRIME);
  return Math.imul(h ^ (n & 255), FNV_PRIME);
}

function chars32(n: number): string {
  return String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

function start(seed: number): number {
  return (0x811c9dc5 ^ seed) | 0;
}

function finish(h: number): number {
  h = fmix32(h);
  return h === 0 ? 1 : h;
}

/** A distinct order of a channel-month: (month, channel, order). Reused: `set` it for each lookup. */
export class OrderKey implements IndexKey {
  private month = 0;
  private channelId = '';
  private orderId = '';
  private built: string | undefined;

  set(month: number, channelId: string, orderId: string): this {
    this.month = month;
    this.channelId = channelId;
    this.orderId = orderId;
    this.built = undefined;
    return this;
  }

  hash(seed: number): number {
    const h = hashInt(hashInt(start(seed), this.month), this.channelId.length);
    return finish(hashText(hashText(h, this.channelId), this.orderId));
  }

  text(): string {
    return (this.built ??=
      chars32(this.month) + chars32(this.channelId.length) + this.channelId + this.orderId);
  }
}

/** A sale a return may refer to: (channel, order, sku). Reused: `set` it for each lookup. */
export class SaleKey implements IndexKey {
  private channelId = '';
  private orderId = '';
  private sku = '';
  private built: string | undefined;

  set(channelId: string, orderId: string, sku: string): this {
    this.channelId = channelId;
    this.orderId = orderId;
    this.sku = sku;
    this.built = undefined;
    return this;
  }

  hash(seed: number): number {
    let h = hashText(hashInt(start(seed), this.channelId.length), this.channelId);
    h = hashText(hashInt(h, this.orderId.length), this.orderId);
    return finish(hashText(h, this.sku));
  }

  text(): string {
    return (this.built ??=
      chars32(this.channelId.length) +
      this.channelId +
      chars32(this.orderId.length) +
      this.orderId +
      this.sku);
  }
}
