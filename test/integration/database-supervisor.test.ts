import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../src/store/provision.js';
import { KEYS, TOKENS, startTestBot } from '../support/bot.js';
import { eventually } from '../support/wait.js';

/** These tests kill the database server itself, so they start their own (not with MONGODB_URI). */
const ownServer = inject('databaseKind') !== 'env';
const root = mkdtempSync(join(resolve('.test-db'), 'supervised-'));
const servers: ProvisionedDatabase[] = [];
const env = { PATH: process.env.PATH } as NodeJS.ProcessEnv;

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(root, { recursive: true, force: true });
});

const event = (dedupKey: string) => ({ eventType: 'trigger', dedupKey, title: `Disk full (${dedupKey})`, severity: 'critical' });

describe.skipIf(!ownServer)('the embedded database is restarted when it dies', () => {
  it('after kill -9 of the database, dutybot starts it again on the same data and takes events again', async () => {
    const server = await provisionDatabase({ dataDir: join(root, 'a'), env, supervise: { firstBackoffMs: 200 } });
    servers.push(server);
    const sup = server.supervisor!;
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'heal'), databaseHealth: sup });
    const before = (await (await bot.post('/api/v1/events', event('before'), KEYS.api)).json()) as { alertId: string };
    const firstPid = sup.pid!;

    process.kill(firstPid, 'SIGKILL');
    await eventually(() => sup.state === 'restarting' || sup.restarts > 0, 30_000, 'supervisor noticed');
    await eventually(async () => (await bot.get('/readyz')).status === 200, 60_000, 'ready again');
    expect(sup.pid).not.toBe(firstPid);
    expect(sup.restarts).toBe(1);
    expect(sup.lastExit).toMatchObject({ signal: 'SIGKILL' });

    const res = await eventually(async () => {
      const r = await bot.post('/api/v1/events', event('after'), KEYS.api);
      return r.status === 202 ? r : undefined;
    }, 60_000, '202 after restart');
    expect(res.status).toBe(202);
    expect((await bot.get(`/api/v1/alerts/${before.alertId}`, TOKENS.zhang)).status).toBe(200);

    const readyz = (await (await bot.get('/readyz')).json()) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(readyz.checks.find((c) => c.name === 'database-process')).toMatchObject({ ok: true, detail: expect.stringContaining('1 restart; last exit code none (SIGKILL)') });
    const metrics = await (await bot.get('/metrics')).text();
    expect(metrics).toMatch(/^dutybot_database_restarts_total\{reason="exited"\} 1$/m);
    expect(metrics).toMatch(/^dutybot_database_restarts_total\{reason="hung"\} 0$/m);
    expect(metrics).toMatch(/^dutybot_database_state\{state="running"\} 1$/m);
    await bot.stop();
  });

  it('a database that is alive but answers nothing (SIGSTOP) past the threshold is killed and restarted on the same data', async () => {
    const hungAfterMs = 3000;
    const server = await provisionDatabase({ dataDir: join(root, 'hung'), env, supervise: { firstBackoffMs: 200, watchDatabase: 'hung', hungAfterMs, probeEveryMs: 250 } });
    servers.push(server);
    const sup = server.supervisor!;
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'hung'), databaseHealth: sup });
    const before = (await (await bot.post('/api/v1/events', event('before-hang'), KEYS.api)).json()) as { alertId: string };
    const frozenPid = sup.pid!;

    process.kill(frozenPid, 'SIGSTOP');
    const frozenAt = Date.now();
    await eventually(() => sup.restartsBy.hung === 1, 30_000, 'supervisor found it hung');
    const restartedAfterMs = Date.now() - frozenAt;
    expect(restartedAfterMs).toBeGreaterThanOrEqual(hungAfterMs);
    expect(sup.lastExit).toMatchObject({ signal: 'SIGKILL' });
    await eventually(async () => (await bot.get('/readyz')).status === 200, 60_000, 'ready again');
    expect(sup.pid).not.toBe(frozenPid);

    const res = await eventually(async () => {
      const r = await bot.post('/api/v1/events', event('after-hang'), KEYS.api);
      return r.status === 202 ? r : undefined;
    }, 60_000, '202 after the restart');
    expect(res.status).toBe(202);
    expect((await bot.get(`/api/v1/alerts/${before.alertId}`, TOKENS.zhang)).status).toBe(200);
    const metrics = await (await bot.get('/metrics')).text();
    expect(metrics).toMatch(/^dutybot_database_restarts_total\{reason="hung"\} 1$/m);
    expect(metrics).toMatch(/^dutybot_database_restarts_total\{reason="exited"\} 0$/m);
    process.stdout.write(`[database hung] SIGSTOP → restarted after ${restartedAfterMs} ms (threshold ${hungAfterMs} ms)\n`);
    await bot.stop();
  });

  it('gives up after the restarts in a row fail, and says what to check', async () => {
    const port = await freePort();
    const server = await provisionDatabase({ dataDir: join(root, 'b'), env, port, supervise: { firstBackoffMs: 1500, maxRestarts: 2 } });
    servers.push(server);
    const sup = server.supervisor!;
    const gaveUp = new Promise<string>((ok) => sup.once('gave-up', ok));
    const pid = sup.pid!;
    process.kill(pid, 'SIGKILL');
    // Something else takes the database's port: every restart fails.
    await eventually(() => sup.state === 'restarting', 30_000);
    const squatter: Server = await eventually(
      () =>
        new Promise<Server | undefined>((ok) => {
          const s = createServer();
          s.once('error', () => ok(undefined));
          s.listen(port, '127.0.0.1', () => ok(s));
        }),
      30_000,
      'port taken',
    );
    try {
      const reason = await gaveUp;
      expect(sup.state).toBe('gave-up');
      expect(sup.restarts).toBe(2);
      expect(reason).toContain('exited 3 times in a row');
      expect(reason).toMatch(/disk space.*permissions.*127\.0\.0\.1:\d+/s);
    } finally {
      squatter.close();
    }
  });
});
