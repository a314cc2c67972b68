/**
 * The real client against no server (runs everywhere): failures come out as the engine's
 * errors, and opening does not hang.
 */
import { freePort } from '@chanperf/testing';
import { defaultSettings } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { eventStoreDbStore } from './index.js';

describe('eventstoredb with the real client and no server', () => {
  it('fails to open with a retriable ESDB_UNAVAILABLE', async () => {
    const port = await freePort(); // free a moment ago: nothing listens on it
    await expect(
      eventStoreDbStore({
        connectionString: `esdb://127.0.0.1:${port}?tls=false`,
        localPath: ':memory:',
        settings: defaultSettings,
      }),
    ).rejects.toMatchObject({ name: 'EngineError', code: 'ESDB_UNAVAILABLE', retriable: true });
  });

  it('refuses a malformed connection string', async () => {
    await expect(
      eventStoreDbStore({
        connectionString: 'http://nope',
        localPath: ':memory:',
        settings: defaultSettings,
      }),
    ).rejects.toMatchObject({ code: 'ESDB_BAD_CONNECTION_STRING', retriable: false });
  });
});
