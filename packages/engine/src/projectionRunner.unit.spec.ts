/**
 * The projection runner's hand-over: events an ingestor in the same process just appended are
 * applied without reading the log when they continue the checkpoint; anything else comes from
 * the feed; every batch is a compare-and-set from the checkpoint it continues. Run over the
 * in-memory adapters.
 */
import {
  defaultSettings,
  type ProjectionChanges,
  type ProjectionSink,
  type ProjectionState,
} from '@chanperf/domain';
import { describe, expect, it } from 'vitest';
import { Ingestor, type RawInput } from './ingestion.js';
import { InMemoryEventLog, InMemoryReadStore } from './memory.js';
import type { Feed, ProjectionOutputs } from './ports.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projectionRunner.js';

const register = (channelId: string) =>
  JSON.stringify({
    eventId: `reg-${channelId}`,
    type: 'ChannelRegistered',
    occurredAt: '2026-01-05T10:00:00+08:00',
    channelId,
    data: { name: channelId, kind: 'reseller' },
  });

const sale = (eventId: string, channelId: string, netAmount: string) =>
  JSON.stringify({
    eventId,
    type: 'SaleRecorded',
    occurredAt: '2026-01-10T10:00:00+08:00',
    channelId,
    data: { orderId: `O-${eventId}`, sku: 'P1', quantity: 1, netAmount, currency: 'CNY' },
  });

const lines = (...texts: string[]): RawInput[] =>
  texts.map((text, i) => ({ text, source: 'file:t.ndjson', line: i + 1 }));

/** A read store that records the `from` of every batch. */
class RecordingReadStore extends InMemoryReadStore {
  readonly froms: (number | undefined)[] = [];

  override applyBatch(
    state: ProjectionState,
    position: number,
    apply: (sink: ProjectionSink, changes: ProjectionChanges) => void,
    from?: number,
  ): ProjectionOutputs {
    this.froms.push(from);
    return super.applyBatch(state, position, apply, from);
  }
}

/** An ingestor and a runner over one in-memory log, with every feed read recorded. */
async function setUp(options: ProjectionRunnerOptions = {}) {
  const log = new InMemoryEventLog();
  const reads: number[] = [];
  const feed: Feed = {
    read: (after, limit) => {
      reads.push(after);
      return log.read(after, limit);
    },
  };
  const store = new RecordingReadStore();
  const runner = new ProjectionRunner(feed, store, defaultSettings, options);
  const ingestor = new Ingestor(log, defaultSettings);
  await ingestor.init();
  return { log, reads, store, runner, ingestor };
}

/** January sales of `channelId` in minor units, as the runner's state holds them. */
async function januarySales(runner: ProjectionRunner, channelId: string): Promise<bigint | undefined> {
  const state = await runner.current();
  const channel = state.channels.get(channelId);
  for (const [, facts] of channel?.months ?? []) if (facts.sales > 0n) return facts.sales;
  return undefined;
}

describe('ProjectionRunner: events handed over by an ingestor', () => {
  it('given events handed over that continue the checkpoint, when caught up on them, then they are applied without reading the log', async () => {
    const { reads, store, runner, ingestor } = await setUp();
    ingestor.onAppended((appended) => runner.offer(appended));
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '10.00'), sale('s2', 'CH-A', '2.50')));
    expect(await runner.catchUpOffered()).toBe(3);
    expect(reads).toEqual([]);
    expect(await store.position()).toBe(3);
    expect(await januarySales(runner, 'CH-A')).toBe(1250n);
  });

  it('given payloads handed over from another thread, then they are parsed and applied without reading the log', async () => {
    const { log, reads, runner, ingestor } = await setUp();
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '7.00')));
    const entries = await log.read(0, 10);
    runner.offerPayloads(
      entries.map((e) => e.position),
      entries.map((e) => e.payload),
    );
    expect(await runner.catchUpOffered()).toBe(2);
    expect(reads).toEqual([]);
    expect(await januarySales(runner, 'CH-A')).toBe(700n);
  });

  it('given a full catch-up after the hand-over, then the log is read only from past the handed-over events', async () => {
    const { reads, runner, ingestor } = await setUp();
    ingestor.onAppended((appended) => runner.offer(appended));
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '10.00')));
    expect(await runner.catchUp()).toBe(2);
    expect(reads).toEqual([2]);
  });

  it('given nothing handed over yet, when caught up on the hand-over only, then nothing is read and nothing applied', async () => {
    const { log, reads, runner, ingestor } = await setUp();
    await ingestor.ingest(lines(register('CH-A')));
    expect(await runner.catchUpOffered()).toBe(0);
    expect(reads).toEqual([]);
    expect(await log.head()).toBe(1);
  });
});

