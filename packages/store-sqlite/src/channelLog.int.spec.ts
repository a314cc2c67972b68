/**
 * The channel log's own rows (channelLog.ts): nothing written on the append path, caught up by
 * the reads in chunks, and every answer the same as a filter over the whole log, whatever the
 * appends and reads interleave.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import type { ChannelLog, NewLogEntry } from '@chanperf/engine';
import { sqliteChannelLog } from './channelLog.js';
import { sqliteConnections } from './connections.js';
import { sqliteStore, type SqliteStore } from './sqliteStore.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

/** `n` stores on one new file (standing for processes). */
function stores(n: number): SqliteStore[] {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-channel-log-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: n }, () => {
    const store = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
    cleanup.push(() => store.close());
    return store;
  });
}

function newStore(): SqliteStore {
  return stores(1)[0] as SqliteStore;
}

const NO_COUNTS = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

interface Appended {
  readonly type: 'SaleRecorded' | 'SaleReturned' | 'TrainingCompleted' | 'PromotionScheduled';
  readonly channelId: string | null;
}

let serial = 0;
function entryOf(a: Appended): NewLogEntry {
  const eventId = `e${++serial}`;
  const data =
    a.type === 'PromotionScheduled'
      ? { promotionId: eventId, startsAt: 'a', endsAt: 'b', bonusBps: 100 }
      : a.type === 'TrainingCompleted'
        ? { courseId: 'C', traineeId: eventId, certification: 'gold' }
        : { orderId: 'O', sku: 'S', quantity: 1, netAmount: '1.00' };
  const payload = JSON.stringify({ eventId, type: a.type, occurredAt: '2026-01-05T00:00:00Z', data });
  return { eventId, type: a.type, channelId: a.channelId, payload };
}

const appendedArb: fc.Arbitrary<Appended> = fc.oneof(
  fc.record({
    type: fc.constantFrom('SaleRecorded' as const, 'SaleReturned' as const, 'TrainingCompleted' as const),
    channelId: fc.constantFrom('A', 'B', 'A.b-1'),
  }),
  fc.constant({ type: 'PromotionScheduled' as const, channelId: null }),
);

/** Steps: append some events, or read at a position (a fraction of the head, past it at 1.2). */
const stepArb = fc.oneof(
  fc.array(appendedArb, { minLength: 1, maxLength: 7 }).map((events) => ({ events })),
  fc.record({
    at: fc.constantFrom(0, 0.3, 0.5, 1, 1.2),
    channel: fc.constantFrom('A', 'B', 'A.b-1'),
    reader: fc.constantFrom(0, 1),
  }),
);

