import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Test files start their own redis-server/RQ/HTTP processes; two cores run two files at a time.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
