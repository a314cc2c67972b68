/**
 * (v2) The query API validates its answers with zod, which drops keys a schema does not name:
 * the spec examples' reports, v1 and v2, must pass through `reportSchema` unchanged.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedSpec } from '../../../test/support/sharedSpec.js';
import { reportSchema } from './schemas.js';

describe('reportSchema', () => {
  it.each([
    ['examples', 'basic'],
    ['examples', 'edges'],
    ['examples-v2', 'v2-basic'],
  ])('given %s/%s.report.json, then parsing keeps every key, in order', (folder, name) => {
    const report: unknown = JSON.parse(readFileSync(sharedSpec(folder, `${name}.report.json`), 'utf8'));
    expect(JSON.stringify(reportSchema.parse(report))).toBe(JSON.stringify(report));
  });
});
