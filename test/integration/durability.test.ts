import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../src/store/provision.js';
import { KEYS, TOKENS, startTestBot } from '../support/bot.js';

/**
 * These tests stop and restart the database server itself, so they run on a server of their own.
 * With MONGODB_URI set there is no server of ours to restart: they are skipped then.
 */
const ownServer = inject('databaseKind') !== 'env';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'restart-'));
const servers: ProvisionedDatabase[] = [];
const env = { PATH: process.env.PATH } as NodeJS.ProcessEnv;

async function startServer(port: number): Promise<ProvisionedDatabase> {
  const s = await provisionDatabase({ dataDir, port, env });
  servers.push(s);
  return s;
}

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const event = (dedupKey: string) => ({ eventType: 'trigger', dedupKey, title: `Nginx 502 (${dedupKey})`, severity: 'critical' });

describe.skipIf(!ownServer)('an accepted alert survives restarts, and an outage loses nothing', () => {
  it('an alert accepted before dutybot and its database restart is there after', async () => {
    const port = await freePort();
    let server = await startServer(port);
    const uri = withDatabase(server.uri, 'restart');
    let bot = await startTestBot({ mongoUri: uri });
    const accepted = (await (await bot.post('/api/v1/events', event('nginx-1'), KEYS.api)).json()) as { alertId: string };
    await bot.stop();
    await server.stop();

    server = await startServer(port);
    bot = await startTestBot({ mongoUri: uri });
    const res = await bot.get(`/api/v1/alerts/${accepted.alertId}`, TOKENS.zhang);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ alert: { title: 'Nginx 502 (nginx-1)', state: 'triggered' } });
    // The short id counter carries on rather than starting again at 1.
    const next = (await (await bot.post('/api/v1/events', event('nginx-2'), KEYS.api)).json()) as { shortId: number };
    expect(next.shortId).toBe(2);
    await bot.stop();
    await server.stop();
  });

  it('answers 503 with Retry-After while the database is down, keeps serving, and takes the retry', async () => {
    const port = await freePort();
    let server = await startServer(port);
    const uri = withDatabase(server.uri, 'outage');
    const bot = await startTestBot({ mongoUri: uri });
    await server.stop();

    const during = await bot.post('/api/v1/events', event('db-down'), KEYS.api);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('10');
    expect(await during.json()).toMatchObject({ error: 'database unavailable, retry later' });
    expect((await bot.get('/healthz')).status).toBe(200);
    expect((await bot.get('/readyz')).status).toBe(503);

    server = await startServer(port);
    const retry = await bot.post('/api/v1/events', event('db-down'), KEYS.api);
    expect(retry.status).toBe(202);
    const models = bot.runtime.database.models;
    expect(await models.Alert.countDocuments({ dedupKey: 'db-down' })).toBe(1);
    expect((await models.Alert.findOne({ dedupKey: 'db-down' }).lean())!.count).toBe(1);
    expect(await models.RawEvent.countDocuments({})).toBe(1);
    expect((await bot.get('/readyz')).status).toBe(200);
    await bot.stop();
  });
});
