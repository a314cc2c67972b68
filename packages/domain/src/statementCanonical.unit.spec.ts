import { describe, expect, it } from 'vitest';
import { parseQuarter } from './statement.js';
import { canonicalJson, diffFigures, formatChange } from './statementCanonical.js';
import { formatQuarter } from './v2/quarters.js';

describe('canonicalJson', () => {
  it('sorts keys at every level by code unit, keeps array order, writes no whitespace', () => {
    const a = { b: [3, { z: 'é', a: null }], a: true, B: '1.00' };
    const b = { a: true, B: '1.00', b: [3, { a: null, z: 'é' }] };
    expect(canonicalJson(a)).toBe('{"B":"1.00","a":true,"b":[3,{"a":null,"z":"é"}]}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalJson(JSON.parse(JSON.stringify(a, null, 2)))).toBe(canonicalJson(a));
    expect(canonicalJson({ x: [2, 1] })).not.toBe(canonicalJson({ x: [1, 2] }));
  });

  it('drops undefined members and refuses what a statement never holds', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: 1.5 })).toThrow(/not a safe integer/);
    expect(() => canonicalJson({ a: 2n })).toThrow(/not JSON/);
  });
});

describe('diffFigures', () => {
  it('names list elements by month or eventId, and each changed leaf as path: old → new', () => {
    const old = {
      months: [
        { month: '2026-01', net: '10.00' },
        { month: '2026-02', net: '20.00' },
      ],
      events: [{ eventId: 'a', amount: '1.00' }],
      tier: 'gold',
    };
    const now = {
      months: [
        { month: '2026-01', net: '10.00' },
        { month: '2026-02', net: '15.00' },
      ],
      events: [
        { eventId: 'a', amount: '1.00' },
        { eventId: 'late', amount: '-5.00' },
      ],
      tier: 'silver',
    };
    expect(diffFigures(old, now).map(formatChange)).toEqual([
      'months[2026-02].net: 20.00 → 15.00',
      'events[late]: (none) → {"amount":"-5.00","eventId":"late"}',
      'tier: gold → silver',
    ]);
    expect(diffFigures(now, now)).toEqual([]);
  });

  it('falls back to indexes when elements have no unique name, and reports removed ones', () => {
    expect(diffFigures({ l: [1, 2] }, { l: [1] }).map(formatChange)).toEqual(['l[1]: 2 → (none)']);
    const dup = [
      { month: 'x', v: 1 },
      { month: 'x', v: 2 },
    ];
    expect(diffFigures({ l: dup }, { l: [dup[0], { month: 'x', v: 3 }] }).map(formatChange)).toEqual([
      'l[1].v: 2 → 3',
    ]);
  });
});

describe('parseQuarter', () => {
  it('reads YYYY-Qn, and formatQuarter writes it back', () => {
    expect(formatQuarter(parseQuarter('2026-Q1') ?? -1)).toBe('2026-Q1');
    expect(formatQuarter(parseQuarter('1999-Q4') ?? -1)).toBe('1999-Q4');
    for (const bad of ['2026-Q0', '2026-Q5', '2026Q1', '26-Q1', '2026-q1'])
      expect(parseQuarter(bad)).toBeUndefined();
  });
});
