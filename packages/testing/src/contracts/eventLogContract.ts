/**
 * The EventLog + Feed contract (DESIGN.md "Testing"): one suite every event-log adapter runs,
 * Emmett style — the adapter's spec calls `eventLogContract(name, factory)` and gets the same
 * `describe`/`it` blocks as every other adapter. Only specs import this module (it registers
 * vitest blocks); it is not exported from `@chanperf/testing`'s index.
 *
 * What it pins down:
 * - the log: idempotent appends (an `eventId` is stored once, with its first content — deciding
 *   that a resend is a duplicate or a conflict is the Ingestor's business, on top), gap-free
 *   positions in commit order, paging and resuming with `read(after, limit)`, counts, rejected
 *   inputs and source checkpoints committed with their batch, acceptance facts;
 * - the feed: a subscriber (the projection runner catching up in a loop) that starts before,
 *   during or after a burst, or resumes from its stored position, sees every entry once and in
 *   order, and so applies each sale once; so does one reading a peer's appends, and one that
 *   runs across a server restart, for adapters that have peers or a server.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { buildReport, defaultSettings, parseMonth, type Report } from '@chanperf/domain';
import {
  InMemoryEventLog,
  InMemoryReadStore,
  Ingestor,
  ProjectionRunner,
  type AppendedEvent,
  type EventLog,
  type Feed,
  type IngestBatch,
  type LogEntry,
  type NewLogEntry,
  type RejectedStore,
} from '@chanperf/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateFeed } from '../generator.js';
import {
  acceptedBatch,
  channelRegistered,
  channelRegisteredUnder,
  channelReparented,
  entryOf,
  lineOf,
  periodClosed,
  priceChanged,
  promotionScheduled,
  saleRecorded,
  sales,
} from './fixtures.js';
import { checkedFeed, Follower, januarySales } from './follower.js';
import { retrying } from './waiting.js';

export type ContractLog = EventLog & Feed;

/** What a factory hands the suite: a fresh, empty log, and how to stop it. */
export interface EventLogHarness {
  readonly log: ContractLog;
  /** Releases everything the harness opened (the log, peers, reopened logs, files). */
  close(): Promise<void>;
  /** Restarts the server under the log (remote stores); the same `log` must carry on. */
  restart?(): Promise<void>;
  /** Opens another node over the same log (another process or connection would). */
  peer?(): Promise<ContractLog>;
  /** Closes `log` and opens it again over the same durable state (a process restart). */
  reopen?(): Promise<ContractLog>;
}

export type EventLogFactory = () => Promise<EventLogHarness>;

export interface EventLogContractOptions {
  /** How long a wait on a condition may take (ms); default 30 s. */
  readonly waitMs?: number;
  /** Per-test timeout (ms); default 60 s, twice that for the restart test. */
  readonly testMs?: number;
}

function isRejectedStore(log: object): log is RejectedStore {
  return 'forReport' in log && typeof log.forReport === 'function';
}

async function readAll(feed: Feed, pageSize = 1000): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (;;) {
    const after = out[out.length - 1]?.position ?? 0;
    const page = await feed.read(after, pageSize);
    if (page.length === 0) return out;
    if ((page[0]?.position ?? 0) <= after) throw new Error(`read(${after}) went backwards`);
    out.push(...page);
  }
}

/** The entries as the log should return them: positions 1.. in this order. */
function positioned(entries: readonly NewLogEntry[], from = 1): LogEntry[] {
  return entries.map((e, i) => ({
    position: from + i,
    eventId: e.eventId,
    type: e.type,
    channelId: e.channelId,
    payload: e.payload,
  }));
}

