/**
 * (v2) Spec §2 "Acceptance and rejection" for the v2 events: UNKNOWN_CHANNEL for the three v2
 * channel events, PRICE_CHANGE_EXISTS, CURRENCY_MISMATCH and PERIOD_CLOSED of a price change,
 * PERIOD_CLOSED of a re-parenting and of a target, UNKNOWN_PARENT and INVALID_PARENT (§4
 * "Two-level distribution"), and the order between them (CHANGELOG "Rejection order").
 */
import { describe, expect, it } from 'vitest';
import { close, register, run, sale, statuses, type Input } from './testing/specBuilders.js';
import { inventory, priceChange, reparent, targetSet } from './testing/v2SpecBuilders.js';

const A = register('CH-A', { at: '2026-01-02' });
const B_UNDER_A = register('CH-B', { at: '2026-01-03', parentId: 'CH-A' });
const D = register('CH-D', { at: '2026-01-04' });

/** The outcome of each input after the first `given` ones (all of which must be accepted). */
function outcomesAfter(given: readonly Input[], when: readonly (string | Input)[]): string[] {
  const all = statuses(run([...given, ...when]).outcomes);
  expect(all.slice(0, given.length)).toEqual(given.map(() => 'accepted'));
  return all.slice(given.length);
}

describe('UNKNOWN_CHANNEL: the three v2 channel events need a registered channel', () => {
  it.each([
    ['a target', targetSet('CH-Z', { year: '2026', annualNet: '1000.00' })],
    ['an inventory count', inventory('CH-Z')],
    ['a re-parenting', reparent('CH-Z', '2026-03', 'CH-A')],
  ])('given CH-Z not registered, when %s for it arrives, then it is UNKNOWN_CHANNEL', (_name, event) => {
    expect(outcomesAfter([A], [event])).toEqual(['UNKNOWN_CHANNEL']);
  });

  it('given CH-Z registered only later in the log, when its target arrives before, then it is UNKNOWN_CHANNEL', () => {
    const target = targetSet('CH-Z', { year: '2026', annualNet: '1000.00' });
    expect(outcomesAfter([], [target, register('CH-Z'), { ...target, eventId: 'target-again' }])).toEqual([
      'UNKNOWN_CHANNEL',
      'accepted',
      'accepted',
    ]);
  });

  it('given a registered channel, when each v2 channel event arrives for it, then all are accepted', () => {
    const events = [
      targetSet('CH-A', { year: '2026', annualNet: '1000.00' }),
      inventory('CH-A'),
      reparent('CH-A', '2026-03'),
    ];
    expect(outcomesAfter([A], events)).toEqual(['accepted', 'accepted', 'accepted']);
  });
});

describe('PRICE_CHANGE_EXISTS: a changeId is accepted once', () => {
  it('given a change c-1 accepted, when another event (new eventId) with changeId c-1 arrives, then it is PRICE_CHANGE_EXISTS', () => {
    const first = priceChange({ changeId: 'c-1' });
    const again = priceChange({ changeId: 'c-1', newUnitPrice: '80.00' });
    expect(outcomesAfter([first], [again, priceChange({ changeId: 'c-2' })])).toEqual([
      'PRICE_CHANGE_EXISTS',
      'accepted',
    ]);
  });

  it('given a change c-1 rejected (currency), when corrected under the same changeId, then it is accepted: a rejected change takes no changeId', () => {
    const wrong = priceChange({ changeId: 'c-1', currency: 'USD', id: 'p-1' });
    const fixed = priceChange({ changeId: 'c-1', id: 'p-1' });
    expect(outcomesAfter([], [wrong, fixed])).toEqual(['CURRENCY_MISMATCH', 'accepted']);
  });

  it('given a change accepted, when the same event is resent, then it is a duplicate, not PRICE_CHANGE_EXISTS', () => {
    const change = priceChange({ changeId: 'c-1' });
    expect(outcomesAfter([change], [change])).toEqual(['duplicate']);
  });
});

describe('CURRENCY_MISMATCH: a price change is in the deployment currency', () => {
  it('given a CNY deployment, when a change in USD arrives, then it is CURRENCY_MISMATCH', () => {
    expect(outcomesAfter([], [priceChange({ currency: 'USD' })])).toEqual(['CURRENCY_MISMATCH']);
  });
});

