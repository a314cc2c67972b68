/**
 * What the `chanperf export` / `import` specs share: the built CLI run to success (or to a
 * refusal), temporary folders, stand-in EventStoreDB servers (the real client over gRPC on
 * loopback), `serve` over EventStoreDB for a report, and the target states an interrupted
 * import leaves (the file's first entries, committed through the store's own port).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { eventStoreDbStore } from '../../packages/eventstoredb/src/index.js';
import { sqliteStore } from '@chanperf/store-sqlite';
import type { LogEntry } from '@chanperf/engine';
import { EsdbStandIn } from '../../packages/eventstoredb/src/testing/standIn.js';
import { waitUntil } from '../../packages/testing/src/contracts/index.js';
import { chanperfAsync, serveAsync, stopChild } from '../support/cli.js';

const SETTINGS = { timeZone: 'Asia/Shanghai', currency: 'CNY', minorDigits: 2 } as const;

/**
 * Runs the built CLI as a child without blocking this process (the stand-in server answers
 * from this process's event loop); resolves with its exit code and output.
 */
export function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const child = chanperfAsync(args, env);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI; answers its stdout, failing the test (with its stderr) unless it exits 0. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const ran = await run(args, env);
  if (ran.status !== 0)
    throw new Error(`chanperf ${args.join(' ')} exited ${String(ran.status)}: ${ran.stderr}`);
  return ran.stdout;
}

/** Runs the built CLI expecting a refusal: exit 2, nothing on stdout; answers its stderr. */
export async function refused(args: string[]): Promise<string> {
  const ran = await run(args);
  expect(ran.stdout).toBe('');
  expect(ran.status, ran.stderr).toBe(2);
  return ran.stderr.trim();
}

/** `chanperf export ARGS > file`; answers the file's text. */
export async function exportTo(file: string, args: string[]): Promise<string> {
  const text = await cli(['export', ...args, '--quiet']);
  writeFileSync(file, text);
  return text;
}

/** `chanperf import FILE ARGS`: its summary. */
export async function importFile(file: string, args: string[]): Promise<Record<string, unknown>> {
  return JSON.parse(await cli(['import', file, ...args, '--quiet'])) as Record<string, unknown>;
}

/** Temporary folders and stand-in servers, all removed by `cleanUp`. */
export class Scratch {
  private readonly dirs: string[] = [];
  private readonly servers: EsdbStandIn[] = [];
  private readonly children: ChildProcess[] = [];

  dir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'chanperf-export-'));
    this.dirs.push(dir);
    return dir;
  }

  async standIn(): Promise<EsdbStandIn> {
    const server = new EsdbStandIn();
    await server.start();
    this.servers.push(server);
    return server;
  }

  /** `chanperf serve` over EventStoreDB with `dataDir` (its local file: `eventstoredb.db`); its URL. */
  serve(server: EsdbStandIn, dataDir: string): { url: Promise<string>; stop: () => Promise<void> } {
    const { child, url } = serveAsync([], {
      CHANPERF_DATA_DIR: dataDir,
      CHANPERF_HTTP_HOST: '127.0.0.1',
      CHANPERF_HTTP_PORT: '0',
      CHANPERF_EVENTSTORE_URL: server.connectionString,
    });
    this.children.push(child);
    return { url, stop: () => stopChild(child) };
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.children.map(stopChild));
    for (const server of this.servers) server.stop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The report a `serve` node gives once its projection reached `head`. */
export async function servedReport(url: string, head: number): Promise<unknown> {
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
  return (await fetch(`${url}/v1/report`)).json();
}

/** The entries of an export file (its lines with a position), parsed. */
export function entriesOf(file: string): LogEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"position":'))
    .map((l) => {
      const e = JSON.parse(l) as LogEntry & { payload: unknown };
      return { ...e, payload: l.slice(l.indexOf(',"payload":') + ',"payload":'.length, -1) };
    });
}

/**
 * What an import killed after its first `n` entries leaves behind: those entries committed
 * with zero counts, and no ledgers (they go in one later commit with the import's marker).
 */
export async function leaveInterrupted(
  target: { readonly db: string; readonly eventstore?: string },
  entries: readonly LogEntry[],
): Promise<void> {
  const accepted = entries.map(({ eventId, type, channelId, payload }) => ({
    eventId,
    type,
    channelId,
    payload,
  }));
  const batch = { accepted, rejected: [], counts: { lines: 0, accepted: 0, duplicates: 0, rejected: 0 } };
  if (target.eventstore === undefined) {
    const store = sqliteStore({ path: target.db, settings: SETTINGS });
    await store.log.commit(batch);
    store.close();
    return;
  }
  const store = await eventStoreDbStore({
    connectionString: target.eventstore,
    localPath: target.db,
    settings: SETTINGS,
    follow: false,
  });
  await store.log.commit(batch);
  await store.close();
}
