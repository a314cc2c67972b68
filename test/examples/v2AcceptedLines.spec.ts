/**
 * (v2) The v2 examples' figures apart from acceptance: replaying only the lines an example's
 * report accepts (its `rejected` lines dropped) must give every other section of its report —
 * channels, program, tier movements, the v2 sections and the alerts — so the projection is
 * checked on its own, whatever the acceptance rules answer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES_V2 } from '../support/sharedSpec.js';

const dir = mkdtempSync(join(tmpdir(), 'chanperf-v2-accepted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = readdirSync(EXAMPLES_V2)
  .filter((f) => f.endsWith('.ndjson'))
  .map((f) => f.slice(0, -'.ndjson'.length));

type Report = Record<string, unknown> & { rejected: { line: number }[] };

describe('v2 examples, their accepted lines only', () => {
  it.each(names)(
    'given the accepted lines of %s, the report equals its own but counts and rejected',
    (name) => {
      const expected = JSON.parse(readFileSync(join(EXAMPLES_V2, `${name}.report.json`), 'utf8')) as Report;
      const dropped = new Set(expected.rejected.map((r) => r.line));
      const lines = readFileSync(join(EXAMPLES_V2, `${name}.ndjson`), 'utf8')
        .split('\n')
        .filter((l, i) => l.trim() !== '' && !dropped.has(i + 1));
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const run = chanperf(['replay', file]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const got = JSON.parse(run.stdout) as Report;
      const apart = (r: Report) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'counts' && k !== 'rejected'));
      const rest = apart(got);
      const wanted = apart(expected);
      const rejected = got.rejected;
      expect(rejected).toEqual([]);
      expect(rest).toEqual(wanted);
      // The v2 sections sit between tierMovements and alerts (spec §7).
      expect(Object.keys(rest)).toEqual(Object.keys(wanted));
    },
  );
});
