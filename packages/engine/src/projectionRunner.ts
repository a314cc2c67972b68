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
import type { Feed, ProjectionOutputs, ReadStore } from './ports.js';

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  readonly logger?: Logger;
  /** Called after each committed batch with what it derived. */
  readonly onBatch?: (outputs: ProjectionOutputs, position: number) => void;
}

export class ProjectionRunner {
  private state: ProjectionState | undefined;
  private position = 0;
  private readonly clock: MonthClock;
  private running: Promise<number> | undefined;

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

  /** Applies every log entry after the checkpoint; concurrent calls share one run. */
  catchUp(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    if (this.state === undefined) await this.load();
    const batchSize = this.options.batchSize ?? 5000;
    for (;;) {
      const entries = await this.feed.read(this.position, batchSize);
      if (entries.length === 0) return this.position;
      const state = this.state as ProjectionState;
      const last = entries[entries.length - 1]?.position ?? this.position;
      let outputs: ProjectionOutputs;
      try {
        outputs = this.store.applyBatch(state, last, (sink) => {
          const ctx = {
            state,
            index: this.store.index,
            clock: this.clock,
            minorDigits: this.settings.minorDigits,
            sink,
          };
          for (const entry of entries) evolve(ctx, JSON.parse(entry.payload) as ChanperfEvent);
        });
      } catch (err) {
        this.state = undefined; // half-applied in memory: reload from the store
        throw err;
      }
      this.position = last;
      this.options.logger?.debug({ position: last, events: entries.length }, 'projection batch committed');
      this.options.onBatch?.(outputs, last);
    }
  }
}
