import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedSpec } from '../../../test/support/sharedSpec.js';
import { buildReport, pagesOf, reportJsonChunks, reportListChunks } from './report.js';
import { runScenario } from './scenario.js';
import { defaultSettings } from './settings.js';

const example = (name: string, folder = 'examples') =>
  readFileSync(sharedSpec(folder, `${name}.ndjson`), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

async function joined(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('the report as JSON text in pieces', () => {
  it.each([
    ['no events', [] as string[]],
    ['a program but no channels', example('basic').slice(0, 1)],
    ['basic.ndjson', example('basic')],
    ['edges.ndjson', example('edges')],
    [
      'v2-basic.ndjson (the v2 sections between tierMovements and alerts)',
      example('v2-basic', 'examples-v2'),
    ],
  ])('given %s, then the pieces concatenate to JSON.stringify(report, null, 2)', async (_name, lines) => {
    const { report, state } = runScenario(lines, defaultSettings);
    const inputs = {
      counts: report.counts,
      tierMovements: report.tierMovements,
      alerts: report.alerts,
      rejected: report.rejected,
    };
    const text = await joined(
      reportJsonChunks(state, defaultSettings.minorDigits, {
        counts: report.counts,
        tierMovements: pagesOf(report.tierMovements, 2),
        alerts: pagesOf(report.alerts, 2),
        rejected: pagesOf(report.rejected, 2),
      }),
    );
    expect(text).toBe(JSON.stringify(buildReport(state, defaultSettings.minorDigits, inputs), null, 2));
  });
});

describe('a list of the report in pages', () => {
  const item = (i: number) => ({ id: `a/${i}`, nested: { n: i, list: [i, 'x'] } });
  it.each([
    ['no items', 0, 2],
    ['one item', 1, 2],
    ['five items in pages of two', 5, 2],
    ['five items in one page', 5, 1000],
  ])('given %s, then the text is that of JSON.stringify at the same depth', async (_name, count, size) => {
    const items = Array.from({ length: count }, (_, i) => item(i));
    // An empty page in the middle changes nothing.
    const pages = [...pagesOf(items, size)];
    pages.splice(1, 0, []);
    const text = `{\n  "counts": 1${await joined(reportListChunks('alerts', pages, true))}`;
    expect(text).toBe(JSON.stringify({ counts: 1, alerts: items }, null, 2));
  });
});
