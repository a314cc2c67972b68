/**
 * (v2) Acceptance of the spec's v2 example, up to the log: replaying
 * `examples-v2/v2-basic.ndjson` gives exactly the example report's `counts` and `rejected`
 * (line, eventId, code) — through the pure reference (`runScenario`) and through the engine's
 * Ingestor on the in-memory and the SQLite logs, in small batches, so that v2 facts decided in
 * one batch are seen by the next. The figures are the projection's business (test/examples).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultSettings, runScenario } from '@chanperf/domain';
import { batchLines, InMemoryEventLog, Ingestor, type EventLog, type RejectedStore } from '@chanperf/engine';
import { sqliteStore } from '@chanperf/store-sqlite';
import { sharedSpec } from '../support/sharedSpec.js';

const FEED = sharedSpec('examples-v2', 'v2-basic.ndjson');
const expected = JSON.parse(readFileSync(sharedSpec('examples-v2', 'v2-basic.report.json'), 'utf8')) as {
  counts: unknown;
  rejected: unknown;
};

async function ingested(log: EventLog & RejectedStore, batchSize: number) {
  const ingestor = new Ingestor(log, defaultSettings);
  await ingestor.init();
  for await (const chunk of batchLines(createReadStream(FEED), {
    source: 'file:v2-basic.ndjson',
    batchSize,
  })) {
    await ingestor.ingest(chunk.inputs);
  }
  return { counts: await log.counts(), rejected: await log.forReport() };
}

describe('v2-basic: what is accepted and what is rejected', () => {
  it('given the example, when replayed through the pure reference, then counts and rejected are the report’s', () => {
    const lines = readFileSync(FEED, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const { report } = runScenario(lines, defaultSettings);
    expect({ counts: report.counts, rejected: report.rejected }).toEqual({
      counts: expected.counts,
      rejected: expected.rejected,
    });
  });

  it.each([1, 4, 1000])(
    'given the example, when ingested into the in-memory log in batches of %i, then counts and rejected are the report’s',
    async (batchSize) => {
      expect(await ingested(new InMemoryEventLog(), batchSize)).toEqual({
        counts: expected.counts,
        rejected: expected.rejected,
      });
    },
  );

  it('given the example, when ingested into a SQLite log in batches of 3, then counts and rejected are the report’s', async () => {
    const store = sqliteStore({ path: ':memory:', settings: defaultSettings });
    try {
      expect(await ingested(store.log, 3)).toEqual({ counts: expected.counts, rejected: expected.rejected });
    } finally {
      store.close();
    }
  });
});
