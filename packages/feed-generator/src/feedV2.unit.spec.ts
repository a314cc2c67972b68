import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type FeedOptions, generateFeed } from './index.js';

// (v2) The generator's `v2` option, as bytes. Replayed through the engine:
// test/acceptance/v2Feed.spec.ts.

function md5Of(options: FeedOptions): { md5: string; lines: string[] } {
  const hash = createHash('md5');
  const lines: string[] = [];
  for (const line of generateFeed(options)) {
    hash.update(`${line}\n`);
    lines.push(line);
  }
  return { md5: hash.digest('hex'), lines };
}

const SMALL: FeedOptions = { seed: 7, partners: 60, months: 12 };

describe('generateFeed with v2', () => {
  it('given v2 off (absent or false), when generated, then the feed is the v1 feed byte for byte', () => {
    // The md5 of this feed at 9d7813f, before the option existed.
    const v1 = '545e584addd664aa067dab5e4b9a1097';
    expect(md5Of(SMALL).md5).toBe(v1);
    expect(md5Of({ ...SMALL, v2: false }).md5).toBe(v1);
  });

  it('given a seed, when generated twice with v2, then the bytes are the same, and another seed differs', () => {
    const a = md5Of({ ...SMALL, v2: true });
    expect(md5Of({ ...SMALL, v2: true }).md5).toBe(a.md5);
    expect(md5Of({ ...SMALL, seed: 8, v2: true }).md5).not.toBe(a.md5);
    expect(a.md5).not.toBe(md5Of(SMALL).md5);
  });

  it('given v2, when generated, then it sends every v2 event type and field', () => {
    const events = md5Of({ ...SMALL, v2: true }).lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as { type?: string; data?: Record<string, unknown> }];
      } catch {
        return []; // a deliberately truncated line
      }
    });
    const types = new Set(events.map((e) => e.type));
    for (const type of ['TargetSet', 'InventoryReported', 'ChannelReparented', 'PriceChanged']) {
      expect(types.has(type), type).toBe(true);
    }
    const programs = events.filter((e) => e.type === 'ProgramPublished');
    expect(programs.map((p) => [p.data?.['inactivityMonths'], p.data?.['priceProtectionDays']])).toEqual([
      [3, 30],
      [3, 30],
    ]);
    expect(
      events.some((e) => e.type === 'ChannelRegistered' && typeof e.data?.['parentId'] === 'string'),
    ).toBe(true);
    expect(events.some((e) => e.type === 'TargetSet' && Array.isArray(e.data?.['quarterlyNet']))).toBe(true);
    expect(events.some((e) => e.type === 'TargetSet' && e.data?.['quarterlyNet'] === undefined)).toBe(true);
  });

  it('given a quarterly split, then its four amounts add up exactly to the annual target', () => {
    const minor = (s: string) => BigInt(s.replace('.', ''));
    const splits = md5Of({ ...SMALL, v2: true })
      .lines.filter((l) => l.includes('"quarterlyNet"'))
      .map((l) => (JSON.parse(l) as { data: { annualNet: string; quarterlyNet: string[] } }).data);
    expect(splits.length).toBeGreaterThan(5);
    for (const d of splits) {
      expect(
        d.quarterlyNet.reduce((a, q) => a + minor(q), 0n),
        JSON.stringify(d),
      ).toBe(minor(d.annualNet));
    }
  });
});
