/**
 * The versions of one channel-month's figures (`GET /v1/channels/:id/months/:month/history`):
 * the month's line of the report (`monthReport`) after every event that changed it — a sale,
 * a return, a late one restating the closed month, the close itself, a tier review — with the
 * event's position, id and type. Walked from the history's rows of that channel and of the
 * program-wide facts only (no other channel is read: a month's figures depend on its own
 * channel and the program).
 */
import { deserialize } from 'node:v8';
import {
  initialProjectionState,
  monthReport,
  type ChannelState,
  type Month,
  type MonthFacts,
  type MonthReport,
  type ProjectionState,
} from '@chanperf/domain';
import type { AsOfHistory, MonthVersion } from './asOf.js';
import type { HistoryRow } from './asOfPorts.js';
import { decodeChannel, decodeFacts, setGlobal, textOf, type GlobalFacts } from './asOfState.js';

/**
 * Each version of `month` of channel `channelId` up to position `upTo` (the history is brought
 * to the log's head first), oldest first; empty when the month never had figures.
 */
export async function monthVersions(
  asOf: AsOfHistory,
  channelId: string,
  month: Month,
  upTo: number,
  digits: number,
): Promise<MonthVersion<MonthReport>[]> {
  if (asOf.store.checkpoint() < upTo) await asOf.catchUp();
  const { store } = asOf;
  const rows: HistoryRow[] = [
    ...store.rowsOf('global', '', upTo),
    ...store.rowsOf('channel', channelId, upTo),
    ...store.rowsOf('month', `${channelId}\u0000`, upTo, true),
  ].sort((a, b) => a.position - b.position);
  const state = initialProjectionState();
  const months = new Map<Month, MonthFacts>();
  let channel: ChannelState | undefined;
  let previous = '';
  const versions: MonthVersion<MonthReport>[] = [];
  for (let i = 0; i < rows.length;) {
    const position = (rows[i] as HistoryRow).position;
    for (; i < rows.length && (rows[i] as HistoryRow).position === position; i++) {
      channel = applyRow(state, channel, months, rows[i] as HistoryRow);
    }
    if (channel === undefined || !months.has(month)) continue;
    const figures = monthReport(state, channel, month, digits);
    const text = JSON.stringify(figures);
    if (text === previous) continue;
    previous = text;
    const event = await asOf.eventAt(position);
    versions.push({ position, eventId: event?.eventId ?? '', type: event?.type ?? '', figures });
  }
  return versions;
}

function applyRow(
  state: ProjectionState,
  channel: ChannelState | undefined,
  months: Map<Month, MonthFacts>,
  row: HistoryRow,
): ChannelState | undefined {
  if (row.kind === 'month') {
    const text = textOf(row.body);
    months.set(Number(row.key.slice(row.key.indexOf('\u0000') + 1)), decodeFacts(text));
    return channel;
  }
  if (row.kind === 'global') {
    setGlobal(state, deserialize(row.body) as GlobalFacts);
    return channel;
  }
  const next = decodeChannel(textOf(row.body), months);
  state.channels.set(next.channelId, next);
  return next;
}
