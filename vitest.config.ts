import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs backends are process-global; keep each test file in its own fork.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
