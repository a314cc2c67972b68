/**
 * Progress on a terminal: `chanperf replay` run under a pseudo-terminal (util-linux `script`,
 * Debian's, so no native module) redraws one line with carriage returns, events/s and the line
 * reached, and leaves its last state on screen; the report on stdout (a file here) is untouched.
 * The same run without a terminal writes one summary line and no carriage return, and `--quiet`
 * on a terminal writes nothing. (Progress without a terminal, for every command:
 * cliProgress.spec.ts; the line itself: services/cli/src/progress.unit.spec.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFeed } from '@chanperf/testing';
import { chanperf } from '../support/cli.js';

const CLI = fileURLToPath(new URL('../../services/cli/dist/main.js', import.meta.url));
const BASIC = fileURLToPath(new URL('../../examples/basic.ndjson', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript)
  console.log('cliTty: skipped, util-linux `script` is not installed (apt-get install bsdutils)');

const dir = mkdtempSync(join(tmpdir(), 'chanperf-tty-'));
const big = join(dir, 'feed.ndjson');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `chanperf ARGS > out` with stderr on a pseudo-terminal; returns what the terminal showed. */
function onTerminal(args: string[], out: string): string {
  const command = `${quote(process.execPath)} ${[CLI, ...args].map(quote).join(' ')} > ${quote(out)}`;
  const run = spawnSync('script', ['-qfec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, CHANPERF_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** Each state the terminal's line was drawn in, in order. */
const redraws = (screen: string) =>
  screen
    .split('\r\x1b[K')
    .slice(1)
    .map((l) => l.replace(/\r?\n$/, ''));

const LINE = /^replay (\S+) {2}(\d+)% {2}([\d,]+) events {2}([\d,]+) events\/s {2}line ([\d,]+)/;

describe.skipIf(!hasScript)('progress on a terminal', () => {
  beforeAll(async () => {
    await writeFeed(big, { seed: 11, partners: 150, months: 12 });
  });

  it('replay examples/basic.ndjson: the line is redrawn and ends at 100% with events/s', () => {
    const out = join(dir, 'basic.report.json');
    const screen = onTerminal(['replay', BASIC], out);
    const states = redraws(screen);
    expect(states.length).toBeGreaterThanOrEqual(2);
    const last = LINE.exec(states.at(-1) ?? '');
    expect(last?.slice(1, 4), screen).toEqual(['basic.ndjson', '100', '38']);
    expect(last?.[5]).toBe('38');
    expect(screen.endsWith('\r\n')).toBe(true); // the last state stays on screen
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(
      JSON.parse(readFileSync(BASIC.replace(/\.ndjson$/, '.report.json'), 'utf8')),
    );
  });

  it('a longer replay: several redraws, the share and the line only go forward, an ETA on the way', () => {
    const screen = onTerminal(['replay', big], join(dir, 'big.report.json'));
    const states = redraws(screen).map((l) => ({ l, m: LINE.exec(l) }));
    expect(states.length, screen).toBeGreaterThanOrEqual(3);
    const shares = states.map(({ m }) => Number(m?.[2]));
    const lines = states.map(({ m }) => Number(m?.[5]?.replace(/,/g, '')));
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(shares.at(-1)).toBe(100);
    expect(
      states.slice(1, -1).some(({ l }) => /ETA \d+:\d\d$/.test(l)),
      screen,
    ).toBe(true);
  });

  it('without a terminal: one summary line, no carriage return', () => {
    const run = chanperf(['replay', BASIC], { CHANPERF_LOG_LEVEL: 'info' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('\r');
    const summaries = run.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { msg: string }).msg)
      .filter((m) => m.startsWith('replay basic.ndjson: '));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/^replay basic\.ndjson: 38 events in \d+\.\d s, line 38$/);
  });

  it('--quiet on a terminal: nothing', () => {
    expect(onTerminal(['replay', BASIC, '--quiet'], join(dir, 'quiet.json'))).toBe('');
  });
});
