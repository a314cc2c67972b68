/**
 * The log as one part of a rebuild in parts sees it (`partsBuild.ts`): every program-wide entry
 * (no channel), and the entries of the channels in one range of ids, up to a fixed position.
 * The other channels' rows are skipped by SQLite on their `channel_id`: never read into a
 * string, never parsed.
 */
import type { Database as DB, Statement } from 'better-sqlite3';
import type { Feed, LazyBatch, LogEntry } from '@chanperf/engine';

/**
 * Channel ids `from` ≤ id < `below` (absent: unbounded), in SQLite's order of text (its bytes'
 * order): the parts' ranges must cover every id once, in the order the database compares them.
 */
export interface ChannelRange {
  readonly from: string | null;
  readonly below: string | null;
}

/** Rows a chunk reads (as `SqliteEventLog.readBatch` does: a chunk's payloads die young). */
const CHUNK_ROWS = 1000;

/** The condition that `channel_id` is in a range; its parameters are `inRangeArgs(range)`. */
export const IN_RANGE = `(? IS NULL OR channel_id >= ?) AND (? IS NULL OR channel_id < ?)`;

type InRangeArgs = [string | null, string | null, string | null, string | null];

export function inRangeArgs({ from, below }: ChannelRange): InRangeArgs {
  return [from, from, below, below];
}

const WHERE = `position > ? AND position <= ? AND (channel_id IS NULL OR (${IN_RANGE}))`;

type RangeArgs = [number, number, ...InRangeArgs];

export class PartFeed implements Feed {
  /** The position of the entry handed out last (the one being applied while a batch is iterated). */
  position = 0;
  private readonly payloads: Statement<[...RangeArgs, number], [number, string]>;
  private readonly entries: Statement<[...RangeArgs, number], LogEntry>;

  constructor(
    db: DB,
    private readonly range: ChannelRange,
    /** The part ends here, however far the log goes on. */
    private readonly upTo: number,
  ) {
    this.payloads = db
      .prepare<[...RangeArgs, number], [number, string]>(
        `SELECT position, payload FROM events WHERE ${WHERE} ORDER BY position LIMIT ?`,
      )
      .raw();
    this.entries = db.prepare<[...RangeArgs, number], LogEntry>(
      `SELECT position, event_id AS eventId, type, channel_id AS channelId, payload
         FROM events WHERE ${WHERE} ORDER BY position LIMIT ?`,
    );
  }

  private args(after: number, last: number): RangeArgs {
    return [after, last, ...inRangeArgs(this.range)];
  }

  /** This part's entries among positions `after + 1 …` (the runner reads by `readBatch`). */
  read(after: number, limit: number): Promise<LogEntry[]> {
    const last = Math.max(after, Math.min(after + limit, this.upTo));
    return Promise.resolve(this.entries.all(...this.args(after, last), limit));
  }

  /** A batch of positions `after + 1 … last`: this part's entries among them. */
  readBatch(after: number, limit: number): LazyBatch {
    const last = Math.max(after, Math.min(after + limit, this.upTo));
    return { last, payloads: this.chunks(after, last) };
  }

  private *chunks(after: number, last: number): Generator<string> {
    for (let from = after; ;) {
      const rows = this.payloads.all(...this.args(from, last), CHUNK_ROWS);
      for (const [position, payload] of rows) {
        this.position = position;
        yield payload;
      }
      if (rows.length < CHUNK_ROWS) return;
      from = this.position;
    }
  }
}
