/**
 * The demo's seeded feed generator lives in `@chanperf/feed-generator` (product code:
 * `chanperf demo` uses it); re-exported here so the tests and the contract suites keep
 * importing it from `@chanperf/testing`.
 */
export {
  generateFeed,
  mulberry32,
  writeFeed,
  type FeedOptions,
  type FeedStats,
} from '@chanperf/feed-generator';
