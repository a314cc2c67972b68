/**
 * The ingestion decider (spec §2 "Acceptance and rejection"): what each input of a batch
 * becomes, in order, against the log's view at its head. Run over the in-memory log.
 */
import { defaultSettings } from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { Ingestor, type AppendedEvent, type RawInput } from './ingestion.js';
import { InMemoryEventLog } from './memory.js';

const register = (channelId: string, eventId = `reg-${channelId}`, name = channelId) =>
  JSON.stringify({
    eventId,
    type: 'ChannelRegistered',
    occurredAt: '2026-01-05T10:00:00+08:00',
    channelId,
    data: { name, kind: 'reseller' },
  });

const sale = (eventId: string, channelId: string, netAmount = '10.00', currency = 'CNY') =>
  JSON.stringify({
    eventId,
    type: 'SaleRecorded',
    occurredAt: '2026-01-10T10:00:00+08:00',
    channelId,
    data: { orderId: `O-${eventId}`, sku: 'P1', quantity: 1, netAmount, currency },
  });

const closeMonth = (month: string) =>
  JSON.stringify({
    eventId: `close-${month}`,
    type: 'PeriodClosed',
    occurredAt: '2026-03-01T10:00:00+08:00',
    data: { month },
  });

const publishProgram = (eventId: string, effectiveFrom: string) =>
  JSON.stringify({
    eventId,
    type: 'ProgramPublished',
    occurredAt: '2026-01-01T00:00:00+08:00',
    data: {
      programId: eventId,
      effectiveFrom,
      growthTargetBps: 1000,
      growthBonusBps: 50,
      tierReview: 'quarterly',
      downgradeGraceReviews: 1,
      tiers: [{ id: 'registered', rebateBps: 100, minTrailingNet: '0', minCertifiedTrainees: 0 }],
      volumeRebate: [],
    },
  });

const lines = (...texts: string[]): RawInput[] =>
  texts.map((text, i) => ({ text, source: 'file:t.ndjson', line: i + 1 }));

async function ingestorOver(log = new InMemoryEventLog()) {
  const ingestor = new Ingestor(log, defaultSettings);
  await ingestor.init();
  return { log, ingestor };
}

const statuses = (outcomes: readonly { status: string }[]) => outcomes.map((o) => o.status);
const codes = (outcomes: readonly { status: string; code?: string }[]) =>
  outcomes.map((o) => (o.status === 'rejected' ? o.code : o.status));

describe('Ingestor: duplicates within one batch', () => {
  it('given an event accepted earlier in the batch, when it comes again with the same content, then it is a duplicate', async () => {
    const { log, ingestor } = await ingestorOver();
    const outcomes = await ingestor.ingest(lines(register('CH-A'), register('CH-A')));
    expect(statuses(outcomes)).toEqual(['accepted', 'duplicate']);
    expect(await log.counts()).toEqual({ lines: 2, accepted: 1, duplicates: 1, rejected: 0 });
    expect(await log.head()).toBe(1);
  });

  it('given an event accepted earlier in the batch, when its eventId comes again with other content, then it is a conflicting duplicate', async () => {
    const { log, ingestor } = await ingestorOver();
    const outcomes = await ingestor.ingest(
      lines(register('CH-A'), sale('s1', 'CH-A'), sale('s1', 'CH-A', '99.00')),
    );
    expect(codes(outcomes)).toEqual(['accepted', 'accepted', 'CONFLICTING_DUPLICATE']);
    expect(outcomes[2]).toMatchObject({ eventId: 's1', message: expect.stringContaining('s1') });
    expect(await log.forReport()).toEqual([{ line: 3, eventId: 's1', code: 'CONFLICTING_DUPLICATE' }]);
  });

  it('given content that differs only in key order and unknown fields, then it is the same content', async () => {
    const { ingestor } = await ingestorOver();
    const reordered = JSON.stringify({
      channelId: 'CH-A',
      data: { kind: 'reseller', name: 'CH-A' },
      occurredAt: '2026-01-05T10:00:00+08:00',
      type: 'ChannelRegistered',
      eventId: 'reg-CH-A',
      note: 'not a field of the schema',
    });
    expect(statuses(await ingestor.ingest(lines(register('CH-A'), reordered)))).toEqual([
      'accepted',
      'duplicate',
    ]);
  });
});

