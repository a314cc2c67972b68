/**
 * `chanperf demo [--seed N] [--partners N] [--dir DIR]`: a newcomer's first run. Generates a
 * seeded, realistic feed (@chanperf/feed-generator), runs it through the embedded pipeline and
 * prints what a channel manager looks at first.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DeploymentSettings, Report } from '@chanperf/domain';
import { formatAmount, parseAmount } from '@chanperf/domain';
import { writeFeed } from '@chanperf/feed-generator';
import type { EngineConfig } from '@chanperf/runtime/engine';
import type { Logger } from 'pino';
import { withEngine } from '../commandEngine.js';
import { intOption, type CommandLine } from '../commandLine.js';
import { ingestFile } from '../pipeline.js';
import { print } from '../stdout.js';

export async function demoCommand(commandLine: CommandLine): Promise<void> {
  await runDemo({
    config: commandLine.config,
    logger: commandLine.logger,
    seed: intOption(commandLine, 'seed', 42),
    partners: intOption(commandLine, 'partners', 200),
    dir: commandLine.values.dir ?? process.env.CHANPERF_DATA_DIR ?? '.chanperf',
    print,
  });
}

export interface DemoOptions {
  readonly config: EngineConfig;
  readonly logger: Logger;
  readonly seed: number;
  readonly partners: number;
  readonly dir: string;
  readonly print: (text: string) => Promise<void>;
}

export async function runDemo(o: DemoOptions): Promise<void> {
  mkdirSync(o.dir, { recursive: true });
  const feedPath = resolve(join(o.dir, 'demo-feed.ndjson'));
  const dbPath = resolve(join(o.dir, 'demo.db'));
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const started = process.hrtime.bigint();
  const stats = await writeFeed(feedPath, {
    seed: o.seed,
    partners: o.partners,
    currency: o.config.settings.currency,
    minorDigits: o.config.settings.minorDigits,
  });
  const report = await withEngine(dbPath, o.config, o.logger, async (engine) => {
    await ingestFile(engine, feedPath, { project: true, logger: o.logger });
    return engine.report();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await o.print(summarize(report, o.config.settings, { feedPath, dbPath, lines: stats.lines, seconds }));
}

const pct = (bps: number | null) => (bps === null ? 'n/a' : `${(bps / 100).toFixed(2)}%`);

export function summarize(
  report: Report,
  settings: DeploymentSettings,
  run: { feedPath: string; dbPath: string; lines: number; seconds: number },
): string {
  const d = settings.minorDigits;
  const amount = (s: string) => BigInt(parseAmount(s.replace(/^-/, ''), d) ?? 0);
  const signed = (s: string) => (s.startsWith('-') ? -amount(s) : amount(s));
  const money = (v: bigint) => `${formatAmount(v, d)} ${settings.currency}`;
  const out: string[] = [];
  const c = report.counts;
  out.push('chanperf demo — a seeded channel program run end to end', '');
  out.push(
    `Feed: ${run.lines} lines, ${report.channels.length} partners → ${c.accepted} accepted, ${c.duplicates} duplicates, ${c.rejected} rejected (${run.seconds.toFixed(1)} s)`,
  );
  const last = report.lastClosedMonth;
  out.push(`Last closed month: ${last ?? 'none'}`, '');

  const missed = report.channels.flatMap((ch) =>
    ch.months.filter((m) => m.month === last && m.growthStatus === 'MISSED').map((m) => ({ ch, m })),
  );
  out.push(`Partners that missed the 10% growth target in ${last ?? '-'}: ${missed.length}`);
  missed
    .sort((a, b) => (a.m.growthBps ?? 0) - (b.m.growthBps ?? 0))
    .slice(0, 10)
    .forEach(({ ch, m }) =>
      out.push(
        `  ${ch.channelId.padEnd(10)} ${ch.name.slice(0, 32).padEnd(32)} growth ${pct(m.growthBps).padStart(8)} (target ${pct(m.targetBps)}), net ${m.net}`,
      ),
    );
  if (missed.length > 10) out.push(`  … and ${missed.length - 10} more`);
  out.push('');

  const moves = report.tierMovements;
  const up = moves.filter((m) => m.kind === 'UPGRADE').length;
  out.push(`Tier moves: ${moves.length} (${up} up, ${moves.length - up} down)`);
  moves
    .slice(-8)
    .forEach((m) =>
      out.push(
        `  ${m.channelId.padEnd(10)} ${m.from} → ${m.to} (review ${m.reviewMonth}, from ${m.effectiveMonth})`,
      ),
    );
  out.push('');

  const byTier = new Map<string, bigint>();
  let allRebates = 0n;
  for (const ch of report.channels) {
    for (const m of ch.months) {
      const t = signed(m.rebate.total);
      allRebates += t;
      byTier.set(m.tier ?? '(no program)', (byTier.get(m.tier ?? '(no program)') ?? 0n) + t);
    }
  }
  out.push('Rebates accrued by tier (all months):');
  for (const [tier, total] of [...byTier].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0))) {
    out.push(`  ${tier.padEnd(14)} ${money(total).padStart(24)}`);
  }
  out.push(`  ${'total'.padEnd(14)} ${money(allRebates).padStart(24)}`, '');

  out.push('Online share of net sales:');
  for (const p of report.program.months.slice(-4)) {
    out.push(`  ${p.month}  ${pct(p.onlineShareBps).padStart(7)} of ${money(signed(p.net))}`);
  }
  out.push('');

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
