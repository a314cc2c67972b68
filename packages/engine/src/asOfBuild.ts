/**
 * Writes the as-of history (`asOfPorts.ts`): one pass of the projection over the log, in
 * memory, that records after each event what it changed (channels, channel-months whose facts
 * changed, the program-wide facts, derived facts, claim inputs) at that event's position, and a
 * snapshot of the whole state every `snapshotEvery` positions. A state as of any position is
 * then the nearest snapshot before it plus the rows after it (`asOfState.ts`): no re-projection,
 * no index (the order, sale and certification lookups were answered when the rows were written).
 */
import { serialize } from 'node:v8';
import {
  applyNewOrders,
  evolve,
  initialProjectionState,
  memoryClaimInputs,
  memoryProjectionIndex,
  MonthClock,
  ProjectionChanges,
  type ChanperfEvent,
  type ClaimInputRecord,
  type ClaimInputStore,
  type DeploymentSettings,
  type ProjectionIndex,
  type ProjectionState,
} from '@chanperf/domain';
import type { AsOfStore, HistoryRow, StateSnapshot } from './asOfPorts.js';
import { encodeChannel, encodeFacts, globalOf, snapshotBodyOf } from './asOfState.js';
import type { Feed } from './ports.js';

/** The projection this process keeps to write the history from. */
interface Live {
  readonly state: ProjectionState;
  readonly index: ProjectionIndex;
  position: number;
  /** Each channel-month's facts as last written, to write a month row only when they changed. */
  readonly lastMonthBodies: Map<string, string>;
  /**
   * (v2) Claim inputs recorded before the log's first price change, with their positions: no
   * report reads them until one exists, so their rows are written only then (a v1 log, none).
   */
  pendingInputs: { readonly position: number; readonly record: ClaimInputRecord }[] | undefined;
  /** Where rows go while an event is applied (undefined: catching up, nothing written). */
  rows: HistoryRow[] | undefined;
}

export interface AsOfBuildOptions {
  /** A snapshot every this many positions (default 25 000). */
  readonly snapshotEvery?: number;
  /** Events read and committed at a time (default 5 000). */
  readonly batchSize?: number;
}

/** A month row's key: the channel and the month. */
export function monthKey(channelId: string, month: number): string {
  return `${channelId}\u0000${month}`;
}

/** Keeps the history up to the log's head (one build at a time per process). */
export class AsOfBuilder {
  private live: Live | undefined;
  private running: Promise<number> | undefined;
  private readonly clock: MonthClock;

  constructor(
    private readonly feed: Feed,
    private readonly store: AsOfStore,
    private readonly settings: DeploymentSettings,
    private readonly options: AsOfBuildOptions = {},
  ) {
    this.clock = new MonthClock(settings.timeZone);
  }

