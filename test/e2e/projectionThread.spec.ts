/**
 * Where `replay` projects by default (CHANPERF_PROJECTION_THREAD=auto): on a worker thread for a
 * file of 200 000 lines or more, in the main thread for a smaller one; the report the same.
 * The choice is read from the command's debug log line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-thread-'));
const basic = join(EXAMPLES, 'basic.ndjson');
const expected: unknown = JSON.parse(readFileSync(join(EXAMPLES, 'basic.report.json'), 'utf8'));

/** The example followed by 250 000 blank lines (skipped: nothing to validate). */
const big = join(dir, 'padded.ndjson');

beforeAll(() => {
  writeFileSync(big, readFileSync(basic, 'utf8') + '\n'.repeat(250_000));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The `projection thread chosen` line's figures from a debug-level run's stderr. */
function choice(stderr: string): { projectionThread: string; expectedLines?: number } {
  const line = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; projectionThread: string; expectedLines?: number })
    .find((l) => l.msg === 'projection thread chosen');
  if (line === undefined) throw new Error(`no choice logged in: ${stderr}`);
  return line;
}

describe('CHANPERF_PROJECTION_THREAD=auto (the default)', () => {
  it('given the 38-line example, then it projects in the main thread', () => {
    const run = chanperf(['replay', basic, '--quiet'], { CHANPERF_LOG_LEVEL: 'debug' });
    expect(run.status).toBe(0);
    expect(choice(run.stderr).projectionThread).toBe('main');
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it('given the example followed by 250 000 blank lines, then a worker, and the same report', () => {
    const run = chanperf(['replay', big, '--quiet'], { CHANPERF_LOG_LEVEL: 'debug' });
    expect(run.status).toBe(0);
    const chosen = choice(run.stderr);
    expect(chosen.projectionThread).toBe('worker');
    expect(chosen.expectedLines).toBeGreaterThanOrEqual(200_000);
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it('given CHANPERF_PROJECTION_THREAD=main, then the large file too projects in the main thread', () => {
    const run = chanperf(['replay', big, '--quiet'], {
      CHANPERF_LOG_LEVEL: 'debug',
      CHANPERF_PROJECTION_THREAD: 'main',
    });
    expect(run.status).toBe(0);
    expect(choice(run.stderr).projectionThread).toBe('main');
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });
});
