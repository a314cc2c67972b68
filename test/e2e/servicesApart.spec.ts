/**
 * The services deployed apart (README, "Running the services"): `chanperf serve --only
 * ingestion`, `--only projection` and `--only query` as three processes on one data directory,
 * the layout that lets ingestion and projection use separate cores. Events posted to the
 * ingestion process are projected by the projection process (it polls the shared log) and
 * answered by the query process, as the spec's basic report says.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectReportOverHttp,
  waitUntil,
  type ComparableReport,
} from '../../packages/testing/src/contracts/index.js';
import { serveAsync, stopChild } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

interface Status {
  log: { position: number };
  projection: { position: number };
  lag: number;
}

const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').trimEnd().split('\n');
const expected = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as ComparableReport;

const children: ChildProcess[] = [];
let dir: string;

/** Starts `chanperf serve --only NAME` on the test's data directory; resolves with its URL. */
function serve(only: 'ingestion' | 'projection' | 'query'): Promise<string> {
  const { child, url } = serveAsync(['--only', only], {
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
  });
  children.push(child);
  return url;
}

const status = async (url: string) => (await (await fetch(`${url}/v1/status`)).json()) as Status;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-apart-'));
});

afterAll(async () => {
  await Promise.all(children.map(stopChild));
  rmSync(dir, { recursive: true, force: true });
});

describe('chanperf serve --only: the services as processes of their own on one data directory', () => {
  it('ingestion, projection and query processes together give the report of basic.ndjson', async () => {
    // The ingestion process creates the files; the others open them.
    const ingestion = await serve('ingestion');
    const [projection, query] = await Promise.all([serve('projection'), serve('query')]);

    // Each process serves its own routes only.
    expect((await fetch(`${ingestion}/v1/report`)).status).toBe(404);
    const postToQuery = await fetch(`${query}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: basic[0] ?? '',
    });
    expect(postToQuery.status).toBe(404);

    // The feed in three bodies, as an ERP sending batches would.
    const third = Math.ceil(basic.length / 3);
    for (let i = 0; i < basic.length; i += third) {
      const res = await fetch(`${ingestion}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: basic.slice(i, i + third).join('\n'),
      });
      expect(res.status).toBe(200);
    }
    const head = (await status(ingestion)).log.position;
    expect(head).toBeGreaterThan(0);

    // The projection process catches up on its own (it polls the log head); every process
    // reads both positions from the shared files.
    let last: Status | undefined;
    await waitUntil(
      async () => {
        last = await status(query);
        return last.projection.position >= head;
      },
      () => `the projection process did not reach ${head}: ${JSON.stringify(last)}`,
      30_000,
    );
    expect(await status(projection)).toEqual({
      log: { position: head },
      projection: { position: head },
      lag: 0,
    });

    const res = await fetch(`${query}/v1/report`);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('x-chanperf-position'))).toBe(head);
    expectReportOverHttp((await res.json()) as ComparableReport, expected);
  });
});
