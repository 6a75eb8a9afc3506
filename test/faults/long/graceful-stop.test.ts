import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KEYS, testConfigInput } from '../../support/bot.js';
import { alive, spawnDutybot, type DutybotProcess } from '../../support/dutybot-process.js';
import { storm } from '../../support/storm.js';
import { eventually } from '../../support/wait.js';

/**
 * `npm start` stopped by SIGTERM, as systemd, docker and Kubernetes do. Runs the real program in
 * its own process on its own data directory (so it starts its own database: not with MONGODB_URI).
 */
const ownServer = inject('databaseKind') !== 'env';
const root = mkdtempSync(join(resolve('.test-db'), 'stop-'));
const started: DutybotProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill();
  rmSync(root, { recursive: true, force: true });
});

const databasePid = (dataDir: string): number => Number(readFileSync(join(dataDir, 'database.pid'), 'utf8'));
const databaseUri = (p: DutybotProcess): string => /mongodb:\/\/127\.0\.0\.1:\d+/.exec(p.output())![0] + '/dutybot';

describe.skipIf(!ownServer)('graceful stop', () => {
  it('SIGTERM during a stream of alerts: requests in flight are answered, the database it started stops, exit 0', async () => {
    const dataDir = mkdtempSync(join(root, 'a-'));
    const bot = await spawnDutybot({ dataDir, config: testConfigInput() });
    started.push(bot);
    const dbPid = databasePid(dataDir);
    let termAt = 0;
    let ackedAfterTerm = 0;
    const load = storm({
      url: () => bot.url,
      key: KEYS.api,
      senders: 16,
      alerts: 100_000,
      prefix: 'term',
      stopOnConnectionError: true,
      onAck: (n) => {
        if (termAt) ackedAfterTerm += 1;
        else if (n === 50) {
          termAt = Date.now();
          bot.child.kill('SIGTERM');
        }
      },
    });
    const exit = await bot.exited;
    const stopMs = Date.now() - termAt;
    const result = await load;
    process.stdout.write(`[graceful stop] exit ${exit.code} ${stopMs} ms after SIGTERM; ${result.acked.size} acknowledged (${ackedAfterTerm} after SIGTERM); answers ${JSON.stringify(result.answers)}\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(30_000); // the forced-stop bound; the measured time is printed above
    expect(result.answers['500'] ?? 0).toBe(0);
    expect(existsSync(join(dataDir, 'database.pid'))).toBe(false);
    await eventually(() => !alive(dbPid), 10_000, 'database process gone');

    // Everything acknowledged is there after the next start, once.
    const again = await spawnDutybot({ dataDir, port: bot.port });
    started.push(again);
    const client = await MongoClient.connect(databaseUri(again));
    try {
      const keys = (await client.db().collection('alerts').find({}, { projection: { dedupKey: 1 } }).toArray()).map((a) => a.dedupKey as string);
      for (const k of result.acked) expect(keys.filter((x) => x === k)).toHaveLength(1);
    } finally {
      await client.close();
    }
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 180_000);

  it('a second SIGTERM stops at once (exit 1), and the database does not outlive dutybot', async () => {
    const dataDir = mkdtempSync(join(root, 'b-'));
    const bot = await spawnDutybot({ dataDir, config: testConfigInput() });
    started.push(bot);
    const dbPid = databasePid(dataDir);
    // A sender that never finishes its body keeps a request in flight: the graceful stop waits for it.
    const slow = connect(bot.port, '127.0.0.1');
    await new Promise((ok) => slow.once('connect', ok));
    slow.write(`POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${KEYS.api}\r\nContent-Length: 500\r\n\r\n{`);
    slow.on('error', () => {});
    bot.child.kill('SIGTERM');
    await eventually(() => bot.output().includes('finishing those in flight'), 30_000, 'graceful stop begun');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    slow.destroy();
    await eventually(() => !alive(dbPid), 10_000, 'database process gone');
  }, 120_000);
});
