/**
 * Partner statements on examples/basic.ndjson, through the built CLI (`tsc -b` first): issue
 * CH-A's 2026-Q1 statement; verify it ("identical", exit 0); ingest a late return into March
 * and verify again (still identical at its position; the restated figures named, each equal to
 * a statement issued at the new head); an edited figure is "tampered" (exit 4); a forged file
 * (edited and sealed again) differs from the log (exit 3). The figures are the report's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chanperf } from '../support/cli.js';
import { hashOfFigures, issue, lateReturn, verify, type StatementFile } from './support.js';

const BASIC = new URL('../../examples/basic.ndjson', import.meta.url);

let dir: string;
let db: string;
let pinned: ReturnType<typeof issue>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chanperf-statement-'));
  db = join(dir, 'c.db');
  expect(chanperf(['ingest', BASIC.pathname, '--db', db, '--quiet']).status).toBe(0);
  pinned = issue(db, join(dir, 'out'), 'CH-A', '2026-Q1');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a statement of basic.ndjson', () => {
  it('has the report’s figures of the quarter, pinned to the head, sealed with the hash of its canonical JSON', () => {
    const { statement, summary } = pinned;
    expect(statement.position).toBe(32);
    expect(summary.sha256).toBe(statement.seal.sha256);
    expect(hashOfFigures(statement)).toBe(statement.seal.sha256);
    const report = JSON.parse(chanperf(['report', '--db', db]).stdout) as {
      channels: { channelId: string; months: { month: string }[] }[];
    };
    const months = report.channels.find((c) => c.channelId === 'CH-A')?.months ?? [];
    const quarter = months.filter((m) => m.month >= '2026-01' && m.month <= '2026-03');
    expect(statement.months.map(({ previousNet: _p, ...m }) => m)).toEqual(quarter);
    expect(statement.totals).toMatchObject({ net: '1760000.00', rebate: { total: '38300.00' } });
    expect(statement.rebates.every((r) => r.consistent)).toBe(true);
    expect(readFileSync(summary.files[1] ?? '', 'utf8')).toContain(statement.seal.sha256);
  });

  it('verifies identical at its position while the log has not moved', () => {
    const { status, lines } = verify(pinned.file, db);
    expect(lines).toEqual([
      `seal: statement CH-A 2026-Q1 at position 32: SHA-256 ${pinned.statement.seal.sha256} matches its figures`,
      "identical: recomputed at position 32, every figure is the file's",
      'restated since: nothing (position 32 → head 32)',
    ]);
    expect(status).toBe(0);
  });

  it('is reported tampered when a figure is edited, and as differing when it is also sealed again', () => {
    const edited = {
      ...pinned.statement,
      totals: { ...(pinned.statement['totals'] as object), net: '1.00' },
    };
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
    const tampered = verify(join(dir, 'edited.json'), db);
    expect(tampered.status).toBe(4);
    expect(tampered.lines[0]).toMatch(
      /^tampered: statement CH-A 2026-Q1 at position 32: its figures hash to [0-9a-f]{64}/,
    );
    expect(tampered.lines).toContain('  totals.net: 1.00 → 1760000.00');

    const forged: StatementFile = {
      ...edited,
      seal: { ...pinned.statement.seal, sha256: hashOfFigures(edited) },
    };
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged));
    const differs = verify(join(dir, 'forged.json'), db);
    expect(differs.lines.slice(1, 3)).toEqual([
      'differs: recomputed at position 32, 1 figure(s) (file → recomputed)',
      '  totals.net: 1.00 → 1760000.00',
    ]);
    expect(differs.status).toBe(3);
  });

  it('after a late return into March: still identical at its position, and names every restated figure', () => {
    // s8: CH-A's sale of 2026-03-03 (the feed also has bad lines: only this one is parsed).
    const line = readFileSync(BASIC, 'utf8')
      .split('\n')
      .find((l) => l.includes('"eventId": "s8"'));
    const sale = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(sale['type']).toBe('SaleRecorded');
    writeFileSync(join(dir, 'late.ndjson'), lateReturn(sale, 'late-r9', '20000.00'));
    expect(chanperf(['ingest', join(dir, 'late.ndjson'), '--db', db, '--quiet']).status).toBe(0);

    const { status, lines } = verify(pinned.file, db);
    expect(status).toBe(0);
    expect(lines[1]).toBe("identical: recomputed at position 32, every figure is the file's");
    const since = lines.slice(3);
    expect(lines[2]).toBe(`restated since (position 32 → head 33): ${since.length} figure(s)`);
    expect(since).toContain('  months[2026-03].net: 660000.00 → 640000.00');
    expect(since).toContain('  rebates[2026-03].growthBonus.figure: 3300.00 → 0.00');
    expect(since.some((l) => l.startsWith('  rebates[2026-03].base.events[late-r9]: (none) → {'))).toBe(true);

    // Each restated figure is the figure of a statement issued at the new head.
    const head = issue(db, join(dir, 'head'), 'CH-A', '2026-Q1').statement;
    expect(head.position).toBe(33);
    const march = head.months.find((m) => m.month === '2026-03');
    for (const l of since.filter((x) => x.startsWith('  months[2026-03].'))) {
      const [, field, , now] = /^ {2}months\[2026-03\]\.([\w.]+): (.*) → (.*)$/.exec(l) ?? [];
      const value = (field ?? '')
        .split('.')
        .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], march);
      expect(String(value)).toBe(now);
    }
  });
});

describe('the commands’ usage', () => {
  it('statement --help and verify-statement --help print their options; a missing --channel is exit 2', () => {
    const help = chanperf(['statement', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: chanperf statement --db PATH --channel ID --quarter YYYY-Qn/);
    expect(help.stdout).toContain('--format F');
    expect(chanperf(['verify-statement', '--help']).stdout).toMatch(
      /^usage: chanperf verify-statement FILE --db PATH/,
    );
    const usage = chanperf(['statement', '--db', db, '--quarter', '2026-Q1']);
    expect(usage.stderr).toBe('chanperf: statement: --channel ID is required\n');
    expect(usage.status).toBe(2);
    const notOne = chanperf(['verify-statement', BASIC.pathname, '--db', db]);
    expect(notOne.stderr).toMatch(/^chanperf: verify-statement: .*basic\.ndjson is not JSON \(/);
    expect(notOne.status).toBe(2);
  });
});
