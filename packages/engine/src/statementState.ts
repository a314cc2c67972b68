/**
 * The projection state as of a log position, for partner statements (issue 18): the log's
 * first `position` entries replayed into an in-memory read model (memory.ts) by a projection
 * runner of its own. It never touches the real read model. Its cost is a replay of `position`
 * events; the as-of queries' `stateAt` (a snapshot plus the events after it) answers the same
 * and can replace it behind this one function.
 */
import type { DeploymentSettings, ProjectionState } from '@chanperf/domain';
import { InMemoryReadStore } from './memory.js';
import type { Feed } from './ports.js';
import { ProjectionRunner } from './projectionRunner.js';

/** The state the log's first `position` entries project to (position beyond the head: the head's). */
export async function statementStateAt(
  log: Feed,
  settings: DeploymentSettings,
  position: number,
): Promise<{ state: ProjectionState; position: number }> {
  const bounded: Feed = {
    read: (after, limit) =>
      after >= position ? Promise.resolve([]) : log.read(after, Math.min(limit, position - after)),
  };
  const runner = new ProjectionRunner(bounded, new InMemoryReadStore(), settings);
  const reached = await runner.catchUp();
  return { state: await runner.current(), position: reached };
}
