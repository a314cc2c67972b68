/**
 * In-memory adapters of every port: the reference the contract suites compare against, and
 * the engine behind property tests. Nothing survives the process.
 */
import {
  applyNewOrders,
  ACCEPTANCE_FACT_TYPES,
  acceptanceStateOf,
  copyAcceptanceState,
  evolveAcceptance,
  initialAcceptanceState,
  initialProjectionState,
  memoryProjectionIndex,
  parentAssignmentsOf,
  ProjectionChanges,
  type AcceptanceState,
  type ChanperfEvent,
  type Alert,
  type Counts,
  type ProjectionIndex,
  type ProjectionSink,
  type ProjectionState,
  type RejectedReport,
  type TierMovement,
} from '@chanperf/domain';
import { EngineError } from './ports.js';
import type {
  AcceptanceFacts,
  AcceptanceView,
  BatchDecider,
  CommitResult,
  EventLog,
  Feed,
  IngestBatch,
  LogEntry,
  ProjectionOutputs,
  ReadStore,
  RejectedRecord,
  RejectedStore,
  SourceCheckpoint,
} from './ports.js';

/**
 * A view of the log's head from its facts (an `AcceptanceFacts`, or an adapter's own
 * `AcceptanceState`, which the view copies) and the contents the decider will ask about.
 */
export function acceptanceViewOf(
  facts: AcceptanceFacts | AcceptanceState,
  known: ReadonlyMap<string, string>,
): AcceptanceView {
  return {
    acceptance: 'parents' in facts ? copyAcceptanceState(facts) : acceptanceStateOf(facts),
    content: (id) => known.get(id),
  };
}

export class InMemoryEventLog implements EventLog, Feed, RejectedStore {
  private readonly entries: LogEntry[] = [];
  private readonly byId = new Map<string, string>();
  private readonly rejected: RejectedRecord[] = [];
  private readonly checkpoints = new Map<string, SourceCheckpoint>();
  private readonly totals: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  /** The acceptance state at the head, folded as entries are appended. */
  private readonly facts: AcceptanceState = initialAcceptanceState();

  contents(eventIds: readonly string[]): Promise<Map<string, string>> {
    return Promise.resolve(this.contentsNow(eventIds));
  }