describe('PERIOD_CLOSED (v2): nothing new in a closed month but late registrations and sales', () => {
  const closedJan = [A, close('2026-01')];

  it.each([
    ['effective in the last closed month', '2026-01', 'PERIOD_CLOSED'],
    ['effective before it', '2025-11', 'PERIOD_CLOSED'],
    ['effective the month after', '2026-02', 'accepted'],
  ])('given 2026-01 closed, when a re-parenting %s arrives, then it is %s', (_name, from, expected) => {
    expect(outcomesAfter(closedJan, [reparent('CH-A', from)])).toEqual([expected]);
  });

  it.each([
    ['2026-01-31T15:59:59+00:00 (31 Jan 23:59:59 in Shanghai)', '2026-01-31T15:59:59+00:00', 'PERIOD_CLOSED'],
    ['2026-01-31T16:00:00Z (1 Feb 00:00 in Shanghai)', '2026-01-31T16:00:00Z', 'accepted'],
    ['2025-12-15', '2025-12-15', 'PERIOD_CLOSED'],
  ])(
    'given 2026-01 closed, when a price change effective at %s arrives, then it is %s',
    (_n, effectiveAt, expected) => {
      expect(outcomesAfter(closedJan, [priceChange({ effectiveAt })])).toEqual([expected]);
    },
  );

  it('given 2026-01 closed, when a price RISE effective in January arrives, then it is PERIOD_CLOSED too (any change)', () => {
    const rise = priceChange({ oldUnitPrice: '90.00', newUnitPrice: '100.00', effectiveAt: '2026-01-20' });
    expect(outcomesAfter(closedJan, [rise])).toEqual(['PERIOD_CLOSED']);
  });

  it.each([
    ['2026-11', '2026', 'accepted'],
    ['2026-12', '2026', 'PERIOD_CLOSED'],
    ['2026-12', '2027', 'accepted'],
    ['2026-12', '2025', 'PERIOD_CLOSED'],
  ])(
    'given %s closed, when a target for %s arrives, then it is %s (refused once December is closed)',
    (month, year, expected) => {
      const target = targetSet('CH-A', { year, annualNet: '1000.00' }, { at: '2027-01-05' });
      expect(outcomesAfter([A, close(month)], [target])).toEqual([expected]);
    },
  );

  it('given 2026-01 closed, when a registration under a parent dated in January arrives, then it is accepted (a late registration)', () => {
    const late = register('CH-B', { at: '2026-01-15', parentId: 'CH-A' });
    expect(outcomesAfter(closedJan, [late])).toEqual(['accepted']);
  });

  it('given 2026-01 closed, when an inventory count as of January arrives, then it is accepted (no period check)', () => {
    expect(outcomesAfter(closedJan, [inventory('CH-A', { asOf: '2026-01-10' })])).toEqual(['accepted']);
  });
});

describe('UNKNOWN_PARENT: the parent must be registered earlier in the log', () => {
  it.each([
    ['a registration', register('CH-B', { parentId: 'CH-Z' })],
    ['a re-parenting', reparent('CH-A', '2026-03', 'CH-Z')],
  ])('given CH-Z not registered, when %s names it as parent, then it is UNKNOWN_PARENT', (_name, event) => {
    expect(outcomesAfter([A], [event])).toEqual(['UNKNOWN_PARENT']);
  });

  it('given CH-Z registered later in the log, when a registration before it names CH-Z, then it is UNKNOWN_PARENT', () => {
    const b = register('CH-B', { parentId: 'CH-Z', id: 'reg-b' });
    expect(outcomesAfter([], [b, register('CH-Z'), b])).toEqual(['UNKNOWN_PARENT', 'accepted', 'accepted']);
  });

  it('given nothing, when a channel registers under itself, then it is UNKNOWN_PARENT (it is not registered earlier)', () => {
    expect(outcomesAfter([], [register('CH-B', { parentId: 'CH-B' })])).toEqual(['UNKNOWN_PARENT']);
  });

  it('given a registration refused as UNKNOWN_PARENT, when the channel registers again top-level, then it is accepted: nothing was registered', () => {
    const refused = register('CH-B', { parentId: 'CH-Z', id: 'reg-b1' });
    expect(outcomesAfter([A], [refused, register('CH-B', { id: 'reg-b2' })])).toEqual([
      'UNKNOWN_PARENT',
      'accepted',
    ]);
  });
});

