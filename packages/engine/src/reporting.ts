/** Assembles the spec §7 report from the ports. */
import {
  buildReport,
  reportJsonChunks,
  type DeploymentSettings,
  type Report,
  type ReportInputs,
} from '@chanperf/domain';
import type { EventLog, ReadStore, RejectedStore } from './ports.js';
import type { ProjectionRunner } from './projectionRunner.js';

export async function reportOf(
  runner: ProjectionRunner,
  log: EventLog,
  store: ReadStore,
  rejected: RejectedStore,
  settings: DeploymentSettings,
): Promise<Report> {
  await runner.catchUp();
  const state = await runner.current();
  return buildReport(state, settings.minorDigits, {
    counts: await log.counts(),
    tierMovements: await store.tierMovements(),
    alerts: await store.alerts(),
    rejected: await rejected.forReport(),
  });
}

/** The report as JSON text in pieces (see `reportJsonChunks`), for printing large reports. */
export async function reportTextOf(
  runner: ProjectionRunner,
  log: EventLog,
  store: ReadStore,
  rejected: RejectedStore,
  settings: DeploymentSettings,
): Promise<Iterable<string>> {
  await runner.catchUp();
  const state = await runner.current();
  const inputs: ReportInputs = {
    counts: await log.counts(),
    tierMovements: await store.tierMovements(),
    alerts: await store.alerts(),
    rejected: await rejected.forReport(),
  };
  return reportJsonChunks(state, settings.minorDigits, inputs);
}
