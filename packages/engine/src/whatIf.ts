/**
 * What if the program had been different (issue 18)? Replays the real log twice in one pass,
 * into two scratch projections held in memory — the log as it is, and the log with the program
 * replaced from a month on — and compares them (`whatIfCompare.ts`). Nothing is written: the
 * real read model is never touched, whatever the log's adapter.
 *
 * "Replaced from month F on" (docs/whatif.md): the proposed `ProgramPublished` governs every
 * month ≥ F. Logged programs effective before F stay where they are; logged programs effective
 * at or after F are left out (the proposal replaces them, a later revision included). The
 * proposal enters the log just before the first `PeriodClosed` of a month ≥ F (at the end when
 * there is none): every kept program comes earlier (it was accepted while its month was open),
 * so the proposal is the latest published for every month ≥ F, and no month ≥ F is closed yet,
 * so it would have been accepted there. Promotions are campaigns, not the program: they stay.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  applyNewOrders,
  EventValidator,
  evolve,
  formatMonth,
  initialProjectionState,
  memoryProjectionIndex,
  MonthClock,
  parseMonth,
  type Alert,
  type ChanperfEvent,
  type DeploymentSettings,
  type EvolveContext,
  type Month,
  type ProgramPublished,
  type ProjectionState,
} from '@chanperf/domain';
import type { Feed } from './ports.js';

/** A checked proposal: the program event to put in the log, and the month it governs from. */
export interface WhatIfPlan {
  readonly proposed: ProgramPublished;
  readonly from: Month;
}

/** Why a proposal cannot be run: the same code and message an ingested event would get. */
export interface WhatIfInvalid {
  readonly code: 'SCHEMA_VIOLATION' | 'BAD_FROM';
  readonly message: string;
}

/** The eventId the proposal carries in the scratch log (never appended anywhere). */
export const PROPOSED_EVENT_ID = 'whatif:proposed-program';

/**
 * Checks a proposed program: the `ProgramPublished` payload (or a whole `ProgramPublished`
 * event, whose `data` is taken), with `effectiveFrom` set to `from` when given. Validated as
 * ingestion validates any event, so a bad proposal gets ingestion's `SCHEMA_VIOLATION` message.
 */
export function planWhatIf(
  input: unknown,
  from: string | undefined,
  settings: DeploymentSettings,
): E.Either<WhatIfInvalid, WhatIfPlan> {
  if (from !== undefined && parseMonth(from) === undefined)
    return E.left({ code: 'BAD_FROM', message: `from: not a month: ${from} (expected YYYY-MM)` });
  const payload = isEvent(input) ? input.data : input;
  const data =
    from !== undefined && payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? { ...payload, effectiveFrom: from }
      : payload;
  const event = {
    eventId: PROPOSED_EVENT_ID,
    type: 'ProgramPublished',
    occurredAt: '1970-01-01T00:00:00Z',
    data,
  };
  const valid = new EventValidator(settings.minorDigits).validateValue(event);
  if (E.isLeft(valid)) {
    const message = valid.left.message.replace(/(^|; )data\./g, '$1');
    return E.left({ code: 'SCHEMA_VIOLATION', message: `the proposed program: ${message}` });
  }
  const proposed = valid.right.event as ProgramPublished;
  return E.right({ proposed, from: parseMonth(proposed.data.effectiveFrom) ?? 0 });
}

function isEvent(input: unknown): input is { data: unknown } {
  return (
    input !== null &&
    typeof input === 'object' &&
    (input as { type?: unknown }).type === 'ProgramPublished' &&
    'data' in input
  );
}

/** One scenario's scratch projection: its state and what it raised. */
export interface Scenario {
  readonly state: ProjectionState;
  readonly alerts: Alert[];
}

/** Both scenarios at one log position. */
export interface WhatIfRun {
  readonly actual: Scenario;
  readonly proposed: Scenario;
  /** The last log position replayed. */
  readonly position: number;
  readonly plan: WhatIfPlan;
}

export interface WhatIfRunOptions {
  /** Log entries read at a time (default 5000). */
  readonly pageSize?: number;
  /** Called after each page with the last position replayed (progress, time bounds). */
  readonly onPage?: (position: number) => void | Promise<void>;
}

function scenario(settings: DeploymentSettings, clock: MonthClock): Scenario & { ctx: EvolveContext } {
  const state = initialProjectionState();
  const alerts: Alert[] = [];
  const ctx: EvolveContext = {
    state,
    index: memoryProjectionIndex(),
    clock,
    minorDigits: settings.minorDigits,
    sink: { alert: (a) => alerts.push(a), tierMovement: () => undefined },
  };
  return { state, alerts, ctx };
}

/** Whether the proposal replaces this logged event (a program effective from `from` on). */
function replaced(event: ChanperfEvent, from: Month): boolean {
  return event.type === 'ProgramPublished' && (parseMonth(event.data.effectiveFrom) ?? 0) >= from;
}

/** Whether the proposal must enter the log before this event (it closes a month ≥ `from`). */
function closesFrom(event: ChanperfEvent, from: Month): boolean {
  return event.type === 'PeriodClosed' && (parseMonth(event.data.month) ?? 0) >= from;
}

/**
 * Replays the whole log (as `feed` gives it, up to its end when the run starts reading) into
 * the two scratch projections: the log as it is, and the log with the proposal (see above).
 */
export async function runWhatIf(
  feed: Feed,
  plan: WhatIfPlan,
  settings: DeploymentSettings,
  options: WhatIfRunOptions = {},
): Promise<WhatIfRun> {
  const clock = new MonthClock(settings.timeZone);
  const actual = scenario(settings, clock);
  const proposed = scenario(settings, clock);
  let inserted = false;
  const insert = (occurredAt: string) => {
    evolve(proposed.ctx, { ...plan.proposed, occurredAt });
    inserted = true;
  };
  let position = 0;
  let lastOccurredAt: string | undefined;
  for (;;) {
    const page = await feed.read(position, options.pageSize ?? 5000);
    if (page.length === 0) break;
    for (const entry of page) {
      const event = JSON.parse(entry.payload) as ChanperfEvent;
      evolve(actual.ctx, event);
      if (!inserted && closesFrom(event, plan.from)) insert(event.occurredAt);
      if (!replaced(event, plan.from)) evolve(proposed.ctx, event);
      lastOccurredAt = event.occurredAt;
    }
    applyNewOrders(actual.state, actual.ctx.index.takeNewOrders());
    applyNewOrders(proposed.state, proposed.ctx.index.takeNewOrders());
    position = page[page.length - 1]?.position ?? position;
    await options.onPage?.(position);
  }
  if (!inserted) insert(lastOccurredAt ?? `${formatMonth(plan.from)}-01T00:00:00Z`);
  return {
    actual: { state: actual.state, alerts: actual.alerts },
    proposed: { state: proposed.state, alerts: proposed.alerts },
    position,
    plan,
  };
}
