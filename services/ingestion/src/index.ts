/**
 * The ingestion service over HTTP: ERP systems post events (JSON array or NDJSON), operators
 * inspect and redrive rejected inputs and close periods. A 200 means the batch is durable in
 * the log: the whole body is committed in one transaction, or nothing is (concurrent requests
 * share one: groupCommit.ts).
 *
 * The service itself is in ingestionService.ts; the routes by resource in eventRoutes.ts,
 * rejectedRoutes.ts and periodRoutes.ts; how bodies are read in requestBodies.ts.
 */
import type { App } from '@chanperf/runtime';
import { registerEventRoutes } from './eventRoutes.js';
import { createIngestion, type IngestionDeps } from './ingestionService.js';
import { registerPeriodRoutes } from './periodRoutes.js';
import { registerRejectedRoutes } from './rejectedRoutes.js';
import { installBodyParsers } from './requestBodies.js';

export { MAX_ITEMS } from './eventRoutes.js';
export { createIngestion, type IngestionDeps, type IngestionService } from './ingestionService.js';

export async function registerIngestionRoutes(app: App, runtime: IngestionDeps): Promise<void> {
  // In a scope of their own: the body parsers below are these routes' only.
  await app.register((scope: App) => {
    const service = createIngestion(runtime);
    installBodyParsers(scope);
    registerEventRoutes(scope, runtime, service);
    registerRejectedRoutes(scope, runtime, service);
    registerPeriodRoutes(scope, runtime, service);
    return Promise.resolve();
  });
}
