/**
 * The pause before a failed part (the ERP consumer, the projection thread) is started again:
 * doubling from `baseMs` up to `maxMs` while it keeps failing, and back to `baseMs` once it has
 * run `resetAfterMs` without failing. Without the reset, a process that lived through a few
 * failures over weeks waited the longest pause after every later one.
 */
export class RestartBackoff {
  private consecutive = 0;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs = 30_000,
    private readonly resetAfterMs = 60_000,
  ) {}

  /** The pause before the next start, for a failure at `now` (ms, a monotonic clock). */
  next(now: number = performance.now()): number {
    if (now - this.lastFailureAt >= this.resetAfterMs) this.consecutive = 0;
    this.lastFailureAt = now;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.consecutive, 30));
    this.consecutive++;
    return delay;
  }
}