  private contentsNow(eventIds: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const id of eventIds) {
      const c = this.byId.get(id);
      if (c !== undefined) out.set(id, c);
    }
    return out;
  }

  append(
    eventIds: readonly string[],
    decide: BatchDecider,
  ): Promise<{ batch: IngestBatch; positions: readonly number[] }> {
    // No await between the view and the write: the view is the head's.
    let batch: IngestBatch;
    try {
      batch = decide(acceptanceViewOf(this.facts, this.contentsNow(eventIds)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const { positions } = this.write(batch);
    return Promise.resolve({ batch, positions });
  }

  commit(batch: IngestBatch): Promise<CommitResult> {
    return Promise.resolve(this.write(batch));
  }

  private write(batch: IngestBatch): CommitResult {
    const positions: number[] = [];
    for (const e of batch.accepted) {
      if (this.byId.has(e.eventId)) {
        positions.push(0);
        continue;
      }
      this.byId.set(e.eventId, e.payload);
      this.entries.push({ ...e, position: this.entries.length + 1 });
      if (ACCEPTANCE_FACT_TYPES.has(e.type))
        evolveAcceptance(this.facts, JSON.parse(e.payload) as ChanperfEvent);
      positions.push(this.entries.length);
    }
    for (const r of batch.rejected) {
      this.rejected.push({ ...r, id: this.rejected.length + 1, status: 'open' });
    }
    for (const id of batch.redriven ?? []) {
      const r = this.rejected[id - 1];
      if (r !== undefined) this.rejected[id - 1] = { ...r, status: 'redriven' };
    }
    this.totals.lines += batch.counts.lines;
    this.totals.accepted += batch.counts.accepted;
    this.totals.duplicates += batch.counts.duplicates;
    this.totals.rejected += batch.counts.rejected;
    if (batch.checkpoint !== undefined) this.checkpoints.set(batch.checkpoint.key, batch.checkpoint);
    return { positions };
  }

  head(): Promise<number> {
    return Promise.resolve(this.entries.length);
  }

  acceptanceFacts(): Promise<AcceptanceFacts> {
    const f = this.facts;
    return Promise.resolve({
      channels: [...f.channels],
      promotions: [...f.promotions],
      lastClosed: f.lastClosed,
      priceChanges: [...f.priceChanges],
      parentAssignments: parentAssignmentsOf(f),
    });
  }

  sourceCheckpoint(key: string): Promise<SourceCheckpoint | undefined> {
    return Promise.resolve(this.checkpoints.get(key));
  }

  counts(): Promise<Counts> {
    return Promise.resolve({ ...this.totals });
  }

  read(after: number, limit: number): Promise<LogEntry[]> {
    return Promise.resolve(this.entries.slice(after, after + limit));
  }

  list(options: { afterId?: number; limit?: number } = {}): Promise<RejectedRecord[]> {
    const after = options.afterId ?? 0;
    return Promise.resolve(this.rejected.slice(after, after + (options.limit ?? 100)));
  }

  get(id: number): Promise<RejectedRecord | undefined> {
    return Promise.resolve(this.rejected[id - 1]);
  }

  forReport(): Promise<RejectedReport[]> {
    return Promise.resolve(
      this.rejected.map((r) => ({ line: r.line ?? 0, eventId: r.eventId, code: r.code })),
    );
  }
}

/**
 * In-memory read model. A failed batch cannot be rolled back in place, so after one the
 * store forgets everything and the next load rebuilds from position 0.
 */
export class InMemoryReadStore implements ReadStore {
  private state: ProjectionState = initialProjectionState();
  private idx: ProjectionIndex = memoryProjectionIndex();
  private pos = 0;
  private readonly alertList: Alert[] = [];
  private readonly movementList: TierMovement[] = [];

  get index(): ProjectionIndex {
    return this.idx;
  }

  load(): Promise<{ state: ProjectionState; position: number }> {
    return Promise.resolve({ state: this.state, position: this.pos });
  }

  applyBatch(
    state: ProjectionState,
    position: number,
    apply: (sink: ProjectionSink, changes: ProjectionChanges) => void,
    from?: number,
  ): ProjectionOutputs {
    if (from !== undefined && from !== this.pos) {
      throw new EngineError('PROJECTION_FENCED', `the read model is at ${this.pos}, not ${from}`, false);
    }
    const outputs = { alerts: [] as Alert[], tierMovements: [] as TierMovement[] };
    const changes = new ProjectionChanges();
    try {
      apply(
        {
          alert: (a) => outputs.alerts.push(a),
          tierMovement: (m) => outputs.tierMovements.push(m),
        },
        changes,
      );
      applyNewOrders(state, this.idx.takeNewOrders(), changes);
    } catch (err) {
      void this.reset();
      throw err;
    }
    this.state = state;
    this.pos = position;
    this.alertList.push(...outputs.alerts);
    this.movementList.push(...outputs.tierMovements);
    return { ...outputs, changedMonths: changes.changedMonths(), lastClosed: state.lastClosed };
  }

  position(): Promise<number> {
    return Promise.resolve(this.pos);
  }

  alerts(options: { afterSeq?: number } = {}): Promise<Alert[]> {
    return Promise.resolve(this.alertList.slice(options.afterSeq ?? 0));
  }

  alertLog(afterSeq: number, limit: number): Promise<{ seq: number; alert: Alert }[]> {
    return Promise.resolve(
      this.alertList.slice(afterSeq, afterSeq + limit).map((alert, i) => ({ seq: afterSeq + i + 1, alert })),
    );
  }

  tierMovements(): Promise<TierMovement[]> {
    return Promise.resolve([...this.movementList]);
  }

  reset(): Promise<void> {
    this.state = initialProjectionState();
    this.idx = memoryProjectionIndex();
    this.pos = 0;
    this.alertList.length = 0;
    this.movementList.length = 0;
    return Promise.resolve();
  }
}
