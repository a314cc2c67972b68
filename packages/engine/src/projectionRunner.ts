/**
 * The projection runner: reads the log from its checkpoint in batches (or takes the events an
 * ingestor in this process handed over, when they continue the checkpoint), evolves the
 * projection state with its definition's rules, and commits the read model with the new
 * checkpoint in one transaction, as a compare-and-set from the checkpoint it continues.
 *
 * Over a store that keeps read models side by side, `rebuild()` (and a first run over a read
 * model made by another version) builds a new one beside the current one and switches to it
 * once it has caught up; a switch made by any process is noticed before the next batch or read.
 */
import type {
  ChannelProjection,
  ChanperfEvent,
  DeploymentSettings,
  Month,
  ProjectionState,
} from '@chanperf/domain';
import { CHANNEL_PERFORMANCE, MonthClock, parseLoggedPayload } from '@chanperf/domain/rules';
import type { Logger } from 'pino';
import type { AppendedEvent } from './ingestion.js';
import { EngineError, type Feed, type ProjectionOutputs, type ReadStore, type SideBySide } from './ports.js';

/** A batch to apply: its last position, and its entries (read or drained as iterated). */
/** Handed-over entries, or payloads read from the log (`Feed.readBatch`). */
type Batch =
  | { readonly last: number; readonly entries: Iterable<HandedOver>; readonly payloads?: undefined }
  | { readonly last: number; readonly payloads: Iterable<string>; readonly entries?: undefined };

/** Iterates `list`, dropping each entry from it as it is handed out, so what was applied can die young. */
function* draining(list: (HandedOver | undefined)[]): Generator<HandedOver> {
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as HandedOver;
    list[i] = undefined;
    yield entry;
  }
}

function batchOf(entries: HandedOver[], after: number): Batch {
  return { last: entries[entries.length - 1]?.position ?? after, entries: draining(entries) };
}

/**
 * An event handed over by an ingestor that just appended it (`offer`): parsed when it was
 * appended in this thread, only its payload when it comes from another.
 */
export type HandedOver = Pick<AppendedEvent, 'position' | 'payload'> & { readonly event?: ChanperfEvent };

/** Log entries a batch applies when `batchSize` is not given. */
export const DEFAULT_BATCH_SIZE = 5000;

/** At most this many handed-over events wait for the projection; beyond, it reads the log. */
const MAX_HANDED_OVER = 100_000;

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  readonly logger?: Logger;
  /** Most handed-over events kept waiting (default 100 000); beyond, they are dropped and read back. */
  readonly maxOffered?: number;
  /** Called after each committed batch with what it derived. */
  readonly onBatch?: (outputs: ProjectionOutputs, position: number) => void;
  /** The projection's rules (default: channel-performance); the store's read model must be made by it. */
  readonly projection?: ChannelProjection;
  /**
   * Batches committed together, up to this many events (`ReadStore.applyBatch`'s `hold`): the
   * rows they change are written once, not once per batch; a batch that closes a month ends
   * its group (the commit lets the months before leave memory). Default 0: every batch commits. A
   * `catchUp` commits what it applied before it returns; `catchUpHolding` may leave the last
   * batches held (for a projection fed by an ingestor that will wake it again, and `catchUp`
   * when done).
   */
  readonly commitEvery?: number;
  /**
   * For a runner over part of the channels (a rebuild in parts): where the first close starts
   * over every channel, given where it would over this part's (`CloseContext.firstCloseFrom`).
   */
  readonly firstCloseFrom?: ((own: Month) => Month) | undefined;
  /**
   * Lets the event loop run between batches (timers included): a side build, whose builder
   * lease is renewed by a timer, would otherwise hold the thread from its first batch to its
   * last, and its lease would expire under it after 10 s.
   */
  readonly yieldBetweenBatches?: boolean;
}

/** What a side build reports: each committed batch's position, and what holds the build. */
export interface RebuildOptions {
  readonly what: string;
  /** The side build starts at this position (0, or where an interrupted build stopped). */
  readonly onStart?: (position: number) => void | Promise<void>;
  readonly onBatch?: (position: number) => void;
}

export class ProjectionRunner {
  private state: ProjectionState | undefined;
  private position = 0;
  /** The store's read-model generation the state was loaded at (side-by-side stores). */
  private generation = 0;
  private readonly clock: MonthClock;
  private running: Promise<number> | undefined;
  /** Events handed over by an ingestor, in log order: parsed, or as payloads from another thread. */
  private handedOver: HandedOver[] = [];
  /** Events applied in batches held uncommitted (`commitEvery`). */
  private held = 0;
  /** Whether the run on (`running`) may end with batches held. */
  private runningHolds = false;

  constructor(
    private readonly feed: Feed,
    private readonly store: ReadStore,
    private readonly settings: DeploymentSettings,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.clock = new MonthClock(settings.timeZone);
  }

