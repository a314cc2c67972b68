/**
 * The stages that run a chanperf build to completion or load a `serve` of it — the floors,
 * replay, rebuild and HTTP ingest — shared by the benchmark (`bench.ts`) and the A/B tool
 * (`ab.ts`), so both measure the same thing the same way. Each returns its figures; the caller
 * says what it saw (`say`) and decides what to keep.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cachedFeed, feedSpecFor, type Feed } from './feed.js';
import type { FloorOutput } from './floor.js';
import { ingestOverHttp, waitReady, type IngestResult } from './http.js';
import { runNode, startServe, type ChildResult, type RunningServer } from './processes.js';
import { grouped, mib, ofFloor, times } from './table.js';

export const INGEST_BATCH = 1000;
export const INGEST_CLIENTS = 4;

/** Progress lines on stderr, `[NAME   12.3 s] message`, timed from the call. */
export function progressLog(name: string): (message: string) => void {
  const began = process.hrtime.bigint();
  return (message) => {
    const t = Number(process.hrtime.bigint() - began) / 1e9;
    process.stderr.write(`[${name} ${t.toFixed(1).padStart(6)} s] ${message}\n`);
  };
}

/** The seeded feed of about `events` lines, from the cache under `workRoot`/feeds (generated once). */
export async function benchFeed(
  events: number,
  seed: number,
  workRoot: string,
  say: (message: string) => void,
): Promise<Feed> {
  const spec = feedSpecFor(events, seed);
  say(
    `feed: ~${grouped(events)} events (seed ${spec.seed}, ${spec.partners} partners × ${spec.months} months, ${spec.salesPerPartnerMonth} sales per partner-month)`,
  );
  const feed = await cachedFeed(spec, join(workRoot, 'feeds'));
  say(
    `feed: ${grouped(feed.lines)} lines, ${mib(feed.bytes)} ${feed.generatedSeconds === null ? '(cached)' : `(generated in ${feed.generatedSeconds.toFixed(1)} s)`} at ${feed.path}`,
  );
  return feed;
}

export const cpu = (seconds: number | null) => (seconds === null ? '—' : `${seconds.toFixed(1)} s`);

/** What went wrong in a stage that crashed, with the child's last words. */
export function childFailure(what: string, r: ChildResult): Error {
  return new Error(
    `${what} exited with code ${r.code} (signal ${r.signal}): ${r.stderrTail.trim().slice(-2000)}`,
  );
}

/** CPU seconds over a measured window: the server's, and the benchmark's own (the clients). */
export interface WindowCpu {
  readonly serverCpuSeconds: number | null;
  readonly clientCpuSeconds: number;
}

/** Starts measuring CPU over a window; `end()` gives the server's and this process's CPU seconds in it. */
export function cpuWindow(server: RunningServer): { end(): WindowCpu } {
  const serverStart = server.cpuSeconds();
  const clientStart = process.cpuUsage();
  return {
    end() {
      const serverEnd = server.cpuSeconds();
      const client = process.cpuUsage(clientStart);
      return {
        serverCpuSeconds: serverStart === null || serverEnd === null ? null : serverEnd - serverStart,
        clientCpuSeconds: (client.user + client.system) / 1e6,
      };
    },
  };
}

export interface FloorFigures extends FloorOutput {
  readonly eventsPerSecond: number;
  readonly processSeconds: number;
  readonly peakRssBytes: number | null;
  readonly cpuSeconds: number | null;
  readonly rssMethod: string;
  /** Events/s over the machine floor's of the same run (null for the machine floor itself). */
  readonly ratioToMachineFloor: number | null;
}

/**
 * A floor script (`machineFloor.js` or `floor.js`, its path) over the feed, in its own process;
 * `machine` is the machine floor's events/s when this is not it.
 */
export async function runFloor(
  label: string,
  script: string,
  feed: Feed,
  say: (message: string) => void,
  machine?: number,
): Promise<FloorFigures> {
  const r = await runNode([script, feed.path], { stdout: 'capture' });
  if (r.code !== 0) throw childFailure(label, r);
  const out = JSON.parse(r.stdout) as FloorOutput;
  const eventsPerSecond = out.lines / out.seconds;
  const figures = {
    ...out,
    eventsPerSecond,
    processSeconds: r.seconds,
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    rssMethod: r.rssMethod,
    ratioToMachineFloor: ofFloor(eventsPerSecond, machine),
  };
  say(
    `${label}: ${grouped(out.lines)} lines (${grouped(out.invalid)} invalid) in ${out.seconds.toFixed(1)} s (process CPU ${cpu(r.cpuSeconds)}) → ${grouped(eventsPerSecond)} ev/s${times(figures.ratioToMachineFloor)}, peak RSS ${mib(r.peakRssBytes)}`,
  );
  return figures;
}

