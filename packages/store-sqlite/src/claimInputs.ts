/**
 * (v2) The price-protection claim inputs in the read model (`rm_claim_inputs`), so the
 * projection's memory does not grow with every sale: each sale, return and inventory count is a
 * row written inside the batch's transaction, read back per channel and SKU when a report
 * builds a claim, or per order when a late return may restate one.
 */
import type { Database as DB } from 'better-sqlite3';
import {
  addClaimInput,
  emptySkuClaimInputs,
  type ClaimInputRecord,
  type ClaimInputStore,
  type Instant,
} from '@chanperf/domain';

/**
 * The claim inputs over the read model's connection (made again by each load, after a reset).
 * The table is appended to in log order (a rowid append a sale); its lookup index is made only
 * once a price change is projected (`lookupsAhead`, inside that batch's transaction): before
 * that nothing reads it, and a random-key index row for every sale was 13 % of a replay.
 */
export function sqliteClaimInputs(d: DB): ClaimInputStore {
  const s = {
    add: d.prepare<[string, string, string | null, string]>(
      `INSERT INTO rm_claim_inputs (channel_id, sku, order_id, body) VALUES (?, ?, ?, ?)`,
    ),
    of: d
      .prepare<[string, string], string>(
        `SELECT body FROM rm_claim_inputs WHERE channel_id = ? AND sku = ? ORDER BY seq`,
      )
      .pluck(),
    lastSale: d
      .prepare<[string, string, string], string>(
        `SELECT body FROM rm_claim_inputs WHERE channel_id = ? AND sku = ? AND order_id = ?
         AND json_extract(body, '$.kind') = 'sale' ORDER BY seq DESC LIMIT 1`,
      )
      .pluck(),
  };
  return {
    add(r) {
      s.add.run(r.channelId, r.sku, r.kind === 'count' ? null : r.orderId, JSON.stringify(r));
    },
    inputsOf(channelId, sku) {
      const rows = s.of.all(channelId, sku);
      if (rows.length === 0) return undefined;
      const inputs = emptySkuClaimInputs();
      for (const body of rows) addClaimInput(inputs, JSON.parse(body) as ClaimInputRecord);
      return inputs;
    },
    originalSaleAt(channelId, sku, orderId) {
      const body = s.lastSale.get(channelId, sku, orderId);
      if (body === undefined) return null;
      return (JSON.parse(body) as ClaimInputRecord & { occurredAt: Instant }).occurredAt;
    },
    lookupsAhead() {
      d.exec(`CREATE INDEX IF NOT EXISTS rm_claim_inputs_key ON rm_claim_inputs (channel_id, sku, order_id)`);
    },
  };
}
