/**
 * The contract: for every spec example NAME.ndjson, `chanperf replay` prints JSON equal to
 * NAME.report.json. New examples in the folder are picked up without a code change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES } from '../support/sharedSpec.js';

const names = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.ndjson'))
  .map((f) => f.slice(0, -'.ndjson'.length));

describe('spec examples', () => {
  it('has examples to check', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(names)('chanperf replay %s.ndjson prints its .report.json', (name) => {
    const run = chanperf(['replay', join(EXAMPLES, `${name}.ndjson`)]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected: unknown = JSON.parse(readFileSync(join(EXAMPLES, `${name}.report.json`), 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it.each(names)('and the same with the projection on a worker thread: %s', (name) => {
    const run = chanperf(['replay', join(EXAMPLES, `${name}.ndjson`)], {
      CHANPERF_PROJECTION_THREAD: 'worker',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected: unknown = JSON.parse(readFileSync(join(EXAMPLES, `${name}.report.json`), 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });
});
