/**
 * The ports the embedded store offers beside the log (packages/engine/src/storePorts.ts and the
 * alerting service's delivery ledger), with two stores on one file standing for two processes:
 * what one writes, the other sees, and the outbox lease is exclusive across them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '@chanperf/domain';
import type { IngestBatch, NewLogEntry } from '@chanperf/engine';
import { sqliteStore, type SqliteStore } from './sqliteStore.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

/** `n` stores on one new file. */
function stores(n: number): SqliteStore[] {
  const dir = mkdtempSync(join(tmpdir(), 'chanperf-ports-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: n }, () => {
    const store = sqliteStore({ path: join(dir, 'chanperf.db'), settings: defaultSettings });
    cleanup.push(() => store.close());
    return store;
  });
}

const NO_COUNTS = { lines: 0, accepted: 0, duplicates: 0, rejected: 0 };

function entry(eventId: string, type: string, channelId: string | null, event: object): NewLogEntry {
  return { eventId, type, channelId, payload: JSON.stringify({ eventId, type, ...event }) };
}

describe('the SQLite store behind its ports', () => {
  it('has no public database handle', () => {
    const [store] = stores(1);
    expect(Object.keys(store!).sort()).toEqual([
      'asOf',
      'channelLog',
      'close',
      'commitJournal',
      'deliveryLedger',
      'lease',
      'log',
      'outboxes',
      'readStore',
      'sourceCheckpoints',
    ]);
  });

  it('lists every source checkpoint by key, as another process committed it (chanperf export)', async () => {
    const [a, b] = stores(2);
    expect(b!.sourceCheckpoints()).toEqual([]);
    await a!.log.commit({
      accepted: [],
      rejected: [],
      counts: NO_COUNTS,
      checkpoint: { key: 'kafka:t/0', offset: 9, line: 0 },
    });
    const file = { key: 'file:ab', offset: 120, line: 3, prefixHash: 'ff' };
    await a!.log.commit({ accepted: [], rejected: [], counts: NO_COUNTS, checkpoint: file });
    expect(b!.sourceCheckpoints()).toEqual([file, { key: 'kafka:t/0', offset: 9, line: 0 }]);
  });

  it('reads a batch of the log as it is iterated, in chunks, up to the position it named', async () => {
    const [a, b] = stores(2);
    const accepted = Array.from({ length: 2_500 }, (_, i) =>
      entry(`e-${i}`, 'TrainingCompleted', 'P1', { n: i }),
    );
    await a!.log.commit({ accepted, rejected: [], counts: NO_COUNTS });
    const log = b!.log;
    if (log.readBatch === undefined) throw new Error('the SQLite log reads batches as iterated');
    const readBatch = log.readBatch.bind(log);
    const lazy = (after: number, limit: number) => {
      const batch = readBatch(after, limit);
      return { last: batch.last, payloads: [...batch.payloads] };
    };
    const payloadsOf = async (after: number, limit: number) =>
      (await b!.log.read(after, limit)).map((e) => e.payload);
    // Across the reader's chunks of 1 000 rows, and short of them.
    expect(lazy(0, 10_000)).toEqual({ last: 2_500, payloads: await payloadsOf(0, 10_000) });
    expect(lazy(100, 1_500)).toEqual({ last: 1_600, payloads: await payloadsOf(100, 1_500) });
    expect(lazy(2_499, 5).payloads.map((p) => (JSON.parse(p) as { eventId: string }).eventId)).toEqual([
      'e-2499',
    ]);
    expect(lazy(2_500, 10)).toEqual({ last: 2_500, payloads: [] });
    // What is appended after the batch was named belongs to the next one.
    const batch = readBatch(2_400, 1_000);
    await a!.log.commit({
      accepted: [entry('e-late', 'TrainingCompleted', 'P1', {})],
      rejected: [],
      counts: NO_COUNTS,
    });
    expect(batch.last).toBe(2_500);
    expect([...batch.payloads].map((p) => (JSON.parse(p) as { eventId: string }).eventId)).toEqual(
      Array.from({ length: 100 }, (_, i) => `e-${2_400 + i}`),
    );
    expect(lazy(2_500, 10).last).toBe(2_501);
  });

  it('hands back the rejected bytes as received, invalid UTF-8 included', async () => {
    const [a, b] = stores(2);
    const raw = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
    const batch: IngestBatch = {
      accepted: [],
      rejected: [
        { source: 'http', line: 1, eventId: null, code: 'MALFORMED_JSON', message: 'bad', raw },
        { source: 'http', line: 2, eventId: null, code: 'MALFORMED_JSON', message: 'bad', raw: 'text' },
      ],
      counts: { ...NO_COUNTS, lines: 2, rejected: 2 },
    };
    await a!.log.commit(batch);
    const [first, second] = await b!.log.list();
    expect(Buffer.from((await b!.log.rawBytes(first!.id))!)).toEqual(Buffer.from(raw));
    expect(Buffer.from((await b!.log.rawBytes(second!.id))!).toString('utf8')).toBe('text');
    expect(await b!.log.rawBytes(999)).toBeUndefined();
  });

  it("reads a channel's events up to a position", async () => {
    const [writer, reader] = stores(2);
    const sale = (id: string, orderId: string, at: string) =>
      entry(id, 'SaleRecorded', 'CH-1', {
        occurredAt: at,
        channelId: 'CH-1',
        data: { orderId, sku: 'S', quantity: 2, netAmount: '10.00' },
      });
    await writer!.log.commit({
      accepted: [
        sale('s1', 'O1', '2026-01-05T00:00:00Z'),
        entry('p1', 'PromotionScheduled', null, {
          data: { promotionId: 'P', startsAt: 'a', endsAt: 'b', bonusBps: 100, skus: ['S'] },
        }),
        entry('t1', 'TrainingCompleted', 'CH-1', {
          occurredAt: '2026-01-06T00:00:00Z',
          data: { courseId: 'C', traineeId: 'T', certification: 'gold' },
        }),
        sale('s2', 'O1', '2026-01-07T00:00:00Z'),
        sale('s3', 'O2', '2026-01-08T00:00:00Z'),
      ],
      rejected: [],
      counts: NO_COUNTS,
    });
    const log = reader!.channelLog();
    expect(reader!.channelLog()).toBe(log);
    expect(
      [...log.moneyEvents('CH-1', 4)].map((r) => [r.eventId, r.orderId, r.quantity, r.netAmount]),
    ).toEqual([
      ['s1', 'O1', 2, '10.00'],
      ['s2', 'O1', 2, '10.00'],
    ]);
    expect(log.latestSaleBefore('CH-1', 'O1', 'S', 4)?.eventId).toBe('s1');
    expect(log.latestSaleBefore('CH-1', 'O2', 'S', 5)).toBeUndefined();
    expect(log.promotions(5)).toEqual([
      {
        position: 2,
        eventId: 'p1',
        promotionId: 'P',
        startsAt: 'a',
        endsAt: 'b',
        bonusBps: 100,
        skus: ['S'],
        channelIds: null,
      },
    ]);
    expect([...log.trainingEvents('CH-1', 2)]).toEqual([]);
    expect([...log.trainingEvents('CH-1', 3)].map((t) => [t.courseId, t.traineeId, t.certification])).toEqual(
      [['C', 'T', 'gold']],
    );
  });

  it('keeps the delivery ledger across connections', () => {
    const [a, b] = stores(2);
    const ledger = a!.deliveryLedger();
    expect(a!.deliveryLedger()).toBe(ledger);
    ledger.recordLogged('x/1', 'pending', '2026-01-01T00:00:00Z');
    ledger.recordLogged('x/1', 'logged', '2026-01-02T00:00:00Z'); // a record exists: no-op
    ledger.recordAttemptFailed('x/1', 'HTTP 503');
    ledger.recordGivenUp('x/1', 'HTTP 503');
    expect(b!.deliveryLedger().get('x/1')).toEqual({
      alertId: 'x/1',
      status: 'failed',
      attempts: 2,
      lastError: 'HTTP 503',
      deliveredAt: null,
    });
    expect(b!.deliveryLedger().redriveFailed()).toBe(1);
    ledger.recordDelivered('x/1', '2026-01-03T00:00:00Z');
    expect(b!.deliveryLedger().get('x/1')).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(() => ledger.recordDelivered('nobody', 'at')).toThrow(/no record of nobody/);
  });

  it('records the alerts of a batch at once, leaving the records that exist as they are', () => {
    const [a, b] = stores(2);
    const ledger = a!.deliveryLedger();
    ledger.recordLogged('x/1', 'pending', '2026-01-01T00:00:00Z');
    ledger.recordAllLogged(['x/1', 'x/2', 'x/3'], 'logged', '2026-01-02T00:00:00Z');
    const other = b!.deliveryLedger();
    expect(other.get('x/1')).toMatchObject({ status: 'pending', deliveredAt: null });
    expect(other.get('x/2')).toMatchObject({ status: 'logged', deliveredAt: '2026-01-02T00:00:00Z' });
    expect(other.get('x/3')).toMatchObject({ status: 'logged' });
    ledger.recordAllLogged(['x/4'], 'pending', '2026-01-03T00:00:00Z');
    expect(other.get('x/4')).toMatchObject({ status: 'pending', deliveredAt: null });
  });

  it('gives one outbox lease to one owner at a time, and moves only with it', () => {
    const [a, b] = stores(2);
    const mine = a!.outboxes.outbox('alerts');
    const theirs = b!.outboxes.outbox('alerts');
    expect(mine.state()).toEqual({ position: 0, inDoubtTo: null });

    expect(mine.acquire('A', 1000, 0)).toBe(true);
    expect(theirs.acquire('B', 1500, 500)).toBe(false); // held until 1000
    expect(theirs.markInDoubt('B', 5)).toBe(false);
    expect(mine.markInDoubt('A', 5)).toBe(true);
    expect(theirs.state()).toEqual({ position: 0, inDoubtTo: 5 });
    expect(theirs.markPublished('B', 5, ['id-1'])).toBe(false);
    expect(theirs.published('id-1')).toBe(false);
    expect(mine.markPublished('A', 5, ['id-1', 'id-2'])).toBe(true);
    expect(theirs.state()).toEqual({ position: 5, inDoubtTo: null });
    expect(theirs.published('id-2')).toBe(true);
    expect(b!.outboxes.outbox('rejected').published('id-2')).toBe(false);

    // An expired lease is taken over; the old holder can no longer move the cursor.
    expect(theirs.acquire('B', 3000, 2000)).toBe(true);
    expect(mine.acquire('A', 3500, 2500)).toBe(false);
    expect(mine.markPublished('A', 9, [])).toBe(false);
    theirs.release('B');
    expect(mine.acquire('A', 3500, 2500)).toBe(true);
  });

  it('journals one pending commit at a time', () => {
    const [a, b] = stores(2);
    const journal = a!.commitJournal();
    expect(journal.read()).toBeUndefined();
    journal.write({ marker: 'm1', batch: 'b1' });
    journal.write({ marker: 'm2', batch: 'b2' });
    expect(b!.commitJournal().read()).toEqual({ marker: 'm2', batch: 'b2' });
    b!.commitJournal().clear();
    expect(journal.read()).toBeUndefined();
  });
});
