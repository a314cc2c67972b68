/**
 * The A/B tool (`pnpm bench:ab --a REF --b REF`): two builds of chanperf measured on one feed,
 * their runs alternated (A B A B …) so the shared machine's drifts fall on both, with the machine
 * floor run in every round. Prints, per stage, the medians of A and B in events/s, their ratio
 * to the floor's median, B/A, and whether every replay report has the same md5 (loudly if not).
 *
 * A ref is checked out in a temporary `git worktree add --detach`, installed offline and built;
 * a path is used as it is. The stages are the benchmark's own (`stages.ts`), run from this
 * checkout's build against each side's CLI. Worktrees are removed at the end, also on failure
 * or interruption (not with --keep). Progress on stderr, the table on stdout; exit 0 unless a
 * run crashed (1), 2 on bad usage.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AB_USAGE,
  parseAbOptions,
  renderAb,
  summarize,
  type AbOptions,
  type AbSample,
  type AbStage,
} from './abSummary.js';
import type { Feed } from './feed.js';
import { killChildren } from './processes.js';
import { benchFeed, progressLog, runFloor, runIngest, runRebuild, runReplay } from './stages.js';
import { grouped } from './table.js';

const progress = progressLog('ab');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const workRoot = join(os.tmpdir(), 'chanperf-bench');

/** A build of chanperf to measure. */
interface Tree {
  readonly label: string;
  readonly dir: string;
  readonly cli: string;
}

/** What to undo: the worktrees added, the scratch directory; the build step running. */
const created: { worktrees: string[]; scratch: string | undefined; keep: boolean } = {
  worktrees: [],
  scratch: undefined,
  keep: false,
};
let building: ChildProcess | undefined;

function git(args: readonly string[], cwd = root): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs a build step to completion; its output is shown only if it fails. */
async function step(what: string, command: string, args: readonly string[], cwd: string): Promise<void> {
  const started = process.hrtime.bigint();
  // Its own process group: npx starts pnpm, which starts more; an interruption kills them all.
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  building = child;
  let output = '';
  const keep = (s: string) => (output = (output + s).slice(-8000));
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  building = undefined;
  if (code !== 0) throw new Error(`${what} in ${cwd} failed (exit ${code}):\n${output.trim()}`);
  progress(`${what}: done in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s (${cwd})`);
}

