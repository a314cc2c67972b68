/**
 * The projection state as of a position, from the history (`asOfBuild.ts` writes it): the
 * nearest snapshot at or before the position, then every channel, month and program-wide row
 * after it up to the position, in the order written. Claim inputs (v2) are read per channel
 * and SKU when a rule of the report asks for them, bounded by the position.
 */
import { deserialize, serialize } from 'node:v8';
import {
  addClaimInput,
  emptySkuClaimInputs,
  initialProjectionState,
  NO_CLAIMS,
  NO_TARGETS,
  type ChannelState,
  type ClaimInputRecord,
  type ClaimInputStore,
  type Month,
  type MonthFacts,
  type ProjectionState,
} from '@chanperf/domain';
import type { AsOfStore, HistoryKind } from './asOfPorts.js';

export type GlobalFacts = Pick<
  ProjectionState,
  'programs' | 'promotions' | 'lastClosed' | 'maxMonth' | 'anyPromotedSale' | 'priceChanges' | 'v2Log'
>;

interface SnapshotBody {
  /** Each channel as `encodeChannel` writes it, then its months as `[month, encodeFacts(facts)]`. */
  readonly channels: [string, [Month, string][]][];
  readonly global: GlobalFacts;
}

/**
 * A channel but its months as JSON text: Maps and Sets as arrays, bigints as decimal strings.
 * JSON, not `node:v8`: a 1M-event snapshot's 9 804 channels took 1.7 s to `deserialize`.
 */
export function encodeChannel(c: ChannelState): string {
  return JSON.stringify({
    ...c,
    months: undefined,
    alertCounts: [...c.alertCounts],
    targets: [...c.targets.values()].map((t) => ({
      ...t,
      annualTarget: String(t.annualTarget),
      quarterlyNet: t.quarterlyNet?.map(String) ?? null,
    })),
    restatedClaims: [...c.restatedClaims],
  });
}

type EncodedChannel = Omit<ChannelState, 'months' | 'alertCounts' | 'targets' | 'restatedClaims'> & {
  alertCounts: [string, number][];
  targets: { year: number; annualTarget: string; quarterlyNet: string[] | null; eventId: string }[];
  restatedClaims: string[];
};

/** The channel `encodeChannel` wrote, with `months` as its months. */
export function decodeChannel(text: string, months: Map<Month, MonthFacts>): ChannelState {
  const c = JSON.parse(text) as EncodedChannel;
  return {
    ...c,
    months,
    alertCounts: new Map(c.alertCounts),
    targets:
      c.targets.length === 0
        ? NO_TARGETS
        : new Map(
            c.targets.map((t) => [
              t.year,
              {
                ...t,
                annualTarget: BigInt(t.annualTarget),
                quarterlyNet: t.quarterlyNet?.map((q) => BigInt(q)) ?? null,
              },
            ]),
          ),
    restatedClaims: c.restatedClaims.length === 0 ? NO_CLAIMS : new Set(c.restatedClaims),
  };
}

/**
 * A month's facts as compact text: a JSON array of the fields in `FACT_FIELDS` order, bigints
 * as decimal strings (a fifth of their `node:v8` size: month rows are most of the history).
 */
export function encodeFacts(f: MonthFacts): string {
  return JSON.stringify(FACT_FIELDS.map((k) => (typeof f[k] === 'bigint' ? String(f[k]) : f[k])));
}

export function decodeFacts(text: string): MonthFacts {
  const values = JSON.parse(text) as (string | number | boolean)[];
  const f: Record<string, unknown> = {};
  FACT_FIELDS.forEach((k, i) => {
    const v = values[i];
    f[k] = typeof v === 'string' ? BigInt(v) : v;
  });
  return f as unknown as MonthFacts;
}

const FACT_FIELDS: readonly (keyof MonthFacts)[] = [
  'sales',
  'returns',
  'orders',
  'unitsSold',
  'unitsReturned',
  'saleCount',
  'promoNumerator',
  'restated',
  'trainings',
  'satisfactionPoints',
  'satisfactionRespondents',
  'surveys',
];

/**
 * A channel's months decoded on first use, each on its own when asked by month and all when
 * walked: the channel list as of a position reads a few months of each channel, not the
 * 108 000 months of a 1M-event snapshot (each fact a BigInt, 0.6 s to decode them all). A store may
 * swap in such a map (`ChannelState.months`); the state as of a position is only read.
 */
class LazyMonths extends Map<Month, MonthFacts> {
  /** The months not decoded yet, in the order added (undefined once all are decoded). */
  private encoded: Map<Month, string> | undefined;
  /** Months `get` decoded one at a time before all were (the list reads a few per channel). */
  private readonly picked = new Map<Month, MonthFacts>();

  constructor(encoded: [Month, string][]) {
    super();
    // A later entry of a month (a row after the snapshot) replaces the earlier in its place.
    this.encoded = new Map(encoded);
  }

  /** Sets a month from its encoded facts, still without decoding when nothing was read yet. */
  setEncoded(month: Month, text: string): void {
    if (this.encoded === undefined) {
      super.set(month, decodeFacts(text));
      return;
    }
    this.encoded.set(month, text);
    this.picked.delete(month);
  }

