/**
 * The topics of chanperf and the shape of their records (issue 4, "Topics"). Values are
 * UTF-8 JSON except on the rejected topic, which carries the input's bytes as received.
 */
import type { Alert } from '@chanperf/domain';
import type { RejectedRecord } from '@chanperf/engine';
import type { DerivedFact } from '@chanperf/runtime';

export const TOPICS = {
  /** Raw ERP channel events, one JSON object per record; key `channelId`. */
  erpEvents: 'chanperf.erp-events.v1',
  /**
   * Program events (`ProgramPublished`, `PromotionScheduled`, `PeriodClosed`, `PriceChanged`):
   * one partition, no key; merged with the ERP partitions by event time (docs/kafka.md).
   */
  erpControl: 'chanperf.erp-control.v1',
  /** Rejected inputs: the raw value; headers say why and where from. Key `channelId` or none. */
  rejected: 'chanperf.rejected.v1',
  /** Derived facts (month figures changed, month closed, tier changed, alert raised); key `channelId`. */
  performance: 'chanperf.performance.v1',
  /** The spec's alerts (§5), each with its deterministic id; key `channelId`. */
  alerts: 'chanperf.alerts.v1',
} as const;

export const HEADERS = {
  /** Rejected: the rejection code (`MALFORMED_JSON`, …). */
  code: 'chanperf-code',
  /** Rejected: the human-readable reason. */
  message: 'chanperf-message',
  /** Rejected: where the input came from: `topic/partition/offset` for Kafka, else `http`, `file:…`. */
  source: 'chanperf-source',
  /** Rejected: the input's eventId, when it had a string one. */
  eventId: 'chanperf-event-id',
  /** Alerts: the alert's deterministic id (`<kind>/<channelId>/<month>/<n>`). */
  alertId: 'chanperf-alert-id',
  /** Performance: the fact's deterministic id. */
  factId: 'chanperf-fact-id',
  /** Alerts and performance: the alert or fact kind. */
  kind: 'chanperf-kind',
  /** Outbox topics (alerts, rejected): which outbox wrote the record, and its sequence number. */
  outbox: 'chanperf-outbox',
  seq: 'chanperf-seq',
} as const;

/** The message a producer sends (KafkaJS `Message`, with string headers only). */
export interface OutgoingRecord {
  readonly key: string | null;
  readonly value: Buffer | string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `kafka:topic/partition/offset`: the source recorded with an input read from Kafka. */
export function kafkaSource(topic: string, partition: number, offset: string): string {
  return `kafka:${topic}/${partition}/${offset}`;
}

/** The `channelId` of a raw JSON input, when it is an object with a valid-looking one. */
export function channelIdOf(raw: string | Uint8Array): string | null {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const id = (value as { channelId?: unknown }).channelId;
    return typeof id === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** The event types without `channelId` (spec §2, "Program events"): they go to the control topic. */
export const PROGRAM_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ProgramPublished',
  'PromotionScheduled',
  'PeriodClosed',
  'PriceChanged',
]);

/**
 * Where a producer sends a raw ERP input (docs/kafka.md, "Producing"): a channel event to the
 * ERP topic keyed by its `channelId` (one partner's events stay in order in one partition), a
 * program event to the control topic without a key; anything else (not JSON, no valid
 * `channelId`) to the ERP topic without a key, where it is rejected with its bytes kept.
 */
export function erpRoute(raw: string | Uint8Array): { topic: string; key: string | null } {
  const channelId = channelIdOf(raw);
  if (channelId !== null) return { topic: TOPICS.erpEvents, key: channelId };
  return { topic: isProgramEvent(raw) ? TOPICS.erpControl : TOPICS.erpEvents, key: null };
}

function isProgramEvent(raw: string | Uint8Array): boolean {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const { type, channelId } = value as { type?: unknown; channelId?: unknown };
    return channelId === undefined && typeof type === 'string' && PROGRAM_EVENT_TYPES.has(type);
  } catch {
    return false;
  }
}

/** Header values must be one line of printable text; messages can be long and contain anything. */
function headerText(text: string, max = 1000): string {
  let oneLine = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    oneLine += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** A rejected input as a record of the rejected topic: raw bytes, reason and source in headers. */
export function rejectedRecord(r: RejectedRecord): OutgoingRecord {
  const raw = typeof r.raw === 'string' ? Buffer.from(r.raw, 'utf8') : Buffer.from(r.raw);
  const source = r.source.startsWith('kafka:') ? r.source.slice('kafka:'.length) : r.source;
  return {
    key: channelIdOf(r.raw),
    value: raw,
    headers: {
      [HEADERS.code]: r.code,
      [HEADERS.message]: headerText(r.message),
      [HEADERS.source]: headerText(source),
      ...(r.eventId !== null ? { [HEADERS.eventId]: headerText(r.eventId, 128) } : {}),
    },
  };
}

/** An alert as a record of the alerts topic: the alert's JSON as the spec shows it. */
export function alertRecord(alert: Alert): OutgoingRecord {
  return {
    key: alert.channelId,
    value: JSON.stringify(alert),
    headers: { [HEADERS.alertId]: alert.id, [HEADERS.kind]: alert.kind },
  };
}

/** The deterministic id of a derived fact: a redelivered one is recognised by it. */
export function factId(fact: DerivedFact): string {
  switch (fact.kind) {
    case 'MonthFiguresChanged':
      return `MonthFiguresChanged/${fact.channelId}/${fact.month}/${fact.position}`;
    case 'MonthClosed':
      return `MonthClosed/${fact.month}`;
    case 'TierChanged':
      return `TierChanged/${fact.movement.channelId}/${fact.movement.reviewMonth}`;
    case 'AlertRaised':
      return `AlertRaised/${fact.alert.id}`;
    default: {
      const never: never = fact;
      return never;
    }
  }
}

function factChannel(fact: DerivedFact): string | null {
  switch (fact.kind) {
    case 'MonthFiguresChanged':
      return fact.channelId;
    case 'MonthClosed':
      return null;
    case 'TierChanged':
      return fact.movement.channelId;
    case 'AlertRaised':
      return fact.alert.channelId;
    default: {
      const never: never = fact;
      return never;
    }
  }
}

/** A derived fact as a record of the performance topic: `{ id, kind, position, … }`. */
export function factRecord(fact: DerivedFact): OutgoingRecord {
  const id = factId(fact);
  return {
    key: factChannel(fact),
    value: JSON.stringify({ id, ...fact }),
    headers: { [HEADERS.factId]: id, [HEADERS.kind]: fact.kind },
  };
}
