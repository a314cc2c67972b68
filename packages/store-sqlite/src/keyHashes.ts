/**
 * 32-bit string hashes for the in-memory indexes in front of keys kept on disk (the eventId
 * index, the read model's order and sale keys): a hash is not the key, so a hit only says the
 * key *may* be there and the caller confirms it; a miss is certain.
 */
import { randomInt } from 'node:crypto';

/** The hash no key gets: it marks an empty slot. */
const EMPTY = 0;

/** A random seed per process, so keys crafted to collide in one process do not in another. */
export function newSeed(): number {
  return randomInt(0x7fffffff);
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so the low bits mix well; never 0. */
export function hash32(key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = fmix32(h);
  return h === EMPTY ? 1 : h;
}

/** murmur3's finaliser (fmix32): every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
