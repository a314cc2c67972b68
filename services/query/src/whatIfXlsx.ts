/**
 * A what-if comparison (`compareWhatIf`) as an Excel workbook, for `chanperf whatif --format
 * xlsx`: one sheet per table — every partner-month (rebate components actual, proposed and
 * delta; tier and growth status in both), partner quarters, all partners per month and per
 * quarter, tiers after each review, growth status changes, alerts raised or not, program KPIs.
 * Cells as the query service's exports write them (exports.ts: amounts as exact numbers, bps
 * with a percentage column beside them).
 */
import type { Alert } from '@chanperf/domain';
import type { RebateComparison, WhatIfResult } from '@chanperf/engine';
import ExcelJS from 'exceljs';
import type { CsvColumn } from './csv.js';
import { addSheet, withPercents } from './exports.js';

const SIDES = ['actual', 'proposed', 'delta'] as const;
const PARTS = ['base', 'growthBonus', 'promotion', 'volume', 'total'] as const;

/** Rebate columns: `actual.base` … `delta.total`. */
function rebateColumns<Row extends RebateComparison>(): CsvColumn<Row>[] {
  return SIDES.flatMap((side) =>
    PARTS.map((part) => ({
      header: `${side}.${part}`,
      value: (r: Row) => r[side][part],
      kind: 'number' as const,
    })),
  );
}

type Keyed<T> = T & { readonly channelId: string };

function text<Row>(header: string, value: (r: Row) => string | null): CsvColumn<Row> {
  return { header, value };
}

/** The workbook's bytes. */
export async function whatIfWorkbook(result: WhatIfResult): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'chanperf';
  const months = result.channels.flatMap((c) => c.months.map((m) => ({ ...m, channelId: c.channelId })));
  type MonthRow = (typeof months)[number];
  addSheet<MonthRow>(
    wb,
    [
      text('channelId', (r) => r.channelId),
      text('month', (r) => r.month),
      { header: 'net', value: (r) => r.net, kind: 'number' },
      text('tier.actual', (r) => r.tier.actual),
      text('tier.proposed', (r) => r.tier.proposed),
      text('growthStatus.actual', (r) => r.growthStatus.actual),
      text('growthStatus.proposed', (r) => r.growthStatus.proposed),
      ...rebateColumns<MonthRow>(),
    ],
    months,
    'partner months',
  );
  const quarters = result.channels.flatMap((c) => c.quarters.map((q) => ({ ...q, channelId: c.channelId })));
  type PeriodRow = (typeof quarters)[number];
  addSheet<PeriodRow>(
    wb,
    [text('channelId', (r) => r.channelId), text('quarter', (r) => r.period), ...rebateColumns<PeriodRow>()],
    quarters,
    'partner quarters',
  );
  const totals = [...result.total.months, ...result.total.quarters].map((p) => ({ ...p, channelId: 'all' }));
  addSheet<PeriodRow>(
    wb,
    [text('period', (r) => r.period), ...rebateColumns<PeriodRow>()],
    totals,
    'all partners',
  );
  const reviews = result.channels.flatMap((c) => c.reviews.map((r) => ({ ...r, channelId: c.channelId })));
  addSheet<Keyed<{ month: string; actual: string | null; proposed: string | null }>>(
    wb,
    [
      text('channelId', (r) => r.channelId),
      text('reviewMonth', (r) => r.month),
      text('tier.actual', (r) => r.actual),
      text('tier.proposed', (r) => r.proposed),
    ],
    reviews,
    'tier reviews',
  );
  const growth = result.channels.flatMap((c) =>
    c.growthChanges.map((g) => ({ ...g, channelId: c.channelId })),
  );
  addSheet<Keyed<{ month: string; actual: string; proposed: string }>>(
    wb,
    [
      text('channelId', (r) => r.channelId),
      text('month', (r) => r.month),
      text('growthStatus.actual', (r) => r.actual),
      text('growthStatus.proposed', (r) => r.proposed),
    ],
    growth,
    'growth changes',
  );
  const alerts = [
    ...result.alerts.raised.map((a) => ({ change: 'raised', alert: a })),
    ...result.alerts.notRaised.map((a) => ({ change: 'not raised', alert: a })),
  ];
  addSheet<{ change: string; alert: Alert }>(
    wb,
    [
      text('change', (r) => r.change),
      text('id', (r) => r.alert.id),
      text('kind', (r) => r.alert.kind),
      text('alert', (r) => JSON.stringify(r.alert)),
    ],
    alerts,
    'alerts',
  );
  addKpiSheet(wb, result);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function addKpiSheet(wb: ExcelJS.Workbook, result: WhatIfResult): void {
  type Row = WhatIfResult['kpis'][number];
  const side = (s: 'actual' | 'proposed'): CsvColumn<Row>[] => [
    { header: `${s}.rebates`, value: (r) => r[s].rebates, kind: 'number' },
    { header: `${s}.rebateBps`, value: (r) => r[s].rebateBps, kind: 'number' },
    { header: `${s}.met`, value: (r) => r[s].met, kind: 'number' },
    { header: `${s}.missed`, value: (r) => r[s].missed, kind: 'number' },
    text(`${s}.tiers`, (r) => r[s].tiers.map((t) => `${t.tier} ${t.channels}`).join(', ')),
  ];
  const columns: CsvColumn<Row>[] = [
    text('month', (r) => r.month),
    { header: 'net', value: (r) => r.net, kind: 'number' },
    ...side('actual'),
    ...side('proposed'),
  ];
  addSheet(wb, withPercents(columns), result.kpis, 'program KPIs');
}
