/**
 * @chanperf/domain/rules — the projection's rules without the input validation: what a thread
 * that only applies logged events needs (a rebuild's parts), loading no schema library (zod
 * alone took ~50 ms of a thread's start). The package's index exports all of it too.
 */
export * from './money.js';
export * from './calendar.js';
export * from './never.js';
export * from './programRules.js';
export * from './canonicalSale.js';
export * from './projection/state.js';
export * from './projection/dirtyTracking.js';
export * from './projection/alerts.js';
export * from './projection/monthlyGrowth.js';
export * from './projection/tierReview.js';
export * from './projection/rebateAccrual.js';
export * from './projection/promotions.js';
export * from './projection/periodClose.js';
export * from './projection/programKpis.js';
export * from './projection/evolve.js';
export * from './projection/definition.js';
export * from './projection/v2State.js';
export { claimInputOf } from './projection/v2Evolve.js';
export * from './v2/quarters.js';
export * from './v2/targets.js';
export * from './v2/inactivity.js';
export * from './v2/distribution.js';
export * from './v2/satisfaction.js';
export * from './v2/priceProtection.js';
