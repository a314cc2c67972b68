/**
 * Child processes of the benchmark, their peak memory and CPU time. A stage that runs to
 * completion (floor, replay, rebuild) is wrapped in GNU `/usr/bin/time -f '%M %U %S'` when it
 * exists — the kernel's own max RSS and user + system CPU, exact; otherwise /proc/PID/status
 * VmHWM and /proc/PID/stat are polled every 50 ms. A server (serve) is asked for its VmHWM just
 * before it is stopped. CPU seconds matter on a shared machine: wall-clock rates fall with the
 * load average, events per CPU-second much less.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const POLL_MS = 50;

/** Every child still running, so an interrupted benchmark leaves none behind. */
const living = new Set<ChildProcess>();

/** Kills (SIGKILL) the children still running; for exit and signal handlers. */
export function killChildren(): void {
  for (const child of living) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Wall-clock seconds from spawn to exit (includes Node's start-up, ~0.1–0.3 s). */
  readonly seconds: number;
  /** Peak resident set size in bytes, or null if it could not be measured. */
  readonly peakRssBytes: number | null;
  /** User + system CPU seconds of the process (every thread), or null if unknown. */
  readonly cpuSeconds: number | null;
  /** How the peak was measured. */
  readonly rssMethod: 'gnu-time' | 'proc-vmhwm' | 'none';
  readonly stdout: string;
  /** The last 8 KiB of stderr (logs, or the reason of a failure). */
  readonly stderrTail: string;
}

/** Peak RSS so far of a live process, in bytes (VmHWM; VmRSS when absent), or null once it is gone. */
export function procPeakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+) kB/m.exec(status) ?? /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux Node runs on). */
const USER_HZ = 100;

/** User + system CPU seconds so far of a live process (all its threads), or null once it is gone. */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(…)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

const tail = (s: string, n = 8192) => (s.length > n ? s.slice(-n) : s);

/**
 * Runs `node ARGS…` to completion and measures it. `stdout: 'null'` sends stdout to
 * /dev/null (the replay's report: writing it is part of the work, keeping it is not);
 * `{ file }` writes it to that file (the A/B tool keeps each report to compare their md5).
 * `onTick` is called every `tickSeconds` while it runs (progress on stderr).
 */
export async function runNode(
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    stdout: 'capture' | 'null' | { readonly file: string };
    onTick?: (elapsedSeconds: number) => void;
    tickSeconds?: number;
  },
): Promise<ChildResult> {
  const useTime = existsSync(GNU_TIME);
  const scratch = mkdtempSync(join(tmpdir(), 'chanperf-bench-time-'));
  const timeFile = join(scratch, 'maxrss');
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ['-o', timeFile, '-f', '%M %U %S', process.execPath, ...args] : [...args];
  const out = options.stdout;
  const stdoutFd = out === 'capture' ? undefined : openSync(out === 'null' ? '/dev/null' : out.file, 'w');
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const child = spawn(command, argv, {
    env: options.env ?? process.env,
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  living.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = tail(stderr + s, 65536)));

  let polled: number | null = null;
  let polledCpu: number | null = null;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        if (child.pid === undefined) return;
        const rss = procPeakRss(child.pid);
        if (rss !== null) polled = Math.max(polled ?? 0, rss);
        polledCpu = procCpuSeconds(child.pid) ?? polledCpu;
      }, POLL_MS);
  const tickMs = (options.tickSeconds ?? 15) * 1000;
  const ticker =
    options.onTick === undefined ? undefined : setInterval(() => options.onTick?.(elapsed()), tickMs);

  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    const seconds = elapsed();
    let peakRssBytes: number | null = polled;
    let cpuSeconds: number | null = polledCpu;
    if (useTime && existsSync(timeFile)) {
      // GNU time prefixes "Command exited with non-zero status N" when it did; ours is the last line.
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      const m = /^(\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(last);
      peakRssBytes = m === null ? null : Number(m[1]) * 1024;
      cpuSeconds = m === null ? null : Number(m[2]) + Number(m[3]);
    }
    return {
      code,
      signal,
      seconds,
      peakRssBytes,
      cpuSeconds,
      rssMethod: peakRssBytes === null ? 'none' : useTime ? 'gnu-time' : 'proc-vmhwm',
      stdout,
      stderrTail: tail(stderr),
    };
  } finally {
    living.delete(child);
    if (poll !== undefined) clearInterval(poll);
    if (ticker !== undefined) clearInterval(ticker);
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  /** Peak RSS so far (VmHWM), in bytes. */
  peakRss(): number | null;
  /** CPU seconds used so far (user + system, every thread). */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after 30 s; resolves with the exit code and the peak RSS read just before. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; peakRssBytes: number | null }>;
  stderrTail(): string;
}

/**
 * Starts `node CLI serve` on `dataDir` (all services in one process, or only `only` of them;
 * any free port, no API keys, no webhook) and resolves once it prints `chanperf: serving on URL`.
 */
export async function startServe(
  cli: string,
  dataDir: string,
  options: {
    only?: 'ingestion' | 'projection';
    timeoutSeconds?: number;
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<RunningServer> {
  const timeoutSeconds = options.timeoutSeconds ?? 300;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'CHANPERF_API_KEYS',
    'CHANPERF_WEBHOOK_URL',
    'CHANPERF_WEBHOOK_SECRET',
    'CHANPERF_AUTO_CLOSE_DAY',
  ]) {
    delete env[name];
  }
  Object.assign(env, options.env ?? {}, {
    CHANPERF_DATA_DIR: dataDir,
    CHANPERF_HTTP_HOST: '127.0.0.1',
    CHANPERF_HTTP_PORT: '0',
  });
  const args = options.only === undefined ? [cli, 'serve'] : [cli, 'serve', '--only', options.only];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  living.add(child);
  let stderr = '';
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (c, s) => {
      living.delete(child);
      resolve([c, s]);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start within ${timeoutSeconds} s: ${tail(stderr, 2000)}`));
    }, timeoutSeconds * 1000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = tail(stderr + s, 65536);
      const m = /chanperf: serving on (\S+)/.exec(stderr);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      reject(
        new Error(`serve exited (code ${code}, signal ${signal}) before serving: ${tail(stderr, 2000)}`),
      );
    });
  });
  const pid = child.pid ?? -1;
  let lastPeak: number | null = null;
  const peakRss = () => {
    const now = procPeakRss(pid);
    if (now !== null) lastPeak = now;
    return lastPeak;
  };
  return {
    url,
    pid,
    peakRss,
    cpuSeconds: () => procCpuSeconds(pid),
    stderrTail: () => tail(stderr),
    async stop() {
      const peakRssBytes = peakRss();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code, signal] = await exited;
      clearTimeout(kill);
      return { code, signal, peakRssBytes };
    },
  };
}
