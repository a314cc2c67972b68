/**
 * `chanperf serve` over EventStoreDB (CHANPERF_EVENTSTORE_URL), as processes of their own,
 * against the wire-level stand-in server (packages/eventstoredb/src/testing/standIn.ts: the real
 * client, gRPC over loopback). One node posted `basic.ndjson` gives `basic.report.json`; two
 * nodes with separate data directories, posted to alternately, give the same figures.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EsdbStandIn } from '../../packages/eventstoredb/src/testing/standIn.js';
import {
  expectReportOverHttp,
  waitUntil,
  type ComparableReport,
} from '../../packages/testing/src/contracts/index.js';
import { serveAsync, stopChild } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'), 'utf8').trimEnd().split('\n');
interface Counts {
  readonly lines: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
}
type Report = ComparableReport & { readonly counts: Counts };

const expected = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as Report;

const children: ChildProcess[] = [];
const dirs: string[] = [];
const servers: EsdbStandIn[] = [];

/** A stand-in server of the test's own (each test its own log). */
async function standIn(): Promise<EsdbStandIn> {
  const server = new EsdbStandIn();
  await server.start();
  servers.push(server);
  return server;
}

/** Starts `chanperf serve` on a data directory of its own, over the stand-in; resolves with its URL. */
function serve(server: EsdbStandIn): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-esdb-serve-'));
  dirs.push(dir);
  const { child, url } = serveAsync([], {
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
    CHANPERF_EVENTSTORE_URL: server.connectionString,
  });
  children.push(child);
  return url;
}

async function post(url: string, lines: readonly string[]): Promise<void> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  });
  expect(res.status).toBe(200);
}

/** The node's report once its projection has reached `head` (the log's position). */
async function reportAt(url: string, head: number): Promise<Report> {
  let position = -1;
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/v1/report`);
      position = Number(res.headers.get('x-chanperf-position'));
      return res.status === 200 && position >= head;
    },
    () => `${url} projected up to ${position}, not ${head}`,
    30_000,
  );
  return (await (await fetch(`${url}/v1/report`)).json()) as Report;
}

const head = async (url: string) =>
  ((await (await fetch(`${url}/v1/status`)).json()) as { log: { position: number } }).log.position;

/** The body of `basic.ndjson` in `n` parts, as an ERP sending batches would. */
function parts(n: number): string[][] {
  const size = Math.ceil(basic.length / n);
  const out: string[][] = [];
  for (let i = 0; i < basic.length; i += size) out.push(basic.slice(i, i + size));
  return out;
}

afterAll(async () => {
  await Promise.all(children.map(stopChild));
  for (const server of servers) server.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('chanperf serve with CHANPERF_EVENTSTORE_URL (stand-in server, real client)', () => {
  it('one node: basic.ndjson posted gives basic.report.json, the events in EventStoreDB', async () => {
    const server = await standIn();
    const url = await serve(server);
    const before = server.calls.batchAppend;
    for (const part of parts(3)) await post(url, part);
    const position = await head(url);
    expect(position).toBe(expected.counts.accepted);
    expectReportOverHttp(await reportAt(url, position), expected);
    expect(server.calls.batchAppend).toBeGreaterThan(before); // the log went over the wire
    const streams = new Set(server.log.all().map((e) => e.streamId));
    expect(streams).toContain('chanperf-program');
    expect(streams).toContain('chanperf-channel-CH-A');
  });

  it('two nodes, separate data directories, posted to alternately: the figures of the serial replay', async () => {
    const server = await standIn();
    const [a, b] = await Promise.all([serve(server), serve(server)]);
    const nodes = [a, b];
    for (const [i, part] of parts(6).entries()) await post(nodes[i % 2] ?? a, part);
    const position = expected.counts.accepted;
    const [ra, rb] = await Promise.all([reportAt(a, position), reportAt(b, position)]);
    const { counts: ca, rejected: xa, ...figuresA } = ra;
    const { counts: cb, rejected: xb, ...figuresB } = rb;
    const { counts, rejected } = expected;
    expect(figuresA).toEqual(figuresB);
    expectReportOverHttp({ ...ra, counts, rejected }, expected);
    // Each node's ledgers cover the inputs it received (docs/eventstoredb.md): together, the file's.
    expect({
      lines: ca.lines + cb.lines,
      accepted: ca.accepted + cb.accepted,
      duplicates: ca.duplicates + cb.duplicates,
      rejected: ca.rejected + cb.rejected,
    }).toEqual(counts);
    expect([...xa, ...xb].map((r) => [r.eventId, r.code]).sort()).toEqual(
      rejected.map((r) => [r.eventId, r.code]).sort(),
    );
  });
});
