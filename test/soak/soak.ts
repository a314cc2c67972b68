/**
 * The fault soak (issue "Hardening", "Fault soak, as a script"): two full `chanperf serve`
 * processes on one data directory, a webhook receiver, and steady HTTP ingest of a generated
 * feed, while a random one of the two is SIGKILLed every few seconds and restarted. At the
 * end it checks what the design promises (DESIGN.md "Concurrency: the log decides"):
 *
 * - no acknowledged event is lost and none is in the log twice;
 * - both nodes' reports equal `chanperf replay` of the acknowledged lines in the order they
 *   were acknowledged (resends only add duplicates, and re-reject the bad lines they carry);
 * - every alert of the report reached the webhook (a kill may repeat the one in flight).
 *
 * It prints a table (progress on stderr) and exits 1 if an event was lost or doubled, the log
 * holds a row nobody was answered for, a report differs, or an alert never arrived. Not part
 * of `npm test`: run `pnpm soak [--minutes N] [--kill-every-ms N] [--seed N]` (the root script
 * builds first; this file assumes `tsc -b` ran). docs/reliability.md has a run's figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { defaultSettings } from '@chanperf/domain';
import { ALERTING_LEASE, PROJECTOR_LEASE } from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from '@chanperf/store-sqlite';
import { generateFeed, mulberry32 } from '@chanperf/testing';

const CLI = fileURLToPath(new URL('../../../services/cli/dist/main.js', import.meta.url));

const USAGE = `usage: pnpm soak [--minutes N] [--kill-every-ms N] [--seed N] [--rate N] [--partners N] [--batch N]
                 [--durability power|process] [--keep]

  --minutes N        how long to ingest and kill (default 2); the run also ends when the feed is exhausted
  --kill-every-ms N  mean time from one SIGKILL to the next, jittered ±50%, never before the
                     restart listens (default 3000)
  --seed N           generator seed, also of the kill schedule (default 42)
  --rate N           feed lines per second sent, at most (default 2000; 0: as fast as answered)
  --partners N       partners of the feed (default: enough for --rate over --minutes, 12 months)
  --batch N          lines per request (default 500)
  --durability D     CHANPERF_DURABILITY of the serve processes (default: theirs, power)
  --keep             keep the data directory (it is kept anyway when a check fails)
`;

interface Options {
  readonly minutes: number;
  readonly killEveryMs: number;
  readonly seed: number;
  readonly rate: number;
  readonly partners: number;
  readonly months: number;
  readonly batch: number;
  readonly keep: boolean;
  readonly durability: 'power' | 'process' | undefined;
}

/** Lines per partner-month of the generator at its default density (6 sales + ~0.75 others). */
const LINES_PER_PARTNER_MONTH = 6.75;
const MONTHS = 12;

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      minutes: { type: 'string', default: '2' },
      'kill-every-ms': { type: 'string', default: '3000' },
      seed: { type: 'string', default: '42' },
      rate: { type: 'string', default: '2000' },
      partners: { type: 'string' },
      batch: { type: 'string', default: '500' },
      keep: { type: 'boolean', default: false },
      durability: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const num = (name: string, text: string, min: number, integer = true) => {
    const n = Number(text.replaceAll('_', ''));
    if (!Number.isFinite(n) || n < min || (integer && !Number.isSafeInteger(n)))
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
    return n;
  };
  const minutes = num('minutes', values.minutes, 0.1, false);
  const rate = num('rate', values.rate, 0);
  const partners =
    values.partners !== undefined
      ? num('partners', values.partners, 1)
      : rate === 0
        ? 400
        : Math.max(50, Math.ceil((rate * minutes * 60 * 1.15) / (MONTHS * LINES_PER_PARTNER_MONTH)));
  return {
    minutes,
    killEveryMs: num('kill-every-ms', values['kill-every-ms'], 100),
    seed: num('seed', values.seed, 0),
    rate,
    partners,
    months: MONTHS,
    batch: num('batch', values.batch, 1),
    keep: values.keep,
    durability: durabilityOf(values.durability),
  };
}

