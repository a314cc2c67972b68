/**
 * `chanperf export` and `chanperf import`, both directions, through the BUILT CLI (run `tsc -b`
 * first) and the stand-in EventStoreDB server (packages/eventstoredb/src/testing/standIn.ts: the
 * real client over gRPC on loopback):
 *
 * - SQLite → export → import into EventStoreDB → export: byte-equal files; the report of
 *   `serve` on the imported log and node file equals `chanperf report` of the database; then
 *   import into a fresh SQLite file → export: byte-equal, the same `chanperf report`.
 * - EventStoreDB written by `serve` (ERP lines posted over HTTP) → export → import into a
 *   fresh SQLite file → export: byte-equal, the report `serve` gave.
 *
 * On basic.ndjson, v2-basic.ndjson and a generated four-month stream with rejected lines and
 * resends, so the rejected inputs, counts and source checkpoints travel too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '../../packages/feed-generator/src/index.js';
import { EXAMPLES, EXAMPLES_V2 } from '../support/sharedSpec.js';
import { cli, exportTo, importFile, Scratch, servedReport } from './moves.js';

const scratch = new Scratch();
let generated = '';

beforeAll(async () => {
  generated = join(scratch.dir(), 'generated.ndjson');
  await writeFeed(generated, { seed: 15, partners: 40, months: 4, badLineRatio: 0.03 });
});

afterAll(() => scratch.cleanUp());

/** The export's trailer, parsed. */
function trailerOf(text: string): { entries: number; rejected: number; checkpoints: number } {
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { trailer: { entries: number; rejected: number; checkpoints: number } })
    .trailer;
}

describe('chanperf export / import: SQLite → EventStoreDB → SQLite', () => {
  it.each([
    ['basic.ndjson', () => join(EXAMPLES, 'basic.ndjson')],
    ['v2-basic.ndjson', () => join(EXAMPLES_V2, 'v2-basic.ndjson')],
    ['a generated 4-month stream with rejections', () => generated],
  ])('%s: byte-equal exports and equal reports both ways', async (_name, feed) => {
    const dir = scratch.dir();
    const source = join(dir, 'source.db');
    await cli(['ingest', feed(), '--db', source, '--quiet']);
    const before = JSON.parse(await cli(['report', '--db', source])) as unknown;
    // --rejected: the rejected inputs alone in a file of their own, the export itself unchanged
    // (the exports below, made without it, are byte-equal to this one)
    const rejectedFile = join(dir, 'rejected.ndjson');
    const first = await exportTo(join(dir, 'sqlite.ndjson'), ['--db', source, '--rejected', rejectedFile]);
    const trailer = trailerOf(first);
    expect(trailer.rejected).toBeGreaterThan(0); // every feed has rejected lines
    const rejectedLines = readFileSync(rejectedFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(rejectedLines).toHaveLength(trailer.rejected);
    expect(rejectedLines).toEqual(first.split('\n').filter((l) => l.startsWith('{"rejected":')));
    expect(trailer.checkpoints).toBe(1); // the ingested file's

    // into EventStoreDB: the node's local file is where `serve` (CHANPERF_DATA_DIR) finds it
    const server = await scratch.standIn();
    const node = join(dir, 'node');
    const esdb = ['--eventstore', server.connectionString, '--db', join(node, 'eventstoredb.db')];
    expect(await importFile(join(dir, 'sqlite.ndjson'), esdb)).toMatchObject({
      entries: trailer.entries,
      appended: trailer.entries,
      ledgers: 'imported',
      changed: true,
      verified: true,
    });
    const chanperfEvents = server.log.all().filter((e) => e.streamId.startsWith('chanperf-'));
    expect(chanperfEvents).toHaveLength(trailer.entries);
    const second = await exportTo(join(dir, 'eventstoredb.ndjson'), esdb);
    expect(second).toBe(first);
    const served = scratch.serve(server, node);
    expect(await servedReport(await served.url, trailer.entries)).toEqual(before);
    await served.stop();

    // and back into a fresh SQLite file
    const back = join(dir, 'back.db');
    await importFile(join(dir, 'eventstoredb.ndjson'), ['--db', back]);
    expect(await exportTo(join(dir, 'back.ndjson'), ['--db', back])).toBe(first);
    expect(JSON.parse(await cli(['report', '--db', back]))).toEqual(before);
  });
});

describe('chanperf export / import: EventStoreDB (written by serve) → SQLite', () => {
  it('basic.ndjson posted to serve: the export imports into SQLite byte-equal, with the served report', async () => {
    const dir = scratch.dir();
    const server = await scratch.standIn();
    const node = join(dir, 'node');
    const served = scratch.serve(server, node);
    const url = await served.url;
    const lines = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').trimEnd().split('\n');
    for (let i = 0; i < lines.length; i += 10) {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: lines.slice(i, i + 10).join('\n'),
      });
      expect(res.status).toBe(200);
    }
    const expected = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as {
      counts: { accepted: number };
    };
    const report = await servedReport(url, expected.counts.accepted);
    await served.stop();

    const esdb = ['--eventstore', server.connectionString, '--db', join(node, 'eventstoredb.db')];
    const first = await exportTo(join(dir, 'eventstoredb.ndjson'), esdb);
    expect(trailerOf(first)).toEqual(
      expect.objectContaining({ entries: expected.counts.accepted, rejected: 5 }),
    );
    expect(first).toContain('"source":"http"');
    const target = join(dir, 'target.db');
    await importFile(join(dir, 'eventstoredb.ndjson'), ['--db', target]);
    expect(await exportTo(join(dir, 'sqlite.ndjson'), ['--db', target])).toBe(first);
    expect(JSON.parse(await cli(['report', '--db', target]))).toEqual(report);
  });
});