  /** The position the projection state reflects: the read model's, but for batches held (`commitEvery`). */
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
    this.handedOver = [];
  }

  /** The current projection state (loaded on first use, and again after a switch). */
  async current(): Promise<ProjectionState> {
    // While a run is on, it reloads before its next batch; until then the old state answers.
    if (this.state === undefined || (this.running === undefined && this.switchedAway())) await this.load();
    return this.state as ProjectionState;
  }

  private async load(): Promise<void> {
    this.generation = this.store.sideBySide?.generation() ?? 0;
    this.held = 0; // the load gives held batches up
    const loaded = await this.store.load();
    this.state = loaded.state;
    this.position = loaded.position;
  }

  /** Whether another read model became current since the state was loaded. */
  private switchedAway(): boolean {
    const sides = this.store.sideBySide;
    if (sides === undefined || sides.generation() === this.generation) return false;
    this.handedOver = [];
    return true;
  }

  /**
   * Builds the read model again from the log beside the current one (which keeps answering),
   * switches to it once it has caught up with the log's head, and answers its position. A store
   * without side-by-side read models is reset and re-projected in place.
   */
  rebuild(options: RebuildOptions): Promise<number> {
    const sides = this.store.sideBySide;
    if (sides === undefined) {
      return (async () => {
        await this.store.reset();
        this.forget();
        await options.onStart?.(0);
        return this.catchUp();
      })();
    }
    return this.buildBeside(sides, options);
  }

  private async buildBeside(sides: SideBySide, options: RebuildOptions): Promise<number> {
    const started = process.hrtime.bigint();
    const side = sides.beside(options.what);
    const { name, version } = this.options.projection ?? CHANNEL_PERFORMANCE;
    const log = this.options.logger?.child({ projection: name, version });
    let position: number;
    try {
      log?.info({ resumedFrom: side.resumedFrom }, 'read model: building beside the current one');
      await options.onStart?.(side.resumedFrom);
      // A fresh build over a store that can: the log as it stands projected in parts at once.
      const inParts =
        side.resumedFrom === 0 && side.buildInParts !== undefined
          ? await side.buildInParts({
              settings: this.settings,
              projection: this.options.projection ?? CHANNEL_PERFORMANCE,
              ...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
              ...(this.options.commitEvery === undefined ? {} : { commitEvery: this.options.commitEvery }),
              ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
              ...(log === undefined ? {} : { logger: log }),
            })
          : 0;
      const builder = new ProjectionRunner(this.feed, side.store, this.settings, {
        ...(this.options.batchSize === undefined ? {} : { batchSize: this.options.batchSize }),
        ...(this.options.projection === undefined ? {} : { projection: this.options.projection }),
        ...(this.options.commitEvery === undefined ? {} : { commitEvery: this.options.commitEvery }),
        ...(options.onBatch === undefined ? {} : { onBatch: (_o, p) => options.onBatch?.(p) }),
        yieldBetweenBatches: true,
      });
      // The log may grow meanwhile: catch up until the switch finds the side at the head (a
      // build in parts at the head switches without loading what it built).
      if (inParts > 0 && sides.switchTo(side)) position = inParts;
      else {
        do position = await builder.catchUp();
        while (!sides.switchTo(side));
      }
    } finally {
      side.close();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log?.info(
      { position, resumedFrom: side.resumedFrom, generation: sides.generation(), seconds },
      'read model switched',
    );
    return position;
  }

  /**
   * Hands over events just appended in this process (see `Ingestor.onAppended`), so the next
   * batch skips reading and parsing them. Anything not contiguous with the checkpoint is read
   * from the feed as usual; the hand-over is bounded and only ever an optimisation.
   */
  offer(appended: readonly HandedOver[]): void {
    if (this.handedOver.length + appended.length > (this.options.maxOffered ?? MAX_HANDED_OVER)) {
      this.handedOver = [];
      return;
    }
    for (const a of appended) this.handedOver.push(a);
  }

  /** `offer` for payloads appended by another thread: parsed only when used. */
  offerPayloads(positions: readonly number[], payloads: readonly string[]): void {
    this.offer(positions.map((position, i) => ({ position, payload: payloads[i] as string })));
  }

  /**
   * The next batch: from the hand-over when it continues the checkpoint, else from the feed
   * (read as it is applied when the feed can). Payloads are parsed one at a time as they are
   * applied, and each entry is dropped once applied, so a batch's rows and parsed events die
   * young instead of living (and being promoted by the GC) through the whole batch.
   */
  private async nextBatch(limit: number, handedOverOnly: boolean): Promise<Batch> {
    let skip = 0;
    while (skip < this.handedOver.length && (this.handedOver[skip]?.position ?? 0) <= this.position) skip++;
    if (skip > 0) this.handedOver = this.handedOver.slice(skip);
    if (this.handedOver[0]?.position === this.position + 1) {
      let n = 1;
      while (
        n < this.handedOver.length &&
        n < limit &&
        this.handedOver[n]?.position === this.position + n + 1
      )
        n++;
      const batch = this.handedOver.slice(0, n);
      this.handedOver = this.handedOver.slice(n);
      return batchOf(batch, this.position);
    }
    // Nothing handed over yet: wait for the hand-over rather than race it to the log.
    if (handedOverOnly && this.handedOver.length === 0) return batchOf([], this.position);
    this.handedOver = [];
    if (this.feed.readBatch !== undefined) return this.feed.readBatch(this.position, limit);
    return batchOf(await this.feed.read(this.position, limit), this.position);
  }

  /**
   * Applies every log entry after the checkpoint and commits them; concurrent calls share one
   * run (a `catchUpHolding` run on when called is followed by one that commits).
   */
  async catchUp(): Promise<number> {
    while (this.running !== undefined && this.runningHolds) await this.running.catch(() => undefined);
    this.running ??= this.start(false, false);
    return this.running;
  }

  /**
   * `catchUp`, but the last batches may stay held uncommitted (up to `commitEvery` events):
   * for a projection an ingestor wakes after each append, and then `catchUp` once when done.
   */
  catchUpHolding(): Promise<number> {
    this.running ??= this.start(false, true);
    return this.running;
  }

  private start(handedOverOnly: boolean, holding: boolean): Promise<number> {
    this.runningHolds = holding;
    return this.run(handedOverOnly, holding).finally(() => {
      this.running = undefined;
    });
  }

  /**
   * Applies what was handed over (`offer`), and the log only across a gap in it: for a
   * projection fed by an ingestor that is still appending, which would otherwise read back
   * entries whose hand-over is on its way.
   */
  catchUpOffered(): Promise<number> {
    this.running ??= this.start(true, false);
    return this.running;
  }

  private async run(handedOverOnly: boolean, holding = false): Promise<number> {
    // A read model made by another version is never projected further: one is built beside.
    if (this.store.sideBySide?.stale() === true) {
      await this.buildBeside(this.store.sideBySide, { what: 'a projection of another version' });
    }
    if (this.state === undefined || this.switchedAway()) await this.load();
    const batchSize = this.options.batchSize ?? DEFAULT_BATCH_SIZE;
    const projection = this.options.projection ?? CHANNEL_PERFORMANCE;
    for (;;) {
      if (this.switchedAway()) await this.load();
      const { last, entries, payloads } = await this.nextBatch(batchSize, handedOverOnly);
      if (last === this.position) {
        if (holding || (await this.commitHeld())) return this.position;
        continue; // a rebuild beside switched over the held batches: on from its read model
      }
      const state = this.state as ProjectionState;
      const events = last - this.position; // positions are gap-free
      const commitEvery = this.store.commitHeld === undefined ? 0 : (this.options.commitEvery ?? 0);
      const hold = this.held + events < commitEvery;
      const closedBefore = state.lastClosed;
      let outputs: ProjectionOutputs;
      try {
        outputs = this.store.applyBatch(
          state,
          last,
          (sink, changes) => {
            const ctx = {
              state,
              index: this.store.index,
              clock: this.clock,
              minorDigits: this.settings.minorDigits,
              sink,
              changes,
              firstCloseFrom: this.options.firstCloseFrom,
            };
            if (payloads !== undefined) {
              for (const payload of payloads) projection.evolve(ctx, parseLoggedPayload(payload));
            } else {
              for (const entry of entries)
                projection.evolve(ctx, entry.event ?? parseLoggedPayload(entry.payload));
            }
          },
          this.position,
          hold,
        );
      } catch (err) {
        this.state = undefined; // half-applied in memory: reload from the store
        this.handedOver = [];
        if (await this.reloadedAfterSwitch(err)) continue;
        throw err;
      }
      this.held = hold ? this.held + events : 0;
      this.position = last;
      this.options.logger?.debug({ position: last, events, held: hold }, 'projection batch applied');
      this.options.onBatch?.(outputs, last);
      if (this.options.yieldBetweenBatches === true)
        await new Promise<void>((resolve) => setImmediate(resolve));
      // A batch that closed a month commits its group at once: the commit evicts the months the
      // close left behind (every partner's), which a group held on would keep in memory.
      if (hold && state.lastClosed !== closedBefore) await this.commitHeld();
    }
  }

  /**
   * Commits the batches held (`commitEvery`), if any. False when a rebuild beside was switched
   * to meanwhile: the batches were given up and the new read model loaded.
   */
  private async commitHeld(): Promise<boolean> {
    if (this.held === 0 || this.state === undefined) return true;
    const state = this.state;
    try {
      const outputs = this.store.commitHeld?.(state);
      this.held = 0;
      if (outputs !== undefined) this.options.onBatch?.(outputs, this.position);
      return true;
    } catch (err) {
      this.state = undefined; // the held batches are lost with the transaction: reload
      this.handedOver = [];
      if (await this.reloadedAfterSwitch(err)) return false;
      throw err;
    }
  }

  /**
   * After a failed commit: when it was fenced by a switch to a read model rebuilt beside (which
   * had caught up with the log when switched to), loads that one and answers true — the batches
   * given up are in it. Any other failure answers false.
   */
  private async reloadedAfterSwitch(err: unknown): Promise<boolean> {
    if (!(err instanceof EngineError) || err.code !== 'PROJECTION_FENCED' || !this.switchedAway())
      return false;
    await this.load();
    return true;
  }
}
