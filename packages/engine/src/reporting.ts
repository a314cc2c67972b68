/** Assembles the spec §7 report from the ports. */
import {
  buildReport,
  pagesOf,
  reportJsonChunks,
  type Alert,
  type DeploymentSettings,
  type ProjectionState,
  type Report,
} from '@chanperf/domain';
import type { EventLog, ReadStore, RejectedStore } from './ports.js';

/**
 * Where the report's projection state comes from: a projection runner (brought up to the log's
 * head first), or a read model as another process saved it (no `catchUp`: read only).
 */
export interface StateSource {
  catchUp?(): Promise<unknown>;
  current(): Promise<ProjectionState>;
}

/** The read model as saved, for a process that does not project into it. */
export function savedState(store: ReadStore): StateSource {
  return { current: async () => (await store.load()).state };
}

export async function reportOf(
  runner: StateSource,
  log: EventLog,
  store: ReadStore,
  rejected: RejectedStore,
  settings: DeploymentSettings,
): Promise<Report> {
  await runner.catchUp?.();
  const state = await runner.current();
  return buildReport(state, settings.minorDigits, {
    counts: await log.counts(),
    tierMovements: await store.tierMovements(),
    alerts: await store.alerts(),
    rejected: await rejected.forReport(),
  });
}

/** Alerts per page when the report streams them from the read store. */
const ALERT_PAGE = 5000;

/**
 * The report as JSON text in pieces (see `reportJsonChunks`), for printing large reports:
 * channels one at a time, the alerts a page at a time from the read store (a 10M-event log
 * raises hundreds of thousands), so neither the document nor the alert list is held whole.
 */
export async function* reportTextOf(
  runner: StateSource,
  log: EventLog,
  store: ReadStore,
  rejected: RejectedStore,
  settings: DeploymentSettings,
): AsyncGenerator<string> {
  await runner.catchUp?.();
  const state = await runner.current();
  yield* reportJsonChunks(state, settings.minorDigits, {
    counts: await log.counts(),
    // Read when their turn comes, after the channels.
    tierMovements: loadedPages(() => store.tierMovements()),
    alerts: alertPages(store),
    rejected: loadedPages(() => rejected.forReport()),
  });
}

async function* loadedPages<T>(load: () => Promise<readonly T[]>): AsyncGenerator<readonly T[]> {
  yield* pagesOf(await load());
}

async function* alertPages(store: ReadStore): AsyncGenerator<readonly Alert[]> {
  for (let after = 0; ;) {
    const page = await store.alertLog(after, ALERT_PAGE);
    const last = page[page.length - 1];
    if (last === undefined) return;
    yield page.map((a) => a.alert);
    after = last.seq;
  }
}
