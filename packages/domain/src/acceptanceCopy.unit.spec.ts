/**
 * `copyAcceptanceState` shares the original's sets and maps until it folds into one (copy on
 * write): folding into the copy never shows in the original, whichever collections it touches,
 * and copies of one original stay apart.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptanceStateOf,
  copyAcceptanceState,
  evolveAcceptance,
  parentAssignmentsOf,
  type AcceptanceState,
} from './acceptance.js';
import type { ChanperfEvent } from './events.js';

const at = '2026-01-05T10:00:00+08:00';
const event = (e: object) => e as ChanperfEvent;
const registered = (channelId: string, parentId?: string) =>
  event({
    eventId: `reg-${channelId}`,
    occurredAt: at,
    channelId,
    type: 'ChannelRegistered',
    data: { name: channelId, kind: 'reseller', ...(parentId === undefined ? {} : { parentId }) },
  });
const promotion = (promotionId: string) =>
  event({
    eventId: promotionId,
    occurredAt: at,
    type: 'PromotionScheduled',
    data: { promotionId, startsAt: at, endsAt: at, bonusBps: 10 },
  });
const priceChange = (changeId: string) =>
  event({
    eventId: changeId,
    occurredAt: at,
    type: 'PriceChanged',
    data: {
      changeId,
      sku: 'S',
      oldUnitPrice: '2.00',
      newUnitPrice: '1.00',
      currency: 'CNY',
      effectiveAt: at,
    },
  });
const closed = (month: string) =>
  event({ eventId: `close-${month}`, occurredAt: at, type: 'PeriodClosed', data: { month } });
const reparented = (channelId: string, parentId: string) =>
  event({
    eventId: `rp-${channelId}`,
    occurredAt: at,
    channelId,
    type: 'ChannelReparented',
    data: { effectiveFrom: '2026-02', parentId },
  });

/** What a state holds, as plain data. */
function contents(s: AcceptanceState) {
  return {
    channels: [...s.channels].sort(),
    promotions: [...s.promotions].sort(),
    priceChanges: [...s.priceChanges].sort(),
    lastClosed: s.lastClosed,
    // In log order per channel; the order between channels does not matter (a stable sort).
    parents: parentAssignmentsOf(s).sort((a, b) =>
      a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0,
    ),
    namedBy: [...s.namedBy.entries()].sort(),
  };
}

function original(): AcceptanceState {
  const s = acceptanceStateOf({
    channels: [],
    promotions: [],
    lastClosed: null,
    priceChanges: [],
    parentAssignments: [],
  });
  for (const e of [
    registered('A'),
    registered('B', 'A'),
    promotion('P1'),
    priceChange('C1'),
    closed('2026-01'),
  ])
    evolveAcceptance(s, e);
  return s;
}

describe('copyAcceptanceState', () => {
  it('folds into the copy without touching the original, collection by collection', () => {
    const folds = [
      registered('C', 'A'),
      promotion('P2'),
      priceChange('C2'),
      closed('2026-02'),
      reparented('B', 'C'),
      registered('D'),
    ];
    // Each fold alone (so each collection is the first one written), then all of them.
    for (const fold of [...folds.map((f) => [f]), folds]) {
      const s = original();
      const before = contents(s);
      const copy = copyAcceptanceState(s);
      for (const e of fold) evolveAcceptance(copy, e);
      const expected = original();
      for (const e of fold) evolveAcceptance(expected, e);
      expect(contents(s)).toEqual(before);
      expect(contents(copy)).toEqual(contents(expected));
    }
  });

  it('keeps two copies of one original apart, and the copy reads the original until it writes', () => {
    const s = original();
    const a = copyAcceptanceState(s);
    const b = copyAcceptanceState(s);
    evolveAcceptance(a, registered('X'));
    evolveAcceptance(b, registered('Y', 'A'));
    expect(a.channels.has('X') && !a.channels.has('Y')).toBe(true);
    expect(b.channels.has('Y') && !b.channels.has('X')).toBe(true);
    expect(s.channels.has('X') || s.channels.has('Y')).toBe(false);
    expect(b.namedBy.get('A')).toEqual(['B', 'Y']);
    expect(s.namedBy.get('A')).toEqual(['B']);
    expect(a.channels).not.toBe(s.channels);
    expect(a.promotions).toBe(s.promotions);
  });
});
