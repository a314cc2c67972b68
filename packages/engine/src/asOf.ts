/**
 * As-of reads (issue 18, "What did we report then?"): the projection state and the report as
 * the log stood at a position, or after the last commit appended at or before an instant, and
 * the versions of one channel-month. Built on the history (`asOfBuild.ts`, `asOfState.ts`):
 * a snapshot every K positions and the rows of what each event changed, so a read costs one
 * snapshot and at most K events' rows, never a re-projection from the start.
 *
 * Other code gets a state or report at a position with
 * `const asOf = asOfHistory({ feed, head, store, commits, settings })`, then
 * `await asOf.stateAt(position)` / `await asOf.reportAt(position)` (both bring the history up
 * to the log's head first).
 */
import { deserialize } from 'node:v8';
import {
  buildReport,
  pagesOf,
  reportJsonChunks,
  type Alert,
  type Counts,
  type DeploymentSettings,
  type ProjectionState,
  type Report,
  type TierMovement,
} from '@chanperf/domain';
import { AsOfBuilder, type AsOfBuildOptions } from './asOfBuild.js';
import type { AsOfStore, LogCommit, LogCommits } from './asOfPorts.js';
import { lazyStateFromHistory } from './asOfLazy.js';
import type { EventLog, Feed } from './ports.js';

/** What `asOf=` names: a log position, or an instant (Unix ms) of the log's append clock. */
export type AsOfQuery = { readonly position: number } | { readonly instant: number; readonly text: string };

/** RFC 3339 date-time: `2026-04-05T00:00:00Z`, `2026-04-05T08:00:00.250+08:00`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an `asOf` value; a string says what is wrong with it. */
export function parseAsOf(text: string): AsOfQuery | string {
  if (/^\d{1,15}$/.test(text)) return { position: Number(text) };
  if (RFC3339.test(text)) {
    // Sub-millisecond digits cut to milliseconds: append times are recorded in milliseconds.
    const instant = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isNaN(instant)) return { instant, text };
  }
  return `asOf must be a log position (a whole number ≥ 0) or an RFC 3339 instant (2026-04-05T00:00:00Z), not ${JSON.stringify(text)}`;
}

/** Where an as-of read lands: the position, and the log's commit record of that moment. */
export interface AsOfPoint {
  readonly position: number;
  /** The last commit at or before it (undefined when the log records none). */
  readonly commit: LogCommit | undefined;
}

/** Why an `asOf` cannot be answered (the query service answers 409, the CLI exits 2). */
export interface AsOfRefusal {
  readonly code: 'ASOF_BEYOND_HEAD' | 'ASOF_IN_FUTURE' | 'ASOF_NO_APPEND_TIMES';
  readonly message: string;
}

/** One version of a channel-month's figures, and the event that made it. */
export interface MonthVersion<Figures> {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly figures: Figures;
}

export interface AsOfHistoryConfig {
  readonly feed: Feed;
  /** The log's head. */
  readonly head: () => Promise<number>;
  readonly store: AsOfStore;
  readonly commits: LogCommits;
  readonly settings: DeploymentSettings;
  /** The clock instants are compared with (default `Date.now`): infrastructure time, like append times. */
  readonly now?: () => number;
  readonly build?: AsOfBuildOptions;
  /**
   * Brings the history to the log's head elsewhere (the embedded store: a worker thread with a
   * capped heap, `store-sqlite/src/asOfInWorker.ts`); default: an `AsOfBuilder` in this thread.
   */
  readonly catchUp?: () => Promise<number>;
}

/** States kept for repeated reads at the same position (each is one state of the projection). */
const CACHED_STATES = 2;

export interface AsOfHistory {
  /** Resolves an `asOf` against the log's head and commit records. */
  resolve(query: AsOfQuery): Promise<AsOfPoint | AsOfRefusal>;
  /** The projection state as of `position` (0 ≤ position ≤ head). Read-only: do not evolve it. */
  stateAt(position: number): Promise<ProjectionState>;
  /** Alerts and tier movements raised up to `position`, in the order raised. */
  derivedAt(position: number): Promise<{ alerts: Alert[]; tierMovements: TierMovement[] }>;
  /**
   * The spec §7 report as of `position`. Its counts and rejections are those recorded by the
   * last ingestion commit at or before the position (`point.commit`); a log that records no
   * commits shows the accepted events only.
   */
  reportAt(position: number | AsOfPoint): Promise<Report>;
  /** `reportAt` as JSON text in pieces (`reportJsonChunks`), for printing a large report. */
  reportTextAt(position: number | AsOfPoint): AsyncGenerator<string>;
  /** Rows of history of one channel (all kinds bounded by `upTo`), for `monthVersions`. */
  readonly store: AsOfStore;
  /** Brings the history to the log's head; answers its checkpoint. */
  catchUp(): Promise<number>;
  /** The event at a position (for history entries). */
  eventAt(position: number): Promise<{ eventId: string; type: string } | undefined>;
}