describe("Ingestor: duplicates against the log's view", () => {
  it('given an event in the log from an earlier batch, when it comes again, then it is a duplicate, or a conflicting duplicate with other content', async () => {
    const { log, ingestor } = await ingestorOver();
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A')));
    const outcomes = await ingestor.ingest(lines(sale('s1', 'CH-A'), sale('s1', 'CH-A', '11.00')));
    expect(codes(outcomes)).toEqual(['duplicate', 'CONFLICTING_DUPLICATE']);
    expect(await log.head()).toBe(2);
  });

  it('given another writer appended after this ingestor started, then its events and facts are seen (nothing is cached between appends)', async () => {
    const log = new InMemoryEventLog();
    const { ingestor } = await ingestorOver(log);
    const other = await ingestorOver(log);
    await other.ingestor.ingest(lines(register('CH-B'), sale('s1', 'CH-B'), closeMonth('2026-01')));
    const outcomes = await ingestor.ingest(
      lines(
        sale('s1', 'CH-B'),
        sale('s2', 'CH-B'),
        register('CH-B', 'reg-again'),
        publishProgram('p1', '2026-01'),
      ),
    );
    expect(codes(outcomes)).toEqual(['duplicate', 'accepted', 'CHANNEL_EXISTS', 'PERIOD_CLOSED']);
    expect(ingestor.lastClosed).toBe(other.ingestor.lastClosed);
  });
});

describe('Ingestor: the order of the checks', () => {
  it('given an input that is not JSON or breaks the schema, then it is rejected before any duplicate check, even with a known eventId', async () => {
    const { ingestor } = await ingestorOver();
    await ingestor.ingest(lines(register('CH-A')));
    const broken = JSON.stringify({ eventId: 'reg-CH-A', type: 'ChannelRegistered', channelId: 'CH-A' });
    const outcomes = await ingestor.ingest(lines('{not json', broken));
    expect(codes(outcomes)).toEqual(['MALFORMED_JSON', 'SCHEMA_VIOLATION']);
    expect(outcomes[1]).toMatchObject({ eventId: 'reg-CH-A' });
  });

  it('given a duplicate eventId, then the duplicate check comes before the acceptance checks', async () => {
    const { ingestor } = await ingestorOver();
    await ingestor.ingest(lines(register('CH-A')));
    // The same registration again: a duplicate, not CHANNEL_EXISTS; other content under its
    // eventId: CONFLICTING_DUPLICATE, not CHANNEL_EXISTS.
    const outcomes = await ingestor.ingest(lines(register('CH-A'), register('CH-A', 'reg-CH-A', 'renamed')));
    expect(codes(outcomes)).toEqual(['duplicate', 'CONFLICTING_DUPLICATE']);
  });

  it('given a new event, then the acceptance checks run against what the batch accepted before it', async () => {
    const { ingestor } = await ingestorOver();
    const outcomes = await ingestor.ingest(
      lines(
        sale('s0', 'CH-A'),
        register('CH-A'),
        sale('s1', 'CH-A'),
        sale('s2', 'CH-A', '1.00', 'USD'),
        register('CH-A', 'reg-CH-A-2'),
      ),
    );
    expect(codes(outcomes)).toEqual([
      'UNKNOWN_CHANNEL',
      'accepted',
      'accepted',
      'CURRENCY_MISMATCH',
      'CHANNEL_EXISTS',
    ]);
  });

  it('given a rejected input, then it is kept with its raw text, source and line', async () => {
    const { log, ingestor } = await ingestorOver();
    await ingestor.ingest(lines(register('CH-A'), '{"eventId": 7'));
    const [record] = await log.list();
    expect(record).toMatchObject({
      id: 1,
      source: 'file:t.ndjson',
      line: 2,
      eventId: null,
      code: 'MALFORMED_JSON',
      raw: '{"eventId": 7',
      status: 'open',
    });
  });

  it('given bytes that are not text, then the input is rejected as MALFORMED_JSON with the reason and its bytes kept', async () => {
    const { log, ingestor } = await ingestorOver();
    const bytes = Uint8Array.of(0x7b, 0xff, 0x7d);
    const outcomes = await ingestor.ingest([
      { text: '{\ufffd}', source: 'http', line: null, bytes, unreadable: 'invalid UTF-8 at byte 1' },
    ]);
    expect(outcomes).toEqual([
      { status: 'rejected', eventId: null, code: 'MALFORMED_JSON', message: 'invalid UTF-8 at byte 1' },
    ]);
    const [record] = await log.list();
    expect(record?.raw).toEqual(bytes);
  });
});

