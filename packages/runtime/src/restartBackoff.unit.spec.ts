import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restartBackoff.js';

describe('RestartBackoff', () => {
  it('given failures in a row, then the pause doubles up to its bound', () => {
    const b = new RestartBackoff(500, 30_000, 60_000);
    const pauses = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => b.next(i * 1000));
    expect(pauses).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('given a part that ran longer than the reset time since its last failure, then the next pause is the first again', () => {
    const b = new RestartBackoff(500, 30_000, 60_000);
    for (let i = 0; i < 8; i++) b.next(i * 1000);
    expect(b.next(7000 + 60_000)).toBe(500);
    expect(b.next(7000 + 60_500)).toBe(1000);
    expect(b.next(7000 + 60_500 + 59_999)).toBe(2000); // not yet a minute without failing
  });
});
