/**
 * "A sentence in the README is a promise": its commands, run in a plain clone, all work.
 *
 * The clone: `git clone` of this work tree's HEAD into a temporary folder with no `../shared`
 * beside it, with the work tree's README.md over the clone's (an edited README is tested before
 * it is committed). It stands in for what the README's "Two commands" do first: `pnpm install
 * --offline --frozen-lockfile` (~10 s from the machine's store), and the work tree's built
 * `dist/` folders copied in (`tsc -b` in a fresh clone takes ~110 s here: beyond this test's
 * budget; the sources are the same). `pnpm` is `npx -y pnpm@10` where it is not installed, as
 * the README says.
 *
 * What runs, and how it is judged (test/readme/readmeCommands.ts): every ```sh block, in order,
 * with `bash -e` in the clone's root — exit 0, and the ```text block after it, if any, is its
 * stdout exactly; a block starting `chanperf serve` is started in the background with
 * `CHANPERF_HTTP_PORT=0` (127.0.0.1, a free port) and `$API` becomes the address it prints; a
 * later serve replaces it (as "stop the first serve" says). Every `curl …` of the endpoint tables
 * is sent to the serve of that point and must answer 2xx (a `.curlrc` adds `--fail-with-body`);
 * the live stream never ends: it is cut after 2 s and passes when it answered 200. `npm` blocks
 * are listed as not run, with why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline } from '@chanperf/testing';
import { readmeSteps, type Step } from './readmeCommands.js';

const WORK_TREE = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(WORK_TREE, 'README.md'), 'utf8');
const steps = readmeSteps(README);

const root = mkdtempSync(join(tmpdir(), 'chanperf-readme-'));
const clone = join(root, 'chanperf');
const bin = join(root, 'bin');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${bin}:${process.env['PATH'] ?? ''}`,
  CURL_HOME: root,
  CHANPERF_HTTP_PORT: '0',
};

function sh(command: string, cwd = root): string {
  const run = spawnSync('bash', ['-ec', command], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`${command}: exit ${String(run.status)}\n${run.stderr}`);
  return run.stdout;
}

/** The work tree's built packages, into the clone (their sources are the clone's). */
function copyBuilds(): void {
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(WORK_TREE, group))) {
      const dist = join(WORK_TREE, group, name, 'dist');
      if (existsSync(dist)) cpSync(dist, join(clone, group, name, 'dist'), { recursive: true });
    }
  }
}

beforeAll(() => {
  sh(`git clone -q ${JSON.stringify(WORK_TREE)} chanperf`);
  writeFileSync(join(clone, 'README.md'), README);
  mkdirSync(bin);
  if (spawnSync('bash', ['-c', 'command -v pnpm']).status !== 0) {
    writeFileSync(join(bin, 'pnpm'), '#!/bin/sh\nexec npx -y pnpm@10 "$@"\n', { mode: 0o755 });
  }
  writeFileSync(join(root, '.curlrc'), '--fail-with-body\n--silent\n--show-error\n--max-time 20\n');
  sh('pnpm install --offline --frozen-lockfile --reporter=silent', clone);
  copyBuilds();
}, 90_000);

let server: { child: ChildProcess; url: string } | undefined;

async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (s === undefined || s.child.exitCode !== null || s.child.pid === undefined) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  process.kill(-s.child.pid, 'SIGTERM'); // the group: bash, pnpm and the chanperf it started
  await exited;
}

afterAll(async () => {
  await stopServer();
  rmSync(root, { recursive: true, force: true });
});

/** Every prelude (`API=…`) before step `index`, then `$API` pointed at the running serve. */
function preludeOf(index: number): string {
  const preludes = steps.slice(0, index).filter((s) => s.kind === 'prelude');
  const api = server === undefined ? [] : [`API=${server.url}`];
  return [...preludes.map((s) => s.script), ...api].join('\n');
}

async function startServer(script: string, index: number): Promise<void> {
  await stopServer();
  const child = spawn('bash', ['-ec', `${preludeOf(index)}\n${script}`], {
    cwd: clone,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(err);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}: ${err}`)));
  });
  server = { child, url };
}

function runScript(script: string, index: number, live: boolean) {
  return spawnSync('bash', ['-ec', `${preludeOf(index)}\n${script}${live ? ' --max-time 2 -i' : ''}`], {
    cwd: clone,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const title = (s: Step) => `line ${s.line}: ${s.script.split('\n')[0] ?? ''}`;

/** A curl that appends events (`POST /v1/events`): its 200 means durable, not yet projected. */
const appends = (s: Step) => /\$API\/v1\/events\b/.test(s.script) && /(^|\s)(-d|--data\S*)\s/.test(s.script);

/**
 * What the README's `POST /v1/events` row says a reader does before reading the figures of what
 * it appended: waits for `GET /v1/status` to answer `lag` 0 (the read model follows the log
 * within milliseconds, but a read 50 ms later on a loaded machine came before it: a 404 for the
 * partner just registered). Each check is one curl through the README's own prelude.
 */
function awaitProjected(index: number): void {
  const limit = deadline(30_000);
  for (;;) {
    const run = runScript('curl -s -H "$H" $API/v1/status', index, false);
    const lag: unknown = run.status === 0 ? (JSON.parse(run.stdout) as { lag?: unknown }).lag : undefined;
    if (lag === 0) return;
    if (limit.passed())
      throw new Error(`the projection did not catch up (${limit.elapsed()}): ${run.stdout}${run.stderr}`);
  }
}

describe('the README, in a plain clone', () => {
  it('has commands of every kind to run, and none reads the shared spec folder', () => {
    const kinds = new Set(steps.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['curl', 'prelude', 'run', 'serve', 'skipped']);
    expect(steps.filter((s) => s.kind === 'curl').length).toBeGreaterThan(20);
    expect(steps.some((s) => s.kind === 'run' && s.output !== undefined)).toBe(true);
    expect(steps.filter((s) => s.script.includes('../shared'))).toEqual([]);
    expect(existsSync(join(root, '..', 'shared'))).toBe(false);
  });

  for (const [index, step] of steps.entries()) {
    if (step.kind === 'skipped') {
      it.skip(`${title(step)} — not run: ${step.why}`, () => undefined);
    } else if (step.kind === 'serve') {
      it(`${title(step)} — serves`, async () => {
        await startServer(step.script, index);
        expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      });
    } else if (step.kind !== 'prelude') {
      const live = step.script.includes('/v1/live');
      it(`${title(step)}`, () => {
        if (step.kind === 'curl') expect(server, 'a serve runs before the curls').toBeDefined();
        const run = runScript(step.script, index, live);
        if (live) {
          expect(run.status, run.stderr).toBe(28); // cut by --max-time while streaming
          expect(run.stdout).toMatch(/^HTTP\/1\.1 200/);
          return;
        }
        expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
        if (step.kind === 'run' && step.output !== undefined)
          expect(run.stdout.trim()).toBe(step.output.trim());
        if (step.kind === 'curl' && appends(step)) awaitProjected(index);
      });
    }
  }
});
