import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../src/store/provision.js';
import { KEYS, startTestBot } from '../support/bot.js';
import { storm } from '../support/storm.js';
import { eventually } from '../support/wait.js';
import { LONG, ledger, randomPoints } from './ledger.js';

/**
 * Fault: the embedded database is killed (SIGKILL) during a storm of alerts. dutybot's supervisor
 * starts it again; senders that got 503 retry and succeed; nothing acknowledged is lost.
 */
const ownServer = inject('databaseKind') !== 'env';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'fault-db-'));
let server: ProvisionedDatabase | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const SIZE = LONG ? { alerts: 2000, senders: 32, kills: 3 } : { alerts: 300, senders: 8, kills: 1 };

describe.skipIf(!ownServer)('fault: the database is killed during a storm', () => {
  it(`${SIZE.alerts} alerts from ${SIZE.senders} senders, database killed ${SIZE.kills}× → restarted, nothing acknowledged lost`, async () => {
    server = await provisionDatabase({ dataDir, env: { PATH: process.env.PATH } as NodeJS.ProcessEnv, supervise: { firstBackoffMs: 500 } });
    const sup = server.supervisor!;
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'storm'), databaseHealth: sup });
    const points = randomPoints(SIZE.kills, SIZE.alerts);
    let kills = 0;
    const result = await storm({
      url: () => bot.url,
      key: KEYS.api,
      senders: SIZE.senders,
      alerts: SIZE.alerts,
      prefix: 'dbkill',
      onAck: (n) => {
        // One kill at a time: the next only once the database is back.
        if (kills < points.length && n >= points[kills]! && sup.state === 'running' && sup.pid) {
          process.kill(sup.pid, 'SIGKILL');
          kills += 1;
        }
      },
    });
    await eventually(() => sup.state === 'running', 60_000, 'database running');
    const l = await ledger(bot.runtime.database.db, result.acked);
    process.stdout.write(
      `[fault: database killed] kills at acks ${points.join(', ')}; restarts ${sup.restarts}; answers ${JSON.stringify(result.answers)}; ` +
        `acked ${l.acked}, alerts ${l.alerts}, lost ${l.lost.length}, doubled ${l.doubled.length}, opened twice ${l.openedTwice}, duplicate timeline entries ${l.duplicateEntries}, repeats ${l.repeats}\n`,
    );
    expect(kills).toBe(SIZE.kills);
    expect(sup.restarts).toBe(SIZE.kills);
    expect(result.answers['500'] ?? 0).toBe(0);
    expect(l.acked).toBe(SIZE.alerts);
    expect(l.lost).toEqual([]);
    expect(l.doubled).toEqual([]);
    expect(l.openedTwice).toBe(0);
    expect(l.duplicateEntries).toBe(0);
    await bot.stop();
  }, LONG ? 900_000 : 120_000);
});
