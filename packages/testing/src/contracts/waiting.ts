/**
 * Waiting on conditions, never on time: a condition is re-checked after yielding to the event
 * loop (so I/O and timers of the adapter run), until it holds or a deadline passes.
 */
import { setImmediate as yieldToLoop, setTimeout as backOff } from 'node:timers/promises';
import { EngineError } from '@chanperf/engine';
import { deadline } from '../deadline.js';

/** Re-evaluates `check` until it returns true; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs: number,
): Promise<void> {
  const limit = deadline(timeoutMs);
  for (;;) {
    if (await check()) return;
    if (limit.passed()) throw new Error(`timed out ${limit.elapsed()}: ${describe()}`);
    await yieldToLoop();
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof EngineError && err.retriable;
}

/**
 * Runs `call` until it succeeds, retrying retriable `EngineError`s (a server restarting) and
 * rethrowing anything else; fails after `timeoutMs`. The condition waited on is the call's
 * success; the growing pause between tries (1 ms doubling to 100 ms) only keeps a client from
 * spinning on a server that is down.
 */
export async function retrying<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  const limit = deadline(timeoutMs);
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isRetriable(err) || limit.passed()) throw err;
      await backOff(Math.min(100, 2 ** attempt));
    }
  }
}
