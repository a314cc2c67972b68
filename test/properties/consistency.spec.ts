/**
 * Bonus: the figures of a report agree with each other, in exact decimal arithmetic (spec §4,
 * §6, §7): net = sales − returns; a rebate's total is the sum of its components; the program's
 * net and online net of a month are the sums over the channels; the online share follows from
 * them; channel months are contiguous and ascending. Runs that fail outright are property 1's
 * business and are not judged here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { chaosLinesArb, realisticLinesArb } from './arbitraries.js';
import { scenario, settle } from './harness.js';

/** A money string of the report ("-12.30") as exact hundredths. */
function cents(text: string): bigint {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not a CNY amount: ${JSON.stringify(text)}`);
  const v = BigInt(`${m[2] ?? ''}${m[3] ?? ''}`);
  return m[1] === '-' ? -v : v;
}

function checkReport(report: Report): void {
  const perMonth = new Map<string, { net: bigint; online: bigint }>();
  for (const c of report.channels) {
    let previous: string | undefined;
    for (const m of c.months) {
      if (previous !== undefined) {
        const [y, mm] = previous.split('-').map(Number) as [number, number];
        const next = mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
        expect(m.month, `${c.channelId} months are contiguous`).toBe(next);
      }
      previous = m.month;
      expect(cents(m.net), `${c.channelId} ${m.month} net = sales - returns`).toBe(
        cents(m.sales) - cents(m.returns),
      );
      const r = m.rebate;
      expect(cents(r.total), `${c.channelId} ${m.month} rebate total`).toBe(
        cents(r.base) + cents(r.growthBonus) + cents(r.promotion) + cents(r.volume),
      );
      const t = perMonth.get(m.month) ?? { net: 0n, online: 0n };
      t.net += cents(m.net);
      if (c.online) t.online += cents(m.net);
      perMonth.set(m.month, t);
    }
  }
  for (const p of report.program.months) {
    const t = perMonth.get(p.month) ?? { net: 0n, online: 0n };
    expect(cents(p.net), `program ${p.month} net = sum of channel nets`).toBe(t.net);
    expect(cents(p.onlineNet), `program ${p.month} onlineNet = sum of online channel nets`).toBe(t.online);
    const share =
      t.net <= 0n ? null : Number((t.online * 10000n) / t.net - ((t.online * 10000n) % t.net < 0n ? 1n : 0n));
    expect(p.onlineShareBps, `program ${p.month} onlineShareBps`).toBe(share);
    expect(p.activeChannels).toBeLessThanOrEqual(report.channels.length);
  }
  expect(report.program.months.map((p) => p.month)).toStrictEqual([...perMonth.keys()].sort());
}

describe('bonus: the figures of a report add up', () => {
  it('in exact decimal arithmetic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(realisticLinesArb(50), chaosLinesArb(40)), async (lines) => {
        const run = await settle(() => scenario(lines));
        if (run.ok) checkReport(run.report);
      }),
      { numRuns: 300 },
    );
  });
});
