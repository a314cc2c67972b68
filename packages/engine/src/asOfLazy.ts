/**
 * The state as of a position with its channels read one at a time (issue 18, the 1 s budget):
 * a channel-month read as of a position needs one channel, its months and the program-wide
 * facts, not the 9 804 channels of a 1M-event snapshot and the up to 25 000 rows after it.
 * Rows record every change from the log's beginning, so a channel as of p is its last `channel`
 * row at or before p with, for each of its months, the last `month` row at or before p; the
 * program-wide facts are the last `global` row. A caller that walks every channel (the list,
 * the report) gets them all at once from the snapshot and its window (`stateFromHistory`).
 */
import { deserialize } from 'node:v8';
import {
  initialProjectionState,
  type ChannelState,
  type Month,
  type MonthFacts,
  type ProjectionState,
} from '@chanperf/domain';
import type { AsOfStore } from './asOfPorts.js';
import {
  claimInputsAt,
  decodeChannel,
  decodeFacts,
  setGlobal,
  stateFromHistory,
  textOf,
  type GlobalFacts,
} from './asOfState.js';

/**
 * Channels read one at a time before the rest are read at once: past this many, a caller
 * walks the channels (a list) and one snapshot costs less than a query per channel. A caller
 * that knows it will walk more asks for `size` first (the channel list's long pages).
 */
export const AS_OF_ONE_BY_ONE = 64;

/** One channel as of `position` from its own rows (undefined: not registered by then). */
function channelAt(store: AsOfStore, position: number, id: string): ChannelState | undefined {
  const row = store.latestOf('channel', id, position);
  if (row === undefined) return undefined;
  const months = new Map<Month, MonthFacts>();
  // In the order written: a month's later row replaces its earlier, and the first row of each
  // month is where the projection added it, so the months keep the projection's order.
  for (const r of store.rowsOf('month', `${id}\u0000`, position, true)) {
    months.set(Number(r.key.slice(id.length + 1)), decodeFacts(textOf(r.body)));
  }
  return decodeChannel(textOf(row.body), months);
}

/** The channels as of a position: one by one when asked by id, all when walked. */
class LazyChannels extends Map<string, ChannelState> {
  private readonly absent = new Set<string>();
  private readCount = 0;
  private whole = false;

  constructor(
    private readonly store: AsOfStore,
    private readonly position: number,
  ) {
    super();
  }

  private all(): void {
    if (this.whole) return;
    this.whole = true;
    super.clear();
    for (const [id, c] of stateFromHistory(this.store, this.position).channels) super.set(id, c);
  }

  override get(id: string): ChannelState | undefined {
    if (this.whole || super.has(id) || this.absent.has(id)) return super.get(id);
    if (++this.readCount > AS_OF_ONE_BY_ONE) {
      this.all();
      return super.get(id);
    }
    const c = channelAt(this.store, this.position, id);
    if (c === undefined) this.absent.add(id);
    else super.set(id, c);
    return c;
  }
  override has(id: string): boolean {
    return this.get(id) !== undefined;
  }
  override set(id: string, c: ChannelState): this {
    this.all();
    return super.set(id, c);
  }
  override delete(id: string): boolean {
    this.all();
    return super.delete(id);
  }
  override clear(): void {
    this.all();
    super.clear();
  }
  override get size(): number {
    this.all();
    return super.size;
  }
  override keys(): MapIterator<string> {
    this.all();
    return super.keys();
  }
  override values(): MapIterator<ChannelState> {
    this.all();
    return super.values();
  }
  override entries(): MapIterator<[string, ChannelState]> {
    this.all();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, ChannelState]> {
    return this.entries();
  }
  override forEach(f: (c: ChannelState, id: string, map: Map<string, ChannelState>) => void): void {
    this.all();
    super.forEach(f);
  }
}

/** The state as of `position` (≤ the history's checkpoint), its channels read when asked. */
export function lazyStateFromHistory(store: AsOfStore, position: number): ProjectionState {
  const state: ProjectionState = { ...initialProjectionState(), channels: new LazyChannels(store, position) };
  const global = store.latestOf('global', '', position);
  if (global !== undefined) setGlobal(state, deserialize(global.body) as GlobalFacts);
  // Channel ids in plain code-unit order, as the rules keep them.
  state.channelOrder.push(...store.keysOf('channel', position).sort());
  state.claimInputs = claimInputsAt(store, position);
  return state;
}
