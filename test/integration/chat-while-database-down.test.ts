import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { freePort, provisionDatabase, withDatabase, type ProvisionedDatabase } from '../../src/store/provision.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../fakes/slack-signing.js';
import { KEYS, startTestBot, testConfig, testConfigInput } from '../support/bot.js';

/** Stops the database server itself, so it runs on one of its own (not with MONGODB_URI). */
const ownServer = inject('databaseKind') !== 'env';
const dataDir = mkdtempSync(join(resolve('.test-db'), 'chat-down-'));
const env = { PATH: process.env.PATH } as NodeJS.ProcessEnv;
const SECRET = 'slack-signing-secret-for-tests';
const servers: ProvisionedDatabase[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!ownServer)('a click while the database is down', () => {
  it('answers privately "try again in a moment" in the channel’s language, and works once it is back', async () => {
    const port = await freePort();
    let server = await provisionDatabase({ dataDir, env, port });
    servers.push(server);
    const slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
    input.teams![1]!.channels = [{ platform: 'slack', channel: 'C0BIZ' }];
    input.teams![1]!.locale = 'en';
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    const bot = await startTestBot({ mongoUri: withDatabase(server.uri, 'chatdown'), config: testConfig(input), adapters: [adapter] });
    const click = (userId: string, channel: string, alertId: string) =>
      signedSlackRequest(
        `${bot.url}/slack/events`,
        SECRET,
        blockActionsBody({ userId, channel, messageTs: '1.000001', actionId: 'dutybot:claim', value: alertId, blockId: `dutybot:${alertId}`, responseUrl: slack.responseUrl() }),
        FORM,
      );
    const ephemeral = (channel: string) => slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.channel === channel, 60_000);
    try {
      const { alertId } = (await (await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'db-1', title: 'Disk', severity: 'critical' }, KEYS.api)).json()) as { alertId: string };
      await bot.flushCards();
      await server.stop();

      expect((await click('U0ZHANG', 'C0OPS', alertId)).status).toBe(200);
      expect(String((await ephemeral('C0OPS')).args.text)).toContain('数据库暂时不可用');
      expect((await click('U0LI', 'C0BIZ', alertId)).status).toBe(200);
      expect(String((await ephemeral('C0BIZ')).args.text)).toMatch(/try again in a moment/);

      server = await provisionDatabase({ dataDir, env, port });
      servers.push(server);
      const claimed = bot.nextEvent('claimed');
      expect((await click('U0ZHANG', 'C0OPS', alertId)).status).toBe(200);
      expect((await claimed).alert.owner?.name).toBe('张三');
    } finally {
      await bot.stop();
      await slack.close();
    }
  }, 120_000);
});