class UsageError extends Error {}

function durabilityOf(text: string | undefined): Options['durability'] {
  if (text === undefined || text === 'power' || text === 'process') return text;
  throw new UsageError('--durability must be power or process');
}

// ---------------------------------------------------------------------------------------
// Children: every one is killed when the script exits, however it exits.

const living = new Set<ChildProcess>();

function killChildren(): void {
  for (const child of living) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The run's data directory, removed at the end unless kept (--keep, a failed check, a crash). */
let dataDir: string | undefined;
let keepDir = false;

function cleanupDir(): void {
  if (dataDir === undefined) return;
  if (keepDir) process.stderr.write(`soak: data directory kept: ${dataDir}\n`);
  else rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nsoak: ${signal}: killing the children\n`);
    killChildren();
    cleanupDir();
    process.exit(130);
  });
}
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err) => {
    process.stderr.write(
      `soak: ${event}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    killChildren();
    keepDir = true;
    cleanupDir();
    process.exit(1);
  });
}

/** The environment of a child: this one's without CHANPERF_* settings, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHANPERF_')) env[k] = v;
  return { ...env, CHANPERF_LOG_LEVEL: 'warn', ...extra };
}

const tail = (s: string, n = 4000) => (s.length > n ? s.slice(-n) : s);

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const progress = (text: string) => process.stderr.write(`soak: ${text}\n`);

// ---------------------------------------------------------------------------------------
// The two serve processes.

interface ServeNode {
  readonly name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** False from just before a kill until the restart listens (ingest picks the other then). */
  alive: boolean;
  /** Set just before this script kills it: any other exit is unexpected. */
  killing: boolean;
  stderr: string;
}

const unexpectedExits: string[] = [];

async function startServe(
  node: Omit<ServeNode, 'child' | 'pid' | 'url' | 'alive' | 'killing' | 'stderr'>,
  env: NodeJS.ProcessEnv,
) {
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  living.add(child);
  const started: ServeNode = {
    ...node,
    child,
    pid: child.pid ?? -1,
    url: '',
    alive: false,
    killing: false,
    stderr: '',
  };
  child.once('exit', (code, signal) => {
    living.delete(child);
    started.alive = false;
    if (!started.killing) {
      unexpectedExits.push(
        `${started.name} pid ${started.pid}: code ${code}, signal ${signal}: ${tail(started.stderr, 1500)}`,
      );
      progress(`UNEXPECTED exit of ${started.name} (pid ${started.pid}, code ${code}, signal ${signal})`);
    }
  });
  const url = await withDeadline(
    `serve ${node.name} start`,
    60_000,
    new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        started.stderr = tail(started.stderr + s, 20_000);
        const m = /chanperf: serving on (\S+)/.exec(started.stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code, signal) =>
        reject(
          new Error(
            `serve ${node.name} exited (code ${code}, signal ${signal}) before serving: ${tail(started.stderr, 2000)}`,
          ),
        ),
      );
    }),
  );
  started.url = url;
  started.alive = true;
  return started;
}

