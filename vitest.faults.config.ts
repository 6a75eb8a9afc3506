import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault suite at the sizes (2,000-alert storms, three kills,
 * a 30 s freeze, chat down for 10 minutes…). One file at a time: each case kills, freezes or
 * floods processes, and two at once would only measure each other. The short versions of the
 * storm cases run in `npm test` (vitest.config.ts).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/setup/database.ts'],
    env: { DUTYBOT_FAULTS: 'long' },
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
