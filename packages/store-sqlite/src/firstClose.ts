/**
 * The one rule of a rebuild in parts that reads across the halves: the log's first close
 * starts at the earliest first month of every channel registered so far
 * (`CloseContext.firstCloseFrom`). Both halves reach that close at the same entry (a
 * program-wide one), each knowing its own channels' earliest month; they trade it through
 * shared memory there, and both start at the earlier of the two — what one thread holding
 * every channel would do, worked out from the same state, with nothing read ahead of time.
 * Every close sets the last closed month, so a half trades once.
 */
import type { Month } from '@chanperf/domain';

const READY = [0, 2] as const;
const MONTH = [1, 3] as const;
const STOPPED = 4;
const SLOTS = 5;

/** How long a half waits on the other at a time, between looks at the stop flag (ms). */
const WAIT_SLICE_MS = 100;

/** The memory the two halves of one build share. */
export function firstCloseMemory(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/**
 * Half `me`'s side of the trade: publishes its own month, waits for the other's and answers
 * the earlier. Throws when the build was stopped (`stopFirstClose`: the other half failed)
 * while it waited, and when asked twice (there is one first close).
 */
export function firstCloseTrade(memory: SharedArrayBuffer, me: 0 | 1): (own: Month) => Month {
  const slots = new Int32Array(memory);
  const other = me === 0 ? 1 : 0;
  let traded = false;
  return (own) => {
    if (traded) throw new Error('the first close was traded already');
    traded = true;
    Atomics.store(slots, MONTH[me], own);
    Atomics.store(slots, READY[me], 1);
    Atomics.notify(slots, READY[me]);
    while (Atomics.load(slots, READY[other]) === 0) {
      if (Atomics.load(slots, STOPPED) !== 0) throw new Error('the other part of the build stopped');
      Atomics.wait(slots, READY[other], 0, WAIT_SLICE_MS);
    }
    return Math.min(own, Atomics.load(slots, MONTH[other]));
  };
}

/** Stops the trade: a half waiting for the other throws instead of waiting on. */
export function stopFirstClose(memory: SharedArrayBuffer): void {
  const slots = new Int32Array(memory);
  Atomics.store(slots, STOPPED, 1);
  for (const ready of READY) Atomics.notify(slots, ready);
}
