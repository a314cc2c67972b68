/**
 * Stages 4 and 5, over HTTP against `chanperf serve`: the query load (autocannon) and the
 * ingestion of the feed in NDJSON batches by a few concurrent clients.
 */
import { open } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { mulberry32 } from '@chanperf/testing';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Resolves once GET /readyz answers 200 (the read model has caught up after start). */
export async function waitReady(url: string, timeoutSeconds = 600): Promise<void> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url}/readyz not ready after ${timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Status {
  log: { position: number };
  projection: { position: number };
  lag: number;
}

export const status = (url: string): Promise<Status> => getJson<Status>(`${url}/v1/status`);

/** Channel-months to ask for: `sample` random channels of the served report, each with its months. */
export async function queryTargets(
  url: string,
  sample: number,
  seed: number,
): Promise<{ channels: number; pairs: { id: string; month: string }[] }> {
  const list = await getJson<{ channels: { channelId: string }[] }>(`${url}/v1/channels`);
  const ids = list.channels.map((c) => c.channelId);
  if (ids.length === 0) throw new Error('the served database has no channels');
  const rnd = mulberry32(seed);
  const picked = new Set<string>();
  while (picked.size < Math.min(sample, ids.length)) {
    picked.add(ids[Math.floor(rnd() * ids.length)] ?? '');
  }
  const pairs: { id: string; month: string }[] = [];
  for (const id of picked) {
    const detail = await getJson<{ months: { month: string }[] }>(
      `${url}/v1/channels/${encodeURIComponent(id)}`,
    );
    for (const m of detail.months) pairs.push({ id, month: m.month });
  }
  return { channels: ids.length, pairs };
}

export interface LoadResult {
  readonly endpoint: string;
  /** `closed`: each connection sends its next request once answered (saturation); `open`: at a fixed rate. */
  readonly mode: 'closed' | 'open';
  /** The rate asked for (open loop only). */
  readonly offeredPerSecond?: number;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Milliseconds (autocannon's resolution: 1 ms). */
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Open loop: the longest the load generator's own event loop stalled (its delays show as latency). */
  readonly clientLoopDelayMaxMs?: number;
  readonly clientLoopDelayP99Ms?: number;
}

/** `connections` concurrent keep-alive connections for `seconds` on random paths from `pathOf`. */
export async function load(
  url: string,
  endpoint: string,
  pathOf: (rnd: () => number) => string,
  options: { connections: number; seconds: number; seed: number },
): Promise<LoadResult> {
  const rnd = mulberry32(options.seed);
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, method: 'GET', path: pathOf(rnd) }),
      },
    ],
  });
  return {
    endpoint,
    mode: 'closed',
    connections: options.connections,
    seconds: result.duration,
    requests: result['2xx'] + result.non2xx,
    requestsPerSecond: result.duration > 0 ? (result['2xx'] + result.non2xx) / result.duration : 0,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90 ?? Number.NaN,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** The q-quantile (0 < q ≤ 1) of sorted values, by the nearest-rank method. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] as number;
}

/**
 * An open-loop load at a fixed rate: request i is due at start + i / rate and is sent then,
 * whatever the earlier ones are doing (on at most `connections` keep-alive sockets; a request
 * with no free socket waits for one), and its latency counts from when it was due. A server
 * that falls behind shows in the latencies instead of slowing the sender down (no coordinated
 * omission). autocannon's rate limit does not do this: each connection sends its quota for
 * the second back to back and then pauses, which measures saturation again in bursts.
 *
 * `requestsPerSecond` is the rate the requests were sent at (the asked rate when the sender
 * kept up); latencies are in milliseconds, to 0.01 ms.
 */
export async function loadAtRate(
  url: string,
  endpoint: string,
  pathOf: (rnd: () => number) => string,
  options: { rate: number; seconds: number; connections: number; seed: number },
): Promise<LoadResult> {
  const rnd = mulberry32(options.seed);
  // undici: about a third of node:http's client CPU a request, which matters with the client
  // and the server sharing two cores.
  const pool = new Pool(url, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const latencies = new Float64Array(total).fill(Number.NaN);
  let sent = 0;
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let firstSentAt = Number.NaN;
  let lastSentAt = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++answered === total) resolve();
    };
    const send = (i: number) => {
      const due = start + (i * 1000) / options.rate;
      pool
        .request({ method: 'GET', path: pathOf(rnd), headersTimeout: 10_000, bodyTimeout: 10_000 })
        .then(async (res) => {
          if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
          await res.body.dump();
          latencies[i] = performance.now() - due;
        })
        .catch((err: unknown) => {
          if ((err as { code?: string }).code?.includes('TIMEOUT') === true) timeouts++;
          else errors++;
        })
        .finally(finish);
    };
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * options.rate) / 1000) + 1);
      if (sent < due) {
        if (sent === 0) firstSentAt = now;
        lastSentAt = now;
      }
      while (sent < due) send(sent++);
      if (sent === total) clearInterval(timer);
    }, 1);
  });
  const elapsed = (performance.now() - start) / 1000;
  loopDelay.disable();
  await pool.close();
  const ok = latencies.filter((l) => !Number.isNaN(l)).sort();
  const round = (ms: number) => Math.round(ms * 100) / 100;
  // The rate the requests went out at: the asked rate when the sender kept to its schedule.
  const sendingSeconds = (lastSentAt - firstSentAt) / 1000;
  return {
    endpoint,
    mode: 'open',
    offeredPerSecond: options.rate,
    connections: options.connections,
    seconds: elapsed,
    requests: total - errors - timeouts,
    requestsPerSecond: sendingSeconds > 0 ? (total - 1) / sendingSeconds : options.rate,
    clientLoopDelayMaxMs: round(loopDelay.max / 1e6),
    clientLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
    latencyMs: {
      p50: round(quantile(ok, 0.5)),
      p90: round(quantile(ok, 0.9)),
      p99: round(quantile(ok, 0.99)),
      max: round(quantile(ok, 1)),
      mean: round(ok.reduce((a, b) => a + b, 0) / Math.max(1, ok.length)),
    },
    non2xx,
    errors,
    timeouts,
  };
}

