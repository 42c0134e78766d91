import { createRequire } from 'node:module';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// graphql has no "exports": Node loads its CommonJS build for type-graphql and Apollo, while Vite
// would give our own modules its .mjs build — two graphql realms that reject each other's types.
const graphqlAlias = [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }];

// One run for everything: server unit + integration (real PostgreSQL), dashboard components,
// browser tests. `npm test` (scripts/test.mjs) wraps it and prints the final count line.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias: graphqlAlias },
        test: {
          name: 'server',
          environment: 'node',
          include: ['server/src/**/*.test.ts', 'bench/**/*.test.ts'],
          globalSetup: ['./server/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'dashboard',
          environment: 'happy-dom',
          include: ['dashboard/src/**/*.test.ts'],
        },
      },
      {
        resolve: { alias: graphqlAlias },
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['dashboard/e2e/**/*.test.ts'],
          globalSetup: ['./server/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
