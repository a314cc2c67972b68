/**
 * The embedded database: SQLite files (WAL). PATH holds the event log, the rejected store
 * and the ingestion and delivery ledgers; a read model file (PATH-readmodel, or its twin beside
 * it: readModels.ts), on its own connection, holds the read model and its checkpoint.
 * Read-model tables start with `rm_` and are disposable: `resetReadModel` drops them and a
 * replay of the log rebuilds them. Two files have two writer locks, so the ingestion (appending
 * to the log) and the projection (writing the read model) can commit at the same time from two
 * threads; each transaction writes one file only.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { ChannelProjection } from '@chanperf/domain';
import { CHANNEL_PERFORMANCE } from '@chanperf/domain/rules';

/**
 * The projection index's tables (`projectionIndex.ts`), in a read model and in the as-of
 * builder's scratch file (`scratchIndex.ts`).
 */
export const INDEX_TABLES = `
    -- the order and sale indexes' keys (keyChunks.ts): rows of up to 256 keys numbered from
    -- first, appended per batch; the keys' hashes fill the in-memory tables at load
    CREATE TABLE IF NOT EXISTS rm_order_keys (
      first INTEGER PRIMARY KEY, hashes BLOB NOT NULL, vals BLOB,
      ends BLOB NOT NULL, keys BLOB NOT NULL, wide INTEGER NOT NULL
    );
    -- only sales with a bonus bps, and those whose later sale replaced one (absent: no bonus)
    CREATE TABLE IF NOT EXISTS rm_sale_keys (
      first INTEGER PRIMARY KEY, hashes BLOB NOT NULL, vals BLOB,
      ends BLOB NOT NULL, keys BLOB NOT NULL, wide INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rm_sale_key_updates (
      seq INTEGER PRIMARY KEY, refs BLOB NOT NULL, vals BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rm_certs (
      channel_id TEXT NOT NULL, trainee_id TEXT NOT NULL, month INTEGER NOT NULL,
      PRIMARY KEY (channel_id, trainee_id, month)
    ) WITHOUT ROWID;`;

