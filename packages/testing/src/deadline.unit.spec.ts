import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline, waitUntil } from './deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('deadline', () => {
  it('given the system clock stepped an hour forward, then it has not passed, and says the step once it has', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const limit = deadline(30);
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(limit.passed()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(limit.passed()).toBe(true);
    expect(limit.elapsed()).toMatch(
      /^after \d+ ms \(the system clock moved 36000\d\d ms meanwhile: it was stepped\)$/,
    );
  });

  it('given no step, then it says only the time that passed', async () => {
    const limit = deadline(10);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(limit.elapsed()).toMatch(/^after \d+ ms$/);
  });
});

describe('waitUntil', () => {
  it('given the system clock stepped forward past the timeout, then it keeps waiting for the condition', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let checks = 0;
    const waiting = waitUntil(
      'the third check',
      () => {
        if (checks === 0) vi.setSystemTime(Date.now() + 3_600_000);
        return ++checks === 3;
      },
      1_000,
      5,
    );
    await expect(waiting).resolves.toBeUndefined();
    expect(checks).toBe(3);
  });

  it('given a condition that never holds, then it fails naming it and the time waited', async () => {
    await expect(
      waitUntil(
        () => 'the impossible',
        () => false,
        20,
        5,
      ),
    ).rejects.toThrow(/^timed out after \d+ ms waiting for the impossible$/);
  });
});
