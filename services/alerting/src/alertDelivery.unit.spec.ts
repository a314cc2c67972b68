/**
 * `recordRaised` without a webhook: each fresh alert's line, all of them in one write, written
 * before the ledger's commit (a crash between the two logs them again after the restart, as it
 * did with a write a line); alerts the ledger has are neither logged nor recorded again.
 */
import { Writable } from 'node:stream';
import type { Alert } from '@chanperf/domain';
import type { DeliveryLedger, DeliveryRecord } from '@chanperf/engine';
import { createMetrics } from '@chanperf/runtime';
import { createLogger } from '@chanperf/runtime/logger';
import { describe, expect, it } from 'vitest';
import { recordRaised, type AlertDeliveryDeps } from './alertDelivery.js';

function alert(channelId: string, month: string): Alert {
  return {
    id: `GROWTH_TARGET_MISSED/${channelId}/${month}/1`,
    kind: 'GROWTH_TARGET_MISSED',
    channelId,
    month,
    growthBps: 500,
    targetBps: 1000,
    restated: false,
  };
}

function setUp(known: readonly string[]) {
  const writes: string[] = [];
  const destination = Object.assign(new Writable({ write: (_c, _e, done) => done() }), {
    write: (chunk: string) => writes.push(chunk) > 0,
  });
  const events: string[] = [];
  const recorded: string[][] = [];
  const ledger = {
    get: (id: string) => (known.includes(id) ? ({ status: 'logged' } as DeliveryRecord) : undefined),
    recordAllLogged: (ids: readonly string[]) => {
      events.push(`commit after ${writes.length} write(s)`);
      recorded.push([...ids]);
    },
  } as unknown as DeliveryLedger;
  const deps = {
    ledger,
    webhook: undefined,
    metrics: createMetrics(),
    log: createLogger({ service: 'alerting', level: 'info', format: 'json', destination }),
  } as unknown as AlertDeliveryDeps;
  return { writes, events, recorded, deps };
}

describe('recordRaised', () => {
  it('given a batch of fresh alerts, when recorded, then their lines go in one write before the ledger commits them', () => {
    const { writes, events, recorded, deps } = setUp([]);
    const batch = [alert('P1', '2026-01'), alert('P2', '2026-01'), alert('P3', '2026-01')];
    recordRaised(deps, batch);
    expect(writes).toHaveLength(1);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.msg, l.alertId, l.service])).toEqual(
      batch.map((a) => ['alert raised', a.id, 'alerting']),
    );
    // No figures in the line: who, what, which month.
    expect(lines[0]).not.toHaveProperty('growthBps');
    expect(events).toEqual(['commit after 1 write(s)']);
    expect(recorded).toEqual([batch.map((a) => a.id)]);
  });

  it('given alerts the ledger has, when recorded, then only the fresh ones are logged and committed', () => {
    const known = alert('P1', '2026-01');
    const { writes, recorded, deps } = setUp([known.id]);
    recordRaised(deps, [known, alert('P2', '2026-01')]);
    expect(writes).toHaveLength(1);
    expect(writes[0]).not.toContain(known.id);
    expect(recorded).toEqual([['GROWTH_TARGET_MISSED/P2/2026-01/1']]);
    recordRaised(deps, [known]);
    expect(writes).toHaveLength(1);
    expect(recorded).toHaveLength(1);
  });
});
