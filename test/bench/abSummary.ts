/**
 * The pure half of the A/B tool (`ab.ts`): its options, and the summary of its alternated runs
 * (medians, ratios to the machine floor, B/A, the replay reports' md5) as a table. Kept apart
 * from the runner so a spec can check them without building or running anything.
 */
import { parseArgs } from 'node:util';
import { grouped, ratioText } from './table.js';

export const AB_STAGES = ['replay', 'rebuild', 'ingest'] as const;
export type AbStage = (typeof AB_STAGES)[number];

export const AB_USAGE = `usage: pnpm bench:ab --a REF --b REF [--runs N] [--events N] [--stages LIST] [--seed N] [--keep]

  --a REF, --b REF  what to compare: a git ref (HEAD~2, a branch, a commit), checked out in a
                    temporary worktree, installed offline and built; or the path of a checkout
                    that is already built (used as it is)
  --runs N          rounds (default 3); each round runs the machine floor, then A, then B
  --events N        feed size, from the bench's feed cache (default 300 000)
  --stages LIST     comma-separated, of ${AB_STAGES.join(', ')} (default all); ingest is one
                    \`serve\` loaded as the bench's ingest stage (4 clients, 1 000-line bodies)
  --seed N          feed generator seed (default 42)
  --keep            keep the worktrees and the runs' databases (printed at the end)
`;

export interface AbOptions {
  readonly a: string;
  readonly b: string;
  readonly runs: number;
  readonly events: number;
  readonly stages: readonly AbStage[];
  readonly seed: number;
  readonly keep: boolean;
}

function int(name: string, text: string, min: number): number {
  const n = Number(text.replaceAll('_', ''));
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`--${name} must be an integer ≥ ${min}`);
  }
  return n;
}

/** The options of `argv`, undefined for --help; throws (with the reason) on bad usage. */
export function parseAbOptions(argv: readonly string[]): AbOptions | undefined {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      runs: { type: 'string', default: '3' },
      events: { type: 'string', default: '300000' },
      stages: { type: 'string', default: AB_STAGES.join(',') },
      seed: { type: 'string', default: '42' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  if (values.a === undefined || values.a === '') throw new Error('--a REF is required');
  if (values.b === undefined || values.b === '') throw new Error('--b REF is required');
  const names = values.stages
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((s) => !(AB_STAGES as readonly string[]).includes(s));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `--stages takes a list of ${AB_STAGES.join(', ')}; not: ${unknown.join(', ') || '(empty)'}`,
    );
  }
  return {
    a: values.a,
    b: values.b,
    runs: int('runs', values.runs, 1),
    events: int('events', values.events, 1000),
    // In the tool's order, once each.
    stages: AB_STAGES.filter((s) => names.includes(s)),
    seed: int('seed', values.seed, 0),
    keep: values.keep,
  };
}

/** One measured run: the machine floor (side null) or a stage of A or B, in round `round`. */
export interface AbSample {
  readonly round: number;
  readonly side: 'A' | 'B' | null;
  readonly stage: AbStage | 'machine floor';
  readonly eventsPerSecond: number;
  /**
   * CPU seconds (user + system) the run's server or command took: steadier than the wall clock
   * on a shared machine, where another tenant's load slows both sides alike. Replay and rebuild:
   * the whole command; ingest: the `serve` during the load. Absent or null: not measured.
   */
  readonly cpuSeconds?: number | null;
  /** The md5 of the replay's report (replay samples only). */
  readonly reportMd5?: string;
}

/** The median (the mean of the middle two for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface AbStageSummary {
  readonly stage: AbStage;
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly medianA: number | null;
  readonly medianB: number | null;
  /** Each median over the machine floor's median. */
  readonly floorRatioA: number | null;
  readonly floorRatioB: number | null;
  /** medianB / medianA: above 1, B is faster. */
  readonly bOverA: number | null;
  /** The runs' CPU seconds (those measured), their medians, and medianB / medianA: below 1, B takes less. */
  readonly cpuA: readonly number[];
  readonly cpuB: readonly number[];
  readonly medianCpuA: number | null;
  readonly medianCpuB: number | null;
  readonly cpuBOverA: number | null;
}

export interface AbSummary {
  readonly floor: readonly number[];
  readonly floorMedian: number | null;
  readonly stages: readonly AbStageSummary[];
  /** The replay reports' md5 of each side, in run order (empty without replay). */
  readonly md5A: readonly string[];
  readonly md5B: readonly string[];
  /** true when every report of A and B has one md5; null when there is nothing to compare. */
  readonly reportsIdentical: boolean | null;
}

const over = (x: number | null, y: number | null) => (x === null || y === null || y === 0 ? null : x / y);

