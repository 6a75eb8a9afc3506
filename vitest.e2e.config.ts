import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: real monitoring tools (Debian's Prometheus and Alertmanager, installed by
 * scripts/e2e-install.sh when missing) drive a real dutybot process. One file at a time: each
 * starts its own tools and a dutybot, and the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ['test/tools/**/*.test.ts'],
    exclude: ['test/tools/zabbix/**', 'node_modules/**'],
    globalSetup: ['test/setup/database.ts', 'test/tools/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
  },
});
