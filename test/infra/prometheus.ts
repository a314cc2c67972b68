/**
 * A real Prometheus (Debian's `prometheus` package) started on infra/monitoring's own files,
 * for tests: the shipped prometheus.yml with its targets pointed at live processes and a 1 s
 * scrape interval, the shipped rules, an API key in metrics.key.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@chanperf/testing';
import { INFRA } from './composeFile.js';

export const MONITORING = join(INFRA, 'monitoring');

function missing(binary: string): boolean {
  return spawnSync(binary, ['--version'], { encoding: 'utf8' }).status !== 0;
}

/** Why Prometheus cannot run here, or undefined. */
export const PROMETHEUS_SKIP =
  missing('promtool') || missing('prometheus')
    ? 'no promtool/prometheus (apt-get install prometheus): the rules and dashboard cannot be checked here'
    : undefined;

export function promtool(args: readonly string[], cwd: string) {
  return spawnSync('promtool', args, { cwd, encoding: 'utf8' });
}

export interface RunningPrometheus {
  readonly url: string;
  readonly dir: string;
  /** `GET /api/v1/query?query=EXPR`'s data (throws unless the status is success). */
  query(
    expr: string,
  ): Promise<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Copies infra/monitoring into `dir`, points the scrape at `targets`, starts Prometheus. */
export async function startPrometheus(
  dir: string,
  targets: readonly string[],
  metricsKey: string,
): Promise<RunningPrometheus> {
  cpSync(MONITORING, dir, { recursive: true });
  const configPath = join(dir, 'prometheus.yml');
  const shipped = readFileSync(configPath, 'utf8');
  const config = shipped
    .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s')
    .replace(/evaluation_interval: \d+s/, 'evaluation_interval: 1s')
    .replace(/- targets: \[[^\]]*\]/, `- targets: ${JSON.stringify(targets)}`);
  if (!config.includes(JSON.stringify(targets)))
    throw new Error('prometheus.yml has no targets line to point');
  writeFileSync(configPath, config);
  writeFileSync(join(dir, 'metrics.key'), metricsKey);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? res.status} (${stderr})`);
    return body.data;
  };
  return {
    url,
    dir,
    get,
    query: (expr) => get(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
