/**
 * The projection state as of a position, from the history (`asOfBuild.ts` writes it): the
 * nearest snapshot at or before the position, then every channel, month and program-wide row
 * after it up to the position, in the order written. Claim inputs (v2) are read per channel
 * and SKU when a rule of the report asks for them, bounded by the position.
 */
import { deserialize, serialize } from 'node:v8';
import {
  addClaimInput,
  alertCountEntries,
  alertCountsOf,
  emptySkuClaimInputs,
  initialProjectionState,
  NO_CLAIMS,
  NO_TARGETS,
  type ChannelState,
  type ClaimInputRecord,
  type ClaimInputStore,
  type Month,
  MonthFacts,
  type MonthFactValues,
  type ProjectionState,
} from '@chanperf/domain';
import type { AsOfStore, HistoryKind } from './asOfPorts.js';

export type GlobalFacts = Pick<
  ProjectionState,
  'programs' | 'promotions' | 'lastClosed' | 'maxMonth' | 'anyPromotedSale' | 'priceChanges' | 'v2Log'
>;

/**
 * The format of the snapshots (`HISTORY_FORMAT` of a history store: a history written in
 * another is dropped and built again).
 */
export const HISTORY_FORMAT = 4;

interface SnapshotBody {
  /**
   * The channels as a JSON array of what `encodeChannel` writes (one `JSON.parse` for them all),
   * and each one's months as `monthsText` writes them, in the same order.
   */
  readonly channels: string;
  readonly months: string[];
  readonly global: GlobalFacts;
}

/** A text row's body as a string, read in place (`Buffer.from` of a Buffer would copy it first). */
export function textOf(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString();
}

/**
 * A channel but its months as JSON text: Maps and Sets as arrays, bigints as decimal strings.
 * JSON, not `node:v8`: a 1M-event snapshot's 9 804 channels took 1.7 s to `deserialize`.
 */
