/**
 * Retry timing for webhook delivery: exponential backoff with full jitter (AWS architecture
 * blog, "Exponential Backoff And Jitter"), bounded by a total time budget.
 */

export interface BackoffPolicy {
  /** Upper bound of the first delay; doubles with each failed attempt. */
  readonly initialDelayMs: number;
  /** Cap on the upper bound of any one delay. */
  readonly maxDelayMs: number;
  /** Time budget of one alert's delivery, counted from its first attempt in this process. */
  readonly maxElapsedMs: number;
  /** Uniform in [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: Omit<BackoffPolicy, 'random'> = {
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  maxElapsedMs: 15 * 60_000,
};

/**
 * The wait before attempt `failedAttempts + 1`: uniform in [0, min(cap, initial × 2^(n−1))).
 * Full jitter spreads the retries of many senders instead of synchronising them.
 */
export function retryDelayMs(failedAttempts: number, policy: BackoffPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Whether to give up rather than wait `delayMs` more: when the next attempt would start at or
 * after the end of the budget (so a budget of 0 means exactly one attempt).
 */
export function budgetExhausted(elapsedMs: number, delayMs: number, policy: BackoffPolicy): boolean {
  return elapsedMs + delayMs >= policy.maxElapsedMs;
}
