/**
 * Deadlines of the tests' waits, on the monotonic clock. A wait timed with `Date.now()` ends at
 * once when the system clock steps forward (NTP, a virtual machine resumed) and never when it
 * steps back; a deadline that passes says how far the wall clock moved meanwhile when that
 * differs from the time that passed, so a failure caused by a step says so.
 */

export interface Deadline {
  /** True once `ms` have passed on the monotonic clock since the deadline was set. */
  passed(): boolean;
  /** "after N ms", and the wall clock's move when it differs from N by more than a second. */
  elapsed(): string;
}

/** A deadline `ms` from now. */
export function deadline(ms: number): Deadline {
  const start = performance.now();
  const wallStart = Date.now();
  return {
    passed: () => performance.now() - start > ms,
    elapsed: () => {
      const took = Math.round(performance.now() - start);
      const wall = Date.now() - wallStart;
      return Math.abs(wall - took) > 1000
        ? `after ${took} ms (the system clock moved ${wall} ms meanwhile: it was stepped)`
        : `after ${took} ms`;
    },
  };
}

/**
 * Re-checks `condition` every `everyMs` until it holds; fails, saying `what`, once `timeoutMs`
 * has passed.
 */
export async function waitUntil(
  what: string | (() => string),
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  everyMs = 50,
): Promise<void> {
  const limit = deadline(timeoutMs);
  for (;;) {
    if (await condition()) return;
    if (limit.passed()) {
      throw new Error(`timed out ${limit.elapsed()} waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
