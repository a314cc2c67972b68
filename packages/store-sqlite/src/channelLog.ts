/**
 * The `ChannelLog` port over the log's `events` table: the events behind a channel's figures,
 * for `explain` and the channel's trainings. Only the fields they need are extracted, in SQL,
 * and rows are streamed, so a channel with a long history is not loaded into memory at once.
 *
 * It adds one index to the log (channel, position) with `CREATE INDEX IF NOT EXISTS`, which is
 * idempotent and does not change what the log reads or writes.
 */
import type { Database } from 'better-sqlite3';
import type { ChannelLog, MoneyRow, PromotionRow, TrainingRow } from '@chanperf/engine';

const MONEY_COLUMNS = `position, event_id AS eventId, type,
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

/** The channel log over the log's connection `db`. */
export function sqliteChannelLog(db: Database): ChannelLog {
  // Program events have no channel: the same index serves `channel_id IS NULL`.
  db.exec(`CREATE INDEX IF NOT EXISTS events_by_channel ON events (channel_id, position)`);
  const money = db.prepare<[string, number], MoneyRow>(
    `SELECT ${MONEY_COLUMNS} FROM events
     WHERE channel_id = ? AND position <= ? AND type IN ('SaleRecorded', 'SaleReturned')
     ORDER BY position`,
  );
  // Walks the channel's events backwards from `before`: the original sale is usually recent.
  const latestSale = db.prepare<[string, number, string, string], MoneyRow>(
    `SELECT ${MONEY_COLUMNS} FROM events
     WHERE channel_id = ? AND position < ? AND type = 'SaleRecorded'
       AND json_extract(payload, '$.data.orderId') = ? AND json_extract(payload, '$.data.sku') = ?
     ORDER BY position DESC LIMIT 1`,
  );
  const promotions = db.prepare<[number], PromotionDbRow>(
    `SELECT position, event_id AS eventId, payload FROM events
     WHERE channel_id IS NULL AND position <= ? AND type = 'PromotionScheduled'
     ORDER BY position`,
  );
  const trainings = db.prepare<[string, number], TrainingRow>(
    `SELECT position, event_id AS eventId,
       json_extract(payload, '$.occurredAt') AS occurredAt,
       json_extract(payload, '$.data.courseId') AS courseId,
       json_extract(payload, '$.data.traineeId') AS traineeId,
       json_extract(payload, '$.data.certification') AS certification
     FROM events
     WHERE channel_id = ? AND position <= ? AND type = 'TrainingCompleted'
     ORDER BY position`,
  );
  return {
    trainingEvents: (channelId, upTo) => trainings.iterate(channelId, upTo),
    moneyEvents: (channelId, upTo) => money.iterate(channelId, upTo),
    latestSaleBefore: (channelId, orderId, sku, before) => latestSale.get(channelId, before, orderId, sku),
    promotions: (upTo) =>
      promotions.all(upTo).map((r): PromotionRow => {
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
      }),
  };
}
