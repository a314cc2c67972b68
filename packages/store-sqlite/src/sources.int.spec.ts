/**
 * File checkpoints keep the sha256 of the bytes they cover (`prefixHash`), and a log created
 * before that column existed opens and keeps working (the column is added).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings } from '@chanperf/domain';
import { InMemoryEventLog, type IngestBatch, type SourceCheckpoint } from '@chanperf/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteStore } from './sqliteStore.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-sources-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const HASH = 'a'.repeat(64);
const batch = (checkpoint: SourceCheckpoint): IngestBatch => ({
  accepted: [],
  rejected: [],
  counts: { lines: 0, accepted: 0, duplicates: 0, rejected: 0 },
  checkpoint,
});

describe('source checkpoints with the hash of their prefix', () => {
  it('are kept by the SQLite store across a reopen', async () => {
    const path = join(dir, 'new.db');
    let store = sqliteStore({ path, settings: defaultSettings });
    await store.log.commit(batch({ key: 'file:x', offset: 10, line: 2, prefixHash: HASH }));
    await store.log.commit(batch({ key: 'kafka:t/0', offset: 5, line: 0 }));
    store.close();
    store = sqliteStore({ path, settings: defaultSettings });
    expect(await store.log.sourceCheckpoint('file:x')).toStrictEqual({
      key: 'file:x',
      offset: 10,
      line: 2,
      prefixHash: HASH,
    });
    expect(await store.log.sourceCheckpoint('kafka:t/0')).toStrictEqual({
      key: 'kafka:t/0',
      offset: 5,
      line: 0,
    });
    store.close();
  });

  it('are kept by the in-memory log', async () => {
    const log = new InMemoryEventLog();
    await log.commit(batch({ key: 'file:x', offset: 10, line: 2, prefixHash: HASH }));
    expect(await log.sourceCheckpoint('file:x')).toEqual({
      key: 'file:x',
      offset: 10,
      line: 2,
      prefixHash: HASH,
    });
  });

  it('a log made before the column opens; its checkpoints read without a hash, new ones keep it', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(`
      CREATE TABLE sources (key TEXT PRIMARY KEY, offset INTEGER NOT NULL, line INTEGER NOT NULL);
      INSERT INTO sources VALUES ('file:old', 1234, 56);
    `);
    old.close();
    const store = sqliteStore({ path, settings: defaultSettings });
    try {
      expect(await store.log.sourceCheckpoint('file:old')).toStrictEqual({
        key: 'file:old',
        offset: 1234,
        line: 56,
      });
      await store.log.commit(batch({ key: 'file:old', offset: 2000, line: 80, prefixHash: HASH }));
      expect(await store.log.sourceCheckpoint('file:old')).toStrictEqual({
        key: 'file:old',
        offset: 2000,
        line: 80,
        prefixHash: HASH,
      });
    } finally {
      store.close();
    }
    // A second open (the column is there now) changes nothing.
    const again = sqliteStore({ path, settings: defaultSettings });
    expect((await again.log.sourceCheckpoint('file:old'))?.prefixHash).toBe(HASH);
    again.close();
  });
});
