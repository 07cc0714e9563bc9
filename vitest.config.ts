import { defineConfig } from 'vitest/config';

/**
 * Test tiers by file name: unit (no network), int (one adapter against the local cloud),
 * e2e (the deployed stack, events in, outcomes out). The int and e2e tiers share one local cloud,
 * started by the global setup unless AWS_ENDPOINT_URL points at one already.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
          // Environment changes go through vi.stubEnv and are undone after every test.
          unstubEnvs: true,
          // Synthesizing a whole stack (cdk-nag included) takes 1-6 s on a loaded 2-core machine; the
          // 5 s default failed a CI run there. A limit, not a speed assertion: speed lives in the bench.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/support/local-cloud.setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/support/deployed-stack.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