describe('INVALID_PARENT: two levels in every month from the assignment on', () => {
  it('given CH-A registered, when it is re-parented under itself, then it is INVALID_PARENT', () => {
    expect(outcomesAfter([A], [reparent('CH-A', '2026-03', 'CH-A')])).toEqual(['INVALID_PARENT']);
  });

  it.each([
    ['registers', register('CH-C', { parentId: 'CH-B' })],
    ['is re-parented', reparent('CH-D', '2026-03', 'CH-B')],
  ])(
    'given CH-B under CH-A, when a channel %s under CH-B, then it is INVALID_PARENT (the parent has a parent)',
    (_n, event) => {
      expect(outcomesAfter([A, B_UNDER_A, D], [event])).toEqual(['INVALID_PARENT']);
    },
  );

  it('given CH-B under CH-A, when CH-A is re-parented under CH-D, then it is INVALID_PARENT (CH-A has a sub-partner)', () => {
    expect(outcomesAfter([A, B_UNDER_A, D], [reparent('CH-A', '2026-03', 'CH-D')])).toEqual([
      'INVALID_PARENT',
    ]);
  });

  it('given CH-B top-level now but under CH-A from 2026-06, when CH-C registers under CH-B in January, then it is INVALID_PARENT (a later month counts)', () => {
    const b = register('CH-B', { at: '2026-01-03' });
    const later = reparent('CH-B', '2026-06', 'CH-A');
    expect(outcomesAfter([A, b, later], [register('CH-C', { parentId: 'CH-B' })])).toEqual([
      'INVALID_PARENT',
    ]);
  });

  it('given CH-B under CH-A until 2026-03 and top-level from 2026-04, when CH-D is put under CH-B from 04 or from 03, then 04 is accepted and 03 is INVALID_PARENT', () => {
    const free = reparent('CH-B', '2026-04');
    expect(outcomesAfter([A, B_UNDER_A, D, free], [reparent('CH-D', '2026-04', 'CH-B')])).toEqual([
      'accepted',
    ]);
    expect(outcomesAfter([A, B_UNDER_A, D, free], [reparent('CH-D', '2026-03', 'CH-B')])).toEqual([
      'INVALID_PARENT',
    ]);
  });

  it('given CH-B moves away from CH-A from 2026-05, when CH-A goes under CH-D from 05 or from 04, then 05 is accepted and 04 is INVALID_PARENT', () => {
    const away = reparent('CH-B', '2026-05');
    expect(outcomesAfter([A, B_UNDER_A, D, away], [reparent('CH-A', '2026-05', 'CH-D')])).toEqual([
      'accepted',
    ]);
    expect(outcomesAfter([A, B_UNDER_A, D, away], [reparent('CH-A', '2026-04', 'CH-D')])).toEqual([
      'INVALID_PARENT',
    ]);
  });

  it('given CH-B top-level from 03 then (later in the log) under CH-A again from 06, when CH-D goes under CH-B from 03, then it is INVALID_PARENT (every later change point is checked)', () => {
    const moves = [reparent('CH-B', '2026-03'), reparent('CH-B', '2026-06', 'CH-A')];
    expect(outcomesAfter([A, B_UNDER_A, D, ...moves], [reparent('CH-D', '2026-03', 'CH-B')])).toEqual([
      'INVALID_PARENT',
    ]);
  });

  it('given CH-B moved under CH-A from 06 and then (later in the log) top-level from 03, when CH-D goes under CH-B from 03, then it is accepted (the later assignment overrides from its month on)', () => {
    const b = register('CH-B', { at: '2026-01-03' });
    const moves = [reparent('CH-B', '2026-06', 'CH-A'), reparent('CH-B', '2026-03')];
    expect(outcomesAfter([A, b, D, ...moves], [reparent('CH-D', '2026-03', 'CH-B')])).toEqual(['accepted']);
  });

  it.each([
    ['2026-01-31T15:59:59Z (31 Jan in Shanghai)', '2026-01-31T15:59:59Z', 'INVALID_PARENT'],
    ['2026-01-31T16:00:00Z (1 Feb in Shanghai)', '2026-01-31T16:00:00Z', 'accepted'],
  ])(
    "given CH-A under CH-D in January only, when CH-B registers under CH-A at %s, then it is %s (the month is the zone's)",
    (_n, atTime, expected) => {
      const aMoves = [reparent('CH-A', '2026-01', 'CH-D'), reparent('CH-A', '2026-02')];
      const b = register('CH-B', { at: atTime, parentId: 'CH-A' });
      expect(outcomesAfter([A, D, ...aMoves], [b])).toEqual([expected]);
    },
  );

  it('given CH-B under CH-A, when CH-B is made top-level, then it is accepted (no parentId is always valid), and CH-A may then go under CH-D from that month', () => {
    const events = [reparent('CH-B', '2026-03'), reparent('CH-A', '2026-03', 'CH-D')];
    expect(outcomesAfter([A, B_UNDER_A, D], events)).toEqual(['accepted', 'accepted']);
  });

  it('given a re-parenting refused as INVALID_PARENT, when a later one relies on it not being there, then it is decided without it', () => {
    // CH-A under CH-D is refused (CH-A has CH-B), so CH-D can still go under CH-A.
    const refused = reparent('CH-A', '2026-03', 'CH-D');
    expect(outcomesAfter([A, B_UNDER_A, D], [refused, reparent('CH-D', '2026-03', 'CH-A')])).toEqual([
      'INVALID_PARENT',
      'accepted',
    ]);
  });
});

