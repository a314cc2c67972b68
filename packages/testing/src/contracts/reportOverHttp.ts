/** What a report built from events posted over HTTP must share with a spec example's report. */
import { expect } from 'vitest';

/** The parts of a spec §7 report that this comparison reads. */
export interface ComparableReport {
  readonly channels: readonly unknown[];
  readonly program: unknown;
  readonly tierMovements: readonly unknown[];
  readonly alerts: readonly unknown[];
  readonly lastClosedMonth: string | null;
  readonly counts: unknown;
  readonly rejected: readonly { readonly eventId: string | null; readonly code: string }[];
}

/**
 * Asserts that `actual` equals `expected` in every section; the rejected inputs are compared by
 * eventId and code only, since over HTTP a line number counts within its request body.
 */
export function expectReportOverHttp(actual: ComparableReport, expected: ComparableReport): void {
  expect(actual.channels).toEqual(expected.channels);
  expect(actual.program).toEqual(expected.program);
  expect(actual.tierMovements).toEqual(expected.tierMovements);
  expect(actual.alerts).toEqual(expected.alerts);
  expect(actual.lastClosedMonth).toBe(expected.lastClosedMonth);
  expect(actual.counts).toEqual(expected.counts);
  const strip = (list: ComparableReport['rejected']) => list.map(({ eventId, code }) => ({ eventId, code }));
  expect(strip(actual.rejected)).toEqual(strip(expected.rejected));
}
