/**
 * Progress of long work when stderr is not a terminal (a pipe here): nothing while it runs,
 * then exactly one summary log line; `--quiet`: none. (The terminal's line is a pure function:
 * services/cli/src/progress.unit.spec.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const basic = join(EXAMPLES, 'basic.ndjson');
const dir = mkdtempSync(join(tmpdir(), 'chanperf-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INFO = { CHANPERF_LOG_LEVEL: 'info' };
const SUMMARY =
  /^(replay|ingest|project|rebuild|demo)( basic\.ndjson)?: \d+ events in \d+\.\d s, (line|position) [\d,]+/;

/** stderr's lines, each parsed (every one is a JSON log line). */
function logLines(stderr: string): { msg: string; events?: number }[] {
  return stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { msg: string; events?: number });
}

const summaries = (stderr: string) => logLines(stderr).filter((l) => SUMMARY.test(l.msg));

describe('progress on a stderr that is not a terminal', () => {
  it('ingest: exactly one summary line, counting what the command printed', () => {
    const db = join(dir, 'ingest.db');
    const run = chanperf(['ingest', basic, '--db', db], INFO);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { lines: number };
    const lines = summaries(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/^ingest basic\.ndjson: /);
    expect(lines[0]?.events).toBe(printed.lines);
  });

  it('replay: exactly one summary line; the report on stdout is untouched', () => {
    const run = chanperf(['replay', basic], INFO);
    expect(run.status, run.stderr).toBe(0);
    expect(summaries(run.stderr).map((l) => l.msg.split(':')[0])).toEqual(['replay basic.ndjson']);
    expect(JSON.parse(run.stdout)).toHaveProperty('counts');
  });

  it('rebuild: exactly one summary line, the whole log re-projected', () => {
    const db = join(dir, 'rebuild.db');
    expect(chanperf(['ingest', basic, '--db', db]).status).toBe(0);
    const run = chanperf(['rebuild', '--db', db], INFO);
    expect(run.status, run.stderr).toBe(0);
    const { position } = JSON.parse(run.stdout) as { position: number };
    const lines = summaries(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(
      new RegExp(`^rebuild: ${position} events in .*, position ${position} of ${position}$`),
    );
  });

  it('project: exactly one summary line, the events appended without projection', () => {
    const db = join(dir, 'project.db');
    expect(chanperf(['ingest', basic, '--db', db, '--no-project']).status).toBe(0);
    const run = chanperf(['project', '--db', db], INFO);
    expect(run.status, run.stderr).toBe(0);
    const { position } = JSON.parse(run.stdout) as { position: number };
    expect(summaries(run.stderr).map((l) => l.events)).toEqual([position]);
  });

  it('demo: exactly one summary line for the generated feed; --quiet: none', () => {
    const args = ['demo', '--partners', '12', '--dir', join(dir, 'demo')];
    const run = chanperf(args, INFO);
    expect(run.status, run.stderr).toBe(0);
    const lines = summaries(run.stderr);
    expect(lines.map((l) => l.msg.split(':')[0])).toEqual(['demo']);
    expect(lines[0]?.events).toBeGreaterThan(100);
    const quiet = chanperf([...args, '--quiet'], INFO);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(summaries(quiet.stderr)).toEqual([]);
  });

  it.each([
    ['replay', () => ['replay', basic]],
    ['ingest', () => ['ingest', basic, '--db', join(dir, 'quiet.db')]],
    ['rebuild', () => ['rebuild', '--db', join(dir, 'quiet.db')]],
  ])('%s --quiet: no progress at all', (_name, args) => {
    const run = chanperf([...args(), '--quiet'], INFO);
    expect(run.status, run.stderr).toBe(0);
    expect(summaries(run.stderr)).toEqual([]);
  });
});