export function encodeChannel(c: ChannelState): string {
  return JSON.stringify({
    ...c,
    months: undefined,
    alertCounts: alertCountEntries(c.alertCounts),
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
  return channelOf(JSON.parse(text) as EncodedChannel, months);
}

/** A channel as `JSON.parse` read `encodeChannel`'s text, made a `ChannelState` in place. */
function channelOf(parsed: EncodedChannel, months: Map<Month, MonthFacts>): ChannelState {
  const c = parsed as unknown as Record<string, unknown>;
  c.months = months;
  c.alertCounts = alertCountsOf(parsed.alertCounts);
  c.targets =
    parsed.targets.length === 0
      ? NO_TARGETS
      : new Map(
          parsed.targets.map((t) => [
            t.year,
            {
              ...t,
              annualTarget: BigInt(t.annualTarget),
              quarterlyNet: t.quarterlyNet?.map((q) => BigInt(q)) ?? null,
            },
          ]),
        );
  c.restatedClaims = parsed.restatedClaims.length === 0 ? NO_CLAIMS : new Set(parsed.restatedClaims);
  return c as unknown as ChannelState;
}

/**
 * A month's facts as compact text: the fields in `FACT_FIELDS` order, comma-separated, bigints
 * and numbers in decimal, `restated` as 1 or 0 (month rows are most of the history; a JSON
 * array of the same was 60 bytes a month, this ~35).
 */
export function encodeFacts(f: MonthFacts): string {
  return FACT_FIELDS.map((k) => {
    const v = f[k];
    return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }).join(',');
}

/** A decimal bigint field of `decodeFacts`. */
function bigOf(v: string | undefined): bigint {
  if (v === undefined) throw new Error('month facts: a field is missing');
  return BigInt(v);
}

/**
 * The facts `encodeFacts` wrote, field by field (a list read decodes tens of thousands). The
 * fields' order is `FACT_FIELDS`'s, checked by a round-trip property test.
 */
export function decodeFacts(text: string): MonthFacts {
  const v = text.split(',');
  if (v.length !== FACT_FIELDS.length)
    throw new Error(`month facts: ${v.length} fields, not ${FACT_FIELDS.length}`);
  return MonthFacts.of({
    sales: bigOf(v[0]),
    returns: bigOf(v[1]),
    orders: Number(v[2]),
    unitsSold: bigOf(v[3]),
    unitsReturned: bigOf(v[4]),
    saleCount: Number(v[5]),
    promoNumerator: bigOf(v[6]),
    restated: v[7] === '1',
    trainings: Number(v[8]),
    satisfactionPoints: bigOf(v[9]),
    satisfactionRespondents: bigOf(v[10]),
    surveys: Number(v[11]),
  });
}

export const FACT_FIELDS: readonly (keyof MonthFactValues)[] = [
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
 *
 * The snapshot gives a channel's months as one text (`monthsText`): a month is found by
 * searching it, so a list read makes no object for a month it does not read (a string and an
 * array per month, and a Map per channel, were most of what a read gave the collector).
 */
export class LazyMonths extends Map<Month, MonthFacts> {
  /** The snapshot's months (`monthsText`), undefined once all are decoded. */
  private text: string | undefined;
  /** Months from rows after the snapshot, in the order first written (a later row replaces). */
  private readonly later: [Month, string][] = [];
  /** Months decoded one at a time before all were (the list reads a few of each channel). */
  private picked: [Month, MonthFacts][] | undefined;
  private count = -1;

  constructor(text: string) {
    super();
    this.text = text;
  }

  /** Sets a month from its encoded facts, still without decoding when nothing was read yet. */
  setEncoded(month: Month, text: string): void {
    if (this.text === undefined) {
      super.set(month, decodeFacts(text));
      return;
    }
    const i = this.later.findIndex(([m]) => m === month);
    if (i >= 0) this.later[i] = [month, text];
    else {
      if (this.count >= 0 && !this.inText(month)) this.count++;
      this.later.push([month, text]);
    }
    const p = this.picked?.findIndex(([m]) => m === month) ?? -1;
    if (p >= 0) this.picked?.splice(p, 1);
  }

  private inText(month: Month): boolean {
    return this.text !== undefined && this.text.includes(`\n${month}:`);
  }

  /** The encoded facts of `month` while not all are decoded. */
  private encodedOf(month: Month): string | undefined {
    for (const [m, text] of this.later) if (m === month) return text;
    const all = this.text as string;
    const at = all.indexOf(`\n${month}:`);
    if (at < 0) return undefined;
    const from = all.indexOf(':', at) + 1;
    const to = all.indexOf('\n', from);
    return all.slice(from, to < 0 ? all.length : to);
  }

  private decoded(): void {
    const text = this.text;
    if (text === undefined) return;
    this.text = undefined;
    // Each month decoded once, from its latest text, unless `get` already did: the snapshot's
    // months in their order, a later row's in place of the snapshot's, new months after them.
    const facts = (m: Month, encoded: string) =>
      this.picked?.find(([p]) => p === m)?.[1] ?? decodeFacts(encoded);
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const cut = line.indexOf(':');
      const m = Number(line.slice(0, cut));
      super.set(m, facts(m, this.later.find(([l]) => l === m)?.[1] ?? line.slice(cut + 1)));
    }
    for (const [m, t] of this.later) if (!super.has(m)) super.set(m, facts(m, t));
    this.picked = undefined;
  }

  override get(month: Month): MonthFacts | undefined {
    if (this.text === undefined) return super.get(month);
    const picked = (this.picked ??= []);
    for (const [m, f] of picked) if (m === month) return f;
    const text = this.encodedOf(month);
    if (text === undefined) return undefined;
    const facts = decodeFacts(text);
    picked.push([month, facts]);
    return facts;
  }
  override has(month: Month): boolean {
    return this.text === undefined ? super.has(month) : this.encodedOf(month) !== undefined;
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
    if (this.text === undefined) return super.size;
    if (this.count < 0) {
      let n = 0;
      for (let at = this.text.indexOf('\n'); at >= 0; at = this.text.indexOf('\n', at + 1)) n++;
      this.count = n + this.later.filter(([m]) => !this.inText(m)).length;
    }
    return this.count;
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

/** A channel's months as one text: a line `\n<month>:<encodeFacts>` each, in the map's order. */
export function monthsText(months: ReadonlyMap<Month, MonthFacts>): string {
  let text = '';
  for (const [m, f] of months) text += `\n${m}:${encodeFacts(f)}`;
  return text;
}

/** A snapshot's body: the channels (with their months) and the program-wide facts. */
export function snapshotBodyOf(state: ProjectionState): Buffer {
  const channels: string[] = [];
  const months: string[] = [];
  for (const c of state.channels.values()) {
    channels.push(encodeChannel(c));
    months.push(monthsText(c.months));
  }
  const body: SnapshotBody = { channels: `[${channels.join(',')}]`, months, global: globalOf(state) };
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
    const channels = JSON.parse(body.channels) as EncodedChannel[];
    channels.forEach((parsed, i) => {
      const c = channelOf(parsed, new LazyMonths(body.months[i] as string));
      state.channels.set(c.channelId, c);
    });
    setGlobal(state, body.global);
  }
  for (const row of store.rowsBetween(snapshot?.position ?? 0, position, STATE_KINDS)) {
    if (row.kind === 'global') setGlobal(state, deserialize(row.body) as GlobalFacts);
    else if (row.kind === 'channel') {
      const months = state.channels.get(row.key)?.months ?? new Map<Month, MonthFacts>();
      state.channels.set(row.key, decodeChannel(textOf(row.body), months));
    } else {
      const cut = row.key.indexOf('\u0000');
      const months = state.channels.get(row.key.slice(0, cut))?.months;
      const month = Number(row.key.slice(cut + 1));
      const text = textOf(row.body);
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
