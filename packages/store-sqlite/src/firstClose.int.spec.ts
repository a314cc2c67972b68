/**
 * The halves' first-close trade (`firstClose.ts`) between two threads, as a rebuild in parts
 * makes it: the other half runs the compiled module in a worker thread.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { firstCloseMemory, firstCloseTrade, stopFirstClose } from './firstClose.js';
import { builtWorker } from './builtWorker.js';

/** Half 1's trade of `own` on a thread of its own: the month it answered, or its error. */
function otherHalf(memory: SharedArrayBuffer, own: number): Promise<{ month?: number; error?: string }> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.url).then(({ firstCloseTrade }) => {
       try { parentPort.postMessage({ month: firstCloseTrade(workerData.memory, 1)(workerData.own) }); }
       catch (err) { parentPort.postMessage({ error: err.message }); }
     });`,
    { eval: true, workerData: { url: builtWorker('firstClose').href, memory, own } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { month?: number; error?: string }) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

describe('the first-close trade between the parts of a rebuild', () => {
  it('answers both halves the earlier of their months, whichever half comes first', async () => {
    for (const [mine, theirs] of [
      [24_300, 24_290],
      [24_280, 24_290],
    ] as const) {
      const memory = firstCloseMemory();
      const other = otherHalf(memory, theirs);
      // This thread waits at its close until the other half, still starting, gets to its own.
      expect(firstCloseTrade(memory, 0)(mine)).toBe(Math.min(mine, theirs));
      expect(await other).toStrictEqual({ month: Math.min(mine, theirs) });
    }
  });

  it('stops a half that would wait for the other once the build stops, and trades once', async () => {
    const memory = firstCloseMemory();
    // Half 0 never comes (its part failed): the build stops the trade.
    stopFirstClose(memory);
    expect(await otherHalf(memory, 24_290)).toStrictEqual({ error: 'the other part of the build stopped' });

    const alone = firstCloseMemory();
    stopFirstClose(alone);
    const trade = firstCloseTrade(alone, 0);
    expect(() => trade(24_300)).toThrow('the other part of the build stopped');
    expect(() => trade(24_300)).toThrow('the first close was traded already');
  });
});
