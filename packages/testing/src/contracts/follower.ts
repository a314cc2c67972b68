/**
 * A subscriber as the engine has one: the projection runner catching up on a Feed, into an
 * in-memory read model, in a loop. A spy on the Feed records every entry the runner was given,
 * so a suite can check it saw each entry once and in order, and the read model shows each
 * sale's effect was applied once.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { defaultSettings, parseMonth, type ProjectionState } from '@chanperf/domain';
import { InMemoryReadStore, ProjectionRunner, type Feed, type LogEntry } from '@chanperf/engine';
import { isRetriable, waitUntil } from './waiting.js';

/**
 * The feed, failing on an answer that breaks `read`'s contract (a position not after `after`,
 * out of order, or more than `limit` entries): the projection runner would otherwise read the
 * same entries forever, and a suite would hang instead of failing.
 */
export function checkedFeed(feed: Feed): Feed {
  return {
    read: async (after, limit) => {
      const entries = await feed.read(after, limit);
      let last = after;
      for (const e of entries) {
        if (e.position <= last)
          throw new Error(`read(${after}, ${limit}) returned position ${e.position} after ${last}`);
        last = e.position;
      }
      if (entries.length > limit)
        throw new Error(`read(${after}, ${limit}) returned ${entries.length} entries`);
      return entries;
    },
  };
}

export class Follower {
  /** Every entry handed to the runner, in the order it got them. */
  readonly seen: LogEntry[] = [];
  readonly runner: ProjectionRunner;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    feed: Feed,
    readonly store = new InMemoryReadStore(),
    batchSize = 7,
  ) {
    const checked = checkedFeed(feed);
    const spy: Feed = {
      read: async (after, limit) => {
        const entries = await checked.read(after, limit);
        this.seen.push(...entries);
        return entries;
      },
    };
    this.runner = new ProjectionRunner(spy, store, defaultSettings, { batchSize });
  }

  get position(): number {
    return this.runner.checkpoint;
  }

  /** Starts catching up in a loop until `stop()`; retriable failures are retried. */
  start(): this {
    this.loop ??= (async () => {
      while (!this.stopped) {
        try {
          await this.runner.catchUp();
        } catch (err) {
          if (!isRetriable(err)) {
            this.failure = err;
            return;
          }
        }
        await yieldToLoop();
      }
    })();
    return this;
  }

  /** Waits until the runner has applied `position` (the loop must be running). */
  async reach(position: number, timeoutMs: number): Promise<void> {
    await waitUntil(
      () => {
        this.rethrow();
        return this.runner.checkpoint >= position;
      },
      () => `the follower is at ${this.runner.checkpoint}, waiting for ${position}`,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.rethrow();
  }

  private rethrow(): void {
    const f = this.failure;
    if (f !== undefined) throw f instanceof Error ? f : new Error('the follower failed', { cause: f });
  }

  /** The follower's projection state. */
  state(): Promise<ProjectionState> {
    return this.runner.current();
  }
}

/** January 2026 net sales of a channel in the follower's read model, in minor units. */
export async function januarySales(follower: Follower, channelId: string): Promise<bigint | undefined> {
  const state = await follower.state();
  return state.channels.get(channelId)?.months.get(parseMonth('2026-01') ?? 0)?.sales;
}