async function stopGracefully(node: ServeNode): Promise<void> {
  node.killing = true;
  node.alive = false;
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill('SIGTERM');
  try {
    await withDeadline(`SIGTERM of ${node.name}`, 20_000, exited(node.child));
  } catch {
    node.child.kill('SIGKILL');
    await exited(node.child);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP.

interface Outcome {
  readonly index: number;
  readonly eventId: string | null;
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  readonly code?: string;
}
interface PostResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly results: readonly Outcome[];
}
interface Status {
  readonly log: { readonly position: number };
  readonly projection: { readonly position: number };
}
interface Report {
  readonly counts: { lines: number; accepted: number; duplicates: number; rejected: number };
  readonly lastClosedMonth: string | null;
  readonly channels: readonly unknown[];
  readonly program: unknown;
  readonly tierMovements: readonly unknown[];
  readonly alerts: readonly { readonly id: string }[];
  readonly rejected: readonly { readonly eventId: string | null; readonly code: string }[];
}

async function getJson<T>(url: string, timeoutMs = 60_000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface Memory {
  readonly pid: number;
  readonly rss: number | null;
  readonly heap: number | null;
}

/** RSS and used heap of a node, from its prom-client metrics (prefixed `chanperf_` or not). */
async function memory(node: ServeNode): Promise<Memory> {
  const res = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const metric = (name: string) => {
    const m = new RegExp(`^(?:chanperf_)?${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
    return m?.[1] === undefined ? null : Number(m[1]);
  };
  return {
    pid: node.pid,
    rss: metric('process_resident_memory_bytes'),
    heap: metric('nodejs_heap_size_used_bytes'),
  };
}

// ---------------------------------------------------------------------------------------
// The webhook receiver: counts deliveries by alert id, checks each signature.

const WEBHOOK_SECRET = 'soak-webhook-secret';

async function receiver() {
  const deliveries = new Map<string, number>();
  let badSignatures = 0;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
      if (req.headers['x-chanperf-signature'] !== expected) badSignatures++;
      const id = String(req.headers['x-chanperf-alert-id']);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    badSignatures: () => badSignatures,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------
// The run.

interface Kill {
  readonly node: string;
  readonly pid: number;
  readonly projector: boolean;
  readonly alerting: boolean;
  /** An ingest request to this node was in flight. */
  readonly midRequest: boolean;
  /** Milliseconds until another process held the projector lease (projector kills). */
  takeoverMs?: number | null;
  restartMs?: number;
}

interface Acked {
  readonly chunk: number;
  readonly attempts: number;
  readonly results: readonly Outcome[];
}

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(
      `soak: ${CLI} is missing: build first (\`pnpm build\`, i.e. tsc -b; \`pnpm soak\` does)\n`,
    );
    return 2;
  }
  const opts = options;
  const rnd = mulberry32(opts.seed ^ 0x5eed);

  // The feed: generated once, up front (eventIds are unique within it).
  const genStart = Date.now();
  const lines = [...generateFeed({ seed: opts.seed, partners: opts.partners, months: opts.months })];
  const chunks: string[][] = [];
  for (let i = 0; i < lines.length; i += opts.batch) chunks.push(lines.slice(i, i + opts.batch));
  progress(
    `feed: ${lines.length} lines (${opts.partners} partners × ${opts.months} months, seed ${opts.seed}) in ${((Date.now() - genStart) / 1000).toFixed(1)} s; ${chunks.length} requests of ≤ ${opts.batch}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'chanperf-soak-'));
  dataDir = dir;
  keepDir = opts.keep;
  const hooks = await receiver();
  const env = childEnv({
    CHANPERF_DATA_DIR: dir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
    CHANPERF_WEBHOOK_URL: hooks.url,
    CHANPERF_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...(opts.durability === undefined ? {} : { CHANPERF_DURABILITY: opts.durability }),
  });

  // A first node creates the database; then the second, and this script's own connection
  // (lease holders, the log at the end).
  const nodes: ServeNode[] = [await startServe({ name: 'A' }, env)];
  nodes.push(await startServe({ name: 'B' }, env));
  const probe: SqliteStore = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
  const projectorLease = probe.lease(PROJECTOR_LEASE, 'soak (reads the holder only)');
  const alertingLease = probe.lease(ALERTING_LEASE, 'soak (reads the holder only)');
  const memStart = await Promise.all(nodes.map(memory));
  progress(
    `serving: A ${nodes[0]?.url} (pid ${nodes[0]?.pid}), B ${nodes[1]?.url} (pid ${nodes[1]?.pid}); data in ${dir}`,
  );

  const loadStart = loadavg()[0] ?? 0;
  const started = Date.now();
  const endAt = started + opts.minutes * 60_000;
  let ingestDone = false;
  let feedExhausted = false;
  let inFlight: ServeNode | undefined;
  const acked: Acked[] = [];
  let attemptsTotal = 0;
  let connectionFailures = 0;
  const statusFailures = new Map<number, number>();
  const kills: Kill[] = [];

  /** A node's slot (0 for A, 1 for B): the object changes with every restart. */
  const slot = (node: ServeNode) => (node.name === 'A' ? 0 : 1);
  const nodeFor = async (preferred: number, deadline: number): Promise<ServeNode> => {
    for (;;) {
      const first = nodes[preferred % 2];
      const other = nodes[(preferred + 1) % 2];
      if (first?.alive) return first;
      if (other?.alive) return other;
      if (Date.now() > deadline) throw new Error('no serve process has been alive for 60 s');
      await sleep(20);
    }
  };

  // Steady ingest: one request in flight, alternately to A and B; a failed one is re-sent to
  // the other node until it is answered 200.
  const ingest = async () => {
    for (const [ci, chunk] of chunks.entries()) {
      if (Date.now() >= endAt) break;
      if (opts.rate > 0) {
        const due = started + ((ci * opts.batch) / opts.rate) * 1000;
        if (due > Date.now()) await sleep(Math.min(due, endAt) - Date.now());
        if (Date.now() >= endAt) break;
      }
      const body = chunk.join('\n');
      let preferred = ci % 2;
      let attempts = 0;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (Date.now() > deadline)
          throw new Error(`request ${ci} not answered 200 within 120 s (${attempts} attempts)`);
        const node = await nodeFor(preferred, Date.now() + 60_000);
        attempts++;
        attemptsTotal++;
        inFlight = node;
        let res: Response;
        let text: string;
        try {
          res = await fetch(`${node.url}/v1/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body,
            signal: AbortSignal.timeout(60_000),
          });
          text = await res.text();
        } catch {
          connectionFailures++;
          preferred = slot(node) + 1;
          continue;
        } finally {
          inFlight = undefined;
        }
        if (res.status === 200) {
          const answer = JSON.parse(text) as PostResult;
          if (answer.results.length !== chunk.length)
            throw new Error(`request ${ci}: ${answer.results.length} results for ${chunk.length} lines`);
          acked.push({ chunk: ci, attempts, results: answer.results });
          break;
        }
        if (res.status >= 500 || res.status === 429) {
          statusFailures.set(res.status, (statusFailures.get(res.status) ?? 0) + 1);
          preferred = slot(node) + 1;
          await sleep(100);
          continue;
        }
        throw new Error(`request ${ci} to ${node.name}: ${res.status} ${text.slice(0, 500)}`);
      }
    }
    feedExhausted = acked.length === chunks.length;
    ingestDone = true;
  };

  /** Waits until a live process other than `dead` holds `lease`; null after 15 s. */
  const takeover = async (lease: typeof projectorLease, dead: number): Promise<number | null> => {
    const from = Date.now();
    while (Date.now() - from < 15_000) {
      const pid = lease.holder()?.pid;
      if (pid !== undefined && pid !== dead) return Date.now() - from;
      await sleep(25);
    }
    return null;
  };

  const restart = async (i: number) => {
    const old = nodes[i];
    if (old === undefined) throw new Error('no node');
    const from = Date.now();
    nodes[i] = await startServe({ name: old.name }, env);
    return Date.now() - from;
  };

  // Every few seconds (jittered ±50%) a random node is SIGKILLed, then restarted.
  // The interval runs from kill to kill: a restart slower than it delays the next kill.
  const killer = async () => {
    let lastKill = Date.now();
    while (!ingestDone && Date.now() < endAt) {
      const wakeAt = lastKill + opts.killEveryMs * (0.5 + rnd());
      while (!ingestDone && Date.now() < Math.min(wakeAt, endAt))
        await sleep(Math.min(100, wakeAt - Date.now()));
      if (ingestDone || Date.now() >= endAt) break;
      for (const [i, n] of nodes.entries()) if (!n.alive) await restart(i); // after an unexpected exit
      const index = Math.floor(rnd() * nodes.length);
      const victim = nodes[index];
      if (victim === undefined) throw new Error('no victim');
      const projector = projectorLease.holder()?.pid === victim.pid;
      const alerting = alertingLease.holder()?.pid === victim.pid;
      const kill: Kill = {
        node: victim.name,
        pid: victim.pid,
        projector,
        alerting,
        midRequest: inFlight === victim,
      };
      victim.killing = true;
      victim.alive = false;
      victim.child.kill('SIGKILL');
      lastKill = Date.now();
      await withDeadline(`SIGKILL of ${victim.name}`, 10_000, exited(victim.child));
      kills.push(kill);
      const [restartMs, takeoverMs] = await Promise.all([
        restart(index),
        projector ? takeover(projectorLease, victim.pid) : Promise.resolve(undefined),
      ]);
      kill.restartMs = restartMs;
      if (takeoverMs !== undefined) kill.takeoverMs = takeoverMs;
    }
  };

  const ticker = setInterval(() => {
    const sent = acked.reduce((n, a) => n + (chunks[a.chunk]?.length ?? 0), 0);
    progress(
      `${Math.round((Date.now() - started) / 1000)} s: ${sent} lines acknowledged (${acked.length}/${chunks.length} requests), ${kills.length} kills, ${connectionFailures} failed attempts`,
    );
  }, 15_000);
  try {
    await withDeadline(
      'ingest and kills',
      opts.minutes * 60_000 + 300_000,
      Promise.all([ingest(), killer()]),
    );
  } finally {
    clearInterval(ticker);
  }
  const ingestSeconds = (Date.now() - started) / 1000;
  const loadEnd = loadavg()[0] ?? 0;
  progress(
    `ingest ${feedExhausted ? 'finished the feed' : 'stopped (time is up)'} after ${ingestSeconds.toFixed(0)} s; ${kills.length} kills; checking`,
  );

  // ---- The checks.
  for (const [i, n] of nodes.entries()) if (!n.alive) await restart(i);

  // 1. Both read models at the log's head.
  const head = await probe.log.head();
  await withDeadline(
    "projection to the log's head",
    600_000,
    (async () => {
      for (;;) {
        const statuses = await Promise.all(nodes.map((n) => getJson<Status>(`${n.url}/v1/status`)));
        if (statuses.every((s) => s.projection.position >= head && s.log.position >= head)) return;
        await sleep(200);
      }
    })(),
  );
  const reports = await Promise.all(nodes.map((n) => getJson<Report>(`${n.url}/v1/report`, 300_000)));

  // 2. `chanperf replay` of the acknowledged lines, in the order acknowledged.
  const ackedLines = acked.flatMap((a) => chunks[a.chunk] ?? []);
  const ackedFile = join(dir, 'acknowledged.ndjson');
  writeFileSync(ackedFile, `${ackedLines.join('\n')}\n`);
  progress(`replaying the ${ackedLines.length} acknowledged lines`);
  const replay = await withDeadline(
    'chanperf replay',
    Math.max(300_000, ackedLines.length * 5),
    new Promise<Report>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'replay', ackedFile], {
        env: childEnv({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      living.add(child);
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (err = tail(err + s)));
      child.once('exit', (code) => {
        living.delete(child);
        if (code !== 0) reject(new Error(`chanperf replay exited ${code}: ${err}`));
        else resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as Report);
      });
    }),
  );

  // 3. The log, read through the store.
  const inLog = new Map<string, number>();
  let logRows = 0;
  for (let after = 0; ;) {
    const page = await probe.log.read(after, 20_000);
    if (page.length === 0) break;
    for (const e of page) inLog.set(e.eventId, (inLog.get(e.eventId) ?? 0) + 1);
    logRows += page.length;
    after = page[page.length - 1]?.position ?? after;
  }
  const doubled = [...inLog.values()].filter((n) => n > 1).length;

  // The answers, in order: which eventIds the log must hold, and what resends did.
  const mustHold = new Set<string>();
  let answeredAccepted = 0;
  let answeredDuplicate = 0;
  let answeredRejected = 0;
  let acceptedTwice = 0;
  let resentAfterCommit = 0;
  const strange: string[] = [];
  for (const a of acked) {
    let committedBefore = false;
    for (const r of a.results) {
      if (r.status === 'rejected') {
        answeredRejected++;
        continue;
      }
      if (r.eventId === null) {
        strange.push(`request ${a.chunk} item ${r.index}: ${r.status} without an eventId`);
        continue;
      }
      if (r.status === 'accepted') {
        answeredAccepted++;
        if (mustHold.has(r.eventId)) acceptedTwice++;
      } else {
        answeredDuplicate++;
        if (!mustHold.has(r.eventId)) {
          // Only an earlier, unanswered attempt of this very request can have put it there.
          if (a.attempts > 1) committedBefore = true;
          else
            strange.push(
              `request ${a.chunk} item ${r.index}: duplicate of ${r.eventId}, never answered accepted`,
            );
        }
      }
      mustHold.add(r.eventId);
    }
    if (committedBefore) resentAfterCommit++;
  }
  const lost = [...mustHold].filter((id) => !inLog.has(id));
  const phantom = [...inLog.keys()].filter((id) => !mustHold.has(id));

  // 4. The reports against the replay.
  const strip = (list: Report['rejected']) => list.map(({ eventId, code }) => `${eventId ?? '∅'} ${code}`);
  const perRequest = acked.map((a) =>
    a.results.filter((r) => r.status === 'rejected').map((r) => `${r.eventId ?? '∅'} ${r.code ?? '?'}`),
  );
  const differences: string[] = [];
  if (!isDeepStrictEqual(strip(replay.rejected), perRequest.flat()))
    differences.push(
      `the HTTP answers' rejections differ from the replay's: ${firstDifference(perRequest.flat(), strip(replay.rejected))}`,
    );
  let reRejected = 0;
  for (const [i, report] of reports.entries()) {
    const name = nodes[i]?.name ?? '?';
    for (const section of ['channels', 'program', 'tierMovements', 'alerts', 'lastClosedMonth'] as const) {
      if (!isDeepStrictEqual(report[section], replay[section]))
        differences.push(`${name} ${section}: ${firstDifference(report[section], replay[section])}`);
    }
    if (report.counts.accepted !== replay.counts.accepted)
      differences.push(`${name} counts.accepted ${report.counts.accepted}, replay ${replay.counts.accepted}`);
    // Each request's rejections appear once per attempt that committed (at least the answered one).
    const extra = matchRejections(
      strip(report.rejected),
      perRequest,
      acked.map((a) => a.attempts),
    );
    if (extra === undefined)
      differences.push(`${name} rejected: not the replay's, even allowing for resends`);
    else {
      reRejected = Math.max(reRejected, extra);
      if (report.counts.rejected !== replay.counts.rejected + extra)
        differences.push(
          `${name} counts.rejected ${report.counts.rejected}, replay ${replay.counts.rejected} + ${extra} re-rejected`,
        );
    }
  }
  if (reports.length === 2 && !isDeepStrictEqual(reports[0], reports[1]))
    differences.push(`A and B: ${firstDifference(reports[0], reports[1])}`);
  const reportEqual = differences.length === 0;

  // 5. Every alert of the report at the webhook.
  const alertIds = replay.alerts.map((a) => a.id);
  const undelivered = () => alertIds.filter((id) => !hooks.deliveries.has(id));
  try {
    await withDeadline(
      'alert delivery',
      300_000,
      (async () => {
        while (undelivered().length > 0) await sleep(100);
      })(),
    );
  } catch {
    // reported below
  }
  await sleep(500);
  const missing = undelivered();
  const known = new Set(alertIds);
  const unknownDeliveries = [...hooks.deliveries.keys()].filter((id) => !known.has(id));
  const repeated = [...hooks.deliveries.values()].reduce((n, c) => n + c - 1, 0);
  const memEnd = await Promise.all(nodes.map(memory));

  // ---- The table.
  const takeovers = kills
    .map((k) => k.takeoverMs)
    .filter((t): t is number => typeof t === 'number')
    .sort((x, y) => x - y);
  const takeoverTimeouts = kills.filter((k) => k.takeoverMs === null).length;
  const restarts = kills.map((k) => k.restartMs ?? 0).sort((x, y) => x - y);
  const median = (xs: number[]) => (xs.length === 0 ? '—' : `${xs[Math.floor(xs.length / 2)]}`);
  const max = (xs: number[]) => (xs.length === 0 ? '—' : `${xs[xs.length - 1]}`);
  const mib = (b: number | null) => (b === null ? '—' : `${(b / 2 ** 20).toFixed(0)} MiB`);
  const memRow = (i: number, what: 'rss' | 'heap') => {
    const s = memStart[i];
    const e = memEnd[i];
    return `${mib(s?.[what] ?? null)} (pid ${s?.pid}) → ${mib(e?.[what] ?? null)} (pid ${e?.pid})`;
  };
  const count = (p: (k: Kill) => boolean) => kills.filter(p).length;
  const failed =
    lost.length > 0 ||
    doubled > 0 ||
    !reportEqual ||
    missing.length > 0 ||
    phantom.length > 0 ||
    acceptedTwice > 0;
  const rows: [string, string][] = [
    [
      'run',
      `${ingestSeconds.toFixed(0)} s of ingest and kills (--minutes ${opts.minutes} --kill-every-ms ${opts.killEveryMs} --seed ${opts.seed} --rate ${opts.rate}${opts.durability === undefined ? '' : ` --durability ${opts.durability}`})`,
    ],
    [
      'load average (1 min) start / end',
      `${loadStart.toFixed(1)} / ${loadEnd.toFixed(1)} on ${availableParallelism()} cores`,
    ],
    [
      'feed',
      `${lines.length} lines, ${opts.partners} partners × ${opts.months} months; ${feedExhausted ? 'all sent' : `the first ${acked.length} of its ${chunks.length} requests sent`}`,
    ],
    ['kills (SIGKILL)', `${kills.length}`],
    ['  projector + alerting holder', `${count((k) => k.projector && k.alerting)}`],
    ['  projector holder only', `${count((k) => k.projector && !k.alerting)}`],
    ['  alerting holder only', `${count((k) => !k.projector && k.alerting)}`],
    ['  other (neither lease)', `${count((k) => !k.projector && !k.alerting)}`],
    ['  with an ingest request in flight to it', `${count((k) => k.midRequest)}`],
    [
      'projector lease taken over (ms)',
      `median ${median(takeovers)}, max ${max(takeovers)}${takeoverTimeouts > 0 ? `, ${takeoverTimeouts} NOT within 15 s` : ''}`,
    ],
    ['restart until listening (ms)', `median ${median(restarts)}, max ${max(restarts)}`],
    ['unexpected exits', `${unexpectedExits.length}`],
    ['requests acknowledged / attempts', `${acked.length} / ${attemptsTotal}`],
    [
      '  failed attempts (connection / 5xx)',
      `${connectionFailures} / ${[...statusFailures.values()].reduce((a, b) => a + b, 0)}${statusFailures.size > 0 ? ` (${[...statusFailures].map(([s, n]) => `${s}×${n}`).join(', ')})` : ''}`,
    ],
    ['  resent after an unanswered commit', `${resentAfterCommit}`],
    ['acknowledged lines', `${ackedLines.length}`],
    [
      '  answered accepted / duplicate / rejected',
      `${answeredAccepted} / ${answeredDuplicate} / ${answeredRejected}`,
    ],
    ['log rows', `${logRows}`],
    ['lost (acknowledged, not in the log)', `${lost.length}`],
    ['doubled (eventId twice in the log)', `${doubled}`],
    ['unacknowledged rows in the log', `${phantom.length}`],
    ['report equal (A, B vs replay)', reportEqual ? 'yes' : 'NO'],
    ['  re-rejected by resends', `${reRejected}`],
    [
      '  duplicates: report / replay',
      `${reports[0]?.counts.duplicates ?? '—'} / ${replay.counts.duplicates}`,
    ],
    [
      'alerts in report / delivered / repeated',
      `${alertIds.length} / ${alertIds.length - missing.length} / ${repeated} (at most 1 per kill of the alerting holder: ${count((k) => k.alerting)})`,
    ],
    ['  unknown alert ids / bad signatures', `${unknownDeliveries.length} / ${hooks.badSignatures()}`],
    ['RSS A start → end', memRow(0, 'rss')],
    ['RSS B start → end', memRow(1, 'rss')],
    ['heap used A start → end', memRow(0, 'heap')],
    ['heap used B start → end', memRow(1, 'heap')],
    ['verdict', failed ? 'FAILED' : 'passed'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  const details = [
    ...differences.map((d) => `report: ${d}`),
    ...lost.slice(0, 10).map((id) => `lost: ${id}`),
    ...[...inLog]
      .filter(([, n]) => n > 1)
      .slice(0, 10)
      .map(([id, n]) => `doubled: ${id} ×${n}`),
    ...phantom.slice(0, 10).map((id) => `unacknowledged in the log: ${id}`),
    ...(acceptedTwice > 0 ? [`${acceptedTwice} eventIds answered accepted twice`] : []),
    ...missing.slice(0, 10).map((id) => `alert never delivered: ${id}`),
    ...strange.slice(0, 10),
    ...unexpectedExits,
  ];
  if (details.length > 0) process.stdout.write(`\n${details.join('\n')}\n`);

  // ---- Stop everything.
  await Promise.all(nodes.map(stopGracefully));
  probe.close();
  await hooks.close();
  if (failed) {
    keepDir = true;
    writeFileSync(join(dir, 'reports.json'), JSON.stringify({ nodes: reports, replay }, null, 1));
  }
  cleanupDir();
  return failed ? 1 : 0;
}

/**
 * How many rejected entries beyond the answered ones `actual` holds, if it is the requests'
 * rejections in order with each request's repeated 1 to `attempts` times (an attempt whose
 * answer was lost may have committed); undefined when it is not.
 */
function matchRejections(
  actual: readonly string[],
  perRequest: readonly (readonly string[])[],
  attempts: readonly number[],
): number | undefined {
  const at = (p: number, r: readonly string[]) => r.every((x, j) => actual[p + j] === x);
  let frontier = new Set<number>([0]);
  for (const [i, r] of perRequest.entries()) {
    const next = new Set<number>();
    for (const p of frontier) {
      if (r.length === 0) {
        next.add(p);
        continue;
      }
      let q = p;
      for (let k = 0; k < (attempts[i] ?? 1) && at(q, r); k++) {
        q += r.length;
        next.add(q);
      }
    }
    if (next.size === 0) return undefined;
    frontier = next;
  }
  const once = perRequest.reduce((n, r) => n + r.length, 0);
  return frontier.has(actual.length) ? actual.length - once : undefined;
}

/** Where two JSON values first differ, as a path and both values (cut short). */
function firstDifference(a: unknown, b: unknown, path = ''): string {
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'undefined';
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  };
  if (isDeepStrictEqual(a, b)) return `${path || '(root)'}: equal`;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      if (!isDeepStrictEqual(a[i], b[i])) return firstDifference(a[i], b[i], `${path}[${i}]`);
    return `${path}: length ${a.length} vs ${b.length}`;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ra), ...Object.keys(rb)]))
      if (!isDeepStrictEqual(ra[k], rb[k])) return firstDifference(ra[k], rb[k], `${path}.${k}`);
  }
  return `${path || '(root)'}: ${show(a)} vs ${show(b)}`;
}

main().then(
  (code) => {
    killChildren();
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killChildren();
    keepDir = true;
    cleanupDir();
    process.exit(1);
  },
);
