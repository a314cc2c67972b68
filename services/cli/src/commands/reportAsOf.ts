/**
 * `chanperf report --as-of POSITION|INSTANT`: the report as the log stood at a position, or
 * after the last commit appended at or before an RFC 3339 instant (issue 18). Its counts and
 * rejections are those of the last ingestion commit at or before that position.
 */
import { asOfReads, isRefusal, parseAsOf } from '@chanperf/engine';
import type { CommandEngine } from '../commandEngine.js';
import { printPieces } from '../stdout.js';
import { fail } from '../usageError.js';

export async function printReportAsOf(engine: CommandEngine, text: string): Promise<void> {
  const query = parseAsOf(text);
  if (typeof query === 'string') fail(query.replace(/^asOf/, '--as-of'));
  const asOf = asOfReads(engine.store, engine.settings);
  const point = await asOf.resolve(query);
  if (isRefusal(point)) fail(point.message.replace(/^asOf/, '--as-of'));
  engine.logger.info({ position: point.position }, 'report as of a position');
  // In pieces, as the live report: the whole document of a 1M-event log is ~80 MB of text.
  await printPieces(asOf.reportTextAt(point));
}