export function summarize(samples: readonly AbSample[], stages: readonly AbStage[]): AbSummary {
  const runs = (stage: AbSample['stage'], side: AbSample['side']) =>
    samples.filter((s) => s.stage === stage && s.side === side);
  const rates = (stage: AbSample['stage'], side: AbSample['side']) =>
    runs(stage, side).map((s) => s.eventsPerSecond);
  const cpus = (stage: AbStage, side: 'A' | 'B') =>
    runs(stage, side).flatMap((s) =>
      s.cpuSeconds === undefined || s.cpuSeconds === null ? [] : [s.cpuSeconds],
    );
  const floor = rates('machine floor', null);
  const floorMedian = median(floor);
  const md5s = (side: 'A' | 'B') =>
    samples.filter((s) => s.side === side && s.reportMd5 !== undefined).map((s) => s.reportMd5 ?? '');
  const md5A = md5s('A');
  const md5B = md5s('B');
  return {
    floor,
    floorMedian,
    stages: stages.map((stage) => {
      const a = rates(stage, 'A');
      const b = rates(stage, 'B');
      const medianA = median(a);
      const medianB = median(b);
      const cpuA = cpus(stage, 'A');
      const cpuB = cpus(stage, 'B');
      const medianCpuA = median(cpuA);
      const medianCpuB = median(cpuB);
      return {
        stage,
        a,
        b,
        medianA,
        medianB,
        floorRatioA: over(medianA, floorMedian),
        floorRatioB: over(medianB, floorMedian),
        bOverA: over(medianB, medianA),
        cpuA,
        cpuB,
        medianCpuA,
        medianCpuB,
        cpuBOverA: over(medianCpuB, medianCpuA),
      };
    }),
    md5A,
    md5B,
    reportsIdentical: md5A.length === 0 || md5B.length === 0 ? null : new Set([...md5A, ...md5B]).size === 1,
  };
}

const rate = (n: number | null) => (n === null ? '—' : grouped(n));
const seconds = (n: number | null) => (n === null ? '—' : n.toFixed(2));
const runsText = (values: readonly number[]) => values.map((v) => grouped(v)).join(', ');
const cpuRunsText = (s: AbStageSummary) =>
  s.cpuA.length + s.cpuB.length === 0
    ? ''
    : `; CPU s A ${s.cpuA.map((v) => v.toFixed(2)).join(', ')}; B ${s.cpuB.map((v) => v.toFixed(2)).join(', ')}`;

/** The medians as a Markdown table, the runs behind them, and what the replay reports' md5 say. */
export function renderAb(summary: AbSummary, labels: { a: string; b: string }): string {
  const header = [
    'stage',
    'A ev/s',
    'A ÷ floor',
    'B ev/s',
    'B ÷ floor',
    'B / A',
    'A CPU s',
    'B CPU s',
    'CPU B / A',
  ];
  const body = [
    [
      'machine floor',
      rate(summary.floorMedian),
      ratioText(summary.floorMedian === null ? null : 1),
      '',
      '',
      '',
      '',
      '',
      '',
    ],
    ...summary.stages.map((s) => [
      s.stage,
      rate(s.medianA),
      ratioText(s.floorRatioA),
      rate(s.medianB),
      ratioText(s.floorRatioB),
      ratioText(s.bOverA),
      seconds(s.medianCpuA),
      seconds(s.medianCpuB),
      ratioText(s.cpuBOverA),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  const out = [
    `A: ${labels.a}`,
    `B: ${labels.b}`,
    '',
    'medians of the runs, events/s (replay and ingest: lines of the feed; rebuild: events in the log),',
    'and CPU seconds (replay, rebuild: the command; ingest: the server during the load): less moved by',
    "the machine's other tenants than the wall clock; CPU B / A below 1 is B taking less",
    '',
    line(header),
    rule,
    ...body.map(line),
    '',
    `- machine floor runs: ${runsText(summary.floor)}`,
    ...summary.stages.map(
      (s) => `- ${s.stage} runs: A ${runsText(s.a)}; B ${runsText(s.b)}${cpuRunsText(s)}`,
    ),
  ];
  if (summary.reportsIdentical === true) {
    out.push(
      `- replay reports: identical, md5 ${summary.md5A[0] ?? ''} (${summary.md5A.length} A, ${summary.md5B.length} B)`,
    );
  } else if (summary.reportsIdentical === false) {
    out.push(
      '',
      '!!! THE REPLAY REPORTS DIFFER (md5 below): the runs did not compute the same figures !!!',
      `A md5: ${summary.md5A.join(', ')}`,
      `B md5: ${summary.md5B.join(', ')}`,
    );
  }
  return out.join('\n');
}
