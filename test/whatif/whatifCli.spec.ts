/**
 * `chanperf whatif` on a generated stream (issue 18): with the program the log already has,
 * every delta is zero; with a higher growth target, each partner's growth-bonus delta equals what
 * a second, independent path gives — the stream with its `ProgramPublished` line edited, run
 * through `chanperf replay` — and the database's rows are the same before and after.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WhatIfResult } from '@chanperf/engine';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { databaseChecksum, generatedLog, type GeneratedLog } from './whatifFixture.js';

interface ReplayReport {
  channels: { channelId: string; months: { month: string; rebate: { growthBonus: string } }[] }[];
}

let log: GeneratedLog;
beforeAll(async () => {
  log = await generatedLog();
});
afterAll(() => log.remove());

function whatif(program: object, ...args: string[]): WhatIfResult {
  const file = join(log.dir, `proposed-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(program));
  const run = chanperf(['whatif', '--db', log.db, '--program', file, '--format', 'json', ...args]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as WhatIfResult;
}

/** Minor units of a decimal string with two digits. */
const cents = (s: string) => BigInt(s.replace('.', ''));

describe('chanperf whatif', () => {
  it('gives zero deltas everywhere for the program the log already has', () => {
    const before = databaseChecksum(log.db);
    const result = whatif(log.revision);
    expect(result.channels.length).toBe(24);
    const deltas = result.channels.flatMap((c) => [
      ...c.months.map((m) => m.delta),
      ...c.quarters.map((q) => q.delta),
      c.delta,
    ]);
    expect(deltas.length).toBeGreaterThan(24 * 12);
    for (const d of deltas) expect(Object.values(d).every((v) => cents(v) === 0n)).toBe(true);
    expect(Object.values(result.total.delta).every((v) => cents(v) === 0n)).toBe(true);
    expect(result.channels.flatMap((c) => c.growthChanges)).toEqual([]);
    expect(result.channels.flatMap((c) => c.reviews).every((r) => r.actual === r.proposed)).toBe(true);
    expect(result.alerts).toEqual({ raised: [], notRaised: [] });
    expect(result.kpis.every((k) => JSON.stringify(k.actual) === JSON.stringify(k.proposed))).toBe(true);
    expect(databaseChecksum(log.db)).toBe(before);
  });

  it('gives, for a higher target, the growth-bonus deltas of a replay of the edited stream', () => {
    const before = databaseChecksum(log.db);
    const higher = { ...log.revision, growthTargetBps: 1800 };
    const result = whatif(higher);

    // The independent path: the stream with its program line edited, replayed from scratch.
    const replay = (lines: readonly string[]) => {
      const file = join(log.dir, `replay-${Math.random().toString(36).slice(2)}.ndjson`);
      writeFileSync(file, lines.join('\n'));
      const run = chanperf(['replay', file, '--quiet']);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as ReplayReport;
    };
    const edited = [...log.lines];
    const line = JSON.parse(edited[log.revisionLine] ?? '{}') as { data: object };
    edited[log.revisionLine] = JSON.stringify({ ...line, data: { ...line.data, growthTargetBps: 1800 } });
    const original = replay(log.lines);
    const changed = replay(edited);
    const bonus = (r: ReplayReport) =>
      new Map(
        r.channels.flatMap((c) =>
          c.months.map((m) => [`${c.channelId} ${m.month}`, cents(m.rebate.growthBonus)]),
        ),
      );
    const was = bonus(original);
    const now = bonus(changed);
    let nonZero = 0;
    for (const c of result.channels) {
      for (const m of c.months) {
        const key = `${c.channelId} ${m.month}`;
        const expected = (now.get(key) ?? 0n) - (was.get(key) ?? 0n);
        expect(cents(m.delta.growthBonus), key).toBe(expected);
        expect(cents(m.actual.growthBonus), key).toBe(was.get(key));
        if (expected !== 0n) nonZero++;
      }
    }
    // A higher bar takes bonuses away: the comparison above compared something.
    expect(nonZero).toBeGreaterThan(0);
    expect(cents(result.total.delta.growthBonus)).toBeLessThan(0n);
    expect(
      result.channels.some((c) => c.growthChanges.some((g) => g.actual === 'MET' && g.proposed === 'MISSED')),
    ).toBe(true);
    expect(result.alerts.raised.some((a) => a.kind === 'GROWTH_TARGET_MISSED')).toBe(true);
    expect(databaseChecksum(log.db)).toBe(before);
  });

  it('refuses an invalid program with the message ingestion gives, and exits 2', () => {
    const file = join(log.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...log.revision, growthTargetBps: 20000 }));
    const run = chanperf(['whatif', '--db', log.db, '--program', file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/SCHEMA_VIOLATION: the proposed program: growthTargetBps: /);
  });

  it('prints a table and an xlsx workbook of the same figures', async () => {
    const file = join(log.dir, 'higher.json');
    writeFileSync(file, JSON.stringify({ ...log.revision, growthTargetBps: 1800 }));
    const table = chanperf(['whatif', '--db', log.db, '--program', file]);
    expect(table.status, table.stderr).toBe(0);
    const json = whatif({ ...log.revision, growthTargetBps: 1800 });
    expect(table.stdout).toContain(`all${' '.repeat(9)}`);
    expect(table.stdout).toContain(json.total.proposed.total);
    const cli = fileURLToPath(new URL('../../services/cli/dist/main.js', import.meta.url));
    const xlsx = spawnSync(process.execPath, [
      cli,
      'whatif',
      '--db',
      log.db,
      '--program',
      file,
      '--format',
      'xlsx',
    ]);
    expect(xlsx.status, xlsx.stderr.toString()).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.stdout as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'partner months',
      'partner quarters',
      'all partners',
      'tier reviews',
      'growth changes',
      'alerts',
      'program KPIs',
    ]);
    // Row 2 of "all partners" is the first month; its proposed total (column 11) is the JSON's.
    const all = wb.getWorksheet('all partners');
    expect(all?.getRow(2).getCell(11).value).toBe(Number(json.total.months[0]?.proposed.total));
  });
});