describe('the channel log', () => {
  it('keeps no channel-order index on the log; reads catch its rows up in chunks, and only as far as asked', async () => {
    const store = newStore();
    const db = sqliteConnections(store).log;
    db.exec(`CREATE INDEX events_by_channel ON events (channel_id, position)`); // as earlier versions left it
    const events: Appended[] = [
      { type: 'SaleRecorded', channelId: 'A' },
      { type: 'PromotionScheduled', channelId: null },
      { type: 'SaleRecorded', channelId: 'B' },
      { type: 'TrainingCompleted', channelId: 'A' },
      { type: 'SaleReturned', channelId: 'A' },
    ];
    await store.log.commit({ accepted: events.map(entryOf), rejected: [], counts: NO_COUNTS });
    const log = sqliteChannelLog(db, 2);
    const indexes = () =>
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`).pluck().all();
    expect(indexes()).toEqual([]);
    const covered = () => db.prepare(`SELECT position FROM channel_positions_head`).pluck().get();
    const rows = () => db.prepare(`SELECT count(*) FROM channel_positions`).pluck().get();
    expect([covered(), rows()]).toEqual([0, 0]);

    expect([...log.moneyEvents('A', 3)].map((r) => r.position)).toEqual([1]);
    expect([covered(), rows()]).toEqual([3, 3]);
    await store.log.commit({
      accepted: [entryOf({ type: 'SaleRecorded', channelId: 'A' })],
      rejected: [],
      counts: NO_COUNTS,
    });
    expect([covered(), rows()]).toEqual([3, 3]); // the append wrote none
    // Past the head: covers the head (in chunks of 2), and what is appended later next time.
    expect([...log.moneyEvents('A', 99)].map((r) => r.position)).toEqual([1, 5, 6]);
    expect([covered(), rows()]).toEqual([6, 6]);
    expect(log.promotions(99).map((p) => p.position)).toEqual([2]);
    expect([...log.trainingEvents('A', 99)].map((t) => t.position)).toEqual([4]);
    await store.log.commit({
      accepted: [entryOf({ type: 'SaleReturned', channelId: 'A' })],
      rejected: [],
      counts: NO_COUNTS,
    });
    // A read past the head covered only what was there: position 7, appended since, is read.
    expect([...log.moneyEvents('A', 7)].map((r) => r.position)).toEqual([1, 5, 6, 7]);
    expect([covered(), rows()]).toEqual([7, 7]);
  });

  it('catches up in slices that let the event loop turn between them, for a server to await', async () => {
    const store = newStore();
    const db = sqliteConnections(store).log;
    const events = Array.from({ length: 25 }, (_, i): Appended => ({
      type: 'SaleRecorded',
      channelId: i % 2 ? 'A' : 'B',
    }));
    await store.log.commit({ accepted: events.map(entryOf), rejected: [], counts: NO_COUNTS });
    const log = sqliteChannelLog(db, 2);
    const covered = () => db.prepare(`SELECT position FROM channel_positions_head`).pluck().get();
    const seen: unknown[] = [];
    const turns = setInterval(() => seen.push(covered()), 0);
    if (log.caughtUp === undefined) throw new Error('the SQLite channel log catches up asynchronously');
    await log.caughtUp(99); // past the head: up to the head
    clearInterval(turns);
    expect(covered()).toBe(25);
    // Other callbacks ran between the slices (of 2 positions), each seeing part of the work done.
    expect(seen.some((c) => typeof c === 'number' && c > 0 && c < 25)).toBe(true);
    expect([...log.moneyEvents('A', 25)].map((r) => r.position)).toEqual(
      Array.from({ length: 12 }, (_, i) => 2 * i + 2),
    );
  });

  it('answers as a filter over the whole log, reads by two processes and appends interleaved (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (steps, chunk) => {
          const [store, other] = stores(2) as [SqliteStore, SqliteStore];
          const readers = [store, other].map((s) => sqliteChannelLog(sqliteConnections(s).log, chunk));
          const all: Appended[] = [];
          const positionsOf = (upTo: number, keep: (a: Appended) => boolean) =>
            all.flatMap((a, i) => (i + 1 <= upTo && keep(a) ? [i + 1] : []));
          for (const step of steps) {
            if ('events' in step) {
              await store.log.commit({ accepted: step.events.map(entryOf), rejected: [], counts: NO_COUNTS });
              all.push(...step.events);
              continue;
            }
            const upTo = Math.floor(all.length * step.at);
            const log = readers[step.reader] as ChannelLog;
            const mine = (a: Appended) => a.channelId === step.channel;
            expect([...log.moneyEvents(step.channel, upTo)].map((r) => r.position)).toEqual(
              positionsOf(upTo, (a) => mine(a) && a.type.startsWith('Sale')),
            );
            expect([...log.trainingEvents(step.channel, upTo)].map((r) => r.position)).toEqual(
              positionsOf(upTo, (a) => mine(a) && a.type === 'TrainingCompleted'),
            );
            expect(log.promotions(upTo).map((r) => r.position)).toEqual(
              positionsOf(upTo, (a) => a.type === 'PromotionScheduled'),
            );
            const sales = positionsOf(upTo, (a) => mine(a) && a.type === 'SaleRecorded');
            expect(log.latestSaleBefore(step.channel, 'O', 'S', upTo + 1)?.position).toBe(sales.at(-1));
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
