/**
 * Property 4: the sums of a month (sales, returns, net, orders, units per channel; the
 * program's net, online net and active channels) do not depend on the order in which that
 * month's sales arrive. When nothing order-sensitive is in play (no late sales, and no returns
 * that could pick a different "original sale" for a promotion), the whole report is the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '@chanperf/domain';
import { monthScenarioArb, monthText, type JsonObject } from './arbitraries.js';
import { expectSameReport, scenario, settle } from './harness.js';

function monthFigures(report: Report, month: string) {
  return {
    channels: report.channels.map((c) => {
      const m = c.months.find((x) => x.month === month);
      return {
        channelId: c.channelId,
        sales: m?.sales,
        returns: m?.returns,
        net: m?.net,
        orders: m?.orders,
        units: m?.units,
      };
    }),
    program: report.program.months
      .filter((p) => p.month === month)
      .map((p) => ({
        net: p.net,
        onlineNet: p.onlineNet,
        onlineShareBps: p.onlineShareBps,
        activeChannels: p.activeChannels,
      })),
  };
}

const lines = (events: readonly JsonObject[]) => events.map((e) => ({ text: JSON.stringify(e) }));

describe('property 4: a month sums the same whatever the order of its sales', () => {
  it('shuffling the sales of a month changes no monthly sum', async () => {
    await fc.assert(
      fc.asyncProperty(
        monthScenarioArb.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(s.sales, { minLength: s.sales.length, maxLength: s.sales.length }),
          ),
        ),
        async ([s, shuffled]) => {
          const original = await settle(() => scenario(lines([...s.before, ...s.sales, ...s.after])));
          const permuted = await settle(() => scenario(lines([...s.before, ...shuffled, ...s.after])));
          if (!original.ok || !permuted.ok) {
            expect(permuted.ok ? 'a report' : permuted.error).toBe(original.ok ? 'a report' : original.error);
            return;
          }
          const month = monthText(s.month);
          expect(original.report.counts.rejected).toBe(0);
          expect(original.report.channels.every((c) => c.months.some((m) => m.month === month))).toBe(true);
          expect(monthFigures(permuted.report, month)).toStrictEqual(monthFigures(original.report, month));
          const returns = s.after.some((e) => e.type === 'SaleReturned');
          if (!s.closedBefore && (s.promotions === 0 || !returns)) {
            expectSameReport(permuted.report, original.report);
          }
        },
      ),
      { numRuns: 250 },
    );
  });
});
