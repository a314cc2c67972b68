/**
 * (v2) Spec §2 and §3: the schema rules of the v2 events and fields (SCHEMA_VIOLATION or
 * not), their canonical content (the schema's key order, whatever the input's), and the v2
 * field names as content in the duplicate check.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { program, programData, register, run, statuses, type Input } from './testing/specBuilders.js';
import { inventory, priceChange, reparent, targetSet } from './testing/v2SpecBuilders.js';
import { EventValidator } from './validation.js';

const validator = new EventValidator(2);

function withData(e: Input, patch: Input): Input {
  return { ...e, data: { ...(e.data as Input), ...patch } };
}

/** `accepted` or the rejection code of the schema check alone (CNY: 2 minor digits). */
function schema(e: Input): string {
  const v = validator.validateValue(e);
  return E.isLeft(v) ? v.left.code : 'accepted';
}

function canonical(e: Input): string {
  const v = validator.validateValue(e);
  if (E.isLeft(v)) throw new Error(v.left.message);
  return v.right.canonical;
}

const TARGET = targetSet('CH-A', { year: '2026', annualNet: '1000.00' }, { id: 't-1' });
const COUNT = inventory('CH-A');
const MOVE = reparent('CH-A', '2026-03', 'CH-P');
const PRICE = priceChange({ changeId: 'c-1' });

describe('TargetSet', () => {
  it.each([
    [{ year: '2026' }, 'accepted'],
    [{ year: '0000' }, 'accepted'],
    [{ year: '26' }, 'SCHEMA_VIOLATION'],
    [{ year: '20266' }, 'SCHEMA_VIOLATION'],
    [{ year: '2026-01' }, 'SCHEMA_VIOLATION'],
    [{ year: 2026 }, 'SCHEMA_VIOLATION'],
    [{ year: '\uff12\uff10\uff12\uff16' }, 'SCHEMA_VIOLATION'],
    [{ year: '\u0662\u0660\u0662\u0666' }, 'SCHEMA_VIOLATION'],
    [{ year: null }, 'SCHEMA_VIOLATION'],
    [{ annualNet: '0.01' }, 'accepted'],
    [{ annualNet: '0' }, 'SCHEMA_VIOLATION'],
    [{ annualNet: '0.00' }, 'SCHEMA_VIOLATION'],
    [{ annualNet: '-5.00' }, 'SCHEMA_VIOLATION'],
    [{ annualNet: '1.001' }, 'SCHEMA_VIOLATION'],
    [{ annualNet: 1000 }, 'SCHEMA_VIOLATION'],
  ])('given data %j, when validated, then it is %s', (patch, expected) => {
    expect(schema(withData(TARGET, patch))).toBe(expected);
  });

  it.each([
    [['250.00', '250.00', '250.00', '250.00'], 'accepted'],
    [['0', '0', '0', '1000'], 'accepted'],
    [['100.5', '200.50', '300', '399.00'], 'accepted'],
    [['250.00', '250.00', '250.00', '250.01'], 'SCHEMA_VIOLATION'],
    [['250.00', '250.00', '250.00', '249.99'], 'SCHEMA_VIOLATION'],
    [['500.00', '500.00'], 'SCHEMA_VIOLATION'],
    [['200', '200', '200', '200', '200'], 'SCHEMA_VIOLATION'],
    [[], 'SCHEMA_VIOLATION'],
    [['250.00', '250.00', '250.00', 250], 'SCHEMA_VIOLATION'],
    [['250.001', '250.00', '250.00', '249.999'], 'SCHEMA_VIOLATION'],
    [['-250.00', '750.00', '250.00', '250.00'], 'SCHEMA_VIOLATION'],
    [null, 'SCHEMA_VIOLATION'],
    ['1000.00', 'SCHEMA_VIOLATION'],
  ])(
    'given an annual 1000.00 and quarterlyNet %j, when validated, then it is %s',
    (quarterlyNet, expected) => {
      expect(schema(withData(TARGET, { quarterlyNet }))).toBe(expected);
    },
  );

  it('given quarters near the largest amount, when they add up exactly, then it is accepted, and off by one minor unit it is not', () => {
    const annual = '90071992547409.91'; // Number.MAX_SAFE_INTEGER minor units
    const quarters = ['22517998136852.48', '22517998136852.48', '22517998136852.48', '22517998136852.47'];
    expect(schema(withData(TARGET, { annualNet: annual, quarterlyNet: quarters }))).toBe('accepted');
    const off = [...quarters.slice(0, 3), '22517998136852.46'];
    expect(schema(withData(TARGET, { annualNet: annual, quarterlyNet: off }))).toBe('SCHEMA_VIOLATION');
  });

  it('given a TargetSet without channelId, when validated, then it is SCHEMA_VIOLATION (a channel event)', () => {
    const noChannel = { ...TARGET };
    delete noChannel.channelId;
    expect(schema(noChannel)).toBe('SCHEMA_VIOLATION');
  });
});

