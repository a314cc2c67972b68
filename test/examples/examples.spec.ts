/**
 * The contract: for every spec example NAME.ndjson (v1's `examples/` and v2's `examples-v2/`),
 * `chanperf replay` prints JSON equal to NAME.report.json. New examples in either folder are
 * picked up without a code change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES, EXAMPLES_V2 } from '../support/sharedSpec.js';

/** Each example as `folder/NAME` (the test's name) and its path without `.ndjson`. */
const examples = [EXAMPLES, EXAMPLES_V2].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .map((f) => f.slice(0, -'.ndjson'.length))
    .map((name) => [`${dir.split('/').at(-2) ?? ''}/${name}`, join(dir, name)] as const),
);
const names = examples.map(([name]) => name);
const pathOf = new Map(examples);

describe('spec examples', () => {
  it('has examples to check', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(names)('chanperf replay %s.ndjson prints its .report.json', (name) => {
    const path = pathOf.get(name) ?? '';
    const run = chanperf(['replay', `${path}.ndjson`]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected: unknown = JSON.parse(readFileSync(`${path}.report.json`, 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it.each(names)('and the same with the projection on a worker thread: %s', (name) => {
    const path = pathOf.get(name) ?? '';
    const run = chanperf(['replay', `${path}.ndjson`], { CHANPERF_PROJECTION_THREAD: 'worker' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const expected: unknown = JSON.parse(readFileSync(`${path}.report.json`, 'utf8'));
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });
});