function positionsOf(entries: readonly LogEntry[]): number[] {
  return entries.map((e) => e.position);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A burst: a registration, then `batches` batches of sales of growing, uneven sizes. */
function burst(channelId: string, batches: number): NewLogEntry[][] {
  const out: NewLogEntry[][] = [[entryOf(channelRegistered(channelId))]];
  let n = 1;
  for (let b = 0; b < batches; b++) {
    const size = [1, 9, 3, 17, 2, 25, 5][b % 7] ?? 1;
    out.push(sales(channelId, n, size));
    n += size;
  }
  return out;
}

export function eventLogContract(
  name: string,
  factory: EventLogFactory,
  options: EventLogContractOptions = {},
): void {
  const waitMs = options.waitMs ?? 30_000;
  const testMs = options.testMs ?? 60_000;
  let h: EventLogHarness;

  /** Commits the batches in order; the positions each commit reported, flattened. */
  const commitAll = async (
    log: ContractLog,
    batches: readonly (readonly NewLogEntry[])[],
  ): Promise<number[]> => {
    const positions: number[] = [];
    for (const b of batches) positions.push(...(await log.commit(acceptedBatch(b))).positions);
    return positions;
  };

  describe(`EventLog contract: ${name}`, () => {
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    it('starts empty', async () => {
      expect(await h.log.head()).toBe(0);
      expect(await h.log.read(0, 10)).toEqual([]);
      expect(await h.log.counts()).toEqual({ lines: 0, accepted: 0, duplicates: 0, rejected: 0 });
      expect(await h.log.acceptanceFacts()).toEqual({
        channels: [],
        promotions: [],
        lastClosed: null,
        priceChanges: [],
        parentAssignments: [],
      });
      expect(await h.log.sourceCheckpoint('file:none.ndjson')).toBeUndefined();
    });

    it('numbers entries 1..n in commit order, without gaps, keeping their fields', async () => {
      const program = [entryOf(periodClosed('2025-12')), entryOf(promotionScheduled('p-1'))];
      const a = [entryOf(channelRegistered('CH-A')), entryOf(channelRegistered('CH-B'))];
      const mixed = [
        entryOf(saleRecorded('CH-A', 1)),
        entryOf(saleRecorded('CH-B', 2)),
        entryOf(periodClosed('2026-01')),
        entryOf(saleRecorded('CH-A', 3)),
      ];
      const reported = await commitAll(h.log, [program, a, mixed]);
      const all = [...program, ...a, ...mixed];
      expect(reported).toEqual(range(1, all.length));
      expect(await h.log.head()).toBe(all.length);
      expect(await h.log.read(0, 100)).toEqual(positioned(all));
    });

    it('is idempotent on eventId: the same entry appended twice is stored once', async () => {
      const reg = entryOf(channelRegistered('CH-A'));
      const s1 = entryOf(saleRecorded('CH-A', 1));
      const s2 = entryOf(saleRecorded('CH-A', 2));
      expect((await h.log.commit(acceptedBatch([reg, s1]))).positions).toEqual([1, 2]);
      // A resend, in a later batch: already in the log, so position 0.
      expect((await h.log.commit(acceptedBatch([s1]))).positions).toEqual([0]);
      // Twice in one batch, and again: only the first occurrence is appended.
      expect((await h.log.commit(acceptedBatch([s2, s2, s1]))).positions).toEqual([3, 0, 0]);
      expect(await h.log.head()).toBe(3);
      expect(await h.log.read(0, 100)).toEqual(positioned([reg, s1, s2]));
    });

    it("keeps an eventId's first content: a conflicting duplicate changes nothing in the log", async () => {
      const reg = entryOf(channelRegistered('CH-A'));
      const first = entryOf(saleRecorded('CH-A', 1, '10.00', 'sale-x'));
      const conflicting = entryOf(saleRecorded('CH-A', 1, '99.00', 'sale-x'));
      expect(conflicting.payload).not.toBe(first.payload);
      await h.log.commit(acceptedBatch([reg, first]));
      expect((await h.log.commit(acceptedBatch([conflicting]))).positions).toEqual([0]);
      expect(await h.log.contents(['sale-x'])).toEqual(new Map([['sale-x', first.payload]]));
      expect(await h.log.read(0, 100)).toEqual(positioned([reg, first]));
    });

    it('returns the stored content of known eventIds only', async () => {
      const reg = entryOf(channelRegistered('CH-A'));
      const s1 = entryOf(saleRecorded('CH-A', 1));
      await h.log.commit(acceptedBatch([reg, s1]));
      expect(await h.log.contents([])).toEqual(new Map());
      expect(await h.log.contents(['nope', s1.eventId, reg.eventId])).toEqual(
        new Map([
          [s1.eventId, s1.payload],
          [reg.eventId, reg.payload],
        ]),
      );
    });

    it('is idempotent on eventId across peers: what one appended is a duplicate for the other', async ({
      skip,
    }) => {
      if (h.peer === undefined) return skip('the adapter has no peers (one process only)');
      const reg = entryOf(channelRegistered('CH-A'));
      const s1 = entryOf(saleRecorded('CH-A', 1));
      const s2 = entryOf(saleRecorded('CH-A', 2));
      // This connection has looked at the log before the peer appends.
      await h.log.commit(acceptedBatch([reg]));
      expect(await h.log.contents([s1.eventId])).toEqual(new Map());
      const peer = await h.peer();
      expect((await peer.commit(acceptedBatch([s1]))).positions).toEqual([2]);
      expect(await h.log.contents([s1.eventId])).toEqual(new Map([[s1.eventId, s1.payload]]));
      expect((await h.log.commit(acceptedBatch([s1, s2]))).positions).toEqual([0, 3]);
      expect((await peer.commit(acceptedBatch([s2]))).positions).toEqual([0]);
      expect(await peer.read(0, 100)).toEqual(positioned([reg, s1, s2]));
    });

    it('append decides against the head: the view holds what was appended, a throwing decider writes nothing', async () => {
      const reg = entryOf(channelRegistered('CH-V'));
      const s1 = entryOf(saleRecorded('CH-V', 1));
      const first = await h.log.append([reg.eventId], (view) => {
        expect(view.acceptance.channels.has('CH-V')).toBe(false);
        expect(view.content(reg.eventId)).toBeUndefined();
        return acceptedBatch([reg]);
      });
      expect(first.positions).toEqual([1]);
      await expect(
        h.log.append([s1.eventId], () => {
          throw new Error('decider failed');
        }),
      ).rejects.toThrow('decider failed');
      const second = await h.log.append([reg.eventId, s1.eventId], (view) => {
        expect(view.acceptance.channels.has('CH-V')).toBe(true);
        expect(view.content(reg.eventId)).toBe(reg.payload);
        expect(view.content(s1.eventId)).toBeUndefined();
        return acceptedBatch([s1]);
      });
      expect(second.positions).toEqual([2]);
      expect(await h.log.read(0, 10)).toEqual(positioned([reg, s1]));
    });

    it("append decides against a peer's appends too (the log decides, not the process's memory)", async ({
      skip,
    }) => {
      if (h.peer === undefined) return skip('the adapter has no peers (one process only)');
      // This connection has decided once before the peer appends.
      await h.log.append([], () => acceptedBatch([entryOf(promotionScheduled('P-0'))]));
      const peer = await h.peer();
      const reg = entryOf(channelRegistered('CH-W'));
      const close = entryOf(periodClosed('2026-02'));
      await peer.append([reg.eventId], () => acceptedBatch([reg, close]));
      const seen = await h.log.append([reg.eventId], (view) => {
        expect(view.acceptance.channels.has('CH-W')).toBe(true);
        expect(view.acceptance.promotions.has('P-0')).toBe(true);
        expect(view.acceptance.lastClosed).toBe(parseMonth('2026-02'));
        expect(view.content(reg.eventId)).toBe(reg.payload);
        return acceptedBatch([]);
      });
      expect(seen.positions).toEqual([]);
    });

    it('pages with read(after, limit) and resumes from any position', async () => {
      const entries = [entryOf(channelRegistered('CH-P')), ...sales('CH-P', 1, 24)];
      await commitAll(h.log, [entries.slice(0, 5), entries.slice(5, 6), entries.slice(6)]);
      const expected = positioned(entries);
      const paged: LogEntry[] = [];
      for (let after = 0; ;) {
        const page = await h.log.read(after, 7);
        expect(page.length).toBeLessThanOrEqual(7);
        if (page.length === 0) break;
        expect(page[0]?.position).toBeGreaterThan(after);
        paged.push(...page);
        after = page[page.length - 1]?.position ?? after;
      }
      expect(paged).toEqual(expected);
      for (const after of [0, 1, 12, 24]) {
        expect(await h.log.read(after, 3)).toEqual(expected.slice(after, after + 3));
      }
      expect(await h.log.read(25, 10)).toEqual([]);
      expect(await h.log.read(40, 10)).toEqual([]);
    });

    it('commits counts, rejected inputs and the source checkpoint with their batch', async () => {
      const batch1: IngestBatch = {
        accepted: [entryOf(channelRegistered('CH-A')), entryOf(saleRecorded('CH-A', 1))],
        rejected: [
          {
            source: 'file:a.ndjson',
            line: 3,
            eventId: null,
            code: 'MALFORMED_JSON',
            message: 'not valid JSON',
            raw: '{"eventId": ',
          },
        ],
        counts: { lines: 4, accepted: 2, duplicates: 1, rejected: 1 },
        checkpoint: { key: 'file:a.ndjson', offset: 400, line: 4 },
      };
      const batch2: IngestBatch = {
        accepted: [entryOf(saleRecorded('CH-A', 2))],
        rejected: [
          {
            source: 'file:a.ndjson',
            line: 6,
            eventId: 'sale-CH-Z-1',
            code: 'UNKNOWN_CHANNEL',
            message: 'channel CH-Z is not registered',
            raw: new Uint8Array([0xff, 0x7b, 0x7d]),
          },
        ],
        counts: { lines: 2, accepted: 1, duplicates: 0, rejected: 1 },
        checkpoint: { key: 'file:a.ndjson', offset: 650, line: 6 },
      };
      await h.log.commit(batch1);
      expect(await h.log.sourceCheckpoint('file:a.ndjson')).toEqual(batch1.checkpoint);
      await h.log.commit(batch2);
      expect(await h.log.counts()).toEqual({ lines: 6, accepted: 3, duplicates: 1, rejected: 2 });
      expect(await h.log.sourceCheckpoint('file:a.ndjson')).toEqual(batch2.checkpoint);
      expect(await h.log.sourceCheckpoint('file:b.ndjson')).toBeUndefined();
      expect(await h.log.head()).toBe(3);
      if (isRejectedStore(h.log)) {
        expect(await h.log.forReport()).toEqual([
          { line: 3, eventId: null, code: 'MALFORMED_JSON' },
          { line: 6, eventId: 'sale-CH-Z-1', code: 'UNKNOWN_CHANNEL' },
        ]);
        const listed = await h.log.list();
        expect(listed.map((r) => [r.source, r.line, r.code, r.status])).toEqual([
          ['file:a.ndjson', 3, 'MALFORMED_JSON', 'open'],
          ['file:a.ndjson', 6, 'UNKNOWN_CHANNEL', 'open'],
        ]);
        expect(listed[0]?.raw).toBe('{"eventId": ');
      }
    });

    it('commits a batch with nothing accepted: counts and checkpoint move, the log does not', async () => {
      await h.log.commit(acceptedBatch([entryOf(channelRegistered('CH-A'))]));
      await h.log.commit({
        accepted: [],
        rejected: [],
        counts: { lines: 3, accepted: 0, duplicates: 3, rejected: 0 },
        checkpoint: { key: 'http', offset: 3, line: 3 },
      });
      expect(await h.log.head()).toBe(1);
      expect(await h.log.counts()).toEqual({ lines: 4, accepted: 1, duplicates: 3, rejected: 0 });
      expect(await h.log.sourceCheckpoint('http')).toEqual({ key: 'http', offset: 3, line: 3 });
    });

    it('derives acceptance facts from the accepted entries only', async () => {
      await h.log.commit(
        acceptedBatch([
          entryOf(channelRegistered('CH-A')),
          entryOf(promotionScheduled('p-1')),
          entryOf(periodClosed('2026-02')),
          entryOf(channelRegistered('CH-B')),
          entryOf(periodClosed('2026-01')),
        ]),
      );
      // A conflicting resend of CH-A's registration, for another channel: not appended.
      await h.log.commit(acceptedBatch([entryOf(channelRegistered('CH-C', 'reg-CH-A'))]));
      const facts = await h.log.acceptanceFacts();
      expect([...facts.channels].sort()).toEqual(['CH-A', 'CH-B']);
      expect([...facts.promotions]).toEqual(['p-1']);
      expect(facts.lastClosed).toBe(parseMonth('2026-02'));
    });

    it('derives the v2 acceptance facts: changeIds, and parent assignments in log order per channel', async () => {
      await h.log.commit(
        acceptedBatch([
          entryOf(channelRegistered('CH-A')),
          entryOf(channelRegisteredUnder('CH-B', 'CH-A')),
          entryOf(channelRegistered('CH-C')),
          entryOf(priceChanged('c-1')),
          entryOf(channelReparented('CH-B', '2026-05')),
          entryOf(channelReparented('CH-C', '2026-04', 'CH-A')),
          entryOf(channelReparented('CH-B', '2026-03', 'CH-A')),
        ]),
      );
      const facts = await h.log.acceptanceFacts();
      expect([...facts.priceChanges]).toEqual(['c-1']);
      const ofChannel = (id: string) => facts.parentAssignments.filter((f) => f.channelId === id);
      expect(ofChannel('CH-A')).toEqual([]);
      expect(ofChannel('CH-B')).toEqual([
        { channelId: 'CH-B', parentId: 'CH-A', registeredAt: '2026-01-02T09:00:00+08:00' },
        { channelId: 'CH-B', parentId: null, effectiveFrom: parseMonth('2026-05') },
        { channelId: 'CH-B', parentId: 'CH-A', effectiveFrom: parseMonth('2026-03') },
      ]);
      expect(ofChannel('CH-C')).toEqual([
        { channelId: 'CH-C', parentId: 'CH-A', effectiveFrom: parseMonth('2026-04') },
      ]);
    });

    it('under the Ingestor: a re-parenting is decided against a parent assignment a peer appended', async ({
      skip,
    }) => {
      if (h.peer === undefined) return skip('the adapter has no peers (one process only)');
      const input = (raw: Record<string, unknown>, line: number) => ({
        text: lineOf(raw),
        source: 'c',
        line,
      });
      const codes = (outcomes: readonly { status: string; code?: string }[]) =>
        outcomes.map((o) => o.code ?? o.status);
      const ours = new Ingestor(h.log, defaultSettings);
      await ours.init();
      const regs = ['CH-A', 'CH-B', 'CH-D'].map((id, i) => input(channelRegistered(id), i + 1));
      expect(codes(await ours.ingest(regs))).toEqual(['accepted', 'accepted', 'accepted']);
      // This connection has decided (its state is warm) before the peer appends.
      const theirs = new Ingestor(await h.peer(), defaultSettings);
      await theirs.init();
      const peerLines = [
        input(channelReparented('CH-B', '2026-03', 'CH-A'), 4),
        input(priceChanged('c-1'), 5),
      ];
      expect(codes(await theirs.ingest(peerLines))).toEqual(['accepted', 'accepted']);
      const decided = await ours.ingest([
        input(channelReparented('CH-A', '2026-04', 'CH-D'), 6), // CH-A has CH-B from 2026-03
        input(channelReparented('CH-D', '2026-05', 'CH-B'), 7), // CH-B has a parent
        input(priceChanged('c-1', 'price-c-1-again'), 8),
        input(channelReparented('CH-D', '2026-05', 'CH-A'), 9),
      ]);
      expect(codes(decided)).toEqual(['INVALID_PARENT', 'INVALID_PARENT', 'PRICE_CHANGE_EXISTS', 'accepted']);
    });

    it('keeps entries, counts, checkpoints and facts across a reopen', async ({ skip }) => {
      if (h.reopen === undefined) return skip('the adapter keeps nothing across processes');
      const entries = [entryOf(channelRegistered('CH-A')), ...sales('CH-A', 1, 5)];
      await h.log.commit({
        ...acceptedBatch(entries),
        checkpoint: { key: 'file:r.ndjson', offset: 99, line: 6 },
      });
      const reopened = await h.reopen();
      expect(await reopened.read(0, 100)).toEqual(positioned(entries));
      expect(await reopened.head()).toBe(6);
      expect(await reopened.counts()).toEqual({ lines: 6, accepted: 6, duplicates: 0, rejected: 0 });
      expect(await reopened.sourceCheckpoint('file:r.ndjson')).toEqual({
        key: 'file:r.ndjson',
        offset: 99,
        line: 6,
      });
      expect((await reopened.acceptanceFacts()).channels).toEqual(['CH-A']);
      await reopened.commit(acceptedBatch([entryOf(channelRegisteredUnder('CH-B', 'CH-A'))]));
      const again = await h.reopen();
      expect((await again.acceptanceFacts()).parentAssignments).toEqual([
        { channelId: 'CH-B', parentId: 'CH-A', registeredAt: '2026-01-02T09:00:00+08:00' },
      ]);
      await again.commit(acceptedBatch([entryOf(saleRecorded('CH-A', 6))]));
      expect(await again.head()).toBe(8);
    });

    it('under the Ingestor: a resend is a duplicate, a conflict is rejected, the first content stays', async () => {
      const ingestor = new Ingestor(h.log, defaultSettings);
      await ingestor.init();
      const input = (raw: Record<string, unknown>, line: number) => ({
        text: lineOf(raw),
        source: 'c',
        line,
      });
      const sale = saleRecorded('CH-A', 1, '10.00', 'sale-1');
      const first = await ingestor.ingest([input(channelRegistered('CH-A'), 1), input(sale, 2)]);
      expect(first.map((o) => o.status)).toEqual(['accepted', 'accepted']);
      // A fresh Ingestor: the duplicate check must come from the log, not from memory.
      const again = new Ingestor(h.log, defaultSettings);
      await again.init();
      const second = await again.ingest([
        input(sale, 3),
        input(saleRecorded('CH-A', 1, '12.00', 'sale-1'), 4),
        input(saleRecorded('CH-A', 2), 5),
      ]);
      expect(second.map((o) => (o.status === 'rejected' ? o.code : o.status))).toEqual([
        'duplicate',
        'CONFLICTING_DUPLICATE',
        'accepted',
      ]);
      expect(await h.log.contents(['sale-1'])).toEqual(new Map([['sale-1', entryOf(sale).payload]]));
      expect(await h.log.head()).toBe(3);
      expect(await h.log.counts()).toEqual({ lines: 5, accepted: 3, duplicates: 1, rejected: 1 });
    });

    it('under the Ingestor and the projection: a generated feed gives the in-memory reference report', async () => {
      const lines = [...generateFeed({ seed: 11, partners: 6, months: 4 })];
      const run = async (log: ContractLog): Promise<Report> => {
        const ingestor = new Ingestor(log, defaultSettings);
        await ingestor.init();
        const store = new InMemoryReadStore();
        const runner = new ProjectionRunner(checkedFeed(log), store, defaultSettings, { batchSize: 64 });
        // The in-process hand-over trusts the positions commit() reports: check each one.
        const handed: AppendedEvent[] = [];
        ingestor.onAppended((appended) => {
          handed.push(...appended);
          runner.offer(appended);
        });
        for (let i = 0; i < lines.length; i += 40) {
          await ingestor.ingest(
            lines.slice(i, i + 40).map((text, j) => ({ text, source: 'file:gen.ndjson', line: i + j + 1 })),
          );
          await runner.catchUp();
        }
        const entries = await readAll(log);
        expect(handed.map((a) => [a.position, a.event.eventId])).toEqual(
          entries.map((e) => [e.position, e.eventId]),
        );
        return buildReport(await runner.current(), defaultSettings.minorDigits, {
          counts: await log.counts(),
          tierMovements: await store.tierMovements(),
          alerts: await store.alerts(),
          rejected: isRejectedStore(log) ? await log.forReport() : [],
        });
      };
      const reference = new InMemoryEventLog();
      const expected = await run(reference);
      expect(expected.alerts.length).toBeGreaterThan(0); // the feed exercises alerts
      const actual = await run(h.log);
      expect(actual).toEqual(isRejectedStore(h.log) ? expected : { ...expected, rejected: [] });
      expect(await readAll(h.log)).toEqual(await readAll(reference));
    });
  });

  describe(`Feed contract: ${name}`, () => {
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h.close();
    });

    /** The follower saw entries 1..n once, in commit order, and applied every sale once. */
    const expectSawOnce = async (
      follower: Follower,
      batches: readonly (readonly NewLogEntry[])[],
      channelId: string,
    ) => {
      const committed = batches.flat();
      expect(positionsOf(follower.seen)).toEqual(range(1, committed.length));
      expect(follower.seen.map((e) => e.eventId)).toEqual(committed.map((e) => e.eventId));
      expect(follower.position).toBe(committed.length);
      const salesCount = committed.filter((e) => e.type === 'SaleRecorded').length;
      expect(await januarySales(follower, channelId)).toBe(BigInt(salesCount * 100));
    };

    it.each([
      ['before', 0],
      ['during', 5],
    ])(
      'a subscriber started %s a burst sees every entry once, in order',
      async (_when, startAt) => {
        const batches = burst('CH-F', 12);
        const follower = new Follower(h.log);
        for (const [i, b] of batches.entries()) {
          if (i === startAt) follower.start();
          await h.log.commit(acceptedBatch(b));
          await yieldToLoop(); // let the follower run between batches
        }
        await follower.reach(batches.flat().length, waitMs);
        await follower.stop();
        await expectSawOnce(follower, batches, 'CH-F');
      },
      testMs,
    );

    it(
      'a subscriber started after a burst sees every entry once, in order',
      async () => {
        const batches = burst('CH-F', 12);
        await commitAll(h.log, batches);
        const follower = new Follower(h.log).start();
        await follower.reach(await h.log.head(), waitMs);
        await follower.stop();
        await expectSawOnce(follower, batches, 'CH-F');
      },
      testMs,
    );

    it(
      'a subscriber resumes from the position its read model stored',
      async () => {
        const batches = burst('CH-F', 8);
        const firstHalf = batches.slice(0, 4);
        await commitAll(h.log, firstHalf);
        const store = new InMemoryReadStore();
        const before = new Follower(h.log, store).start();
        const mid = firstHalf.flat().length;
        await before.reach(mid, waitMs);
        await before.stop();
        await commitAll(h.log, batches.slice(4));
        const after = new Follower(h.log, store).start(); // loads position `mid` from the store
        await after.reach(batches.flat().length, waitMs);
        await after.stop();
        expect(positionsOf(after.seen)).toEqual(range(mid + 1, batches.flat().length));
        expect([...before.seen, ...after.seen].map((e) => e.eventId)).toEqual(
          batches.flat().map((e) => e.eventId),
        );
        const salesCount = batches.flat().filter((e) => e.type === 'SaleRecorded').length;
        expect(await januarySales(after, 'CH-F')).toBe(BigInt(salesCount * 100));
      },
      testMs,
    );

    it(
      "a subscriber sees a peer's appends once, in order",
      async ({ skip }) => {
        if (h.peer === undefined) return skip('the adapter has no peers (one process only)');
        const peer = await h.peer();
        const batches = burst('CH-F', 10);
        const follower = new Follower(h.log).start();
        for (const b of batches) await peer.commit(acceptedBatch(b));
        await follower.reach(batches.flat().length, waitMs);
        await follower.stop();
        await expectSawOnce(follower, batches, 'CH-F');
        expect(await h.log.read(0, 1000)).toEqual(await peer.read(0, 1000));
      },
      testMs,
    );

    it(
      'a subscriber carries on across a server restart, missing and repeating nothing',
      async ({ skip }) => {
        if (h.restart === undefined) return skip('the adapter has no server to restart');
        // Appends come from a peer when there is one, so the follower's log only learns of
        // them through its subscription, which the restart drops.
        const writer = h.peer === undefined ? h.log : await h.peer();
        const before = burst('CH-R', 4);
        const after = [sales('CH-R', 100, 10), sales('CH-R', 110, 3)];
        const follower = new Follower(h.log).start();
        for (const b of before) await retrying(() => writer.commit(acceptedBatch(b)), waitMs);
        await follower.reach(before.flat().length, waitMs);
        await h.restart();
        for (const b of after) await retrying(() => writer.commit(acceptedBatch(b)), waitMs);
        await follower.reach(before.flat().length + after.flat().length, waitMs);
        await follower.stop();
        await expectSawOnce(follower, [...before, ...after], 'CH-R');
      },
      testMs * 2,
    );
  });
}