describe('InventoryReported', () => {
  it.each([
    [{ sku: 'x'.repeat(64) }, 'accepted'],
    [{ sku: 'x'.repeat(65) }, 'SCHEMA_VIOLATION'],
    [{ sku: '' }, 'SCHEMA_VIOLATION'],
    [{ onHand: 0 }, 'accepted'],
    [{ onHand: 5.0 }, 'accepted'],
    [{ onHand: -1 }, 'SCHEMA_VIOLATION'],
    [{ onHand: 1.5 }, 'SCHEMA_VIOLATION'],
    [{ onHand: '5' }, 'SCHEMA_VIOLATION'],
    [{ asOf: '2026-02-10T10:00:00Z' }, 'accepted'],
    [{ asOf: '2026-02-10' }, 'SCHEMA_VIOLATION'],
    [{ asOf: '2026-02-10T10:00:00' }, 'SCHEMA_VIOLATION'],
  ])('given data %j, when validated, then it is %s', (patch, expected) => {
    expect(schema(withData(COUNT, patch))).toBe(expected);
  });
});

describe('ChannelReparented and the parentId of ChannelRegistered', () => {
  it.each([
    [{ effectiveFrom: '2026-12' }, 'accepted'],
    [{ effectiveFrom: '2026-13' }, 'SCHEMA_VIOLATION'],
    [{ effectiveFrom: '2026-3' }, 'SCHEMA_VIOLATION'],
    [{ effectiveFrom: '2026-03-01' }, 'SCHEMA_VIOLATION'],
    [{ parentId: 'P.1_x-Y' }, 'accepted'],
    [{ parentId: 'P'.repeat(64) }, 'accepted'],
    [{ parentId: 'P'.repeat(65) }, 'SCHEMA_VIOLATION'],
    [{ parentId: 'CH P' }, 'SCHEMA_VIOLATION'],
    [{ parentId: '' }, 'SCHEMA_VIOLATION'],
    [{ parentId: null }, 'SCHEMA_VIOLATION'],
  ])('given a re-parenting with data %j, when validated, then it is %s', (patch, expected) => {
    expect(schema(withData(MOVE, patch))).toBe(expected);
  });

  it('given a re-parenting without parentId, when validated, then it is accepted (top-level)', () => {
    expect(schema(reparent('CH-A', '2026-03'))).toBe('accepted');
  });

  it.each([
    ['CH-P', 'accepted'],
    ['P'.repeat(65), 'SCHEMA_VIOLATION'],
    ['CH/P', 'SCHEMA_VIOLATION'],
    [7, 'SCHEMA_VIOLATION'],
    [null, 'SCHEMA_VIOLATION'],
  ])('given a registration with parentId %j, when validated, then it is %s', (parentId, expected) => {
    expect(schema(withData(register('CH-A'), { parentId }))).toBe(expected);
  });
});

describe('PriceChanged', () => {
  it.each([
    [{ changeId: 'c'.repeat(128) }, 'accepted'],
    [{ changeId: 'c'.repeat(129) }, 'SCHEMA_VIOLATION'],
    [{ changeId: '' }, 'SCHEMA_VIOLATION'],
    [{ sku: 'x'.repeat(65) }, 'SCHEMA_VIOLATION'],
    [{ oldUnitPrice: '0', newUnitPrice: '0' }, 'accepted'],
    [{ newUnitPrice: '120.00' }, 'accepted'],
    [{ newUnitPrice: '89.999' }, 'SCHEMA_VIOLATION'],
    [{ oldUnitPrice: 100 }, 'SCHEMA_VIOLATION'],
    [{ oldUnitPrice: '-1.00' }, 'SCHEMA_VIOLATION'],
    [{ currency: 'USD' }, 'accepted'],
    [{ currency: 'cny' }, 'SCHEMA_VIOLATION'],
    [{ effectiveAt: '2026-03-01' }, 'SCHEMA_VIOLATION'],
  ])('given data %j, when validated, then it is %s', (patch, expected) => {
    expect(schema(withData(PRICE, patch))).toBe(expected);
  });

  it('given a PriceChanged with a channelId, when validated, then it is SCHEMA_VIOLATION (a program event)', () => {
    expect(schema({ ...PRICE, channelId: 'CH-A' })).toBe('SCHEMA_VIOLATION');
  });
});

describe('the program: inactivityMonths and priceProtectionDays', () => {
  it.each([
    [{ inactivityMonths: 1 }, 'accepted'],
    [{ inactivityMonths: 120 }, 'accepted'],
    [{ inactivityMonths: 0 }, 'SCHEMA_VIOLATION'],
    [{ inactivityMonths: 121 }, 'SCHEMA_VIOLATION'],
    [{ inactivityMonths: 1.5 }, 'SCHEMA_VIOLATION'],
    [{ inactivityMonths: '2' }, 'SCHEMA_VIOLATION'],
    [{ inactivityMonths: null }, 'SCHEMA_VIOLATION'],
    [{ priceProtectionDays: 1 }, 'accepted'],
    [{ priceProtectionDays: 366 }, 'accepted'],
    [{ priceProtectionDays: 0 }, 'SCHEMA_VIOLATION'],
    [{ priceProtectionDays: 367 }, 'SCHEMA_VIOLATION'],
    [{ priceProtectionDays: 30.5 }, 'SCHEMA_VIOLATION'],
  ])('given a program with %j, when validated, then it is %s', (patch, expected) => {
    expect(schema(program(patch))).toBe(expected);
  });
});

