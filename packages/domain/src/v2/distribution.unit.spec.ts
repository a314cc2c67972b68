/**
 * Spec §4 (v2) "Two-level distribution" (总代 → 二级代理): the parent of a channel in a month,
 * INVALID_PARENT against every later change point, and the roll-up rows of the top-level
 * partners. Cross-checked with spec/examples-v2 ("Roll-ups", rp-D1-bad).
 */
import { describe, expect, it } from 'vitest';
import { parseMonth, type Month } from '../calendar.js';
import { invalidParent, parentIn, rollups, type Assignment, type RollupChannel } from './distribution.js';

const month = (text: string): Month => parseMonth(text)!;
const under = (parentId: string | null, from: string): Assignment => ({ parentId, effective: month(from) });

describe('the parent of a channel in a month', () => {
  const s2 = [under(null, '2026-01'), under('D1', '2026-03')];

  it('given S2 registered top-level in January and re-parented under D1 from March, then top-level in February, D1 from March on', () => {
    expect(parentIn(s2, month('2026-02'))).toBeNull();
    expect(parentIn(s2, month('2026-03'))).toBe('D1');
    expect(parentIn(s2, month('2027-12'))).toBe('D1');
  });

  it('given a channel registered in March under D1, when asked about February, then top-level (no assignment is effective yet)', () => {
    expect(parentIn([under('D1', '2026-03')], month('2026-02'))).toBeNull();
  });

  it('given an assignment from June followed in the log by one from April, then the later one in the log wins from April on, June included', () => {
    const list = [under(null, '2026-01'), under('D1', '2026-06'), under('D2', '2026-04')];
    expect(parentIn(list, month('2026-03'))).toBeNull();
    expect(parentIn(list, month('2026-04'))).toBe('D2');
    expect(parentIn(list, month('2026-07'))).toBe('D2');
  });

  it('given an earlier assignment in the log effective before a later one, then the earlier still governs the months before the later one', () => {
    const list = [under(null, '2026-01'), under('D1', '2026-02'), under(null, '2026-05')];
    expect(parentIn(list, month('2026-04'))).toBe('D1');
    expect(parentIn(list, month('2026-05'))).toBeNull();
  });
});

describe('INVALID_PARENT: two levels in every month', () => {
  const lists: Record<string, Assignment[]> = {
    D1: [under(null, '2026-01')],
    S1: [under('D1', '2026-01')],
    S2: [under(null, '2026-01'), under('D1', '2026-03')],
    E1: [under(null, '2026-01')],
  };
  const of = (id: string) => lists[id] ?? [];
  const all = (extra: Record<string, Assignment[]> = {}) => Object.values({ ...lists, ...extra });

  it('given rp-D1-bad (D1 under S1 from April), then rejected: S1 has a parent (D1)', () => {
    expect(invalidParent({ channelId: 'D1', parentId: 'S1', effective: month('2026-04') }, of, all())).toBe(
      'PARENT_HAS_PARENT',
    );
  });

  it('given D1 under E1 from April (E1 top-level), then rejected: D1 has sub-partners S1 and S2', () => {
    expect(invalidParent({ channelId: 'D1', parentId: 'E1', effective: month('2026-04') }, of, all())).toBe(
      'CHANNEL_HAS_SUB_PARTNERS',
    );
  });

  it('given a channel made its own parent, then rejected', () => {
    expect(invalidParent({ channelId: 'E1', parentId: 'E1', effective: month('2026-04') }, of, all())).toBe(
      'OWN_PARENT',
    );
  });

  it('given E1 under D1 from April, then valid (D1 is top-level, E1 has no sub-partner)', () => {
    expect(
      invalidParent({ channelId: 'E1', parentId: 'D1', effective: month('2026-04') }, of, all()),
    ).toBeNull();
  });

  it('given an assignment without parentId, then always valid (even for a channel with sub-partners)', () => {
    expect(
      invalidParent({ channelId: 'S1', parentId: null, effective: month('2026-04') }, of, all()),
    ).toBeNull();
  });

  it('given P top-level in month F but under a parent from a later change point, then rejected', () => {
    const x = { X: [under(null, '2026-01'), under('D1', '2026-09')] };
    const ofX = (id: string) => ({ ...lists, ...x })[id] ?? [];
    expect(invalidParent({ channelId: 'E1', parentId: 'X', effective: month('2026-04') }, ofX, all(x))).toBe(
      'PARENT_HAS_PARENT',
    );
  });

  it('given P under a parent only in months before F, then valid', () => {
    const x = { X: [under('D1', '2026-01'), under(null, '2026-04')] };
    const ofX = (id: string) => ({ ...lists, ...x })[id] ?? [];
    expect(
      invalidParent({ channelId: 'E1', parentId: 'X', effective: month('2026-04') }, ofX, all(x)),
    ).toBeNull();
  });

  it('given C whose only sub-partner leaves before F, then C may go under a parent from F', () => {
    const y = { Y: [under('E1', '2026-01'), under(null, '2026-04')] };
    expect(
      invalidParent({ channelId: 'E1', parentId: 'D1', effective: month('2026-04') }, of, all(y)),
    ).toBeNull();
    expect(invalidParent({ channelId: 'E1', parentId: 'D1', effective: month('2026-03') }, of, all(y))).toBe(
      'CHANNEL_HAS_SUB_PARTNERS',
    );
  });

  it('given a channel that comes under C only from a later month than F, then C may not take a parent from F', () => {
    const y = { Y: [under(null, '2026-01'), under('E1', '2026-10')] };
    expect(invalidParent({ channelId: 'E1', parentId: 'D1', effective: month('2026-04') }, of, all(y))).toBe(
      'CHANNEL_HAS_SUB_PARTNERS',
    );
  });
});