export interface IngestResult {
  readonly batches: number;
  readonly batchSize: number;
  readonly clients: number;
  readonly lines: number;
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Responses other than 200 (their batches are not retried: a failure to report, not to hide). */
  readonly failedBatches: number;
  readonly firstFailure: string | null;
  /** Until every POST had answered. */
  readonly respondedSeconds: number;
  /** Until GET /v1/status reported lag 0 (the read model had caught up), null if it never did. */
  readonly caughtUpSeconds: number | null;
  readonly logPosition: number;
}

/**
 * The file as NDJSON bodies of `batchSize` lines, in file order: bytes cut at newlines, never
 * decoded. The load generator shares the two cores with the server it measures, so it does no
 * more than a sender must (decoding every line, joining and re-encoding each body took 4.4 s
 * of CPU for the 1M feed; cutting bytes takes 1.7 s).
 */
export async function* ndjsonBodies(
  path: string,
  batchSize: number,
  chunkBytes = 4 << 20,
): AsyncGenerator<{ body: Uint8Array; lines: number }> {
  const file = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let lines = 0;
    let cut = 0; // where the next body starts in `carry`
    let scanned = 0; // how far `carry` was searched for newlines
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      carry = Buffer.concat([carry.subarray(cut), chunk.subarray(0, bytesRead)]);
      scanned -= cut;
      cut = 0;
      for (;;) {
        const nl = carry.indexOf(10, scanned);
        if (nl === -1) {
          scanned = carry.length;
          break;
        }
        scanned = nl + 1;
        if (++lines === batchSize) {
          yield { body: carry.subarray(cut, scanned), lines };
          cut = scanned;
          lines = 0;
        }
      }
    }
    const rest = carry.subarray(cut);
    // A last line without its newline counts as a line, as it does for the server.
    if (rest.length > 0) yield { body: rest, lines: lines + (rest[rest.length - 1] === 10 ? 0 : 1) };
  } finally {
    await file.close();
  }
}

/**
 * Posts the whole file to POST /v1/events in batches of `batchSize` NDJSON lines from
 * `clients` concurrent clients, each taking the next batch as soon as its previous one is
 * answered. Batches can commit slightly out of file order, as with real concurrent senders.
 */
export async function ingestOverHttp(
  urls: string | readonly string[],
  path: string,
  options: {
    batchSize: number;
    clients: number;
    catchUpTimeoutSeconds: number;
    onProgress?: (lines: number) => void;
  },
): Promise<IngestResult> {
  const targets = typeof urls === 'string' ? [urls] : urls;
  const url = targets[0] ?? '';
  const batches = ndjsonBodies(path, options.batchSize);
  let sent = 0;
  let lines = 0;
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  let failedBatches = 0;
  let firstFailure: string | null = null;
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const client = async (_: unknown, index: number) => {
    // Client i posts to target i mod n: with two ingestion processes, both take half the load.
    const target = targets[index % targets.length] ?? url;
    for (;;) {
      const next = await batches.next();
      if (next.done === true) return;
      sent++;
      try {
        const res = await fetch(`${target}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: next.value.body,
        });
        const text = await res.text();
        if (res.status !== 200) {
          failedBatches++;
          firstFailure ??= `${res.status} ${text.slice(0, 300)}`;
          continue;
        }
        const body = JSON.parse(text) as { accepted: number; duplicates: number; rejected: number };
        lines += next.value.lines;
        accepted += body.accepted;
        duplicates += body.duplicates;
        rejected += body.rejected;
        options.onProgress?.(lines);
      } catch (err) {
        failedBatches++;
        firstFailure ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  const respondedSeconds = elapsed();

  let caughtUpSeconds: number | null = null;
  let last = await status(url);
  const deadline = respondedSeconds + options.catchUpTimeoutSeconds;
  while (last.lag > 0 && elapsed() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await status(url);
  }
  if (last.lag === 0) caughtUpSeconds = elapsed();
  return {
    batches: sent,
    batchSize: options.batchSize,
    clients: options.clients,
    lines,
    accepted,
    duplicates,
    rejected,
    failedBatches,
    firstFailure,
    respondedSeconds,
    caughtUpSeconds,
    logPosition: last.log.position,
  };
}