describe('the order of the v2 checks', () => {
  it('given one input per step, when replayed, then each gets the first failing code in the spec order', () => {
    const inputs: (string | Input)[] = [
      A,
      B_UNDER_A,
      priceChange({ changeId: 'c-1', effectiveAt: '2026-02-10' }),
      close('2026-01'),
      // SCHEMA_VIOLATION beats UNKNOWN_CHANNEL: the quarters do not add up
      targetSet('CH-Z', { year: '2026', annualNet: '4.00', quarterlyNet: ['1.00', '1.00', '1.00', '2.00'] }),
      // UNKNOWN_CHANNEL beats PERIOD_CLOSED and UNKNOWN_PARENT
      reparent('CH-Z', '2026-01', 'CH-Y'),
      // CHANNEL_EXISTS beats UNKNOWN_PARENT
      register('CH-A', { parentId: 'CH-Y' }),
      // PRICE_CHANGE_EXISTS beats CURRENCY_MISMATCH and PERIOD_CLOSED
      priceChange({ changeId: 'c-1', currency: 'USD', effectiveAt: '2026-01-10' }),
      // CURRENCY_MISMATCH beats PERIOD_CLOSED
      priceChange({ changeId: 'c-2', currency: 'USD', effectiveAt: '2026-01-10' }),
      // PERIOD_CLOSED beats UNKNOWN_PARENT
      reparent('CH-B', '2026-01', 'CH-Y'),
      // UNKNOWN_PARENT beats INVALID_PARENT (a parent that is itself)
      register('CH-C', { parentId: 'CH-C' }),
      // INVALID_PARENT: CH-B has a parent
      register('CH-E', { parentId: 'CH-B' }),
    ];
    expect(statuses(run(inputs).outcomes)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'accepted',
      'SCHEMA_VIOLATION',
      'UNKNOWN_CHANNEL',
      'CHANNEL_EXISTS',
      'PRICE_CHANGE_EXISTS',
      'CURRENCY_MISMATCH',
      'PERIOD_CLOSED',
      'UNKNOWN_PARENT',
      'INVALID_PARENT',
    ]);
  });

  it('given a v2 event resent exactly after its channel became a closed-month case, then it is a duplicate before any business check', () => {
    const move = reparent('CH-B', '2026-02');
    expect(outcomesAfter([A, B_UNDER_A, move, close('2026-02')], [move])).toEqual(['duplicate']);
  });

  it('given a v2 event resent with different content under the same eventId, then it is CONFLICTING_DUPLICATE before UNKNOWN_PARENT', () => {
    const move = reparent('CH-B', '2026-02', undefined, { id: 'move-1' });
    const conflicting = reparent('CH-B', '2026-02', 'CH-Y', { id: 'move-1' });
    expect(outcomesAfter([A, B_UNDER_A, move], [conflicting])).toEqual(['CONFLICTING_DUPLICATE']);
  });

  it('given sales and closes only, when a v2 check runs, then v1 events are not affected by v2 state (a sale in a closed month is still accepted)', () => {
    const late = sale({ channel: 'CH-B', at: '2026-01-20', amount: '1.00' });
    expect(outcomesAfter([A, B_UNDER_A, close('2026-01')], [late])).toEqual(['accepted']);
  });
});
