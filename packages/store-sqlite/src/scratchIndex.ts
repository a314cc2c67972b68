/**
 * The as-of history builder's projection index (`AsOfBuildOptions.index` of `@chanperf/engine`)
 * in an anonymous temporary SQLite file: the read model's compact index (`projectionIndex.ts`:
 * ~12 bytes of memory a key, the keys themselves on disk) instead of a JavaScript set of every
 * order key, which was 210 of the 275 MB a 1M-event build kept alive. The file is the
 * builder's alone (a build that starts again starts a new one) and goes when it is closed.
 */
import { randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import type { BuilderIndex } from '@chanperf/engine';
import { SqliteProjectionIndex } from './projectionIndex.js';
import { indexStatements } from './readModelRows.js';
import { INDEX_TABLES } from './schema.js';

/**
 * A fresh, empty index in a temporary file (SQLite's: deleted when closed). `fingerprintBits`:
 * 32; fewer in tests, to force collisions.
 */
export function scratchProjectionIndex(fingerprintBits = 32): BuilderIndex {
  const db = new Database('');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE ix_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); ${INDEX_TABLES}`);
  db.prepare(`INSERT INTO ix_settings VALUES ('indexSeed', ?)`).run(String(randomInt(0x7fffffff)));
  const stmts = indexStatements(db, 'ix_settings');
  const index = new SqliteProjectionIndex(() => stmts, fingerprintBits);
  const flush = db.transaction(() => index.flush());
  return {
    addOrder: (channelId, month, orderId) => index.addOrder(channelId, month, orderId),
    takeNewOrders: () => index.takeNewOrders(),
    recordSale: (channelId, orderId, sku, bps) => index.recordSale(channelId, orderId, sku, bps),
    saleBonusBps: (channelId, orderId, sku) => index.saleBonusBps(channelId, orderId, sku),
    addCertification: (channelId, traineeId, month) => index.addCertification(channelId, traineeId, month),
    countCertified: (channelId, from, to) => index.countCertified(channelId, from, to),
    flush: () => flush(),
    close: () => db.close(),
  };
}
