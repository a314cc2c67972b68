/**
 * @chanperf/feed-generator — the seeded, deterministic ERP feed behind `chanperf demo`, the
 * benchmarks, the soak and the tests: `generateFeed` yields its NDJSON lines lazily,
 * `writeFeed` streams them to a file. The same options give the same bytes.
 */
export { generateFeed } from './generateFeed.js';
export { writeFeed } from './writeFeed.js';
export { mulberry32 } from './random.js';
export type { FeedOptions, FeedStats } from './feedOptions.js';
