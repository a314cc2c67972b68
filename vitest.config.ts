import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources of the workspace packages.
    alias: {
      '@chanperf/domain': src('./packages/domain/src/index.ts'),
      '@chanperf/engine': src('./packages/engine/src/index.ts'),
      '@chanperf/store-sqlite': src('./packages/store-sqlite/src/index.ts'),
      '@chanperf/testing': src('./packages/testing/src/index.ts'),
    },
  },
  test: {
    include: ['packages/**/src/**/*.spec.ts', 'services/**/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
