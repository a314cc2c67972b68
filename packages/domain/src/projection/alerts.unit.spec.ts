/**
 * Alert ids (spec §5: `<kind>/<channelId>/<month>/<n>`): `n` counts a channel's alerts of one
 * kind and month from 1. The counts are kept as flat integer pairs; the read model and the as-of
 * snapshots keep them as the `[kind/month, n]` entries a `Map` keyed by that text gave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMonth } from '../calendar.js';
import { alertCountEntries, alertCountsOf, nextAlertId, type AlertKind } from './alerts.js';
import type { ChannelState } from './state.js';

const KINDS: readonly AlertKind[] = [
  'GROWTH_TARGET_MISSED',
  'GROWTH_TARGET_MISS_RETRACTED',
  'TIER_DOWNGRADE_WARNING',
  'TIER_DOWNGRADED',
  'TARGET_BEHIND',
  'TARGET_BEHIND_RETRACTED',
  'CHANNEL_INACTIVE',
  'CHANNEL_INACTIVE_RETRACTED',
];

/** The parts of a channel `nextAlertId` reads. */
function channel(alertCounts: number[] = []): ChannelState {
  return { channelId: 'CH-A', alertCounts } as unknown as ChannelState;
}

const month = (text: string) => parseMonth(text) as number;

describe('alert ids and their counts', () => {
  it('numbers each kind and month of a channel from 1, apart from the others', () => {
    const c = channel();
    expect(nextAlertId(c, 'GROWTH_TARGET_MISSED', month('2026-02'))).toBe(
      'GROWTH_TARGET_MISSED/CH-A/2026-02/1',
    );
    expect(nextAlertId(c, 'GROWTH_TARGET_MISS_RETRACTED', month('2026-02'))).toBe(
      'GROWTH_TARGET_MISS_RETRACTED/CH-A/2026-02/1',
    );
    expect(nextAlertId(c, 'GROWTH_TARGET_MISSED', month('2026-03'))).toBe(
      'GROWTH_TARGET_MISSED/CH-A/2026-03/1',
    );
    expect(nextAlertId(c, 'GROWTH_TARGET_MISSED', month('2026-02'))).toBe(
      'GROWTH_TARGET_MISSED/CH-A/2026-02/2',
    );
    expect(alertCountEntries(c.alertCounts)).toEqual([
      [`GROWTH_TARGET_MISSED/${month('2026-02')}`, 2],
      [`GROWTH_TARGET_MISS_RETRACTED/${month('2026-02')}`, 1],
      [`GROWTH_TARGET_MISSED/${month('2026-03')}`, 1],
    ]);
  });

  it('goes on counting from counts read back from their entries', () => {
    const c = channel(alertCountsOf([[`CHANNEL_INACTIVE/${month('9999-12')}`, 4]]));
    expect(nextAlertId(c, 'CHANNEL_INACTIVE', month('9999-12'))).toBe('CHANNEL_INACTIVE/CH-A/9999-12/5');
    expect(nextAlertId(c, 'CHANNEL_INACTIVE', month('0000-01'))).toBe('CHANNEL_INACTIVE/CH-A/0000-01/1');
  });

  it('refuses entries of a kind it does not know, or of no month', () => {
    expect(() => alertCountsOf([['NO_SUCH_KIND/24300', 1]])).toThrow(RangeError);
    expect(() => alertCountsOf([['TIER_DOWNGRADED/x', 1]])).toThrow(RangeError);
    expect(() => alertCountsOf([['TIER_DOWNGRADED/200000', 1]])).toThrow(RangeError);
  });

  it('property: ids and entries equal those of a Map keyed by `kind/month`, across a save and load at any point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.integer({ min: 0, max: 119_999 })), {
          maxLength: 60,
        }),
        fc.nat(60),
        (alerts, saveAt) => {
          const reference = new Map<string, number>();
          let c = channel();
          alerts.forEach(([kind, m], i) => {
            if (i === saveAt) c = channel(alertCountsOf(alertCountEntries(c.alertCounts)));
            const key = `${kind}/${m}`;
            const n = (reference.get(key) ?? 0) + 1;
            reference.set(key, n);
            expect(nextAlertId(c, kind, m)).toBe(`${kind}/CH-A/${formatted(m)}/${n}`);
          });
          expect(alertCountEntries(c.alertCounts)).toEqual([...reference]);
        },
      ),
    );
  });
});

function formatted(m: number): string {
  const y = Math.floor(m / 12);
  return `${String(y).padStart(4, '0')}-${String(m - y * 12 + 1).padStart(2, '0')}`;
}
