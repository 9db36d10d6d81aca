import { defineConfig } from 'vitest/config';

// The nested suite of the vitest integration test: no global PostgreSQL, only this folder.
export default defineConfig({
  test: { include: ['test/fixtures-vitest/**/*.test.ts'], testTimeout: 60_000 },
});
