/**
 * The ingestion service behind every way in (HTTP routes, the Kafka consumer, `serve`):
 * ingests inputs through the engine's ingestor, counts the outcomes in the metrics, closes
 * months automatically (CHANPERF_AUTO_CLOSE_DAY) and wakes the projection. Calls waiting at
 * the same time are committed together (groupCommit.ts), each answered with its own outcomes.
 */
import { formatMonth, parseTimestamp, MonthClock, type Month } from '@chanperf/domain';
import type { Ingestor, Outcome, RawInput } from '@chanperf/engine';
import type { Runtime } from '@chanperf/runtime';
import { groupCommitter, type GroupCommitOptions } from './groupCommit.js';

export interface IngestionService {
  /**
   * Ingests inputs, counts them in the metrics, wakes the projection, and auto-closes; resolves
   * with one outcome per input once they are committed (with other calls waiting meanwhile).
   */
  ingest(inputs: readonly RawInput[], redriving?: readonly (number | null)[]): Promise<Outcome[]>;
}

/** How many inputs a group commit gathers at most (five bodies of 10 000 items). */
const GROUP_COMMIT: GroupCommitOptions = { maxInputs: 50_000 };

/** What the ingestion service uses of the runtime. */
export type IngestionDeps = Pick<
  Runtime,
  'store' | 'ingestor' | 'bus' | 'config' | 'settings' | 'metrics' | 'logger'
>;

export function createIngestion(
  runtime: IngestionDeps,
  groupCommit: GroupCommitOptions = GROUP_COMMIT,
): IngestionService {
  const clock = new MonthClock(runtime.settings.timeZone);
  const m = runtime.metrics;
  const count = (outcomes: readonly Outcome[]) => {
    for (const o of outcomes) {
      if (o.status === 'accepted') m.eventsAccepted.inc();
      else if (o.status === 'duplicate') m.eventsDuplicate.inc();
      else if (o.status === 'rejected') m.eventsRejected.inc({ code: o.code });
    }
  };

  /**
   * CHANPERF_AUTO_CLOSE_DAY: month M is closed once an event dated on or after that day of
   * M+1 is accepted — by appending PeriodClosed (dated like that event), so a replay of the
   * log closes the same months at the same points.
   */
  const autoClose = async (ingestor: Ingestor, inputs: readonly RawInput[], outcomes: readonly Outcome[]) => {
    const day = runtime.config.autoCloseDay;
    if (day === undefined) return;
    let best: { month: Month; occurredAt: string } | undefined;
    outcomes.forEach((o, i) => {
      if (o.status !== 'accepted') return;
      const body = JSON.parse(inputs[i]?.text ?? '{}') as { type?: string; occurredAt?: string };
      if (body.type === 'PeriodClosed' || body.occurredAt === undefined) return;
      const at = parseTimestamp(body.occurredAt);
      if (at === undefined) return;
      const month = clock.monthOf(at) - 1;
      if (clock.dayOfMonth(at) >= day && (best === undefined || month > best.month)) {
        best = { month, occurredAt: body.occurredAt };
      }
    });
    if (best === undefined) return;
    const last = ingestor.lastClosed;
    if (last !== null && best.month <= last) return;
    const event = {
      eventId: `auto-close/${formatMonth(best.month)}`,
      type: 'PeriodClosed',
      occurredAt: best.occurredAt,
      data: { month: formatMonth(best.month) },
    };
    const closed = await ingestor.ingest([{ text: JSON.stringify(event), source: 'auto-close', line: null }]);
    count(closed);
    runtime.logger.info({ month: event.data.month, outcome: closed[0]?.status }, 'auto-close');
  };

  const ingest = groupCommitter(async (inputs, redriving) => {
    const ingestor = await runtime.ingestor();
    const outcomes = await ingestor.ingest(inputs, redriving === undefined ? {} : { redriving });
    count(outcomes);
    await autoClose(ingestor, inputs, outcomes);
    runtime.bus.emit('appended', await runtime.store.log.head());
    return outcomes;
  }, groupCommit);
  return { ingest };
}
