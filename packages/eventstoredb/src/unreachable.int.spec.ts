/**
 * The real client against no server (runs everywhere): failures come out as the engine's
 * errors, and opening does not hang.
 */
import { createServer } from 'node:net';
import { defaultSettings } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { eventStoreDbStore } from './index.js';

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('eventstoredb with the real client and no server', () => {
  it('fails to open with a retriable ESDB_UNAVAILABLE', async () => {
    const port = await closedPort();
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
