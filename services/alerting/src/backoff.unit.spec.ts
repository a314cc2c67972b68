import { describe, expect, it } from 'vitest';
import { budgetExhausted, retryDelayMs, type BackoffPolicy } from './backoff.js';

const policy = (random: number, overrides: Partial<BackoffPolicy> = {}): BackoffPolicy => ({
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  maxElapsedMs: 15 * 60_000,
  random: () => random,
  ...overrides,
});

describe('retry delays: exponential backoff with full jitter', () => {
  it('given the largest jitter, when attempts fail, then the ceiling doubles from the initial delay up to the cap', () => {
    const p = policy(0.999999);
    const delays = [1, 2, 3, 4, 8, 9, 50].map((n) => retryDelayMs(n, p));
    expect(delays).toEqual([199, 399, 799, 1599, 25_599, 29_999, 29_999]);
  });

  it('given no jitter, when any attempt fails, then the delay is zero (full jitter spans [0, ceiling))', () => {
    expect([1, 5, 40].map((n) => retryDelayMs(n, policy(0)))).toEqual([0, 0, 0]);
  });

  it('given half jitter, when attempt 3 fails, then the delay is half the ceiling', () => {
    expect(retryDelayMs(3, policy(0.5))).toBe(400);
  });
});

describe('the time budget', () => {
  it('given a budget, when the next attempt would start at or after its end, then delivery gives up', () => {
    const p = policy(0.5, { maxElapsedMs: 1000 });
    expect(budgetExhausted(500, 499, p)).toBe(false);
    expect(budgetExhausted(500, 500, p)).toBe(true);
  });

  it('given a budget of 0, when the first attempt fails, then delivery gives up (one attempt only)', () => {
    expect(budgetExhausted(0, 0, policy(0, { maxElapsedMs: 0 }))).toBe(true);
  });
});
