/** @chanperf/testing — the seeded data generator and the contract suites of the ports. */
export * from './generator.js';
export * from './net.js';
