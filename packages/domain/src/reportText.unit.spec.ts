import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport, reportJsonChunks } from './report.js';
import { runScenario } from './scenario.js';
import { defaultSettings } from './settings.js';

const example = (name: string) =>
  readFileSync(new URL(`../../../../shared/spec/examples/${name}.ndjson`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

describe('the report as JSON text in pieces', () => {
  it.each([
    ['no events', [] as string[]],
    ['a program but no channels', example('basic').slice(0, 1)],
    ['basic.ndjson', example('basic')],
    ['edges.ndjson', example('edges')],
  ])('given %s, then the pieces concatenate to JSON.stringify(report, null, 2)', (_name, lines) => {
    const { report, state } = runScenario(lines, defaultSettings);
    const inputs = {
      counts: report.counts,
      tierMovements: report.tierMovements,
      alerts: report.alerts,
      rejected: report.rejected,
    };
    const text = [...reportJsonChunks(state, defaultSettings.minorDigits, inputs)].join('');
    expect(text).toBe(JSON.stringify(buildReport(state, defaultSettings.minorDigits, inputs), null, 2));
  });
});
