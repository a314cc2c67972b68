/**
 * The shipped example feeds (`examples/`, what the README and docs/rules.md run in a plain
 * clone): `chanperf replay` prints each one's `.report.json`, and where the spec's folder is
 * beside the repository the copies are still the spec's (the feed byte for byte, the report
 * equal as JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { EXAMPLES, EXAMPLES_V2 } from '../support/sharedSpec.js';

const SHIPPED = fileURLToPath(new URL('../../examples/', import.meta.url));
const FEEDS = [
  ['basic', EXAMPLES],
  ['v2-basic', EXAMPLES_V2],
] as const;

const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('examples/', () => {
  it.each(FEEDS)('chanperf replay examples/%s.ndjson prints its .report.json', (name) => {
    const run = chanperf(['replay', join(SHIPPED, `${name}.ndjson`), '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(json(join(SHIPPED, `${name}.report.json`)));
  });

  it.each(FEEDS)('examples/%s is still the spec example of that name', (name, specDir) => {
    if (!existsSync(specDir)) {
      console.log(`skipped: the spec folder ${specDir} is not beside this clone`);
      return;
    }
    const feed = (dir: string) => readFileSync(join(dir, `${name}.ndjson`), 'utf8');
    expect(feed(SHIPPED)).toBe(feed(specDir));
    expect(json(join(SHIPPED, `${name}.report.json`))).toEqual(json(join(specDir, `${name}.report.json`)));
  });
});
