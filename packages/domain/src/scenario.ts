/**
 * A whole run of the rules in memory: inputs in log order → outcomes and the report. The
 * reference the engine's adapters are compared with, and the harness of the rule specs.
 * Same functions as the engine (validate, classify, evolve, buildReport); no I/O.
 */
import * as E from 'fp-ts/lib/Either.js';
import { classify, initialAcceptanceState } from './acceptance.js';
import { MonthClock } from './calendar.js';
import type { Alert, TierMovement } from './projection/alerts.js';
import { evolve } from './projection/evolve.js';
import {
  applyNewOrders,
  initialProjectionState,
  memoryProjectionIndex,
  type ProjectionState,
} from './projection/state.js';
import type { RejectionCode } from './rejection.js';
import { buildReport, type Counts, type RejectedReport, type Report } from './report.js';
import type { DeploymentSettings } from './settings.js';
import { EventValidator, isBlankLine, normalizeLine } from './validation.js';

export type ScenarioOutcome =
  | { readonly line: number; readonly status: 'accepted' | 'duplicate' | 'skipped' }
  | {
      readonly line: number;
      readonly status: 'rejected';
      readonly code: RejectionCode;
      readonly message: string;
    };

export interface ScenarioResult {
  readonly report: Report;
  readonly outcomes: ScenarioOutcome[];
  readonly state: ProjectionState;
}

/** Runs lines of NDJSON (or values, serialized) through every rule, in order. */
export function runScenario(
  inputs: readonly (string | object)[],
  settings: DeploymentSettings,
): ScenarioResult {
  const validator = new EventValidator(settings.minorDigits);
  const clock = new MonthClock(settings.timeZone);
  const acceptance = initialAcceptanceState();
  const contents = new Map<string, string>();
  const state = initialProjectionState();
  const alerts: Alert[] = [];
  const tierMovements: TierMovement[] = [];
  const ctx = {
    state,
    index: memoryProjectionIndex(),
    clock,
    minorDigits: settings.minorDigits,
    sink: { alert: (a: Alert) => alerts.push(a), tierMovement: (m: TierMovement) => tierMovements.push(m) },
  };
  const counts: Counts = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const rejected: RejectedReport[] = [];
  const outcomes: ScenarioOutcome[] = [];
  inputs.forEach((input, i) => {
    const line = i + 1;
    const text = typeof input === 'string' ? normalizeLine(input, i === 0) : JSON.stringify(input);
    if (isBlankLine(text)) {
      outcomes.push({ line, status: 'skipped' });
      return;
    }
    counts.lines++;
    const v = validator.validateText(text);
    const result = E.isLeft(v)
      ? ({ status: 'rejected', code: v.left.code, message: v.left.message } as const)
      : classify(
          acceptance,
          v.right.event,
          v.right.canonical,
          contents.get(v.right.event.eventId),
          settings.currency,
          clock,
        );
    if (result.status === 'rejected') {
      counts.rejected++;
      const eventId = E.isLeft(v) ? v.left.eventId : v.right.event.eventId;
      rejected.push({ line, eventId, code: result.code });
      outcomes.push({ line, status: 'rejected', code: result.code, message: result.message });
      return;
    }
    outcomes.push({ line, status: result.status });
    if (result.status === 'duplicate' || E.isLeft(v)) {
      counts.duplicates++;
      return;
    }
    counts.accepted++;
    contents.set(v.right.event.eventId, v.right.canonical);
    evolve(ctx, v.right.event);
    applyNewOrders(state, ctx.index.takeNewOrders());
  });
  return {
    report: buildReport(state, settings.minorDigits, { counts, alerts, tierMovements, rejected }),
    outcomes,
    state,
  };
}
