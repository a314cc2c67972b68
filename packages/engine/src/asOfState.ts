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
  /** Each channel but its months, and its months as `[month, encodeFacts(facts)]`. */
  readonly channels: [ChannelState, [Month, string][]][];
  readonly global: GlobalFacts;
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

/** A channel's state but its months (what a `channel` row holds). */
export function channelBodyOf(c: ChannelState): Buffer {
  return serialize({ ...c, months: undefined });
}

/** A snapshot's body: the channels (with their months) and the program-wide facts. */
export function snapshotBodyOf(state: ProjectionState): Buffer {
  const channels: SnapshotBody['channels'] = [];
  for (const c of state.channels.values()) {
    const months: [Month, string][] = [];
    for (const [m, f] of c.months) months.push([m, encodeFacts(f)]);
    channels.push([{ ...c, months: new Map() }, months]);
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
    for (const [c, months] of body.channels) {
      const facts = new Map<Month, MonthFacts>();
      for (const [m, text] of months) facts.set(m, decodeFacts(text));
      state.channels.set(c.channelId, withSharedEmpties({ ...c, months: facts }));
    }
    setGlobal(state, body.global);
  }
  for (const row of store.rowsBetween(snapshot?.position ?? 0, position, STATE_KINDS)) {
    if (row.kind === 'global') setGlobal(state, deserialize(row.body) as GlobalFacts);
    else if (row.kind === 'channel') {
      const months = state.channels.get(row.key)?.months ?? new Map<Month, MonthFacts>();
      state.channels.set(row.key, withSharedEmpties({ ...(deserialize(row.body) as ChannelState), months }));
    } else {
      const cut = row.key.indexOf('\u0000');
      state.channels
        .get(row.key.slice(0, cut))
        ?.months.set(Number(row.key.slice(cut + 1)), decodeFacts(Buffer.from(row.body).toString()));
    }
  }
  // Channel ids in plain code-unit order, as the rules keep them.
  state.channelOrder.push(...[...state.channels.keys()].sort());
  state.claimInputs = claimInputsAt(store, position);
  return state;
}

/** A channel without targets or restated claims shares the empty ones, as the rules expect. */
export function withSharedEmpties(c: ChannelState): ChannelState {
  return {
    ...c,
    targets: c.targets.size === 0 ? NO_TARGETS : c.targets,
    restatedClaims: c.restatedClaims.size === 0 ? NO_CLAIMS : c.restatedClaims,
  };
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
function claimInputsAt(store: AsOfStore, position: number): ClaimInputStore {
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
