/**
 * @chanperf/engine/runner — the ports and the projection runner alone: what a thread that only
 * projects logged events needs (a rebuild's parts), loading neither the ingestion's validation
 * nor the schema library behind it. The package's index exports all of it too.
 */
export * from './ports.js';
export * from './projectionRunner.js';