describe('ProjectionRunner: a gap before the hand-over', () => {
  it('given handed-over events that do not continue the checkpoint, then the gap and what follows are read from the feed', async () => {
    const { log, reads, store, runner, ingestor } = await setUp();
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '1.00')));
    ingestor.onAppended((appended) => runner.offer(appended));
    await ingestor.ingest(lines(sale('s2', 'CH-A', '2.00'), sale('s3', 'CH-A', '3.00')));
    expect(await runner.catchUpOffered()).toBe(4);
    expect(reads[0]).toBe(0);
    expect(await store.position()).toBe(await log.head());
    expect(await januarySales(runner, 'CH-A')).toBe(600n);
  });

  it('given handed-over events the checkpoint already passed, then they are skipped, not applied twice', async () => {
    const { log, runner, ingestor } = await setUp();
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '1.00')));
    await runner.catchUp();
    const entries = await log.read(0, 10);
    runner.offerPayloads(
      entries.map((e) => e.position),
      entries.map((e) => e.payload),
    );
    expect(await runner.catchUpOffered()).toBe(2);
    expect(await januarySales(runner, 'CH-A')).toBe(100n);
  });

  it('given more handed over than the bound, then the hand-over is dropped and the events are read from the feed', async () => {
    const { reads, runner, ingestor } = await setUp({ maxOffered: 2 });
    ingestor.onAppended((appended) => runner.offer(appended));
    await ingestor.ingest(lines(register('CH-A'), sale('s1', 'CH-A', '1.00'), sale('s2', 'CH-A', '2.00')));
    expect(await runner.catchUp()).toBe(3);
    expect(reads[0]).toBe(0);
    expect(await januarySales(runner, 'CH-A')).toBe(300n);
  });
});

describe('ProjectionRunner: the compare-and-set checkpoint', () => {
  it('given batches, then each is applied from the checkpoint it continues', async () => {
    const { store, runner, ingestor } = await setUp({ batchSize: 2 });
    await ingestor.ingest(
      lines(
        register('CH-A'),
        sale('s1', 'CH-A', '1.00'),
        sale('s2', 'CH-A', '1.00'),
        sale('s3', 'CH-A', '1.00'),
      ),
    );
    await ingestor.ingest(lines(sale('s4', 'CH-A', '1.00')));
    expect(await runner.catchUp()).toBe(5);
    expect(store.froms).toEqual([0, 2, 4]);
    expect(runner.checkpoint).toBe(5);
  });

  it('given another projector moved the read model on, then the batch is fenced off and the state is reloaded on the next run', async () => {
    const { log, store, runner, ingestor } = await setUp();
    await ingestor.ingest(lines(register('CH-A')));
    await runner.catchUp();
    // Another projector over the same store applies the next entry first.
    const other = new ProjectionRunner(log, store, defaultSettings);
    await ingestor.ingest(lines(sale('s1', 'CH-A', '5.00')));
    await other.catchUp();
    await ingestor.ingest(lines(sale('s2', 'CH-A', '6.00')));
    await expect(runner.catchUp()).rejects.toMatchObject({ code: 'PROJECTION_FENCED' });
    expect(store.froms.at(-1)).toBe(1);
    expect(await runner.catchUp()).toBe(3);
    expect(await januarySales(runner, 'CH-A')).toBe(1100n);
  });
});
