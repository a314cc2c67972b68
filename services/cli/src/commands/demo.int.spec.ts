/**
 * `chanperf demo` end to end on a small v2 feed (in a temporary directory): the summary the
 * README's command table promises — growth misses against the program's own target, tier
 * moves, rebates by tier, online share, and (v2) partners behind their annual target, the
 * price-protection credit and its largest claims, the largest distributor trees, inactive
 * partners, rejections by code — with columns aligned in display width and grouped amounts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '@chanperf/domain';
import { defaultEngineConfig } from '@chanperf/runtime/engine';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';
import { groupThousands, summarize } from './demoSummary.js';
import { displayWidth, fitColumns, padColumnsStart } from './displayWidth.js';

let dir: string;
let output = '';
let report: Report;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-demo-'));
  report = await runDemo({
    config: defaultEngineConfig,
    logger: pino({ level: 'silent' }),
    seed: 42,
    partners: 60,
    dir,
    print: (text) => {
      output += text;
      return Promise.resolve();
    },
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The rows (`  P0001 …`) under the heading that starts with `heading`. */
function rowsUnder(heading: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^ {2}P\d{4}/.test(line)) break;
    rows.push(line);
  }
  return rows;
}

const CJK = /[\u4e00-\u9fff]/;

describe('chanperf demo', () => {
  it('given a v2 feed, then the summary has every section the README lists, v2 ones with rows', () => {
    for (const heading of [
      'Tier moves:',
      'Rebates accrued by tier',
      'Online share',
      'Rejected inputs by code',
    ]) {
      expect(output).toContain(heading);
    }
    expect(rowsUnder('Partners that missed the 10.00% growth target in ').length).toBeGreaterThan(0);
    expect(rowsUnder('Annual targets 2026:').length).toBeGreaterThan(0);
    expect(rowsUnder('Price protection').length).toBeGreaterThan(0);
    expect(rowsUnder('Distributor trees').length).toBeGreaterThan(0);
    expect(rowsUnder('Inactive partners:').length).toBeGreaterThan(0);
    expect(output).toMatch(/credit \d{1,3}(,\d{3})*\.\d{2} CNY/);
    expect(output).toMatch(/UNKNOWN_PARENT +1\n/);
    expect(output).toMatch(/INVALID_PARENT +2\n/);
  });

  it('given Chinese and Latin names, then the column after the name starts at the same display column', () => {
    const tables: [string, string][] = [
      ['Partners that missed', ' growth '],
      ['Annual targets', '%'],
      ['Price protection', ' units'],
      ['Distributor trees', ' members'],
      ['Inactive partners:', ' no sale'],
    ];
    const names: string[] = [];
    for (const [heading, next] of tables) {
      const rows = rowsUnder(heading);
      // What follows the name column is left-aligned or of fixed width: it starts at one column.
      const columns = new Set(rows.map((r) => displayWidth(r.slice(0, r.indexOf(next, 13)))));
      expect(columns.size, `${heading}\n${rows.join('\n')}`).toBe(1);
      names.push(...rows.map((r) => r.slice(13)));
    }
    expect(names.some((n) => CJK.test(n))).toBe(true);
    expect(names.some((n) => /^[A-Z][a-z]/.test(n))).toBe(true);
  });

  it('given amounts, then they carry thousands separators', () => {
    expect(output).toMatch(/\d,\d{3}\.\d{2} CNY/);
    expect(output).not.toMatch(/\d{4}\.\d{2} CNY/);
  });

  it('given a program with another growth target, then the headline says that target', () => {
    expect(report.lastClosedMonth).not.toBeNull();
    const text = summarize(
      {
        ...report,
        channels: report.channels.map((c) => ({
          ...c,
          months: c.months.map((m) => ({ ...m, targetBps: 1500 })),
        })),
      },
      defaultEngineConfig.settings,
      { feedPath: 'f', dbPath: 'd', lines: 0, seconds: 0 },
    );
    expect(text).toContain('missed the 15.00% growth target');
  });
});

describe('display width and amounts', () => {
  it('counts a CJK character as two columns and cuts and pads by columns', () => {
    expect(displayWidth('Jade Networks')).toBe(13);
    expect(displayWidth('华东金桥商贸')).toBe(12);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(fitColumns('华东金桥', 5)).toBe('华东 ');
    expect(fitColumns('ab', 4)).toBe('ab  ');
    expect(padColumnsStart('华东', 6)).toBe('  华东');
  });

  it('groups thousands in the integer part only', () => {
    expect(groupThousands('-1234567.80')).toBe('-1,234,567.80');
    expect(groupThousands('999.00')).toBe('999.00');
    expect(groupThousands('1000')).toBe('1,000');
    expect(groupThousands('0.1234')).toBe('0.1234');
  });
});
