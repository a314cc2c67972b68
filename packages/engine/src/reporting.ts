/** Assembles the spec §7 report from the ports. */
import { buildReport, type DeploymentSettings, type Report } from '@chanperf/domain';
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