describe('Ingestor: blank lines', () => {
  it('given blank lines (spaces, tabs, CR), then they are skipped: no outcome but `skipped`, not counted', async () => {
    const { log, ingestor } = await ingestorOver();
    const outcomes = await ingestor.ingest(lines('', register('CH-A'), ' \t\r', '   '));
    expect(statuses(outcomes)).toEqual(['skipped', 'accepted', 'skipped', 'skipped']);
    expect(await log.counts()).toEqual({ lines: 1, accepted: 1, duplicates: 0, rejected: 0 });
  });
});

describe('Ingestor: redriven inputs', () => {
  it('given rejected inputs redriven, then those accepted or duplicate are marked redriven in the same commit, those rejected again stay open', async () => {
    const { log, ingestor } = await ingestorOver();
    await ingestor.ingest(lines(register('CH-A'), '{bad', sale('s1', 'CH-X'), '{bad again'));
    expect((await log.list()).map((r) => r.id)).toEqual([1, 2, 3]);
    // 1 corrected (accepted), 2 still for an unknown channel (rejected again), 3 a duplicate of
    // the registration, and a fresh input that redrives nothing.
    const outcomes = await ingestor.ingest(
      lines(sale('s2', 'CH-A'), sale('s1', 'CH-X'), register('CH-A'), sale('s3', 'CH-A')),
      { redriving: [1, 2, 3, null] },
    );
    expect(codes(outcomes)).toEqual(['accepted', 'UNKNOWN_CHANNEL', 'duplicate', 'accepted']);
    const statusById = new Map((await log.list()).map((r) => [r.id, r.status]));
    expect([...statusById]).toEqual([
      [1, 'redriven'],
      [2, 'open'],
      [3, 'redriven'],
      [4, 'open'],
    ]);
  });
});

describe('Ingestor: what is handed over after a commit', () => {
  it('given listeners, then they get the appended events, parsed, with their positions and stored payloads', async () => {
    const { log, ingestor } = await ingestorOver();
    const handed: AppendedEvent[][] = [];
    ingestor.onAppended((appended) => handed.push([...appended]));
    await ingestor.ingest(lines(register('CH-A'), '{bad', sale('s1', 'CH-A'), sale('s1', 'CH-A')));
    expect(handed).toHaveLength(1);
    const entries = await log.read(0, 10);
    expect(handed[0]?.map((a) => [a.position, a.event.eventId, a.payload])).toEqual(
      entries.map((e) => [e.position, e.eventId, e.payload]),
    );
  });

  it('given a commit that appends nothing, then listeners are not called', async () => {
    const { ingestor } = await ingestorOver();
    let calls = 0;
    ingestor.onAppended(() => calls++);
    await ingestor.ingest(lines('{bad', ''));
    expect(calls).toBe(0);
  });
});
