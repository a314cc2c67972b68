/**
 * (v2) Generated v2 streams: a realistic v1 stream with v2 events inserted (TargetSet,
 * InventoryReported, ChannelReparented, PriceChanged, with eventIds no v1 line uses) and v2
 * fields added to some registrations (`parentId`) and programs (`inactivityMonths`,
 * `priceProtectionDays`). Each line keeps its v1 form (null for a v2 event), so a property can
 * strip the v2 part again (spec §8).
 */
import fc from 'fast-check';
import {
  CHANNEL_IDS,
  SKUS,
  monthText,
  realisticLinesArb,
  timestampArb,
  type JsonObject,
  type Line,
} from './arbitraries.js';

/** One line of a v2 stream and, unless it is a v2 event, the line it was in the v1 stream. */
export interface V2Line {
  readonly line: Line;
  readonly v1: Line | null;
}

const channelArb = fc.constantFrom(...CHANNEL_IDS);
const skuArb = fc.constantFrom(...SKUS);

const targetArb = fc
  .record({
    channelId: channelArb,
    occurredAt: timestampArb,
    quarters: fc.array(fc.integer({ min: 0, max: 300_000 }), { minLength: 4, maxLength: 4 }),
    split: fc.boolean(),
  })
  .filter((r) => r.quarters.reduce((a, b) => a + b, 0) > 0)
  .map((r): JsonObject => ({
    type: 'TargetSet',
    occurredAt: r.occurredAt,
    channelId: r.channelId,
    data: {
      year: '2026',
      annualNet: money(r.quarters.reduce((a, b) => a + b, 0)),
      ...(r.split ? { quarterlyNet: r.quarters.map(money) } : {}),
    },
  }));

function money(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

const inventoryArb = fc
  .record({
    channelId: channelArb,
    occurredAt: timestampArb,
    sku: skuArb,
    onHand: fc.nat(8),
    asOf: timestampArb,
  })
  .map((r): JsonObject => ({
    type: 'InventoryReported',
    occurredAt: r.occurredAt,
    channelId: r.channelId,
    data: { sku: r.sku, onHand: r.onHand, asOf: r.asOf },
  }));

const reparentArb = fc
  .record({
    channelId: channelArb,
    occurredAt: timestampArb,
    from: fc.integer({ min: 1, max: 12 }),
    parentId: fc.option(channelArb, { nil: undefined }),
  })
  .map((r): JsonObject => ({
    type: 'ChannelReparented',
    occurredAt: r.occurredAt,
    channelId: r.channelId,
    data: { effectiveFrom: monthText(r.from), ...(r.parentId === undefined ? {} : { parentId: r.parentId }) },
  }));

const priceChangeArb = fc
  .record({
    occurredAt: timestampArb,
    changeId: fc.constantFrom('pc1', 'pc2', 'pc3'),
    sku: skuArb,
    oldMinor: fc.integer({ min: 100, max: 50_000 }),
    // Mostly cuts (they earn credit), some rises and unchanged prices.
    change: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -50_000, max: 0 }) }, fc.nat(5_000)),
    effectiveAt: timestampArb,
  })
  .map((r) => ({
    ...r,
    oldUnitPrice: money(r.oldMinor),
    newUnitPrice: money(Math.max(0, r.oldMinor + r.change)),
  }))
  .map((r): JsonObject => ({
    type: 'PriceChanged',
    occurredAt: r.occurredAt,
    data: {
      changeId: r.changeId,
      sku: r.sku,
      oldUnitPrice: r.oldUnitPrice,
      newUnitPrice: r.newUnitPrice,
      currency: 'CNY',
      effectiveAt: r.effectiveAt,
    },
  }));

const v2EventArb = fc.oneof(targetArb, { weight: 2, arbitrary: inventoryArb }, reparentArb, {
  weight: 2,
  arbitrary: priceChangeArb,
});

/** The v2 fields a program or registration may gain. */
const programFieldsArb = fc.record(
  { inactivityMonths: fc.integer({ min: 1, max: 3 }), priceProtectionDays: fc.integer({ min: 1, max: 366 }) },
  { requiredKeys: [] },
);

function parsedObject(text: string): JsonObject | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : null;
  } catch {
    return null;
  }
}

/** `line` with v2 fields added when it is a registration or a program (null: left alone). */
function withV2Fields(line: Line, parentId: string | null, fields: JsonObject): Line | null {
  if (line.bytes !== undefined) return null;
  const e = parsedObject(line.text);
  const data = e?.data;
  if (e === null || typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  if (e.type === 'ChannelRegistered' && parentId !== null) {
    return { text: JSON.stringify({ ...e, data: { ...data, parentId } }) };
  }
  if (e.type === 'ProgramPublished' && Object.keys(fields).length > 0) {
    return { text: JSON.stringify({ ...e, data: { ...data, ...fields } }) };
  }
  return null;
}

/** A v2 stream with its v1 forms. */
export function v2LinesArb(maxItems = 40): fc.Arbitrary<V2Line[]> {
  return fc
    .record({
      base: realisticLinesArb(maxItems),
      events: fc.array(fc.record({ at: fc.nat(), e: v2EventArb }), { maxLength: 20 }),
      parents: fc.array(fc.option(channelArb, { nil: null, freq: 2 }), { minLength: 1, maxLength: 6 }),
      fields: fc.array(programFieldsArb, { minLength: 1, maxLength: 3 }),
    })
    .map((r) => {
      const out: V2Line[] = r.base.map((line, i) => {
        const v2 = withV2Fields(
          line,
          r.parents[i % r.parents.length] ?? null,
          r.fields[i % r.fields.length] ?? {},
        );
        return { line: v2 ?? line, v1: line };
      });
      r.events.forEach(({ at, e }, n) => {
        // Never before line 1: a BOM there must stay on the first line.
        const pos = 1 + (at % Math.max(out.length, 1));
        out.splice(pos, 0, { line: { text: JSON.stringify({ eventId: `v2-${n}`, ...e }) }, v1: null });
      });
      return out;
    });
}