  private decoded(): void {
    const encoded = this.encoded;
    if (encoded === undefined) return;
    this.encoded = undefined;
    for (const [m, text] of encoded) super.set(m, this.picked.get(m) ?? decodeFacts(text));
    this.picked.clear();
  }

  override get(month: Month): MonthFacts | undefined {
    const text = this.encoded?.get(month);
    if (text === undefined) return this.encoded === undefined ? super.get(month) : undefined;
    let facts = this.picked.get(month);
    if (facts === undefined) {
      facts = decodeFacts(text);
      this.picked.set(month, facts);
    }
    return facts;
  }
  override has(month: Month): boolean {
    return this.encoded?.has(month) ?? super.has(month);
  }
  override set(month: Month, facts: MonthFacts): this {
    this.decoded();
    return super.set(month, facts);
  }
  override delete(month: Month): boolean {
    this.decoded();
    return super.delete(month);
  }
  override get size(): number {
    return this.encoded?.size ?? super.size;
  }
  override keys(): MapIterator<Month> {
    this.decoded();
    return super.keys();
  }
  override values(): MapIterator<MonthFacts> {
    this.decoded();
    return super.values();
  }
  override entries(): MapIterator<[Month, MonthFacts]> {
    this.decoded();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[Month, MonthFacts]> {
    return this.entries();
  }
  override forEach(f: (facts: MonthFacts, month: Month, map: Map<Month, MonthFacts>) => void): void {
    this.decoded();
    super.forEach(f);
  }
}

/** A snapshot's body: the channels (with their months) and the program-wide facts. */
export function snapshotBodyOf(state: ProjectionState): Buffer {
  const channels: SnapshotBody['channels'] = [];
  for (const c of state.channels.values()) {
    const months: [Month, string][] = [];
    for (const [m, f] of c.months) months.push([m, encodeFacts(f)]);
    channels.push([encodeChannel(c), months]);
  }
  const body: SnapshotBody = { channels, global: globalOf(state) };
  return serialize(body);
}

/** The program-wide facts (what a `global` row holds). */
export function globalOf(s: ProjectionState): GlobalFacts {
  return {
    programs: s.programs,
    promotions: s.promotions,
    lastClosed: s.lastClosed,
    maxMonth: s.maxMonth,
    anyPromotedSale: s.anyPromotedSale,
    priceChanges: s.priceChanges,
    v2Log: s.v2Log,
  };
}

const STATE_KINDS: readonly HistoryKind[] = ['channel', 'month', 'global'];

/** The state as of `position` (≤ the history's checkpoint). */
export function stateFromHistory(store: AsOfStore, position: number): ProjectionState {
  const state = initialProjectionState();
  const snapshot = store.snapshotAtOrBefore(position);
  if (snapshot !== undefined) {
    const body = deserialize(snapshot.body) as SnapshotBody;
    for (const [text, months] of body.channels) {
      const c = decodeChannel(text, new LazyMonths(months));
      state.channels.set(c.channelId, c);
    }
    setGlobal(state, body.global);
  }
  for (const row of store.rowsBetween(snapshot?.position ?? 0, position, STATE_KINDS)) {
    if (row.kind === 'global') setGlobal(state, deserialize(row.body) as GlobalFacts);
    else if (row.kind === 'channel') {
      const months = state.channels.get(row.key)?.months ?? new Map<Month, MonthFacts>();
      state.channels.set(row.key, decodeChannel(Buffer.from(row.body).toString(), months));
    } else {
      const cut = row.key.indexOf('\u0000');
      const months = state.channels.get(row.key.slice(0, cut))?.months;
      const month = Number(row.key.slice(cut + 1));
      const text = Buffer.from(row.body).toString();
      if (months instanceof LazyMonths) months.setEncoded(month, text);
      else months?.set(month, decodeFacts(text));
    }
  }
  // Channel ids in plain code-unit order, as the rules keep them.
  state.channelOrder.push(...[...state.channels.keys()].sort());
  state.claimInputs = claimInputsAt(store, position);
  return state;
}

export function setGlobal(state: ProjectionState, g: GlobalFacts): void {
  state.programs.splice(0, state.programs.length, ...g.programs);
  state.promotions.splice(0, state.promotions.length, ...g.promotions);
  state.priceChanges.splice(0, state.priceChanges.length, ...g.priceChanges);
  state.lastClosed = g.lastClosed;
  state.maxMonth = g.maxMonth;
  state.anyPromotedSale = g.anyPromotedSale;
  state.v2Log = g.v2Log;
}

/** Read-only claim inputs as of `position` (the report reads them; nothing adds to them). */
export function claimInputsAt(store: AsOfStore, position: number): ClaimInputStore {
  const inputsOf = (channelId: string, sku: string) => {
    const rows = store.rowsOf('claimInput', `${channelId}\u0000${sku}`, position);
    if (rows.length === 0) return undefined;
    const inputs = emptySkuClaimInputs();
    for (const r of rows) addClaimInput(inputs, deserialize(r.body) as ClaimInputRecord);
    return inputs;
  };
  return {
    add() {
      throw new Error('the state as of a position is read-only');
    },
    inputsOf,
    originalSaleAt: (channelId, sku, orderId) => inputsOf(channelId, sku)?.lastSaleAt.get(orderId) ?? null,
    lookupsAhead: () => undefined,
  };
}
