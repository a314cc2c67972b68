/**
 * The ordered ingress between the ERP consumer and the log: a pump that fails (here the reload
 * of the acceptance facts after an assignment) must not leave held records waiting for a batch
 * that may never come — the idle wake-up is armed whatever the pump's outcome, and the reload is
 * tried again; and idleness is measured on a monotonic clock, so a step of the system clock
 * holds nothing back.
 */
import type { RawInput } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { EventTimeMerge } from './eventTimeMerge.js';
import type { ErpIngestion } from './ingestionPort.js';
import { createOrderedIngress } from './orderedIngress.js';

const IDLE_MS = 50;

const record = (offset: number, eventId: string, occurredAt: string): KafkaMessage => ({
  key: null,
  value: Buffer.from(JSON.stringify({ eventId, occurredAt })),
  offset: String(offset),
  timestamp: '0',
  attributes: 0,
  headers: {},
});
const input = (_topic: string, _partition: number, m: KafkaMessage): RawInput => ({
  text: m.value?.toString() ?? '',
  source: 'kafka',
  line: null,
});

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An ingress over `ingestion` (default merge and clock unless given), reading no checkpoint from its log. */
function ingressOver(
  ingestion: ErpIngestion,
  parts: { merge?: EventTimeMerge<RawInput>; now?: () => number } = {},
) {
  const runtime = {
    store: { log: { sourceCheckpoint: () => Promise.resolve(undefined) } },
  } as unknown as Runtime;
  return createOrderedIngress({
    runtime,
    ingestion,
    merge: parts.merge ?? new EventTimeMerge<RawInput>({ ordering: 'merge', idleTimeoutMs: IDLE_MS }),
    ...(parts.now !== undefined ? { now: parts.now } : {}),
    chunkSize: 100,
    rejected: undefined,
    commit: () => Promise.resolve(),
    seek: () => undefined,
    endOffsets: () => Promise.resolve([]),
    log: pino({ level: 'silent' }),
  });
}

/** An ingestion that keeps the eventIds it is given, in order; `refresh` as given. */
function keeping(appended: string[], refresh: () => Promise<void> = () => Promise.resolve()): ErpIngestion {
  return {
    ingest: (inputs) => {
      for (const i of inputs) appended.push((JSON.parse(i.text) as { eventId: string }).eventId);
      return Promise.resolve(inputs.map((i) => ({ status: 'accepted' as const, eventId: i.text })));
    },
    refresh,
  };
}

describe('the ordered ingress', () => {
  it('given a pump whose reload fails, then the held records still go once the partitions are idle', async () => {
    const appended: string[] = [];
    let refreshes = 0;
    const ingress = ingressOver(
      keeping(appended, () => {
        refreshes++;
        return refreshes === 1 ? Promise.reject(new Error('the log is busy')) : Promise.resolve();
      }),
    );
    try {
      ingress.assign([{ topic: 'erp', partitions: [0, 1], control: false }]);
      // Partition 0 stands at 10:00, partition 1 at 11:00: the watermark (10:00) holds both.
      ingress.add('erp', 0, [record(0, 'a', '2026-01-10T10:00:00+08:00')], input);
      ingress.add('erp', 1, [record(0, 'b', '2026-01-10T11:00:00+08:00')], input);
      await expect(ingress.pump()).rejects.toThrow('the log is busy');
      expect(appended).toEqual([]);
      expect(ingress.buffered()).toBe(2);

      // No batch comes any more: once both partitions are idle, the wake-up lets them go, in
      // event-time order, after the reload was tried again.
      await until('the held records to be appended', () => appended.length === 2);
      expect(appended).toEqual(['a', 'b']);
      expect(refreshes).toBe(2);
      expect(ingress.buffered()).toBe(0);
    } finally {
      await ingress.stop();
    }
  });

  it('given the system clock stepped back an hour while records are held, then they still go once the partitions are idle', async () => {
    const appended: string[] = [];
    vi.useFakeTimers({ toFake: ['Date'] });
    const ingress = ingressOver(keeping(appended));
    try {
      ingress.assign([{ topic: 'erp', partitions: [0, 1], control: false }]);
      ingress.add('erp', 0, [record(0, 'a', '2026-01-10T10:00:00+08:00')], input);
      ingress.add('erp', 1, [record(0, 'b', '2026-01-10T11:00:00+08:00')], input);
      await ingress.pump();
      expect(appended).toEqual([]);
      // An NTP step, a VM resumed: the wall clock goes back; idleness must not wait for it.
      vi.setSystemTime(Date.now() - 3_600_000);
      await until('the held records to be appended', () => appended.length === 2);
      expect(appended).toEqual(['a', 'b']);
    } finally {
      vi.useRealTimers();
      await ingress.stop();
    }
  });

  it('given a partition that turns idle while a release runs, then its held record still goes', async () => {
    // The clock moves past the partition's idle instant between the release and the question
    // of when to wake (a busy event loop, a slow append): the wake-up is due at once.
    let t = 0;
    class SlowMerge extends EventTimeMerge<RawInput> {
      override release(now: number) {
        const out = super.release(now);
        t += 2 * IDLE_MS;
        return out;
      }
    }
    const appended: string[] = [];
    const merge = new SlowMerge({ ordering: 'merge', idleTimeoutMs: IDLE_MS });
    const ingress = ingressOver(keeping(appended), { merge, now: () => t });
    try {
      ingress.assign([{ topic: 'erp', partitions: [0], control: false }]);
      t = 10;
      ingress.add('erp', 0, [record(0, 'a', '2026-01-10T10:00:00+08:00')], input);
      await ingress.pump(); // not idle at 10: the watermark (10:00) holds its own tie
      expect(appended).toEqual([]);
      await until('the held record to be appended', () => appended.length === 1);
      expect(ingress.buffered()).toBe(0);
    } finally {
      await ingress.stop();
    }
  });
});
