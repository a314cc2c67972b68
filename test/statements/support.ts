/**
 * What the statement tests share: the built CLI's `statement` and `verify-statement` on a
 * database of their own, an independent canonical hash (sorted keys, `JSON.stringify`'s
 * strings and integers) to check the seal against, and a late return for a sale of the log.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chanperf } from '../support/cli.js';

export interface StatementFile {
  readonly kind: string;
  readonly channel: { readonly channelId: string };
  readonly quarter: string;
  readonly position: number;
  readonly months: readonly (Record<string, unknown> & { month: string })[];
  readonly rebates: readonly { month: string; consistent: boolean; total: string }[];
  readonly target: unknown;
  readonly claims: readonly unknown[];
  readonly seal: { readonly sha256: string };
  readonly [k: string]: unknown;
}

/** `chanperf statement …` (exit 0 expected); answers its summary and the JSON file it wrote. */
export function issue(db: string, out: string, channel: string, quarter: string, more: string[] = []) {
  const run = chanperf([
    'statement',
    '--db',
    db,
    '--channel',
    channel,
    '--quarter',
    quarter,
    '--out',
    out,
    ...more,
  ]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const summary = JSON.parse(run.stdout) as { position: number; sha256: string; files: string[] };
  const file = join(out, `statement-${channel}-${quarter}-p${summary.position}.json`);
  expect(summary.files[0]).toBe(file);
  return { summary, file, statement: JSON.parse(readFileSync(file, 'utf8')) as StatementFile };
}

export function verify(file: string, db: string) {
  const run = chanperf(['verify-statement', file, '--db', db]);
  expect(run.stderr).toBe('');
  return { status: run.status, lines: run.stdout.split('\n').filter((l) => l !== '') };
}

/** The canonical text written here from scratch: keys sorted at every level, no whitespace. */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The SHA-256 of the statement's figures (the document without its seal). */
export function hashOfFigures(statement: StatementFile): string {
  const figures: Record<string, unknown> = { ...statement };
  delete figures['seal'];
  return createHash('sha256').update(sortedJson(figures), 'utf8').digest('hex');
}

/** An NDJSON line returning `amount` of `sale` (a SaleRecorded line of the log) the same day. */
export function lateReturn(sale: Record<string, unknown>, eventId: string, amount: string): string {
  const data = sale['data'] as { orderId: string; sku: string; currency: string };
  return `${JSON.stringify({
    eventId,
    type: 'SaleReturned',
    occurredAt: sale['occurredAt'],
    channelId: sale['channelId'],
    data: { orderId: data.orderId, sku: data.sku, quantity: 1, netAmount: amount, currency: data.currency },
  })}\n`;
}
