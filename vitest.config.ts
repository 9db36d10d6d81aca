import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run by a nested vitest in test/e2e/vitest-integration.test.ts, not by this suite.
    exclude: ['test/fixtures-vitest/**', 'node_modules/**'],
    // The second runs its teardown after every file: it scans all CLI output and reports for test passwords.
    globalSetup: ['test/support/global-setup.ts', 'test/reliability/secrets-scan.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: a couple of workers keep the shared PostgreSQL busy without thrashing.
    maxWorkers: 2,
  },
});