describe('roll-ups (examples-v2)', () => {
  /** Nets in thousands of CNY, January … April 2026. */
  const nets: Record<string, number[]> = {
    D1: [600, 700, 800, 900],
    S1: [100, 120, 10, 150],
    S2: [50, 40, 60, 70],
    E1: [80, 0, 25, 30],
    N1: [0, 0, 30, 40],
  };
  const ch = (channelId: string, first: string, assignments: Assignment[]): RollupChannel => ({
    channelId,
    firstMonth: month(first),
    assignments,
    net: (m) => BigInt(nets[channelId]?.[m - month('2026-01')] ?? 0) * 100_000n,
  });
  const channels = [
    ch('D1', '2026-01', [under(null, '2026-01')]),
    ch('E1', '2026-01', [under(null, '2026-01')]),
    ch('N1', '2026-03', [under(null, '2026-03')]),
    ch('S1', '2026-01', [under('D1', '2026-01')]),
    ch('S2', '2026-01', [under(null, '2026-01'), under('D1', '2026-03')]),
  ];
  const k = (thousands: number): bigint => BigInt(thousands) * 100_000n;
  const range = { first: month('2026-01'), last: month('2026-04') };

  it('given D1 heading S1 from January and S2 from March, when rolled up, then four rows with like-for-like previous nets (S2 brings its February)', () => {
    const result = rollups({ channels, range, lastClosed: month('2026-04'), targetBpsFor: () => 1000 });
    expect(result).toEqual([
      {
        channelId: 'D1',
        months: [
          {
            month: month('2026-01'),
            members: ['D1', 'S1'],
            net: k(700),
            previousNet: 0n,
            growthBps: null,
            growthStatus: 'NO_BASELINE',
            targetBps: 1000,
          },
          {
            month: month('2026-02'),
            members: ['D1', 'S1'],
            net: k(820),
            previousNet: k(700),
            growthBps: 1714,
            growthStatus: 'MET',
            targetBps: 1000,
          },
          {
            month: month('2026-03'),
            members: ['D1', 'S1', 'S2'],
            net: k(870),
            previousNet: k(860),
            growthBps: 116,
            growthStatus: 'MISSED',
            targetBps: 1000,
          },
          {
            month: month('2026-04'),
            members: ['D1', 'S1', 'S2'],
            net: k(1120),
            previousNet: k(870),
            growthBps: 2873,
            growthStatus: 'MET',
            targetBps: 1000,
          },
        ],
      },
    ]);
  });

  it('given April still open, when rolled up, then April is OPEN with its provisional growthBps', () => {
    const result = rollups({ channels, range, lastClosed: month('2026-03'), targetBpsFor: () => 1000 });
    expect(result[0]?.months[3]).toMatchObject({ growthBps: 2873, growthStatus: 'OPEN' });
  });

  it('given no channels (no month range), then no roll-ups', () => {
    expect(rollups({ channels: [], range: null, lastClosed: null, targetBpsFor: () => 1000 })).toEqual([]);
  });

  it('given a parent whose only sub-partner starts after the range and which itself starts after it too, then the parent is listed with no rows', () => {
    const late = [ch('P', '2026-06', [under(null, '2026-06')]), ch('Q', '2026-06', [under('P', '2026-01')])];
    expect(rollups({ channels: late, range, lastClosed: null, targetBpsFor: () => 1000 })).toEqual([
      { channelId: 'P', months: [] },
    ]);
  });

  it('given a sub-partner whose first month is after the row month, then it is not a member yet but the parent still has a row', () => {
    const result = rollups({
      channels: [
        ch('D1', '2026-01', [under(null, '2026-01')]),
        ch('N1', '2026-03', [under('D1', '2026-01')]),
      ],
      range,
      lastClosed: month('2026-04'),
      targetBpsFor: () => 500,
    });
    expect(result[0]?.months.map((r) => [r.members, r.targetBps])).toEqual([
      [['D1'], 500],
      [['D1'], 500],
      [['D1', 'N1'], 500],
      [['D1', 'N1'], 500],
    ]);
  });

  it('given a partner that is itself under a parent in some months, then it has no row in those months', () => {
    const result = rollups({
      channels: [
        ch('A', '2026-01', [under(null, '2026-01'), under('B', '2026-03')]),
        ch('B', '2026-01', [under(null, '2026-01')]),
        ch('C', '2026-01', [under('A', '2026-01'), under(null, '2026-03')]),
      ],
      range,
      lastClosed: month('2026-04'),
      targetBpsFor: () => 1000,
    });
    expect(result.map((r) => [r.channelId, r.months.map((m) => [m.month, m.members])])).toEqual([
      [
        'A',
        [
          [month('2026-01'), ['A', 'C']],
          [month('2026-02'), ['A', 'C']],
        ],
      ],
      [
        'B',
        [
          [month('2026-01'), ['B']],
          [month('2026-02'), ['B']],
          [month('2026-03'), ['A', 'B']],
          [month('2026-04'), ['A', 'B']],
        ],
      ],
    ]);
  });
});
