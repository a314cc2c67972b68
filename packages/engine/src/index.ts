/** @chanperf/engine — ports, the ingestion pipeline, the projection runner, in-memory adapters. */
export * from './runner.js';
export * from './storePorts.js';
export * from './ingestion.js';
export * from './memory.js';
export * from './reporting.js';
export * from './lines.js';
export * from './whatIf.js';
export * from './whatIfCompare.js';
export * from './statementState.js';
export * from './asOf.js';
export { AsOfBuilder, type AsOfBuildOptions, type BuilderIndex } from './asOfBuild.js';
export * from './asOfPorts.js';
export { monthVersions } from './asOfMonths.js';
export { AS_OF_ONE_BY_ONE } from './asOfLazy.js';
export { HISTORY_FORMAT } from './asOfState.js';
