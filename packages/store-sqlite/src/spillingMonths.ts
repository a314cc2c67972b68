/**
 * A channel's months with only the recent ones in memory. The rules read the open months and
 * the last two closed ones (growth: M and M−1; the quarterly review: M−2…M); older months are read
 * again only by a late event, the report and the queries. Once saved, months older than the
 * last closed month − 1 leave memory and are read back from `rm_months` on demand, so the
 * projection's memory follows partners × a few months instead of partners × every month.
 */
import type { Month, MonthFacts } from '@chanperf/domain';

/**
 * Months below the last closed month − this + 1 are kept on disk once saved: closing month
 * M = last closed + 1 reads M − 2 (the quarterly review) and M − 1 (growth).
 */
export const HOT_CLOSED_MONTHS = 2;

/** Where the months that left memory are read from. */
export interface ColdMonths {
  /** Months below this have left memory once saved; every month from it on is in memory. */
  readonly below: number;
  /** A month below `below`, as last saved (a fresh copy; undefined when it has no facts). */
  read(channelId: string, month: Month): MonthFacts | undefined;
}

export class SpillingMonths extends Map<Month, MonthFacts> {
  /** `held`: the months the channel has in memory already (a channel new since the load). */
  constructor(
    private readonly channelId: string,
    private readonly cold: ColdMonths,
    held?: ReadonlyMap<Month, MonthFacts>,
  ) {
    super(held);
  }

  override get(month: Month): MonthFacts | undefined {
    const facts = super.get(month);
    if (facts !== undefined || month >= this.cold.below) return facts;
    return this.cold.read(this.channelId, month);
  }

  override has(month: Month): boolean {
    return this.get(month) !== undefined;
  }

  /** Forgets the months below `below` (they must be saved). */
  evictBelow(below: Month): void {
    for (const month of [...this.keys()]) if (month < below) this.delete(month);
  }
}

/**
 * The months that left memory, read one channel at a time (the report and the program KPIs go
 * channel by channel) and kept for the last channel read, until the next eviction.
 */
export class ColdMonthsReader implements ColdMonths {
  below = Number.NEGATIVE_INFINITY;
  private last: { readonly channelId: string; readonly months: Map<Month, MonthFacts> } | undefined;

  constructor(private readonly readChannel: (channelId: string, below: Month) => Map<Month, MonthFacts>) {}

  read(channelId: string, month: Month): MonthFacts | undefined {
    if (this.last?.channelId !== channelId) {
      this.last = { channelId, months: this.readChannel(channelId, this.below) };
    }
    return this.last.months.get(month);
  }

  /** Months below `below` leave memory from now on; what was read before may be stale. */
  moveTo(below: Month): void {
    if (below > this.below) this.below = below;
    this.forget();
  }

  /** Drops the channel read last: a month of it was saved since. */
  forget(): void {
    this.last = undefined;
  }
}