export interface ReplayFigures {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: number | null;
  /** User + system CPU seconds of the whole process (start-up included). */
  readonly cpuSeconds: number | null;
  readonly rssMethod: string;
  readonly ratioToMachineFloor: number | null;
}

/**
 * `chanperf replay FEED --db DB`, its report to `reportTo` (default /dev/null), timed from spawn
 * to exit; `machine` is the machine floor's events/s.
 */
export async function runReplay(
  cli: string,
  feed: Feed,
  db: string,
  options: {
    label: string;
    say: (message: string) => void;
    machine?: number | undefined;
    reportTo?: string;
  },
): Promise<ReplayFigures> {
  const { label, say } = options;
  const r = await runNode([cli, 'replay', feed.path, '--db', db], {
    stdout: options.reportTo === undefined ? 'null' : { file: options.reportTo },
    onTick: (s) => say(`${label}: ${s.toFixed(0)} s…`),
  });
  if (r.code !== 0) throw childFailure('chanperf replay', r);
  const eventsPerSecond = feed.lines / r.seconds;
  const figures = {
    events: feed.lines,
    seconds: r.seconds,
    eventsPerSecond,
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    rssMethod: r.rssMethod,
    ratioToMachineFloor: ofFloor(eventsPerSecond, options.machine),
  };
  say(
    `${label}: ${grouped(feed.lines)} events in ${r.seconds.toFixed(1)} s (CPU ${cpu(r.cpuSeconds)}) → ${grouped(eventsPerSecond)} ev/s${times(figures.ratioToMachineFloor)}, peak RSS ${mib(r.peakRssBytes)}`,
  );
  return figures;
}

export interface RebuildFigures extends ReplayFigures {
  /** The whole process, start-up and the reset of the read model included. */
  readonly processSeconds: number;
}

/** `chanperf rebuild --db DB`: events in the log ÷ the re-projection seconds it prints. */
export async function runRebuild(
  cli: string,
  db: string,
  say: (message: string) => void,
  machine?: number,
): Promise<RebuildFigures> {
  const r = await runNode([cli, 'rebuild', '--db', db], {
    stdout: 'capture',
    onTick: (s) => say(`rebuild: ${s.toFixed(0)} s…`),
  });
  if (r.code !== 0) throw childFailure('chanperf rebuild', r);
  const out = JSON.parse(r.stdout) as { position: number; seconds: number };
  const eventsPerSecond = out.position / out.seconds;
  const figures = {
    events: out.position,
    seconds: out.seconds,
    eventsPerSecond,
    processSeconds: r.seconds,
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    rssMethod: r.rssMethod,
    ratioToMachineFloor: ofFloor(eventsPerSecond, machine),
  };
  say(
    `rebuild: ${grouped(out.position)} events re-projected in ${out.seconds.toFixed(1)} s (process ${r.seconds.toFixed(1)} s, CPU ${cpu(r.cpuSeconds)}) → ${grouped(eventsPerSecond)} ev/s${times(figures.ratioToMachineFloor)}, peak RSS ${mib(r.peakRssBytes)}`,
  );
  return figures;
}

/**
 * The layouts HTTP ingest is measured in (README "Running the services" names them): the
 * processes started on one data directory, which of them the clients post to (round robin),
 * and the environment they share.
 */
export const LAYOUTS = {
  ingest: { label: '', what: '`serve`', processes: [{}], postTo: [0], env: {} },
  'ingest-durability-process': {
    label: ', durability process',
    what: '`serve` with CHANPERF_DURABILITY=process (commits not fsynced)',
    processes: [{}],
    postTo: [0],
    env: { CHANPERF_DURABILITY: 'process' },
  },
  'ingest-split': {
    label: ', split',
    what: '`serve --only ingestion` + `serve --only projection`',
    processes: [{ only: 'ingestion' }, { only: 'projection' }],
    postTo: [0],
    env: {},
  },
  'ingest-two-ingesters': {
    label: ', 2 ingesters',
    what: 'two `serve --only ingestion` (clients alternate) + `serve --only projection`',
    processes: [{ only: 'ingestion' }, { only: 'ingestion' }, { only: 'projection' }],
    postTo: [0, 1],
    env: {},
  },
} as const satisfies Record<
  string,
  {
    label: string;
    what: string;
    processes: readonly { only?: 'ingestion' | 'projection' }[];
    postTo: readonly number[];
    env: Record<string, string>;
  }
