/**
 * The `ChannelLog` port over the log's `events` table: the events behind a channel's figures,
 * for `explain` and the channel's trainings. Only the fields they need are extracted, in SQL,
 * and rows are streamed, so a channel with a long history is not loaded into memory at once.
 *
 * The log keeps no index in channel order on its append path: an index on `events (channel_id,
 * position)` made every append insert into a B-tree in channel order, dirtying a page per
 * channel in every commit (serve's HTTP ingest was 1.18× faster without it,
 * docs/performance.md). The readers keep `channel_positions` instead, a (channel, position) row
 * per event (program events under ''), caught up to the position a read asks about: the rows
 * appended since, in channel order, `CHUNK` positions a transaction. A read at a position
 * already covered writes nothing.
 */
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import type { ChannelLog, MoneyRow, PromotionRow, TrainingRow } from '@chanperf/engine';

const MONEY_COLUMNS = `c.position, event_id AS eventId, type,
  json_extract(payload, '$.occurredAt') AS occurredAt,
  json_extract(payload, '$.data.orderId') AS orderId,
  json_extract(payload, '$.data.sku') AS sku,
  json_extract(payload, '$.data.quantity') AS quantity,
  json_extract(payload, '$.data.netAmount') AS netAmount`;

interface PromotionDbRow {
  position: number;
  eventId: string;
  payload: string;
}

interface PromotionPayload {
  data: {
    promotionId: string;
    startsAt: string;
    endsAt: string;
    bonusBps: number;
    skus?: string[];
    channelIds?: string[];
  };
}

/** Positions caught up in one transaction (its rows sorted in memory, then written in order). */
const CHUNK = 100_000;
/** Positions `caughtUp` writes between two turns of the event loop (~30 ms here). */
const SLICE = 10_000;

interface ChannelRows {
  /** Makes `channel_positions` hold every event with position ≤ upTo (or the log's head, if lower). */
  readonly cover: (upTo: number) => void;
  /** One transaction of at most `max` positions towards `upTo`; answers whether it is covered. */
  readonly coverSome: (upTo: number, max: number) => boolean;
}

/** Creates `channel_positions` (dropping the index of earlier versions) and keeps it. */
function channelRows(db: Database, chunk: number): ChannelRows {
  db.exec(`
    DROP INDEX IF EXISTS events_by_channel;
    CREATE TABLE IF NOT EXISTS channel_positions (
      channel_id TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (channel_id, position)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS channel_positions_head (
      id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO channel_positions_head VALUES (1, 0);
  `);
  const covered = db.prepare<[], number>(`SELECT position FROM channel_positions_head`).pluck();
  const logHead = db.prepare<[], number>(`SELECT COALESCE(MAX(position), 0) FROM events`).pluck();
  const addRows = db.prepare<[number, number]>(
    `INSERT INTO channel_positions
     SELECT COALESCE(channel_id, ''), position FROM events WHERE position > ? AND position <= ?
     ORDER BY 1, 2`,
  );
  const setCovered = db.prepare<[number]>(`UPDATE channel_positions_head SET position = ?`);
  // IMMEDIATE: the writer's lock first, so no append commits between reading the head and
  // writing what it covers (positions are gap-free and assigned under that lock).
  // Answers whether more is left to cover.
  const catchUpOnce = db.transaction((upTo: number, max: number): boolean => {
    const from = covered.get() ?? 0;
    const to = Math.min(upTo, logHead.get() ?? 0, from + max);
    if (to <= from) return false;
    addRows.run(from, to);
    setCovered.run(to);
    return to < upTo;
  });
  // What this connection last saw covered: it only grows, so a read at or below it runs no
  // statement (nor one beside an iterator still open on the connection).
  let known = 0;
  const coverSome = (upTo: number, max: number): boolean => {
    if (known >= upTo) return true;
    known = covered.get() ?? 0;
    if (known >= upTo) return true;
    const more = catchUpOnce.immediate(upTo, max);
    known = covered.get() ?? 0;
    return !more;
  };
  return {
    cover: (upTo) => {
      while (!coverSome(upTo, chunk));
    },
    coverSome,
  };
}

/** The channel log over the log's connection `db` (`chunk`: positions a catch-up transaction). */
export function sqliteChannelLog(db: Database, chunk = CHUNK): ChannelLog {
  const rows = channelRows(db, chunk);
  const cover = rows.cover;
  const money = db.prepare<[string, number], MoneyRow>(
    `SELECT ${MONEY_COLUMNS} FROM channel_positions c JOIN events e ON e.position = c.position
     WHERE c.channel_id = ? AND c.position <= ? AND type IN ('SaleRecorded', 'SaleReturned')
     ORDER BY c.position`,
  );
  // Walks the channel's events backwards from `before`: the original sale is usually recent.
  const latestSale = db.prepare<[string, number, string, string], MoneyRow>(
    `SELECT ${MONEY_COLUMNS} FROM channel_positions c JOIN events e ON e.position = c.position
     WHERE c.channel_id = ? AND c.position < ? AND type = 'SaleRecorded'
       AND json_extract(payload, '$.data.orderId') = ? AND json_extract(payload, '$.data.sku') = ?
     ORDER BY c.position DESC LIMIT 1`,
  );
  const promotions = db.prepare<[number], PromotionDbRow>(
    `SELECT c.position, event_id AS eventId, payload
     FROM channel_positions c JOIN events e ON e.position = c.position
     WHERE c.channel_id = '' AND c.position <= ? AND type = 'PromotionScheduled'
     ORDER BY c.position`,
  );
  const trainings = db.prepare<[string, number], TrainingRow>(
    `SELECT c.position, event_id AS eventId,
       json_extract(payload, '$.occurredAt') AS occurredAt,
       json_extract(payload, '$.data.courseId') AS courseId,
       json_extract(payload, '$.data.traineeId') AS traineeId,
       json_extract(payload, '$.data.certification') AS certification
     FROM channel_positions c JOIN events e ON e.position = c.position
     WHERE c.channel_id = ? AND c.position <= ? AND type = 'TrainingCompleted'
     ORDER BY c.position`,
  );
  return {
    caughtUp: async (upTo) => {
      while (!rows.coverSome(upTo, Math.min(chunk, SLICE))) await setImmediatePromise();
    },
    trainingEvents: (channelId, upTo) => {
      cover(upTo);
      return trainings.iterate(channelId, upTo);
    },
    moneyEvents: (channelId, upTo) => {
      cover(upTo);
      return money.iterate(channelId, upTo);
    },
    latestSaleBefore: (channelId, orderId, sku, before) => {
      cover(before - 1);
      return latestSale.get(channelId, before, orderId, sku);
    },
    promotions: (upTo) => {
      cover(upTo);
      return promotions.all(upTo).map((r): PromotionRow => {
        const d = (JSON.parse(r.payload) as PromotionPayload).data;
        return {
          position: r.position,
          eventId: r.eventId,
          promotionId: d.promotionId,
          startsAt: d.startsAt,
          endsAt: d.endsAt,
          bonusBps: d.bonusBps,
          skus: d.skus ?? null,
          channelIds: d.channelIds ?? null,
        };
      });
    },
  };
}