/** Creates the log's tables; answers the log's identity. */
export function migrate(db: Database): string {
  db.exec(`
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS events (
      position   INTEGER PRIMARY KEY,
      -- unique, enforced through the in-memory index (eventIdIndex.ts): a unique index on
      -- this text cost 7 µs an append in random key order
      event_id   TEXT NOT NULL,
      type       TEXT NOT NULL,
      channel_id TEXT,
      payload    TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS acceptance_facts (
      kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS rejected (
      id       INTEGER PRIMARY KEY,
      source   TEXT NOT NULL,
      line     INTEGER,
      event_id TEXT,
      code     TEXT NOT NULL,
      message  TEXT NOT NULL,
      raw      BLOB NOT NULL,
      status   TEXT NOT NULL DEFAULT 'open'
    );
    CREATE TABLE IF NOT EXISTS ingest_counts (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      lines INTEGER NOT NULL, accepted INTEGER NOT NULL,
      duplicates INTEGER NOT NULL, rejected INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO ingest_counts VALUES (1, 0, 0, 0, 0);
    CREATE TABLE IF NOT EXISTS sources (
      key TEXT PRIMARY KEY, offset INTEGER NOT NULL, line INTEGER NOT NULL,
      -- sha256 (hex) of the file's bytes before offset: a resume checks them (NULL: not known)
      prefix_sha256 TEXT
    );
  `);
  addSourcePrefixHash(db);
  // Before version 3 the read model lived in the log's file: those tables are dropped (the
  // projection rebuilds them in the read-model file from the log).
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'rm_checkpoint'`).get() !== undefined) {
    dropTables(db);
  }
  // The log's identity, so a read-model file left beside a different (e.g. recreated) log is
  // not taken for its projection.
  db.prepare(`INSERT OR IGNORE INTO settings VALUES ('logId', ?)`).run(randomUUID());
  return db.prepare(`SELECT value FROM settings WHERE key = 'logId'`).pluck().get() as string;
}

/**
 * Logs made before the sources table had `prefix_sha256` get the column (NULL: their
 * checkpoints are resumed unverified). Another process may add it at the same moment.
 */
function addSourcePrefixHash(db: Database): void {
  const columns = db.prepare(`PRAGMA table_info(sources)`).all() as { name: string }[];
  if (columns.some((c) => c.name === 'prefix_sha256')) return;
  try {
    db.exec(`ALTER TABLE sources ADD COLUMN prefix_sha256 TEXT`);
  } catch (err) {
    if (!/duplicate column name/i.test((err as Error).message)) throw err;
  }
}

/** What `migrateReadModel` found: `stale` is a read model of another version, left as it was. */
type ReadModelFound = 'made' | 'stale';

/**
 * Creates the read model's tables in their own file, emptied if made by another log, or by
 * another version of `projection` unless `keepStale` (then it is left untouched: `stale`).
 */
export function migrateReadModel(
  rm: Database,
  logId: string,
  projection: ChannelProjection = CHANNEL_PERFORMANCE,
  keepStale = false,
): ReadModelFound {
  rm.exec(`CREATE TABLE IF NOT EXISTS rm_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const readSetting = rm.prepare<[string], string>(`SELECT value FROM rm_settings WHERE key = ?`).pluck();
  const version = readSetting.get('readModelVersion');
  const projectedLog = readSetting.get('logId');
  const otherVersion = version !== undefined && Number(version) !== projection.version;
  if (projectedLog !== undefined && projectedLog !== logId) resetReadModel(rm);
  else if (otherVersion && keepStale) return 'stale';
  else if (otherVersion) resetReadModel(rm);
  rm.exec(`
    CREATE TABLE IF NOT EXISTS rm_checkpoint (
      id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rm_global (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS rm_channels (channel_id TEXT PRIMARY KEY, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS rm_months (
      channel_id TEXT NOT NULL, month INTEGER NOT NULL,
      -- sums are exact integers of any size, kept as decimal text
      sales TEXT NOT NULL, returns TEXT NOT NULL, orders INTEGER NOT NULL,
      units_sold TEXT NOT NULL, units_returned TEXT NOT NULL, sale_count INTEGER NOT NULL,
      promo_numerator TEXT NOT NULL, restated INTEGER NOT NULL, trainings INTEGER NOT NULL,
      satisfaction_points TEXT NOT NULL, satisfaction_respondents TEXT NOT NULL,
      surveys INTEGER NOT NULL,
      PRIMARY KEY (channel_id, month)
    ) WITHOUT ROWID;
    -- (v2) price-protection claim inputs (sales, returns, inventory counts) in log order, one
    -- typed row an input, from the first price change on (the ones before it read from the log
    -- then), with the index (channel_id, sku, order_id); before it only their count, in
    -- rm_settings (claimInputs.ts)
    CREATE TABLE IF NOT EXISTS rm_claim_inputs (
      seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, channel_id TEXT NOT NULL, sku TEXT NOT NULL,
      order_id TEXT, event_id TEXT NOT NULL, n INTEGER NOT NULL, at_seconds INTEGER,
      at_fraction TEXT
    );
    CREATE TABLE IF NOT EXISTS rm_alerts (
      seq INTEGER PRIMARY KEY, alert_id TEXT NOT NULL UNIQUE, channel_id TEXT NOT NULL,
      kind TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS rm_tier_movements (
      seq INTEGER PRIMARY KEY, channel_id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL
    );
    ${INDEX_TABLES}
  `);
  // Written only when they differ: opening a read model made already writes nothing, so it does
  // not wait for the write lock a projector holds (batches held together: readStore.ts).
  const settings: [string, string][] = [
    ['readModelVersion', String(projection.version)],
    ['projection', projection.name],
    ['logId', logId],
  ];
  const put = rm.prepare<[string, string]>(`INSERT OR REPLACE INTO rm_settings VALUES (?, ?)`);
  for (const [key, value] of settings) if (readSetting.get(key) !== value) put.run(key, value);
  // The seed of the index keys' persisted hashes: the file's, so every process reads them alike.
  if (readSetting.get('indexSeed') === undefined) {
    rm.prepare(`INSERT OR IGNORE INTO rm_settings VALUES ('indexSeed', ?)`).run(
      String(randomInt(0x7fffffff)),
    );
  }
  return 'made';
}

export const READ_MODEL_TABLES = [
  'rm_checkpoint',
  'rm_global',
  'rm_channels',
  'rm_months',
  // before version 8: the claim inputs before the first price change, 2 048 to a row
  'rm_claim_batches',
  'rm_claim_inputs',
  'rm_alerts',
  'rm_tier_movements',
  'rm_order_keys',
  'rm_sale_keys',
  'rm_sale_key_updates',
  'rm_certs',
  // a rebuild in parts' staged alerts and tier movements (partsMerge.ts), left by a crash
  'rm_part_alerts',
  'rm_part_movements',
  // dropped since version 5 (the order and sale indexes left SQLite rows): listed so that a
  // reset of an older read model drops them too
  'rm_orders',
  'rm_sales',
];

/** Empties the read model (given its file's connection). */
export function resetReadModel(rm: Database): void {
  dropTables(rm);
}

function dropTables(db: Database): void {
  db.transaction(() => {
    for (const t of READ_MODEL_TABLES) db.exec(`DROP TABLE IF EXISTS ${t}`);
  })();
}
