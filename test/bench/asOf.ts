/**
 * The as-of bench (issue 18): on the bench's 1M-event feed ingested by `chanperf ingest` (or a
 * data directory given with `--data-dir`, holding `chanperf.db`), one `chanperf serve`; its first
 * as-of request builds the history (timed), then `--queries` requests at random positions and as
 * many at random instants between the first and last commit, each to a random channel-month
 * (`GET /v1/channels/:id/months/:month?asOf=…`), and the report's channel list as of a position.
 * Prints p50/p95/max per kind, the serve's peak RSS, and the machine floor of the same run.
 *
 * Usage: node test/bench/dist/asOf.js [--events N] [--queries N] [--seed N] [--data-dir DIR]
 * (`pnpm bench:asof` builds first). A script, not a test: it never fails on speed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { mulberry32 } from '@chanperf/testing';
import { cachedFeed, feedSpecFor } from './feed.js';
import { killChildren, runNode, startServe } from './processes.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '100' },
    seed: { type: 'string', default: '42' },
    'data-dir': { type: 'string' },
  },
});
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'services/cli/dist/main.js');
const script = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
const say = (m: string) => process.stderr.write(`asof bench: ${m}\n`);

/** The value at quantile q of ascending `sorted`. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(0)} ms`;
  return `${label.padEnd(34)} n=${s.length}  p50 ${f(quantile(s, 0.5))}  p95 ${f(quantile(s, 0.95))}  max ${f(s[s.length - 1] ?? 0)}`;
}

async function timedGet(url: string): Promise<{ ms: number; status: number; position: string | null }> {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return {
    ms: performance.now() - started,
    status: res.status,
    position: res.headers.get('x-chanperf-position'),
  };
}

async function main(): Promise<void> {
  const feed = await cachedFeed(
    feedSpecFor(Number(values.events), Number(values.seed)),
    join(tmpdir(), 'chanperf-bench', 'feeds'),
  );
  const floor = await runNode([script('machineFloor'), feed.path], { stdout: 'capture' });
  const floorOut = JSON.parse(floor.stdout) as { lines: number; seconds: number };
  say(`machine floor ${(floorOut.lines / floorOut.seconds).toFixed(0)} lines/s`);
  const scratch =
    values['data-dir'] === undefined ? mkdtempSync(join(tmpdir(), 'chanperf-asof-bench-')) : undefined;
  const dataDir = values['data-dir'] ?? scratch ?? '';
  try {
    if (scratch !== undefined) {
      say(`ingesting ${feed.lines} lines`);
      const ingest = await runNode(
        [cli, 'ingest', feed.path, '--db', join(dataDir, 'chanperf.db'), '--quiet'],
        {
          stdout: 'null',
        },
      );
      if (ingest.code !== 0) throw new Error(`ingest failed: ${ingest.stderrTail}`);
    }
    const log = new Database(join(dataDir, 'chanperf.db'), { readonly: true });
    const head = log.prepare(`SELECT MAX(position) FROM events`).pluck().get() as number;
    const times = log.prepare(`SELECT MIN(appended_at), MAX(appended_at) FROM log_commits`).raw().get() as [
      number,
      number,
    ];
    const months = log
      .prepare(
        `SELECT DISTINCT channel_id, substr(json_extract(payload, '$.occurredAt'), 1, 7) FROM events
                 WHERE type = 'SaleRecorded' AND position % 97 = 0`,
      )
      .raw()
      .all() as [string, string][];
    log.close();
    const server = await startServe(cli, dataDir, { timeoutSeconds: 1200 });
    const random = mulberry32(Number(values.seed));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const monthUrl = (asOf: string) => {
      const [id, month] = pick(months);
      return `${server.url}/v1/channels/${id}/months/${month}?asOf=${encodeURIComponent(asOf)}`;
    };
    const first = await timedGet(monthUrl(String(head)));
    say(
      `history built by the first as-of request: ${(first.ms / 1000).toFixed(1)} s (status ${first.status})`,
    );
    const byPosition: number[] = [];
    const byInstant: number[] = [];
    const reports: number[] = [];
    let failures = 0;
    for (let i = 0; i < Number(values.queries); i++) {
      const p = await timedGet(monthUrl(String(1 + Math.floor(random() * head))));
      const at = new Date(times[0] + Math.floor(random() * (times[1] - times[0] + 1))).toISOString();
      const t = await timedGet(monthUrl(at));
      if (p.status !== 200 && p.status !== 404) failures++;
      if (t.status !== 200 && t.status !== 404) failures++;
      byPosition.push(p.ms);
      byInstant.push(t.ms);
      if (i % 10 === 0) {
        reports.push(
          (await timedGet(`${server.url}/v1/channels?asOf=${1 + Math.floor(random() * head)}`)).ms,
        );
      }
    }
    const stopped = await server.stop();
    const lines = [
      `as-of on ${head} log positions (${feed.lines} lines, ${feed.spec.partners} partners), machine floor ${(floorOut.lines / floorOut.seconds).toFixed(0)} lines/s, load ${(
        await import('node:os')
      )
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      `history build (first as-of request)  ${(first.ms / 1000).toFixed(1)} s`,
      summary('channel-month as of a position', byPosition),
      summary('channel-month as of an instant', byInstant),
      summary('channel list as of a position', reports),
      `serve peak RSS ${((stopped.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB; non-2xx/404 answers: ${failures}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  killChildren();
  process.stderr.write(`asof bench failed: ${String(err)}\n`);
  process.exitCode = 1;
});
