/**
 * The projection runner: reads the log from its checkpoint in batches, evolves the
 * projection state, and commits the read model with the new checkpoint in one transaction.
 */
import {
  evolve,
  MonthClock,
  type ChanperfEvent,
  type DeploymentSettings,
  type ProjectionState,
} from '@chanperf/domain';
import type { Logger } from 'pino';
import type { AppendedEvent } from './ingestion.js';
import type { Feed, ProjectionOutputs, ReadStore } from './ports.js';

/** A handed-over event: parsed in this thread, or its payload from another. */
type Offered = Pick<AppendedEvent, 'position' | 'payload'> & { readonly event?: ChanperfEvent };

/** At most this many handed-over events wait for the projection; beyond, it reads the log. */
const MAX_OFFERED = 100_000;

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  readonly logger?: Logger;
  /** Most handed-over events kept waiting (default 100 000); beyond, they are dropped and read back. */
  readonly maxOffered?: number;
  /** Called after each committed batch with what it derived. */
  readonly onBatch?: (outputs: ProjectionOutputs, position: number) => void;
}

export class ProjectionRunner {
  private state: ProjectionState | undefined;
  private position = 0;
  private readonly clock: MonthClock;
  private running: Promise<number> | undefined;
  /** Events handed over by an ingestor, in log order: parsed, or as payloads from another thread. */
  private offered: Offered[] = [];

  constructor(
    private readonly feed: Feed,
    private readonly store: ReadStore,
    private readonly settings: DeploymentSettings,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.clock = new MonthClock(settings.timeZone);
  }

  /** The position the read model reflects. */
  get checkpoint(): number {
    return this.position;
  }

  /**
   * Forgets the state in memory: the next run loads the read model as saved (after another
   * process projected into it, or after this one took the projector's lease over).
   */
  forget(): void {
    if (this.running !== undefined) return;
    this.state = undefined;
    this.offered = [];
  }

  /** The current projection state (loaded on first use). */
  async current(): Promise<ProjectionState> {
    if (this.state === undefined) await this.load();
    return this.state as ProjectionState;
  }

  private async load(): Promise<void> {
    const loaded = await this.store.load();
    this.state = loaded.state;
    this.position = loaded.position;
  }

  /**
   * Hands over events just appended in this process (see `Ingestor.onAppended`), so the next
   * batch skips reading and parsing them. Anything not contiguous with the checkpoint is read
   * from the feed as usual; the hand-over is bounded and only ever an optimisation.
   */
  offer(appended: readonly Offered[]): void {
    if (this.offered.length + appended.length > (this.options.maxOffered ?? MAX_OFFERED)) {
      this.offered = [];
      return;
    }
    for (const a of appended) this.offered.push(a);
  }

  /** `offer` for payloads appended by another thread: parsed only when used. */
  offerPayloads(positions: readonly number[], payloads: readonly string[]): void {
    this.offer(positions.map((position, i) => ({ position, payload: payloads[i] as string })));
  }

  /**
   * The next batch: from the hand-over when it continues the checkpoint, else from the feed.
   * Payloads are parsed one at a time as they are applied, so a batch's parsed events die
   * young instead of living (and being promoted by the GC) through the whole batch.
   */
  private async nextBatch(limit: number, offeredOnly: boolean): Promise<readonly Offered[]> {
    let skip = 0;
    while (skip < this.offered.length && (this.offered[skip]?.position ?? 0) <= this.position) skip++;
    if (skip > 0) this.offered = this.offered.slice(skip);
    if (this.offered[0]?.position === this.position + 1) {
      let n = 1;
      while (n < this.offered.length && n < limit && this.offered[n]?.position === this.position + n + 1) n++;
      const batch = this.offered.slice(0, n);
      this.offered = this.offered.slice(n);
      return batch;
    }
    // Nothing handed over yet: wait for the hand-over rather than race it to the log.
    if (offeredOnly && this.offered.length === 0) return [];
    this.offered = [];
    return this.feed.read(this.position, limit);
  }

  /** Applies every log entry after the checkpoint; concurrent calls share one run. */
  catchUp(): Promise<number> {
    this.running ??= this.run(false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Applies what was handed over (`offer`), and the log only across a gap in it: for a
   * projection fed by an ingestor that is still appending, which would otherwise read back
   * entries whose hand-over is on its way.
   */
  catchUpOffered(): Promise<number> {
    this.running ??= this.run(true).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(offeredOnly: boolean): Promise<number> {
    if (this.state === undefined) await this.load();
    const batchSize = this.options.batchSize ?? 5000;
    for (;;) {
      const entries = await this.nextBatch(batchSize, offeredOnly);
      if (entries.length === 0) return this.position;
      const state = this.state as ProjectionState;
      const last = entries[entries.length - 1]?.position ?? this.position;
      let outputs: ProjectionOutputs;
      try {
        outputs = this.store.applyBatch(
          state,
          last,
          (sink) => {
            const ctx = {
              state,
              index: this.store.index,
              clock: this.clock,
              minorDigits: this.settings.minorDigits,
              sink,
            };
            for (const entry of entries)
              evolve(ctx, entry.event ?? (JSON.parse(entry.payload) as ChanperfEvent));
          },
          this.position,
        );
      } catch (err) {
        this.state = undefined; // half-applied in memory: reload from the store
        this.offered = [];
        throw err;
      }
      this.position = last;
      this.options.logger?.debug({ position: last, events: entries.length }, 'projection batch committed');
      this.options.onBatch?.(outputs, last);
    }
  }
}