/** The build of `ref` (a path, or a git ref checked out, installed and built under `base`). */
async function prepare(ref: string, side: 'A' | 'B', base: string, bySha: Map<string, Tree>): Promise<Tree> {
  if (existsSync(ref) && statSync(ref).isDirectory()) {
    const dir = resolve(ref);
    const cli = join(dir, 'services/cli/dist/main.js');
    if (!existsSync(cli)) throw new Error(`${dir} is not built (${cli} is missing): run tsc -b there first`);
    let head = 'not a git checkout';
    try {
      head = git(['log', '-1', '--format=%h %s'], dir);
      if (git(['status', '--porcelain', '--untracked-files=no'], dir) !== '')
        head += ', with uncommitted changes';
    } catch {
      // not a git checkout
    }
    return { label: `${ref} — checkout ${dir}, as built (${head})`, dir, cli };
  }
  let sha: string;
  try {
    sha = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--${side.toLowerCase()} ${ref}: neither a directory nor a commit of ${root}`);
  }
  const label = `${ref} — ${git(['log', '-1', '--format=%h %s', sha])}`;
  const same = bySha.get(sha);
  if (same !== undefined) return { ...same, label: `${label} (the same commit as A: one build)` };
  const dir = join(base, `${side.toLowerCase()}-${sha.slice(0, 10)}`);
  progress(`${side}: ${label}: worktree at ${dir}`);
  created.worktrees.push(dir);
  git(['worktree', 'add', '--detach', dir, sha]);
  await step(
    `${side}: pnpm install --offline`,
    'npx',
    ['-y', 'pnpm@10', 'install', '--frozen-lockfile', '--offline'],
    dir,
  );
  await step(`${side}: tsc -b`, 'npx', ['-y', 'pnpm@10', 'exec', 'tsc', '-b'], dir);
  const tree = { label, dir, cli: join(dir, 'services/cli/dist/main.js') };
  bySha.set(sha, tree);
  return tree;
}

/** Removes what this run created (worktrees first, through git), unless --keep. */
function cleanUp(): void {
  if (created.keep) {
    if (created.scratch !== undefined) process.stderr.write(`ab: kept ${created.scratch}\n`);
    for (const dir of created.worktrees)
      process.stderr.write(`ab: remove with: git worktree remove --force ${dir}\n`);
    return;
  }
  let stale = false;
  for (const dir of created.worktrees.splice(0)) {
    try {
      git(['worktree', 'remove', '--force', dir]);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      stale = true;
    }
  }
  if (stale) {
    try {
      git(['worktree', 'prune']);
    } catch {
      // nothing registered
    }
  }
  if (created.scratch !== undefined) rmSync(created.scratch, { recursive: true, force: true });
  created.scratch = undefined;
}

async function md5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Round {
  readonly round: number;
  readonly feed: Feed;
  readonly stages: readonly AbStage[];
  readonly machine: number | undefined;
  readonly samples: AbSample[];
  readonly crashes: string[];
}

/** One side's runs in a round: replay (kept for rebuild), rebuild on its database, ingest. */
async function runSide(r: Round, side: 'A' | 'B', tree: Tree, dir: string): Promise<void> {
  const say = (m: string) => progress(`round ${r.round} ${side}: ${m}`);
  const attempt = async <T>(stage: AbStage, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      const message = `round ${r.round} ${side} ${stage}: ${(err as Error).message}`;
      r.crashes.push(message);
      progress(`FAILED: ${message}`);
      return undefined;
    }
  };
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'chanperf.db');
  const at = (stage: AbStage, eventsPerSecond: number, cpuSeconds: number | null, reportMd5?: string) =>
    r.samples.push({
      round: r.round,
      side,
      stage,
      eventsPerSecond,
      cpuSeconds,
      ...(reportMd5 === undefined ? {} : { reportMd5 }),
    });
  const replayed =
    r.stages.includes('replay') || r.stages.includes('rebuild')
      ? await attempt('replay', async () => {
          const report = join(dir, 'report.json');
          const figures = await runReplay(tree.cli, r.feed, db, {
            label: 'replay',
            say,
            machine: r.machine,
            reportTo: report,
          });
          const sum = await md5(report);
          say(`replay report md5 ${sum}`);
          if (r.stages.includes('replay')) at('replay', figures.eventsPerSecond, figures.cpuSeconds, sum);
          return figures;
        })
      : undefined;
  if (replayed !== undefined && r.stages.includes('rebuild')) {
    const rebuilt = await attempt('rebuild', () => runRebuild(tree.cli, db, say, r.machine));
    if (rebuilt !== undefined) at('rebuild', rebuilt.eventsPerSecond, rebuilt.cpuSeconds);
  }
  if (r.stages.includes('ingest')) {
    const ingested = await attempt('ingest', () =>
      runIngest(tree.cli, join(dir, 'ingest'), 'ingest', r.feed, say, r.machine),
    );
    if (ingested !== undefined) at('ingest', ingested.eventsPerSecond, ingested.serverCpuSeconds);
  }
}

async function compare(opts: AbOptions): Promise<number> {
  mkdirSync(workRoot, { recursive: true });
  const scratch = mkdtempSync(join(workRoot, 'ab-'));
  created.scratch = scratch;
  const bySha = new Map<string, Tree>();
  const a = await prepare(opts.a, 'A', scratch, bySha);
  const b = await prepare(opts.b, 'B', scratch, bySha);
  const feed = await benchFeed(opts.events, opts.seed, workRoot, progress);
  const floorScript = fileURLToPath(new URL('./machineFloor.js', import.meta.url));
  const samples: AbSample[] = [];
  const crashes: string[] = [];
  for (let round = 1; round <= opts.runs; round++) {
    progress(`round ${round} of ${opts.runs}: machine floor, then A, then B`);
    let machine: number | undefined;
    try {
      machine = (await runFloor('machine floor', floorScript, feed, progress)).eventsPerSecond;
      samples.push({ round, side: null, stage: 'machine floor', eventsPerSecond: machine });
    } catch (err) {
      crashes.push(`round ${round} machine floor: ${(err as Error).message}`);
    }
    const r: Round = { round, feed, stages: opts.stages, machine, samples, crashes };
    for (const [side, tree] of [['A', a] as const, ['B', b] as const]) {
      const dir = join(scratch, 'runs', `${round}-${side}`);
      await runSide(r, side, tree, dir);
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  const summary = summarize(samples, opts.stages);
  process.stdout.write(
    `\nchanperf A/B — ${opts.runs} round${opts.runs === 1 ? '' : 's'} on ${grouped(feed.lines)} lines (${feed.path}), load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n\n${renderAb(summary, { a: a.label, b: b.label })}\n`,
  );
  if (summary.reportsIdentical === false)
    progress('!!! THE REPLAY REPORTS DIFFER between runs: see the table');
  if (crashes.length > 0)
    process.stdout.write(`\n${crashes.length} run(s) crashed:\n${crashes.map((c) => `- ${c}`).join('\n')}\n`);
  return crashes.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  let opts: AbOptions | undefined;
  try {
    opts = parseAbOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench:ab: ${(err as Error).message}\n${AB_USAGE}`);
    return 2;
  }
  if (opts === undefined) {
    process.stdout.write(AB_USAGE);
    return 0;
  }
  created.keep = opts.keep;
  try {
    return await compare(opts);
  } catch (err) {
    process.stderr.write(`bench:ab: ${(err as Error).message}\n`);
    return 1;
  } finally {
    cleanUp();
  }
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    if (building?.pid !== undefined && building.exitCode === null) process.kill(-building.pid, 'SIGKILL');
    cleanUp();
    process.stderr.write(`bench:ab: interrupted (${signal})\n`);
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:ab: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
