import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { WechatyAdapter } from '../../adapters/wechat/wechaty-adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../fakes/slack-signing.js';
import { WechatMock } from '../fakes/wechat-mock.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { eventually } from '../support/wait.js';

const ROOM = '运维值班';
const SECRET = 'slack-signing-secret-for-tests';

/**
 * WeChat has no buttons and cannot edit: its card says what to type (`执行 restart-nginx 12`),
 * `confirm: true` is "send it again within two minutes", and a result reached elsewhere (a Slack
 * click) follows the card as a new line.
 */
describe('remediation actions in a WeChat group (wechaty): typed, confirmed by typing again, results as follow-up lines', () => {
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  const wx = new WechatMock({ topic: ROOM });
  let slack: FakeSlackApi;
  let bot: TestBot;
  let n = 0;

  beforeAll(async () => {
    await remediator.start();
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.members![0]!.wechat = wx.zhang.id;
    input.members![1]!.wechat = wx.li.id;
    input.teams![0]!.channels = [
      { platform: 'slack', channel: 'C0OPS' },
      { platform: 'wechat', room: ROOM },
    ];
    input.actions = [
      { name: 'restart-nginx', labelZh: '重启 nginx', url: `${remediator.origin}/restart`, secret: remediator.secret, match: { title: 'nginx' }, teams: ['ops'], confirm: true, timeout: '2s' },
    ];
    const wechat = new WechatyAdapter({ puppet: wx.puppet, log });
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), adapters: [slackAdapter, wechat], outboxIntervalMs: false });
    const loggedIn = once(wechat.wechaty as unknown as EventEmitter, 'login');
    wx.login();
    await loggedIn;
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
    await remediator.close();
  });

  async function open(title: string): Promise<{ alertId: string; shortId: number }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `wx-${n}`, title, severity: 'critical', host: 'web-03' }, KEYS.api);
    const r = (await res.json()) as { alertId: string; shortId: number };
    await bot.flushCards();
    return r;
  }

  it('the card shows the command; the first one asks, the same again runs it; the result is said in the group and shows on Slack', async () => {
    const { alertId, shortId } = await open('nginx down on web-03');
    await wx.waitForBot((t) => t.includes(`#${shortId}`) && t.includes(`执行 restart-nginx ${shortId}`));

    wx.say(wx.zhang, `执行 restart-nginx ${shortId}`);
    await wx.waitForBot((t) => t.includes(`请在 2 分钟内再次发送：执行 restart-nginx ${shortId}`));
    expect(remediator.requests).toHaveLength(0);

    remediator.reply({ status: 200, body: { restarted: true } });
    wx.say(wx.zhang, `执行 restart-nginx ${shortId}`);
    await wx.waitForBot((t) => t.includes(`张三 在 #${shortId} 执行了 restart-nginx：HTTP 200 {"restarted":true}`));
    expect(remediator.requests).toHaveLength(1);
    expect(remediator.requests[0]!.signatureOk).toBe(true);
    expect(JSON.parse(remediator.requests[0]!.body)).toMatchObject({ by: { memberId: 'zhang', via: 'wechat' } });
    await bot.flushCards();
    const post = slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(alertId))!;
    expect(JSON.stringify(slack.message('C0OPS', String(post.response.ts)))).toContain('重启 nginx · 张三');
  });

  it('a run clicked on Slack reaches the WeChat group as a follow-up line with its result', async () => {
    const { alertId, shortId } = await open('nginx 502 on web-03');
    const ts = String(slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(alertId))!.response.ts);
    remediator.reply({ status: 503, body: 'upstream busy' });
    const click = blockActionsBody({ userId: 'U0LI', channel: 'C0OPS', messageTs: ts, actionId: 'dutybot:run:restart-nginx', value: alertId, blockId: `dutybot:${alertId}`, responseUrl: slack.responseUrl() });
    expect((await signedSlackRequest(`${bot.url}/slack/events`, SECRET, click, FORM)).status).toBe(200);
    await eventually(async () => (await bot.runtime.alerts.get(alertId))?.remediation?.last, 10_000, 'the result');
    await bot.flushCards();
    await wx.waitForBot((t) => t.startsWith(`#${shortId} 待认领`) && t.includes('⚠️ 重启 nginx · 李四') && t.includes('HTTP 503'));
  });
});
