/**
 * Writes the as-of history (`asOfPorts.ts`): one pass of the projection over the log, in
 * memory, that records after each event what it changed (channels, channel-months whose facts
 * changed, the program-wide facts, derived facts, claim inputs) at that event's position, and a
 * snapshot of the whole state every `snapshotEvery` positions. A state as of any position is
 * then the nearest snapshot before it plus the rows after it (`asOfState.ts`): no re-projection,
 * no index (the order, sale and certification lookups were answered when the rows were written).
 */
import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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

/**
 * A projection index given to the builder (`AsOfBuildOptions.index`): flushed after each batch
 * (its pending keys may go to disk), closed when the builder drops it.
 */
export interface BuilderIndex extends ProjectionIndex {
  flush(): void;
  close(): void;
}

/** The projection this process keeps to write the history from. */
interface Live {
  readonly state: ProjectionState;
  readonly index: ProjectionIndex;
  /** The given index (undefined: the in-memory one). */
  readonly given: BuilderIndex | undefined;
  position: number;
  /** Each channel-month's facts as last written, to write a month row only when they changed. */
  readonly lastMonthBodies: Map<string, string>;
  /**
   * Before the log's first price change nothing reads the claim inputs (a v1 log: never), so
   * they are not kept in memory: each recorded batch's go to one `claimStash` row (JSON lines
   * of `[position, record]`), read back when the first price change asks for lookups
   * (`lookupsAhead`). Undefined from then on: the inputs are in `inputs`, each also a row.
   */
  stash: string[] | undefined;
  /** The claim inputs, once a price change has asked for lookups. */
  inputs: ClaimInputStore | undefined;
  /** Where rows go while an event is applied (undefined: catching up, nothing written). */
  rows: HistoryRow[] | undefined;
}

export interface AsOfBuildOptions {
  /** A snapshot every this many positions (default 25 000). */
  readonly snapshotEvery?: number;
  /**
   * Events read and committed at a time (default 2 000: a batch's rows live until its commit;
   * 5 000 peaked 15 % higher on a 200k log for 10 % less time).
   */
  readonly batchSize?: number;
  /**
   * A fresh, empty projection index for a build from the log's beginning (default: in memory,
   * every order key a string; a store gives a compact one).
   */
  readonly index?: () => BuilderIndex;
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
    this.live?.given?.close();
    const state = initialProjectionState();
    const given = this.options.index?.();
    const live: Live = {
      state,
      index: given ?? bonusSalesOnly(memoryProjectionIndex()),
      given,
      position: 0,
      lastMonthBodies: new Map(),
      stash: [],
      inputs: undefined,
      rows: undefined,
    };
    state.claimInputs = recordingClaimInputs(live, this.store);
    return live;
  }

  private async run(): Promise<number> {
    const batchSize = this.options.batchSize ?? 2000;
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
      if (recording && live.stash !== undefined && live.stash.length > 0) {
        rows.push({ position: live.position, kind: 'claimStash', key: '', body: stashBody(live.stash) });
      }
      if (live.stash !== undefined) live.stash = [];
      live.given?.flush();
      if (recording && !this.store.commit(from, live.position, rows, snapshots)) {
        live.given?.close();
        this.live = undefined;
      }
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

/** A batch's stashed inputs, compressed (fast level: ~1/8 of the JSON lines on disk). */
function stashBody(lines: readonly string[]): Buffer {
  return deflateRawSync(lines.join('\n'), { level: 1 });
}

function stashLines(body: Uint8Array): string[] {
  return inflateRawSync(body).toString().split('\n');
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

/**
 * The builder's claim inputs: stashed (not kept) until the first price change asks for lookups,
 * then in memory, each also written as a row at the position that added it.
 */
function recordingClaimInputs(live: Live, store: AsOfStore): ClaimInputStore {
  const inputs = () => {
    if (live.inputs === undefined) throw new Error('claim inputs looked up before lookupsAhead');
    return live.inputs;
  };
  return {
    add(r) {
      if (live.inputs !== undefined) {
        live.inputs.add(r);
        live.rows?.push(claimInputRow(live.position, r));
      } else if (live.rows !== undefined) {
        live.stash?.push(JSON.stringify([live.position, r]));
      }
      // Catching up before the first price change: the run that wrote the checkpoint stashed it.
    },
    inputsOf: (channelId, sku) => inputs().inputsOf(channelId, sku),
    originalSaleAt: (channelId, sku, orderId) => inputs().originalSaleAt(channelId, sku, orderId),
    lookupsAhead() {
      if (live.inputs !== undefined) return;
      const memory = memoryClaimInputs();
      if (live.rows !== undefined) {
        // Recording: the stashed batches, then this batch's inputs so far. Each becomes a row at
        // its own position (no report as of an earlier position reads them).
        const lines = store.rowsOf('claimStash', '', live.position).flatMap((row) => stashLines(row.body));
        for (const line of [...lines, ...(live.stash ?? [])]) {
          const [position, record] = JSON.parse(line) as [number, ClaimInputRecord];
          memory.add(record);
          live.rows.push(claimInputRow(position, record));
        }
      } else {
        // Catching up: the run that wrote this price change turned them into rows.
        for (const row of store.rowsBetween(0, live.position - 1, ['claimInput'])) {
          memory.add(deserialize(row.body) as ClaimInputRecord);
        }
      }
      live.inputs = memory;
      live.stash = undefined;
    },
  };
}