  /** Brings the history to the log's head; answers its checkpoint. Concurrent calls share one run. */
  catchUp(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private fresh(): Live {
    const state = initialProjectionState();
    const live: Live = {
      state,
      index: bonusSalesOnly(memoryProjectionIndex()),
      position: 0,
      lastMonthBodies: new Map(),
      pendingInputs: [],
      rows: undefined,
    };
    state.claimInputs = recordingClaimInputs(memoryClaimInputs(), live);
    return live;
  }

  private async run(): Promise<number> {
    const batchSize = this.options.batchSize ?? 5000;
    for (;;) {
      const checkpoint = this.store.checkpoint();
      // Another process (or a reset) moved the history: bring this projection to its checkpoint.
      if (this.live === undefined || this.live.position > checkpoint) this.live = this.fresh();
      const live = this.live;
      const recording = live.position === checkpoint;
      const upTo = recording ? Number.POSITIVE_INFINITY : checkpoint;
      const entries = await this.feed.read(live.position, Math.min(batchSize, upTo - live.position));
      if (entries.length === 0) return checkpoint;
      const from = live.position;
      const rows: HistoryRow[] = [];
      const snapshots: StateSnapshot[] = [];
      for (const entry of entries) {
        live.rows = recording ? rows : undefined;
        this.apply(live, entry.position, JSON.parse(entry.payload) as ChanperfEvent);
        if (recording && entry.position % (this.options.snapshotEvery ?? 25_000) === 0) {
          snapshots.push({ position: entry.position, body: snapshotBodyOf(live.state) });
        }
      }
      live.rows = undefined;
      if (recording && !this.store.commit(from, live.position, rows, snapshots)) this.live = undefined;
    }
  }

  /** Applies one event and records what it changed (when recording). */
  private apply(live: Live, position: number, event: ChanperfEvent): void {
    const changes = new ProjectionChanges();
    const rows = live.rows;
    const derived: HistoryRow[] = [];
    const ctx = {
      state: live.state,
      index: live.index,
      clock: this.clock,
      minorDigits: this.settings.minorDigits,
      changes,
      sink: {
        alert: (a: unknown) => derived.push({ position, kind: 'alert', key: '', body: serialize(a) }),
        tierMovement: (m: unknown) =>
          derived.push({ position, kind: 'tierMovement', key: '', body: serialize(m) }),
      },
    };
    live.position = position;
    evolve(ctx, event);
    applyNewOrders(live.state, live.index.takeNewOrders(), changes);
    if (live.pendingInputs !== undefined && live.state.priceChanges.length > 0) {
      // The first price change: the inputs before it are written now, at their own positions
      // (a run catching up to the checkpoint drops them: the run that wrote it wrote them).
      const pending = live.pendingInputs;
      live.pendingInputs = undefined;
      if (rows !== undefined) for (const p of pending) rows.push(claimInputRow(p.position, p.record));
    }
    if (rows === undefined) {
      // Catching up: keep the month bodies current so the next recorded row compares right.
      for (const { channelId, month } of changes.changedMonths()) {
        const facts = live.state.channels.get(channelId)?.months.get(month);
        if (facts !== undefined) live.lastMonthBodies.set(monthKey(channelId, month), encodeFacts(facts));
      }
      return;
    }
    if (changes.global)
      rows.push({ position, kind: 'global', key: '', body: serialize(globalOf(live.state)) });
    for (const id of changes.channels) {
      const channel = live.state.channels.get(id);
      if (channel !== undefined)
        rows.push({ position, kind: 'channel', key: id, body: Buffer.from(encodeChannel(channel)) });
    }
    for (const { channelId, month } of changes.changedMonths()) {
      const facts = live.state.channels.get(channelId)?.months.get(month);
      if (facts === undefined) continue;
      const key = monthKey(channelId, month);
      const text = encodeFacts(facts);
      if (live.lastMonthBodies.get(key) === text) continue;
      live.lastMonthBodies.set(key, text);
      rows.push({ position, kind: 'month', key, body: Buffer.from(text) });
    }
    for (const d of derived) rows.push(d);
  }
}

function claimInputRow(position: number, r: ClaimInputRecord): HistoryRow {
  return { position, kind: 'claimInput', key: `${r.channelId}\u0000${r.sku}`, body: serialize(r) };
}

/**
 * The in-memory index, keeping only the sales a return may claw a bonus back from (a bonus, or
 * a later sale replacing one): a sale without one answers undefined, which means the same.
 */
function bonusSalesOnly(inner: ProjectionIndex): ProjectionIndex {
  return {
    addOrder: (channelId, month, orderId) => inner.addOrder(channelId, month, orderId),
    takeNewOrders: () => inner.takeNewOrders(),
    recordSale(channelId, orderId, sku, bonusBps) {
      if (bonusBps !== 0 || inner.saleBonusBps(channelId, orderId, sku) !== undefined) {
        inner.recordSale(channelId, orderId, sku, bonusBps);
      }
    },
    saleBonusBps: (channelId, orderId, sku) => inner.saleBonusBps(channelId, orderId, sku),
    addCertification: (channelId, traineeId, month) => inner.addCertification(channelId, traineeId, month),
    countCertified: (channelId, from, to) => inner.countCertified(channelId, from, to),
  };
}

/** Claim inputs kept in memory, each also written as a row at the position that added it. */
function recordingClaimInputs(inner: ClaimInputStore, live: Live): ClaimInputStore {
  return {
    add(r) {
      inner.add(r);
      if (live.pendingInputs !== undefined) live.pendingInputs.push({ position: live.position, record: r });
      else live.rows?.push(claimInputRow(live.position, r));
    },
    inputsOf: (channelId, sku) => inner.inputsOf(channelId, sku),
    originalSaleAt: (channelId, sku, orderId) => inner.originalSaleAt(channelId, sku, orderId),
    lookupsAhead: () => inner.lookupsAhead(),
  };
}
