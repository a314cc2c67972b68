/**
 * The CLI's contract for bad invocations: exit code 2 and one line on stderr, nothing on
 * stdout; settings from flags win over the environment, which wins over the defaults.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const basic = join(EXAMPLES, 'basic.ndjson');

describe('chanperf: bad invocations exit 2 with one line on stderr', () => {
  it.each([
    ['a missing file', ['replay', '/nonexistent/feed.ndjson'], {}, /no such file/],
    ['an unknown flag', ['replay', basic, '--frobnicate'], {}, /frobnicate/],
    ['an unknown time zone flag', ['replay', basic, '--timezone', 'Mars/Olympus'], {}, /unknown time zone/],
    ['an unknown currency flag', ['replay', basic, '--currency', 'XXQ'], {}, /unknown currency/],
    [
      'an unknown time zone in the environment',
      ['replay', basic],
      { CHANPERF_TIMEZONE: 'Nowhere/Land' },
      /unknown time zone/,
    ],
    [
      'an unknown currency in the environment',
      ['replay', basic],
      { CHANPERF_CURRENCY: 'ABC' },
      /unknown currency/,
    ],
    ['ingest without --db', ['ingest', basic], {}, /--db PATH is required/],
    ['report of a missing database', ['report', '--db', '/nonexistent/x.db'], {}, /no such database/],
    ['an unknown command', ['frobnicate'], {}, /unknown command/],
    ['serve with a bad setting', ['serve'], { CHANPERF_HTTP_PORT: 'eighty' }, /CHANPERF_HTTP_PORT/],
    [
      'an unknown projection thread',
      ['replay', basic],
      { CHANPERF_PROJECTION_THREAD: 'gpu' },
      /CHANPERF_PROJECTION_THREAD: must be auto, worker or main/,
    ],
    [
      'a batch size that is not a whole number',
      ['replay', basic],
      { CHANPERF_BATCH_SIZE: '1e3.5' },
      /CHANPERF_BATCH_SIZE: must be a whole number ≥ 1/,
    ],
    [
      'a negative hand-over lag',
      ['replay', basic],
      { CHANPERF_HAND_OVER_LAG: '-1' },
      /CHANPERF_HAND_OVER_LAG: must be a whole number ≥ 0/,
    ],
  ])('given %s', (_name, args, env, message) => {
    const run = chanperf(args, env);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('lets the --currency flag win over CHANPERF_CURRENCY', () => {
    const run = chanperf(['replay', basic, '--currency', 'CNY'], { CHANPERF_CURRENCY: 'ABC' });
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as { counts: { accepted: number } }).counts.accepted).toBe(32);
  });

  it('reads the currency from the environment: a JPY deployment rejects CNY sales', () => {
    const run = chanperf(['replay', basic], { CHANPERF_CURRENCY: 'JPY', CHANPERF_TIMEZONE: 'Asia/Tokyo' });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { rejected: { code: string }[] };
    // Every "400000.00" has more fraction digits than JPY allows.
    expect(report.rejected.filter((r) => r.code === 'SCHEMA_VIOLATION').length).toBeGreaterThan(10);
  });
});
