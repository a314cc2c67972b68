/**
 * The contract suites of the ports, for adapters' specs only (they register vitest blocks, so
 * they are kept out of `@chanperf/testing`'s main entry point).
 */
export * from './eventLogContract.js';
export * from './readStoreContract.js';
export * from './fixtures.js';
export * from './follower.js';
export * from './waiting.js';
export * from './reportOverHttp.js';