/** Where an `asOf` lands: a position of the log, or why it cannot be answered. */
async function resolveAsOf(config: AsOfHistoryConfig, query: AsOfQuery): Promise<AsOfPoint | AsOfRefusal> {
  const now = config.now ?? Date.now;
  const head = await config.head();
  if ('position' in query) {
    if (query.position > head) {
      return {
        code: 'ASOF_BEYOND_HEAD',
        message: `asOf=${query.position} is beyond the log's head (position ${head})`,
      };
    }
    return { position: query.position, commit: config.commits.atPosition(query.position) };
  }
  if (query.instant > now()) {
    return {
      code: 'ASOF_IN_FUTURE',
      message: `asOf=${query.text} is later than now: the log may still change before it`,
    };
  }
  if (!config.commits.recorded()) {
    return {
      code: 'ASOF_NO_APPEND_TIMES',
      message:
        'this log records no append times (written by an older version or another log): ask with a position',
    };
  }
  const commit = config.commits.atInstant(query.instant);
  return { position: commit?.head ?? 0, commit };
}

/** The as-of reads over a log, its commit records and a history store. */
export function asOfHistory(config: AsOfHistoryConfig): AsOfHistory {
  const builder = new AsOfBuilder(config.feed, config.store, config.settings, config.build);
  const catchUp = config.catchUp ?? (() => builder.catchUp());
  const states: { position: number; state: ProjectionState }[] = [];

  const built = async (position: number) => {
    if (config.store.checkpoint() < position) await catchUp();
    if (config.store.checkpoint() < position) {
      throw new Error(`the as-of history reaches ${config.store.checkpoint()}, not ${position}`);
    }
  };

  const stateAt = async (position: number): Promise<ProjectionState> => {
    const cached = states.find((s) => s.position === position);
    if (cached !== undefined) return cached.state;
    await built(position);
    const state = lazyStateFromHistory(config.store, position);
    states.unshift({ position, state });
    states.length = Math.min(states.length, CACHED_STATES);
    return state;
  };

  const derivedAt = async (position: number) => {
    await built(position);
    // By kind (the rows of one kind and key, in the order written): a walk of every row up to
    // the position read all 974 000 of a 1M-event log's rows twice for its 58 000 alerts.
    const alerts = config.store.rowsOf('alert', '', position).map((r) => deserialize(r.body) as Alert);
    const tierMovements = config.store
      .rowsOf('tierMovement', '', position)
      .map((r) => deserialize(r.body) as TierMovement);
    return { alerts, tierMovements };
  };

  /** The state and what the report adds to it, as of a position. */
  const reportInputs = async (at: number | AsOfPoint) => {
    const point = typeof at === 'number' ? { position: at, commit: config.commits.atPosition(at) } : at;
    const state = await stateAt(point.position);
    const { alerts, tierMovements } = await derivedAt(point.position);
    const c = point.commit;
    const counts: Counts =
      c === undefined
        ? { lines: point.position, accepted: point.position, duplicates: 0, rejected: 0 }
        : { ...c.counts };
    const rejected = c === undefined ? [] : config.commits.rejectedUpTo(c.lastRejectedId);
    return { state, inputs: { counts, tierMovements, alerts, rejected } };
  };

  return {
    store: config.store,
    catchUp,
    resolve: (query) => resolveAsOf(config, query),
    stateAt,
    derivedAt,
    async reportAt(at) {
      const { state, inputs } = await reportInputs(at);
      return buildReport(state, config.settings.minorDigits, inputs);
    },
    async *reportTextAt(at) {
      const { state, inputs } = await reportInputs(at);
      yield* reportJsonChunks(state, config.settings.minorDigits, {
        counts: inputs.counts,
        tierMovements: pagesOf(inputs.tierMovements),
        alerts: pagesOf(inputs.alerts),
        rejected: pagesOf(inputs.rejected),
      });
    },
    async eventAt(position) {
      const [entry] = await config.feed.read(position - 1, 1);
      return entry === undefined ? undefined : { eventId: entry.eventId, type: entry.type };
    },
  };
}

/** Whether a resolution was refused. */
export function isRefusal(r: AsOfPoint | AsOfRefusal): r is AsOfRefusal {
  return 'code' in r;
}

const reads = new WeakMap<object, AsOfHistory>();

/** A store with a log and an as-of history (the embedded store, `SqliteStore`). */
export interface AsOfCapableStore {
  readonly log: Feed & Pick<EventLog, 'head'>;
  asOf(): {
    readonly history: AsOfStore;
    readonly commits: LogCommits;
    /** Builds the history elsewhere (see `AsOfHistoryConfig.catchUp`). */
    readonly build?: (settings: DeploymentSettings) => Promise<number>;
  };
}

/**
 * The as-of reads of `store` over its log, history and commit records: one per store, so a
 * process keeps one history projection however many callers ask.
 */
export function asOfReads(store: AsOfCapableStore, settings: DeploymentSettings): AsOfHistory {
  let made = reads.get(store);
  if (made === undefined) {
    const { history, commits, build } = store.asOf();
    made = asOfHistory({
      feed: store.log,
      head: () => store.log.head(),
      store: history,
      commits,
      settings,
      ...(build === undefined ? {} : { catchUp: () => build(settings) }),
    });
    reads.set(store, made);
  }
  return made;
}
