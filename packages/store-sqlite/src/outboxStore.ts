/**
 * The `OutboxStore` port in the log's file: one row per outbox in `kafka_outbox` (its
 * published position, the batch in doubt, its lease) and the ids it published in
 * `kafka_outbox_ids`. Not prefixed `rm_`: outboxes survive read-model rebuilds. The tables are
 * created on first use, so a log no outbox ever used is left as it was.
 */
import type { Database } from 'better-sqlite3';
import type { OutboxCursor, OutboxState, OutboxStore } from '@chanperf/engine';

interface Row {
  position: number;
  in_doubt_to: number | null;
}

/** Creates the outbox tables when missing. */
function migrateOutboxes(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS kafka_outbox (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      in_doubt_to INTEGER,
      owner TEXT,
      lease_until INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS kafka_outbox_ids (
      name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, id)
    ) WITHOUT ROWID;
  `);
}

/** The outboxes over the log's connection `db`. */
export function sqliteOutboxStore(db: Database): OutboxStore {
  let migrated = false;
  return {
    outbox(name) {
      if (!migrated) {
        migrateOutboxes(db);
        migrated = true;
      }
      return sqliteOutboxCursor(db, name);
    },
  };
}

function sqliteOutboxCursor(db: Database, name: string): OutboxCursor {
  db.prepare(`INSERT OR IGNORE INTO kafka_outbox (name, position) VALUES (?, 0)`).run(name);
  const select = db.prepare<[string], Row>(`SELECT position, in_doubt_to FROM kafka_outbox WHERE name = ?`);
  const acquire = db.prepare<[string, number, string, string, number]>(
    `UPDATE kafka_outbox SET owner = ?, lease_until = ?
     WHERE name = ? AND (owner IS NULL OR owner = ? OR lease_until < ?)`,
  );
  const markInDoubt = db.prepare<[number, string, string]>(
    `UPDATE kafka_outbox SET in_doubt_to = ? WHERE name = ? AND owner = ?`,
  );
  const markPublished = db.prepare<[number, string, string]>(
    `UPDATE kafka_outbox SET position = ?, in_doubt_to = NULL WHERE name = ? AND owner = ?`,
  );
  const releaseLease = db.prepare<[string, string]>(
    `UPDATE kafka_outbox SET owner = NULL, lease_until = 0 WHERE name = ? AND owner = ?`,
  );
  const hasId = db
    .prepare<[string, string], number>(`SELECT 1 FROM kafka_outbox_ids WHERE name = ? AND id = ?`)
    .pluck();
  const addId = db.prepare<[string, string]>(`INSERT OR IGNORE INTO kafka_outbox_ids VALUES (?, ?)`);
  const commitPublished = db.transaction((owner: string, to: number, ids: readonly string[]) => {
    const changed = markPublished.run(to, name, owner).changes;
    if (changed === 1) for (const id of ids) addId.run(name, id);
    return changed === 1;
  });
  return {
    name,
    state(): OutboxState {
      const row = select.get(name);
      if (row === undefined) throw new Error(`kafka_outbox has no row for ${name}`);
      return { position: row.position, inDoubtTo: row.in_doubt_to };
    },
    acquire: (owner, until, now) => acquire.run(owner, until, name, owner, now).changes === 1,
    markInDoubt: (owner, to) => markInDoubt.run(to, name, owner).changes === 1,
    markPublished: (owner, to, ids) => commitPublished(owner, to, ids),
    published: (id) => hasId.get(name, id) !== undefined,
    release: (owner) => {
      releaseLease.run(name, owner);
    },
  };
}
