/**
 * A Set and a Map over a base that they read through and never write: what is added lives in the
 * layer, so a copy that adds a few entries to a large collection costs those entries, not the
 * collection (`copyAcceptanceState`). The base must not change while the layer is in use.
 * Deleting is refused: nothing folded into an acceptance state is ever taken out.
 */

export class LayeredSet<T> extends Set<T> {
  constructor(private readonly base: ReadonlySet<T>) {
    super();
  }

  override has(value: T): boolean {
    return super.has(value) || this.base.has(value);
  }

  override add(value: T): this {
    if (!this.base.has(value)) super.add(value);
    return this;
  }

  override get size(): number {
    return this.base.size + super.size;
  }

  override delete(): boolean {
    throw new Error('a layered set is never deleted from');
  }

  override clear(): void {
    throw new Error('a layered set is never cleared');
  }

  override *values(): SetIterator<T> {
    yield* this.base;
    yield* super.values();
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override *entries(): SetIterator<[T, T]> {
    for (const v of this.values()) yield [v, v];
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(fn: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const v of this.values()) fn.call(thisArg, v, v, this);
  }
}

export class LayeredMap<K, V> extends Map<K, V> {
  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  override get(key: K): V | undefined {
    return super.has(key) ? super.get(key) : this.base.get(key);
  }

  override has(key: K): boolean {
    return super.has(key) || this.base.has(key);
  }

  override get size(): number {
    let shadowed = 0;
    for (const k of super.keys()) if (this.base.has(k)) shadowed++;
    return this.base.size + super.size - shadowed;
  }

  override delete(): boolean {
    throw new Error('a layered map is never deleted from');
  }

  override clear(): void {
    throw new Error('a layered map is never cleared');
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!super.has(k)) yield [k, v];
    yield* super.entries();
  }

  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
}
