import { describe, expect, it } from 'vitest';
import { EngineError } from '@chanperf/engine';
import { dbArgument, storageFullLine } from './storageFull.js';

const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('storageFullLine', () => {
  it('given SQLITE_FULL as the cause of an append failure, then one line with the database', () => {
    const err = new EngineError('APPEND_FAILED', 'append failed: database or disk is full', true, {
      cause: sqliteFull(),
    });
    expect(storageFullLine(err, '/data/x.db')).toBe(
      'chanperf: storage full: /data/x.db (database or disk is full)',
    );
    expect(storageFullLine(err, undefined)).toBe('chanperf: storage full: database or disk is full');
  });

  it('given ENOSPC, or SQLite’s message from the projection thread, then the same line', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(storageFullLine(enospc, undefined)).toBe(
      'chanperf: storage full: ENOSPC: no space left on device, write',
    );
    expect(storageFullLine(new Error('projection failed: database or disk is full'), 'x.db')).toBe(
      'chanperf: storage full: x.db (database or disk is full)',
    );
  });

  it('given any other failure, then nothing', () => {
    expect(storageFullLine(new Error('boom'), 'x.db')).toBeUndefined();
    expect(
      storageFullLine(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }), 'x.db'),
    ).toBeUndefined();
    expect(storageFullLine(undefined, undefined)).toBeUndefined();
  });
});

describe('dbArgument', () => {
  it('finds --db PATH and --db=PATH', () => {
    expect(dbArgument(['ingest', 'f', '--db', 'a.db'])).toBe('a.db');
    expect(dbArgument(['report', '--db=b.db'])).toBe('b.db');
    expect(dbArgument(['replay', 'f'])).toBeUndefined();
  });
});