describe('canonical content: the schema key order, whatever the input order', () => {
  const reversedKeys = (o: Input): Input =>
    Object.fromEntries(
      Object.entries(o)
        .reverse()
        .map(([k, v]) => [
          k,
          v !== null && typeof v === 'object' && !Array.isArray(v) ? reversedKeys(v as Input) : v,
        ]),
    );

  it.each([
    [
      'TargetSet',
      withData(TARGET, { quarterlyNet: ['1', '2', '3', '994.00'] }),
      ['year', 'annualNet', 'quarterlyNet'],
    ],
    ['InventoryReported', COUNT, ['sku', 'onHand', 'asOf']],
    ['ChannelReparented', MOVE, ['effectiveFrom', 'parentId']],
    ['PriceChanged', PRICE, ['changeId', 'sku', 'oldUnitPrice', 'newUnitPrice', 'currency', 'effectiveAt']],
    [
      'ChannelRegistered',
      withData(register('CH-A'), { online: true, region: 'N', parentId: 'CH-P' }),
      ['name', 'kind', 'online', 'region', 'parentId'],
    ],
  ])(
    'given a %s with its keys reversed, when validated, then the canonical data keys are in the spec order',
    (_t, e, keys) => {
      const c = canonical(reversedKeys(e));
      expect(c).toBe(canonical(e));
      expect(Object.keys((JSON.parse(c) as { data: Input }).data)).toEqual(keys);
    },
  );

  it('given a program with both v2 fields first, when validated, then they come last in the canonical content, in spec order', () => {
    const data = { priceProtectionDays: 30, inactivityMonths: 2, ...programData() };
    const c = canonical({ ...program(), data });
    expect(Object.keys((JSON.parse(c) as { data: Input }).data).slice(-2)).toEqual([
      'inactivityMonths',
      'priceProtectionDays',
    ]);
  });
});

describe('duplicates: the v2 field names are content', () => {
  const P = register('CH-P', { id: 'reg-P' });

  it('given a registration with parentId, when the same eventId comes without it, then it is CONFLICTING_DUPLICATE (v1 ignored the field)', () => {
    const under = register('CH-B', { id: 'reg-B', parentId: 'CH-P' });
    const top = register('CH-B', { id: 'reg-B' });
    expect(statuses(run([P, under, top, under]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'CONFLICTING_DUPLICATE',
      'duplicate',
    ]);
  });

  it('given a program, when the same eventId comes with inactivityMonths or priceProtectionDays added, then each is CONFLICTING_DUPLICATE', () => {
    const plain = program({}, { id: 'prog-1' });
    const k = program({ inactivityMonths: 2 }, { id: 'prog-1' });
    const n = program({ priceProtectionDays: 30 }, { id: 'prog-1' });
    expect(statuses(run([plain, k, n]).outcomes)).toEqual([
      'accepted',
      'CONFLICTING_DUPLICATE',
      'CONFLICTING_DUPLICATE',
    ]);
  });

  it('given a target with quarters, when resent with the quarters reordered or written differently, then it is CONFLICTING_DUPLICATE; with the same numbers, a duplicate', () => {
    const A = register('CH-A');
    const quarters = withData(TARGET, { quarterlyNet: ['100.00', '200.00', '300.00', '400.00'] });
    const reordered = withData(TARGET, { quarterlyNet: ['200.00', '100.00', '300.00', '400.00'] });
    const rewritten = withData(TARGET, { quarterlyNet: ['100', '200.00', '300.00', '400.00'] });
    expect(statuses(run([A, quarters, reordered, rewritten, reversedKeysOf(quarters)]).outcomes)).toEqual([
      'accepted',
      'accepted',
      'CONFLICTING_DUPLICATE',
      'CONFLICTING_DUPLICATE',
      'duplicate',
    ]);
  });

  it('given an inventory count, when resent with onHand 5.0 for 5, then it is a duplicate (numbers by value)', () => {
    const A = register('CH-A');
    const five = withData(COUNT, { onHand: 5 });
    const fiveText = JSON.stringify(five).replace('"onHand":5', '"onHand":5.0');
    expect(statuses(run([A, five, fiveText]).outcomes)).toEqual(['accepted', 'accepted', 'duplicate']);
  });
});

function reversedKeysOf(o: Input): Input {
  return Object.fromEntries(Object.entries(o).reverse());
}
