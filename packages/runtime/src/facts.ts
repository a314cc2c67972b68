/**
 * Derived facts: what the projection tells the other services (and, in distributed mode,
 * the `chanperf.performance.v1` topic) after each committed batch.
 */
import { EventEmitter } from 'node:events';
import { formatMonth, type Alert, type TierMovement } from '@chanperf/domain';
import type { ProjectionOutputs } from '@chanperf/engine';

export type DerivedFact =
  | {
      readonly kind: 'MonthFiguresChanged';
      readonly channelId: string;
      readonly month: string;
      readonly position: number;
    }
  | { readonly kind: 'MonthClosed'; readonly month: string; readonly position: number }
  | { readonly kind: 'AlertRaised'; readonly alert: Alert; readonly position: number }
  | { readonly kind: 'TierChanged'; readonly movement: TierMovement; readonly position: number };

export interface FactBusEvents {
  /** New events were appended to the log up to `position`. */
  appended: [position: number];
  /** The projection committed a batch up to `position`; `facts` is what it derived. */
  projected: [position: number, facts: readonly DerivedFact[]];
}

/** The in-process bus between the services of one `chanperf serve`. */
export class FactBus extends EventEmitter<FactBusEvents> {
  constructor() {
    super();
    this.setMaxListeners(1000); // one per open live stream
  }
}

/**
 * The facts a committed projection batch derived, in a stable order. `MonthClosed` only when the
 * batch moved the last closed month past `closedBefore` (the last closed month this process
 * has announced; undefined before its first batch, when it is announced once).
 */
export function derivedFacts(
  outputs: ProjectionOutputs,
  position: number,
  closedBefore?: number | null,
): DerivedFact[] {
  const facts: DerivedFact[] = outputs.changedMonths
    .map((c) => ({ channelId: c.channelId, month: formatMonth(c.month) }))
    .sort((a, b) =>
      a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : a.month < b.month ? -1 : 1,
    )
    .map((c) => ({ kind: 'MonthFiguresChanged' as const, ...c, position }));
  if (outputs.lastClosed !== null && outputs.lastClosed !== closedBefore)
    facts.push({ kind: 'MonthClosed', month: formatMonth(outputs.lastClosed), position });
  for (const movement of outputs.tierMovements) facts.push({ kind: 'TierChanged', movement, position });
  for (const alert of outputs.alerts) facts.push({ kind: 'AlertRaised', alert, position });
  return facts;
}