>;
export type Layout = keyof typeof LAYOUTS;

export interface IngestFigures extends IngestResult, WindowCpu {
  readonly layout: Layout;
  /** CPU seconds of each server process during the load (`serverCpuSeconds` is their sum). */
  readonly processCpuSeconds: (number | null)[];
  readonly eventsPerSecond: number;
  readonly caughtUpEventsPerSecond: number | null;
  readonly peakRssBytes: number | null;
  /** Of `eventsPerSecond` (all 200) and `caughtUpEventsPerSecond` (lag 0) to the machine floor. */
  readonly ratioToMachineFloor: number | null;
  readonly caughtUpRatioToMachineFloor: number | null;
}

const sum = (values: (number | null)[]) =>
  values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);

/**
 * The whole feed posted to the `layout`'s processes, started on a fresh data directory `dir`,
 * as NDJSON batches of INGEST_BATCH lines by INGEST_CLIENTS concurrent clients; timed until
 * every batch has answered 200 (durable), then until /v1/status reports lag 0. Throws if a
 * batch failed.
 */
export async function runIngest(
  cli: string,
  dir: string,
  name: Layout,
  feed: Feed,
  say: (message: string) => void,
  machine?: number,
): Promise<IngestFigures> {
  const layout = LAYOUTS[name];
  mkdirSync(dir, { recursive: true });
  const servers: RunningServer[] = [];
  try {
    // The first process creates the files; the others open them.
    for (const p of layout.processes) servers.push(await startServe(cli, dir, { ...p, env: layout.env }));
    for (const s of servers) await waitReady(s.url);
    const urls = layout.postTo.map((i) => servers[i]?.url ?? '');
    say(
      `${name}: posting ${grouped(feed.lines)} lines to ${urls.join(' and ')}, ${INGEST_BATCH} per batch, ${INGEST_CLIENTS} clients; ${layout.what}`,
    );
    let reported = 0;
    const windows = servers.map(cpuWindow);
    const result: IngestResult = await ingestOverHttp(urls, feed.path, {
      batchSize: INGEST_BATCH,
      clients: INGEST_CLIENTS,
      catchUpTimeoutSeconds: 1800,
      onProgress: (lines) => {
        if (lines - reported >= Math.max(100_000, feed.lines / 10)) {
          reported = lines;
          say(`${name}: ${grouped(lines)} lines answered`);
        }
      },
    });
    const used = windows.map((w) => w.end());
    const stopped = [];
    for (const s of servers) stopped.push(await s.stop());
    const eventsPerSecond = result.lines / result.respondedSeconds;
    const caughtUpEventsPerSecond =
      result.caughtUpSeconds === null ? null : result.lines / result.caughtUpSeconds;
    const figures = {
      ...result,
      layout: name,
      // Every process's CPU, and the sum of their peaks (an upper bound of their joint peak).
      serverCpuSeconds: sum(used.map((u) => u.serverCpuSeconds)),
      clientCpuSeconds: used[0]?.clientCpuSeconds ?? 0,
      processCpuSeconds: used.map((u) => u.serverCpuSeconds),
      eventsPerSecond,
      caughtUpEventsPerSecond,
      peakRssBytes: sum(stopped.map((s) => s.peakRssBytes)),
      ratioToMachineFloor: ofFloor(eventsPerSecond, machine),
      caughtUpRatioToMachineFloor: ofFloor(caughtUpEventsPerSecond, machine),
    };
    say(
      `${name}: ${grouped(result.lines)} lines answered in ${result.respondedSeconds.toFixed(1)} s → ${grouped(eventsPerSecond)} ev/s${times(figures.ratioToMachineFloor)}; lag 0 after ${result.caughtUpSeconds?.toFixed(1) ?? '—'} s${times(figures.caughtUpRatioToMachineFloor)}; ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected} rejected, ${result.failedBatches} failed batches; CPU server ${used.map((u) => cpu(u.serverCpuSeconds)).join(' + ')}, client ${cpu(figures.clientCpuSeconds)}`,
    );
    if (result.failedBatches > 0)
      throw new Error(`${result.failedBatches} batches failed: ${result.firstFailure}`);
    return figures;
  } finally {
    for (const s of servers) await s.stop();
  }
}
