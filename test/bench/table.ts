/**
 * The figures of a run as rows against the targets of issue 6, and the plain-text table.
 * A missed target is reported, never an error: the benchmark does not fail on speed.
 */

export interface Row {
  readonly stage: string;
  /** Events, or requests for the query stages. */
  readonly count: number | null;
  readonly unit: 'events' | 'requests';
  readonly seconds: number | null;
  /** Per second. */
  readonly rate: number | null;
  readonly latency: string;
  readonly peakRssBytes: number | null;
  /** CPU seconds (user + system) of the stage's chanperf process: the server's during the load for query and ingest. */
  readonly cpuSeconds: number | null;
  readonly target: string;
  /** null: no target for this row, or it could not be measured. */
  readonly met: boolean | null;
  readonly note?: string;
}

const GiB = 1024 ** 3;
export const TARGETS = {
  replayEventsPerSecond: 200_000,
  replayShareOfFloor: 0.4,
  rebuildEventsPerSecond: 500_000,
  queryP99Ms: 10,
  queryRequestsPerSecond: 5_000,
  ingestEventsPerSecond: 100_000,
  replay10MPeakRssBytes: GiB,
} as const;

/** 1234567 → "1 234 567" (the issue's notation). */
export function grouped(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

export function mib(bytes: number | null): string {
  return bytes === null ? '—' : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function cells(row: Row): string[] {
  const unit = row.unit === 'events' ? 'ev/s' : 'req/s';
  return [
    row.stage,
    row.count === null ? '—' : `${grouped(row.count)} ${row.unit === 'events' ? 'ev' : 'req'}`,
    row.seconds === null ? '—' : row.seconds.toFixed(1),
    row.cpuSeconds === null ? '—' : row.cpuSeconds.toFixed(1),
    row.rate === null ? '—' : `${grouped(row.rate)} ${unit}`,
    row.latency,
    mib(row.peakRssBytes),
    row.target,
    row.met === null ? '—' : row.met ? 'yes' : 'NO',
  ];
}

/** A Markdown table (readable as plain text too). */
export function renderTable(rows: readonly Row[]): string {
  const header = [
    'stage',
    'events / requests',
    'seconds',
    'CPU s',
    'rate',
    'p50 / p99',
    'peak RSS',
    'target',
    'met?',
  ];
  const body = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    `| ${r.map((c, i) => (i === 0 || i >= 7 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 || i >= 7 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `- ${r.stage}: ${r.note ?? ''}`);
  return [line(header), rule, ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
