/**
 * The delivery ledger (the engine's `DeliveryLedger` port) in the log's file: what happened to
 * each alert, by its deterministic id.
 *
 * The table is deliberately not prefixed `rm_`: the read model can be dropped and rebuilt
 * (alert seqs restart, ids stay the same) and the ledger must survive that, or a rebuild would
 * re-send every alert. Every write commits on return.
 */
import type { Database } from 'better-sqlite3';
import type { DeliveryLedger, DeliveryStatus } from '@chanperf/engine';

interface Row {
  alert_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

/** The delivery ledger over the log's connection `db` (creates its table when missing). */
export function sqliteDeliveryLedger(db: Database): DeliveryLedger {
  db.exec(`CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id TEXT PRIMARY KEY, status TEXT, attempts INTEGER, last_error TEXT, delivered_at TEXT
  )`);
  const select = db.prepare<[string], Row>(`SELECT * FROM alert_deliveries WHERE alert_id = ?`);
  const insert = db.prepare<[string, string, string | null]>(
    `INSERT OR IGNORE INTO alert_deliveries VALUES (?, ?, 0, NULL, ?)`,
  );
  const attemptFailed = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ? WHERE alert_id = ?`,
  );
  const delivered = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?
     WHERE alert_id = ?`,
  );
  const givenUp = db.prepare<[string, string]>(
    `UPDATE alert_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?
     WHERE alert_id = ?`,
  );
  const insertAll = db.transaction((alertIds: readonly string[], status: string, at: string | null) => {
    for (const alertId of alertIds) insert.run(alertId, status, at);
  });
  const redrive = db.prepare(`UPDATE alert_deliveries SET status = 'pending' WHERE status = 'failed'`);

  const expectOne = (changes: number, alertId: string) => {
    if (changes !== 1) throw new Error(`alert_deliveries has no record of ${alertId}`);
  };
  return {
    get(alertId) {
      const row = select.get(alertId);
      return row === undefined
        ? undefined
        : {
            alertId: row.alert_id,
            status: row.status,
            attempts: row.attempts,
            lastError: row.last_error,
            deliveredAt: row.delivered_at,
          };
    },
    recordLogged(alertId, status, at) {
      insert.run(alertId, status, status === 'logged' ? at : null);
    },
    recordAllLogged(alertIds, status, at) {
      insertAll(alertIds, status, status === 'logged' ? at : null);
    },
    recordAttemptFailed(alertId, error) {
      expectOne(attemptFailed.run(error, alertId).changes, alertId);
    },
    recordDelivered(alertId, at) {
      expectOne(delivered.run(at, alertId).changes, alertId);
    },
    recordGivenUp(alertId, error) {
      expectOne(givenUp.run(error, alertId).changes, alertId);
    },
    redriveFailed() {
      return redrive.run().changes;
    },
  };
}
