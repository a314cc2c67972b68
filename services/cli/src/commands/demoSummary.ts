/**
 * What `chanperf demo` prints: the figures a channel manager looks at first, from the report.
 * v1: who missed the program's growth target last month, tier moves, rebates by tier, online
 * share, rejections by code. (v2, for a v2 log): partners behind their annual target, the
 * price-protection credit and its largest claims, the largest distributor trees, partners
 * gone silent. Columns line up in display width (a CJK character takes two columns,
 * displayWidth.ts) and amounts carry thousands separators.
 */
import type { Alert, DeploymentSettings, Report } from '@chanperf/domain';
import { formatAmount } from '@chanperf/domain';
import { fitColumns, padColumnsStart } from './displayWidth.js';

export interface DemoRun {
  readonly feedPath: string;
  readonly dbPath: string;
  readonly lines: number;
  readonly seconds: number;
}

/** Columns of a partner's name in the tables. */
const NAME_COLUMNS = 32;
const ID_COLUMNS = 10;
/** Rows per table. */
const TOP = 5;

const pct = (bps: number | null) => (bps === null ? 'n/a' : `${(bps / 100).toFixed(2)}%`);

/** Thousands separators in the integer part of a decimal string (`-1234567.80` → `-1,234,567.80`). */
export function groupThousands(decimal: string): string {
  const [whole = '', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

interface Format {
  /** A report amount (a decimal string with the currency's minor digits) in minor units. */
  readonly minor: (amount: string) => bigint;
  readonly money: (minor: bigint) => string;
  /** A partner's id and name, in fixed columns. */
  readonly who: (channelId: string) => string;
}

function formatFor(report: Report, settings: DeploymentSettings): Format {
  const names = new Map(report.channels.map((c) => [c.channelId, c.name]));
  return {
    minor: (amount) => BigInt(amount.replace('.', '')),
    money: (minor) => `${groupThousands(formatAmount(minor, settings.minorDigits))} ${settings.currency}`,
    who: (id) => `${fitColumns(id, ID_COLUMNS)} ${fitColumns(names.get(id) ?? '', NAME_COLUMNS)}`,
  };
}

export function summarize(report: Report, settings: DeploymentSettings, run: DemoRun): string {
  const f = formatFor(report, settings);
  const c = report.counts;
  const out: string[] = ['chanperf demo — a seeded channel program run end to end', ''];
  out.push(
    `Feed: ${run.lines} lines, ${report.channels.length} partners → ${c.accepted} accepted, ${c.duplicates} duplicates, ${c.rejected} rejected (${run.seconds.toFixed(1)} s)`,
  );
  out.push(`Last closed month: ${report.lastClosedMonth ?? 'none'}`, '');
  growthLines(out, report, f);
  tierLines(out, report, f);
  if (report.targets !== undefined) {
    targetLines(out, report, f);
    priceProtectionLines(out, report, f);
    treeLines(out, report, f);
    inactiveLines(out, report, f);
  }
  const byCode = new Map<string, number>();
  for (const r of report.rejected) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
  out.push('Rejected inputs by code (kept with their raw bytes; see `chanperf rejected`):');
  for (const [code, n] of [...byCode].sort((a, b) => b[1] - a[1])) out.push(`  ${code.padEnd(22)} ${n}`);
  out.push('');
  out.push(`Alerts raised: ${report.alerts.length}`);
  out.push(`Database: ${run.dbPath}`);
  out.push(`Feed:     ${run.feedPath}`);
  out.push(`Next: pnpm --silent chanperf report --db ${run.dbPath}`, '');
  return out.join('\n');
}

/** Who missed the growth target of the program in effect for the last closed month. */
function growthLines(out: string[], report: Report, f: Format): void {
  const last = report.lastClosedMonth;
  const months = report.channels.flatMap((ch) =>
    ch.months.filter((m) => m.month === last).map((m) => ({ ch, m })),
  );
  const targetBps = months[0]?.m.targetBps ?? null;
  const missed = months.filter(({ m }) => m.growthStatus === 'MISSED');
  out.push(`Partners that missed the ${pct(targetBps)} growth target in ${last ?? '-'}: ${missed.length}`);
  missed
    .sort((a, b) => (a.m.growthBps ?? 0) - (b.m.growthBps ?? 0))
    .slice(0, 10)
    .forEach(({ ch, m }) =>
      out.push(
        `  ${f.who(ch.channelId)} growth ${pct(m.growthBps).padStart(8)}, net ${padColumnsStart(f.money(f.minor(m.net)), 22)}`,
      ),
    );
  if (missed.length > 10) out.push(`  … and ${missed.length - 10} more`);
  out.push('');
}

/** Tier moves, rebates by tier and the online share (v1). */
function tierLines(out: string[], report: Report, f: Format): void {
  const moves = report.tierMovements;
  const up = moves.filter((m) => m.kind === 'UPGRADE').length;
  out.push(`Tier moves: ${moves.length} (${up} up, ${moves.length - up} down)`);
  for (const m of moves.slice(-8)) {
    out.push(
      `  ${f.who(m.channelId)} ${m.from} → ${m.to} (review ${m.reviewMonth}, from ${m.effectiveMonth})`,
    );
  }
  out.push('');
  const byTier = new Map<string, bigint>();
  let allRebates = 0n;
  for (const ch of report.channels) {
    for (const m of ch.months) {
      const t = f.minor(m.rebate.total);
      allRebates += t;
      byTier.set(m.tier ?? '(no program)', (byTier.get(m.tier ?? '(no program)') ?? 0n) + t);
    }
  }
  out.push('Rebates accrued by tier (all months):');
  for (const [tier, total] of [...byTier].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))) {
    out.push(`  ${tier.padEnd(14)} ${f.money(total).padStart(26)}`);
  }
  out.push(`  ${'total'.padEnd(14)} ${f.money(allRebates).padStart(26)}`, '');
  out.push('Online share of net sales:');
  for (const p of report.program.months.slice(-4)) {
    out.push(`  ${p.month}  ${pct(p.onlineShareBps).padStart(7)} of ${f.money(f.minor(p.net))}`);
  }
  out.push('');
}

