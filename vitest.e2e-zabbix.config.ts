import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e:zabbix`: Zabbix 6.0 server on PostgreSQL and its frontend API (Debian's
 * packages, installed by scripts/e2e-install.sh when missing) drive a real dutybot process.
 * Apart from `npm run test:e2e` because its install and schema load take most of its time.
 */
export default defineConfig({
  test: {
    include: ['test/tools/zabbix/**/*.test.ts'],
    globalSetup: ['test/setup/database.ts', 'test/tools/zabbix/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
  },
});
