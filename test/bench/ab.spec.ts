/**
 * The A/B tool's pure parts (`abSummary.ts`) and the table's ratio to the machine floor
 * (`table.ts`): what it accepts, and what it makes of a set of runs. Nothing here times anything.
 */
import { describe, expect, it } from 'vitest';
import { median, parseAbOptions, renderAb, summarize, type AbSample } from './abSummary.js';
import { ofFloor, openLoopMet, renderTable, type Row } from './table.js';

describe('parseAbOptions', () => {
  it('defaults to 3 runs of every stage on 300 000 events', () => {
    expect(parseAbOptions(['--a', 'HEAD~2', '--b', 'HEAD'])).toEqual({
      a: 'HEAD~2',
      b: 'HEAD',
      runs: 3,
      events: 300_000,
      stages: ['replay', 'rebuild', 'ingest'],
      seed: 42,
      keep: false,
    });
  });

  it('takes runs, events (with _ separators), stages in its own order, once each', () => {
    const o = parseAbOptions([
      '--',
      '--a=x',
      '--b=y',
      '--runs',
      '5',
      '--events',
      '100_000',
      '--stages',
      'ingest,replay,ingest',
    ]);
    expect(o).toMatchObject({ runs: 5, events: 100_000, stages: ['replay', 'ingest'] });
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => parseAbOptions(['--b', 'HEAD'])).toThrow('--a REF is required');
    expect(() => parseAbOptions(['--a', 'HEAD'])).toThrow('--b REF is required');
    expect(() => parseAbOptions(['--a', 'x', '--b', 'y', '--runs', '0'])).toThrow(
      '--runs must be an integer ≥ 1',
    );
    expect(() => parseAbOptions(['--a', 'x', '--b', 'y', '--runs', ''])).toThrow('--runs');
    expect(() => parseAbOptions(['--a', 'x', '--b', 'y', '--stages', 'replay,query'])).toThrow('not: query');
    expect(() => parseAbOptions(['--a', 'x', '--b', 'y', '--stages', ','])).toThrow('--stages');
    expect(() => parseAbOptions(['--a', 'x', '--b', 'y', '--bogus'])).toThrow();
  });

  it('answers --help with undefined', () => {
    expect(parseAbOptions(['--help'])).toBeUndefined();
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
  });
});

const run = (
  round: number,
  side: AbSample['side'],
  stage: AbSample['stage'],
  eventsPerSecond: number,
  reportMd5?: string,
): AbSample => ({
  round,
  side,
  stage,
  eventsPerSecond,
  ...(reportMd5 === undefined ? {} : { reportMd5 }),
});