/** (v2) Partners behind their annual target's pace in the last closed month's year. */
function targetLines(out: string[], report: Report, f: Format): void {
  const year = report.lastClosedMonth?.slice(0, 4);
  const rows = (report.targets ?? []).filter((t) => t.year === year);
  const behind = rows.filter((t) => t.status === 'BEHIND').sort((a, b) => a.attainmentBps - b.attainmentBps);
  out.push(
    `Annual targets ${year ?? '-'}: ${rows.length} partners with a target, ${behind.length} behind it at their run rate; lowest attainment:`,
  );
  for (const t of behind.slice(0, TOP)) {
    const projected = t.projectedNet === null ? 'n/a' : f.money(f.minor(t.projectedNet));
    out.push(
      `  ${f.who(t.channelId)} ${pct(t.attainmentBps).padStart(7)} of ${padColumnsStart(f.money(f.minor(t.annualTarget)), 22)}, projected ${projected}`,
    );
  }
  out.push('');
}

/** (v2) Price-protection credit (价保): the total and the largest claims. */
function priceProtectionLines(out: string[], report: Report, f: Format): void {
  const { changes, claims } = report.priceProtection ?? { changes: [], claims: [] };
  const total = claims.reduce((sum, c) => sum + f.minor(c.credit), 0n);
  const cuts = changes.filter((c) => c.protected).length;
  const restated = claims.filter((c) => c.restated).length;
  out.push(
    `Price protection (价保): ${cuts} protected cuts of ${changes.length} price changes, ${claims.length} claims (${restated} restated), credit ${f.money(total)}; largest:`,
  );
  const largest = [...claims].sort((a, b) => {
    const d = f.minor(b.credit) - f.minor(a.credit);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  });
  for (const c of largest.slice(0, TOP)) {
    out.push(
      `  ${f.who(c.channelId)} ${c.sku.padEnd(13)} ${String(c.eligibleUnits).padStart(5)} units × ${groupThousands(c.unitCredit)} = ${f.money(f.minor(c.credit))}${c.restated ? ' (restated)' : ''}`,
    );
  }
  out.push('');
}

/** (v2) The largest distributor trees (总代 → 二级代理) in the last closed month. */
function treeLines(out: string[], report: Report, f: Format): void {
  const last = report.lastClosedMonth;
  const trees = (report.rollups ?? []).flatMap((r) =>
    r.months.filter((m) => m.month === last).map((m) => ({ head: r.channelId, m })),
  );
  trees.sort(
    (a, b) => b.m.members.length - a.m.members.length || Number(f.minor(b.m.net) - f.minor(a.m.net)),
  );
  out.push(`Distributor trees (总代 → 二级代理) in ${last ?? '-'}: ${trees.length}; largest:`);
  for (const { head, m } of trees.slice(0, TOP)) {
    out.push(
      `  ${f.who(head)} ${String(m.members.length).padStart(3)} members, net ${padColumnsStart(f.money(f.minor(m.net)), 22)}, growth ${pct(m.growthBps)} (${m.growthStatus})`,
    );
  }
  out.push('');
}

/** (v2) Partners whose last inactivity alert stands (not retracted by a late sale). */
function inactiveLines(out: string[], report: Report, f: Format): void {
  const latest = new Map<string, Alert>();
  let retracted = 0;
  for (const a of report.alerts) {
    if (a.kind === 'CHANNEL_INACTIVE' || a.kind === 'CHANNEL_INACTIVE_RETRACTED') latest.set(a.channelId, a);
    if (a.kind === 'CHANNEL_INACTIVE_RETRACTED') retracted++;
  }
  const silent = [...latest.values()].flatMap((a) => (a.kind === 'CHANNEL_INACTIVE' ? [a] : []));
  const retractions = retracted === 1 ? '1 alert' : `${retracted} alerts`;
  out.push(`Inactive partners: ${silent.length} (${retractions} retracted by a late sale)`);
  for (const a of silent.slice(0, TOP)) {
    out.push(
      `  ${f.who(a.channelId)} no sale for ${a.idleMonths} months at ${a.month} (last sale ${a.lastSaleMonth ?? 'none'})`,
    );
  }
  if (silent.length > TOP) out.push(`  … and ${silent.length - TOP} more`);
  out.push('');
}
