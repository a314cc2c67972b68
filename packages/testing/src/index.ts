/**
 * @chanperf/testing — the contract suites of the ports (`@chanperf/testing/contracts`), test
 * helpers, and the seeded feed generator of `@chanperf/feed-generator`, re-exported for tests.
 */
export * from './deadline.js';
export * from './generator.js';
export * from './net.js';