describe('summarize and renderAb', () => {
  const samples = [
    run(1, null, 'machine floor', 200_000),
    run(1, 'A', 'replay', 30_000, 'aaa'),
    run(1, 'B', 'replay', 80_000, 'aaa'),
    run(2, null, 'machine floor', 260_000),
    run(2, 'A', 'replay', 40_000, 'aaa'),
    run(2, 'B', 'replay', 60_000, 'aaa'),
    run(3, null, 'machine floor', 240_000),
    run(3, 'A', 'replay', 35_000, 'aaa'),
    run(3, 'B', 'replay', 70_000, 'aaa'),
    run(1, 'A', 'ingest', 10_000),
  ];

  it('gives the medians, their ratio to the floor median, and B/A', () => {
    const s = summarize(samples, ['replay', 'ingest']);
    expect(s.floorMedian).toBe(240_000);
    const replay = s.stages[0]!;
    expect(replay).toMatchObject({ stage: 'replay', medianA: 35_000, medianB: 70_000, bOverA: 2 });
    expect(replay.floorRatioA).toBeCloseTo(35 / 240, 12);
    expect(replay.floorRatioB).toBeCloseTo(70 / 240, 12);
    // A stage with no B run has no B/A.
    expect(s.stages[1]).toMatchObject({ stage: 'ingest', medianA: 10_000, medianB: null, bOverA: null });
    expect(s.reportsIdentical).toBe(true);
    const text = renderAb(s, { a: 'HEAD~1', b: 'HEAD' });
    expect(text).toMatch(/\| replay +\| +35 000 \| +0\.15× \| +70 000 \| +0\.29× \| +2\.00× \|/);
    expect(text).toContain('replay reports: identical, md5 aaa (3 A, 3 B)');
    expect(text).not.toContain('DIFFER');
  });

  it('says loudly when a replay report differs', () => {
    const differing = [...samples.slice(0, -1), run(4, 'B', 'replay', 70_000, 'bbb')];
    const s = summarize(differing, ['replay']);
    expect(s.reportsIdentical).toBe(false);
    expect(renderAb(s, { a: 'a', b: 'b' })).toContain('!!! THE REPLAY REPORTS DIFFER');
  });

  it('gives the CPU seconds measured, their medians and B/A, and a dash where none was', () => {
    const withCpu = [
      run(1, null, 'machine floor', 200_000),
      { ...run(1, 'A', 'rebuild', 100_000), cpuSeconds: 10 },
      { ...run(1, 'B', 'rebuild', 100_000), cpuSeconds: 9 },
      { ...run(2, 'A', 'rebuild', 100_000), cpuSeconds: 12 },
      { ...run(2, 'B', 'rebuild', 100_000), cpuSeconds: null },
      { ...run(3, 'A', 'rebuild', 100_000), cpuSeconds: 11 },
      { ...run(3, 'B', 'rebuild', 100_000), cpuSeconds: 8.8 },
      run(1, 'A', 'ingest', 10_000),
      run(1, 'B', 'ingest', 10_000),
    ];
    const s = summarize(withCpu, ['rebuild', 'ingest']);
    // Equal rates, B cheaper: only the CPU columns tell them apart.
    expect(s.stages[0]).toMatchObject({ cpuA: [10, 12, 11], cpuB: [9, 8.8], medianCpuA: 11, bOverA: 1 });
    expect(s.stages[0]?.medianCpuB).toBeCloseTo(8.9, 12);
    expect(s.stages[0]?.cpuBOverA).toBeCloseTo(8.9 / 11, 12);
    expect(s.stages[1]).toMatchObject({ cpuA: [], medianCpuA: null, cpuBOverA: null });
    const text = renderAb(s, { a: 'a', b: 'b' });
    expect(text).toMatch(
      /\| rebuild +\| +100 000 \| +0\.50× \| +100 000 \| +0\.50× \| +1\.00× \| +11\.00 \| +8\.90 \| +0\.81× \|/,
    );
    expect(text).toMatch(/\| ingest +\|.*\| +— \| +— \| +— \|/);
    expect(text).toContain(
      '- rebuild runs: A 100 000, 100 000, 100 000; B 100 000, 100 000, 100 000; CPU s A 10.00, 12.00, 11.00; B 9.00, 8.80',
    );
    expect(text).toMatch(/^- ingest runs: A 10 000; B 10 000$/m);
  });

  it('has nothing to compare without replays', () => {
    expect(summarize([run(1, null, 'machine floor', 1)], ['ingest']).reportsIdentical).toBeNull();
  });
});

describe('the bench table', () => {
  it('gives each rate as a ratio to the machine floor', () => {
    expect(ofFloor(70_000, 200_000)).toBe(0.35);
    expect(ofFloor(null, 200_000)).toBeNull();
    expect(ofFloor(70_000, undefined)).toBeNull();
    const row: Row = {
      stage: 'replay',
      count: 1000,
      unit: 'events',
      seconds: 1,
      rate: 70_000,
      ratio: 0.35,
      latency: '—',
      peakRssBytes: null,
      cpuSeconds: null,
      target: '≥ 0.35 × machine floor',
      met: true,
    };
    const [header, , line] = renderTable([row]).split('\n');
    expect(header).toContain('of machine floor');
    expect(line).toMatch(/70 000 ev\/s \| +0\.35× \|/);
  });

  it('marks an open-loop query run met at the target rate within a sender tick, and no further', () => {
    const run = { failures: 0, p99Ms: 7.38, sentPerSecond: 4999.86 };
    expect(openLoopMet(run)).toBe(true);
    expect(openLoopMet({ ...run, sentPerSecond: 4990 })).toBe(false);
    expect(openLoopMet({ ...run, p99Ms: 10.01 })).toBe(false);
    expect(openLoopMet({ ...run, p99Ms: 10 })).toBe(true);
    expect(openLoopMet({ ...run, failures: 1 })).toBe(false);
  });
});
