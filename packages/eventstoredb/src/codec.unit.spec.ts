import type { AllStreamRecordedEvent } from '@eventstore/db-client';
import { describe, expect, it } from 'vitest';
import { entryOf, periodClosed, saleRecorded } from '../../testing/src/contracts/index.js';
import { decodeRecorded, encodeEntry } from './codec.js';
import { esdbEventId } from './eventIds.js';

/** What the client hands back for an event it wrote (JSON data and metadata parsed). */
function recorded(streamId: string, data: ReturnType<typeof encodeEntry>): AllStreamRecordedEvent {
  const isJson = data.contentType === 'application/json';
  return {
    streamId,
    id: data.id,
    revision: 0n,
    type: data.type,
    created: new Date(0),
    isJson,
    data: isJson ? JSON.parse(JSON.stringify(data.data)) : data.data,
    metadata: JSON.parse(JSON.stringify(data.metadata)),
    position: { commit: 1n, prepare: 1n },
  };
}

describe('entries as EventStoreDB events', () => {
  it('writes the canonical payload as JSON, with the eventId and channelId in the metadata', () => {
    const entry = entryOf(saleRecorded('CH-A', 1));
    const event = encodeEntry('chanperf', entry);
    expect(event).toMatchObject({
      id: esdbEventId('chanperf', entry.eventId),
      type: 'SaleRecorded',
      contentType: 'application/json',
    });
    expect(event.metadata).toEqual({ schema: 'chanperf.log.v1', eventId: entry.eventId, channelId: 'CH-A' });
    expect(decodeRecorded('chanperf', recorded('chanperf-channel-CH-A', event))).toEqual({
      kind: 'entry',
      entry,
    });
  });

  it('round-trips a program event (no channel)', () => {
    const entry = entryOf(periodClosed('2026-01'));
    const decoded = decodeRecorded('chanperf', recorded('chanperf-program', encodeEntry('chanperf', entry)));
    expect(decoded).toEqual({ kind: 'entry', entry });
  });

  it('carries the append attempt that wrote an entry, absent in logs of earlier versions', () => {
    const entry = entryOf(periodClosed('2026-01'));
    const stamped = encodeEntry('chanperf', entry, 'attempt-7');
    expect(decodeRecorded('chanperf', recorded('chanperf-log', stamped))).toEqual({
      kind: 'entry',
      entry,
      batch: 'attempt-7',
    });
    const old = decodeRecorded('chanperf', recorded('chanperf-program', encodeEntry('chanperf', entry)));
    expect(old).toMatchObject({ kind: 'entry', batch: undefined });
  });

  it('keeps as bytes a payload whose JSON would not come back as the same text', () => {
    const entry = { eventId: 'odd', type: 'SaleRecorded', channelId: 'CH-A', payload: '{"b":1,"10":2}' };
    const event = encodeEntry('chanperf', entry); // JSON.stringify would put "10" first
    expect(event.contentType).toBe('application/octet-stream');
    expect(decodeRecorded('chanperf', recorded('chanperf-channel-CH-A', event))).toEqual({
      kind: 'entry',
      entry,
    });
  });

  it('tells events outside the namespace and events without chanperf metadata apart', () => {
    const event = encodeEntry('chanperf', entryOf(saleRecorded('CH-A', 1)));
    expect(decodeRecorded('chanperf', recorded('chanperf2-channel-CH-A', event))).toEqual({
      kind: 'outside',
    });
    expect(decodeRecorded('chanperf', recorded('$ce-chanperf', event))).toEqual({ kind: 'outside' });
    const bare = {
      ...recorded('chanperf-channel-CH-A', event),
      metadata: undefined,
    } as AllStreamRecordedEvent;
    expect(decodeRecorded('chanperf', bare)).toMatchObject({ kind: 'foreign' });
  });
});
