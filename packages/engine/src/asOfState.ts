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
  readonly channels: Map<string, ChannelState>;
  readonly global: GlobalFacts;
}

/** A snapshot's body: the channels (with their months) and the program-wide facts. */
export function snapshotBodyOf(state: ProjectionState): Buffer {
  const body: SnapshotBody = { channels: state.channels, global: globalOf(state) };
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
    for (const [id, c] of body.channels) state.channels.set(id, withSharedEmpties(c));
    setGlobal(state, body.global);
  }
  for (const row of store.rowsBetween(snapshot?.position ?? 0, position, STATE_KINDS)) {
    const value: unknown = deserialize(row.body);
    if (row.kind === 'global') setGlobal(state, value as GlobalFacts);
    else if (row.kind === 'channel') {
      const months = state.channels.get(row.key)?.months ?? new Map<Month, MonthFacts>();
      state.channels.set(row.key, withSharedEmpties({ ...(value as ChannelState), months }));
    } else {
      const cut = row.key.indexOf('\u0000');
      state.channels.get(row.key.slice(0, cut))?.months.set(Number(row.key.slice(cut + 1)), value as MonthFacts);
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
