/**
 * `chanperf whatif --format table`: the comparison for a person at a terminal — the totals per
 * quarter, each partner's quarters with its tier after each review, the growth statuses and
 * alerts that change, and the program KPIs per month side by side. Every figure is the JSON's
 * (`compareWhatIf`), only laid out; names are fitted by display width (CJK takes two columns).
 */
import type { WhatIfKpis, WhatIfPeriod, WhatIfResult } from '@chanperf/engine';
import { fitColumns, padColumnsStart } from './displayWidth.js';

const AMOUNT = 16;

/** `period  actual  proposed  delta` of a period's rebate totals. */
function periodLine(label: string, width: number, p: Pick<WhatIfPeriod, 'actual' | 'proposed' | 'delta'>) {
  return `${fitColumns(label, width)}${[p.actual.total, p.proposed.total, signed(p.delta.total)]
    .map((v) => padColumnsStart(v, AMOUNT))
    .join('')}`;
}

const signed = (amount: string) => (amount.startsWith('-') || /^[0.]+$/.test(amount) ? amount : `+${amount}`);

function header(first: string, width: number): string {
  return `${fitColumns(first, width)}${['actual', 'proposed', 'delta'].map((h) => padColumnsStart(h, AMOUNT)).join('')}`;
}

function tiers(k: WhatIfKpis): string {
  return k.tiers.map((t) => `${t.tier} ${t.channels}`).join(', ');
}

function kpiLines(result: WhatIfResult): string[] {
  const lines = ['', 'Program KPIs per month (actual | proposed)'];
  for (const k of result.kpis) {
    const side = (x: WhatIfKpis) =>
      `rebates ${x.rebates} (${x.rebateBps === null ? '-' : `${(x.rebateBps / 100).toFixed(2)}%`} of net), ` +
      `met ${x.met}, missed ${x.missed}, ${tiers(x)}`;
    lines.push(
      `${k.month}  net ${k.net}`,
      `  actual    ${side(k.actual)}`,
      `  proposed  ${side(k.proposed)}`,
    );
  }
  return lines;
}

function channelLines(result: WhatIfResult): string[] {
  const lines: string[] = [];
  for (const c of result.channels) {
    lines.push('', `${c.channelId}  ${c.name}`, header('  quarter', 12));
    for (const q of c.quarters) lines.push(periodLine(`  ${q.period}`, 12, q));
    lines.push(periodLine('  all', 12, c));
    const reviews = c.reviews.map(
      (r) => `${r.month} ${r.actual ?? '-'}${r.actual === r.proposed ? '' : ` → ${r.proposed ?? '-'}`}`,
    );
    if (reviews.length > 0) lines.push(`  tier after review (actual → proposed): ${reviews.join(', ')}`);
    for (const g of c.growthChanges) lines.push(`  growth ${g.month}: ${g.actual} → ${g.proposed}`);
  }
  return lines;
}

function alertLines(result: WhatIfResult): string[] {
  const { raised, notRaised } = result.alerts;
  return [
    '',
    `Alerts the proposal would raise: ${raised.length}; would not raise: ${notRaised.length}`,
    ...raised.map((a) => `  + ${a.id}`),
    ...notRaised.map((a) => `  - ${a.id}`),
  ];
}

/** The comparison as lines of text, ending with a newline. */
export function whatIfTable(result: WhatIfResult): string {
  const lines = [
    `What if: program ${result.programId} from ${result.from} (log position ${result.position})`,
    '',
    'Rebates of all partners',
    header('quarter', 12),
    ...result.total.quarters.map((q) => periodLine(q.period, 12, q)),
    periodLine('all', 12, result.total),
    ...channelLines(result),
    ...alertLines(result),
    ...kpiLines(result),
  ];
  return `${lines.join('\n')}\n`;
}
