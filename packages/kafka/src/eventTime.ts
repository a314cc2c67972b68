/**
 * The event time of an ERP input, as the ingress orders them (docs/kafka.md, "Event time"):
 * its `occurredAt` for every type — the instant the ERP (or the vendor's back office) says
 * the event happened, which is also what fixes its month (spec §1). A `PeriodClosed` is
 * ordered by its own `occurredAt` (never before its month's end: PERIOD_NOT_ENDED), not by
 * the month's end: channel events of the next month that happened before the close stay
 * before it, as they would in any pipeline that appends events when they happen.
 */
import { parseTimestamp } from '@chanperf/domain';

/** Epoch milliseconds (fraction kept below the millisecond) of `text`'s `occurredAt`, if valid. */
export function eventTimeOf(text: string): number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const at = (value as { occurredAt?: unknown }).occurredAt;
  if (typeof at !== 'string') return undefined;
  const instant = parseTimestamp(at);
  if (instant === undefined) return undefined;
  return instant.seconds * 1000 + (instant.fraction === '' ? 0 : Number(`0.${instant.fraction}`) * 1000);
}
