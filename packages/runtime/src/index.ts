/** @chanperf/runtime — configuration, the embedded runtime, the HTTP server the services share. */
export * from './config.js';
export * from './engine.js';
export * from './facts.js';
export * from './metrics.js';
export * from './restartBackoff.js';
export * from './runtime.js';
export * from './http.js';
