import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The long fault cases run in `npm run test:faults` (vitest.faults.config.ts), the real
    // monitoring tools in `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: ['test/faults/long/**', 'test/tools/**', 'node_modules/**'],
    globalSetup: ['test/setup/database.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // FerretDB on SQLite serialises writes per database file; two workers keep the
    // two cores busy without making the test database the bottleneck.
    maxWorkers: 2,
  },
});
