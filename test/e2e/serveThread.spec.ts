/**
 * Where `chanperf serve` runs its services (commands/serve.ts): when it ingests, on a worker
 * thread whose young generation is CHANPERF_SERVE_YOUNG_GENERATION_MB (default 192), or, with 0,
 * on the process's main thread; when it does not (`--only query`, …), on the main thread. Either way: it serves, a SIGTERM stops it with exit code 0, a port in use ends
 * it with exit code 1 and one fatal line (it used to log the failure and stay alive, its
 * projection thread and leases holding the process), and a bad value is a usage error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '@chanperf/testing';
import { chanperf, chanperfAsync, serveAsync, stopChild } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-serve-thread-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The JSON log line `serve` writes once it listens. */
function servingLine(stderr: string): Record<string, unknown> {
  const line = stderr.split('\n').find((l) => l.includes('chanperf: serving on'));
  if (line === undefined) throw new Error(`no serving line in: ${stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

function exitOf(child: ReturnType<typeof chanperfAsync>): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

async function serve(env: NodeJS.ProcessEnv, args: string[] = []) {
  let stderr = '';
  const s = serveAsync(args, { CHANPERF_HTTP_PORT: '0', ...env });
  s.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanups.push(() => stopChild(s.child));
  const url = await s.url;
  return { ...s, url, stderr: () => stderr };
}

const basic = readFileSync(join(EXAMPLES, 'basic.ndjson'));
const expected = (
  JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8')) as {
    channels: unknown[];
  }
).channels;

describe.each([
  { setting: undefined, thread: 'worker', youngGenerationMb: 192 },
  { setting: '96', thread: 'worker', youngGenerationMb: 96 },
  { setting: '0', thread: 'main', youngGenerationMb: null },
])(
  'chanperf serve, CHANPERF_SERVE_YOUNG_GENERATION_MB=$setting',
  ({ setting, thread, youngGenerationMb }) => {
    const env = (dir: string): NodeJS.ProcessEnv => ({
      CHANPERF_DATA_DIR: dir,
      ...(setting === undefined ? {} : { CHANPERF_SERVE_YOUNG_GENERATION_MB: setting }),
    });

    it(`serves on the ${thread} thread, answers the report's figures and stops on SIGTERM with 0`, async () => {
      const s = await serve(env(tempDir()));
      // V8's own limit on the thread that logged it, not the setting read back.
      expect(servingLine(s.stderr())).toMatchObject({ thread, youngGenerationMb });
      const posted = await fetch(`${s.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: basic,
      });
      expect(posted.status).toBe(200);
      await waitUntil('the figures to include the events', async () => {
        const status = (await (await fetch(`${s.url}/v1/status`)).json()) as { lag: number };
        return status.lag === 0;
      });
      const report = (await (await fetch(`${s.url}/v1/report`)).json()) as { channels: unknown[] };
      expect(report.channels).toEqual(expected);
      s.child.kill('SIGTERM');
      expect(await exitOf(s.child)).toBe(0);
    });

    it('ends with exit code 1 and one fatal line when its port is in use', async () => {
      const first = await serve(env(tempDir()));
      const port = new URL(first.url).port;
      const second = chanperfAsync(['serve'], { ...env(tempDir()), CHANPERF_HTTP_PORT: port });
      cleanups.push(() => stopChild(second));
      let stderr = '';
      second.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      expect(await exitOf(second)).toBe(1);
      const fatal = stderr.split('\n').filter((l) => l.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toContain('EADDRINUSE');
    });
  },
);

describe('CHANPERF_SERVE_YOUNG_GENERATION_MB', () => {
  it('leaves a serve that does not ingest on the main thread', async () => {
    for (const only of ['query', 'projection']) {
      const s = await serve({ CHANPERF_DATA_DIR: tempDir() }, ['--only', only]);
      expect(servingLine(s.stderr())).toMatchObject({
        services: only,
        thread: 'main',
        youngGenerationMb: null,
      });
      s.child.kill('SIGTERM');
      expect(await exitOf(s.child)).toBe(0);
    }
  });

  it('is a usage error when not a whole number of MiB from 0 to 3072', () => {
    for (const value of ['-1', 'big', '4096']) {
      const r = chanperf(['serve'], {
        CHANPERF_DATA_DIR: tempDir(),
        CHANPERF_SERVE_YOUNG_GENERATION_MB: value,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('chanperf: serve: CHANPERF_SERVE_YOUNG_GENERATION_MB');
    }
  });
});
