import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { WechatyAdapter } from '../../adapters/wechat/wechaty-adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { WechatMock } from '../fakes/wechat-mock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const ROOM = '运维值班';

describe('one alert, cards on Slack and in a WeChat group, one state', () => {
  let slack: FakeSlackApi;
  const wx = new WechatMock({ topic: ROOM });
  let wechat: WechatyAdapter;
  let bot: TestBot;

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    // The group's team speaks Chinese while dutybot's default is English: answers must find the team.
    input.locale = 'en';
    input.teams![0]!.locale = 'zh';
    input.members![0]!.wechat = wx.zhang.id;
    input.members![1]!.wechat = wx.li.id;
    input.teams![0]!.channels = [
      { platform: 'slack', channel: 'C0OPS' },
      { platform: 'wechat', room: ROOM },
    ];
    wechat = new WechatyAdapter({ puppet: wx.puppet, log });
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), adapters: [slackAdapter, wechat] });
    const loggedIn = once(wechat.wechaty as unknown as EventEmitter, 'login');
    wx.login();
    await loggedIn;
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('a claim typed in the WeChat group shows on the Slack card, and the group hears of it', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'mysql-1', title: 'MySQL 主从延迟', severity: 'critical', host: 'db-1' }, KEYS.api);
    const { shortId } = (await res.json()) as { shortId: number };
    await bot.flushCards();
    await wx.waitForBot((t) => t.includes(`#${shortId}`) && t.includes('MySQL 主从延迟'));
    const post = slack.callsTo('chat.postMessage')[0]!;

    const claimed = bot.nextEvent('claimed');
    wx.say(wx.zhang, `认领 ${shortId}`);
    const ev = await claimed;
    expect(ev.entry.actor).toMatchObject({ memberId: 'zhang', via: 'wechat' });
    await bot.flushCards();

    const card = JSON.stringify(slack.message('C0OPS', String(post.response.ts)));
    expect(card).toContain('张三');
    expect(card).toContain('已认领');
    // WeChat cannot edit: a short follow-up line, and the confirmation of the command.
    await wx.waitForBot((t) => t.includes(`#${shortId}`) && t.includes('已认领') && t.includes('张三'));
  });

  it('a quote-reply with just 认领 claims the quoted card; a stranger is told how to be added', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'nginx-9', title: 'nginx 502 激增', severity: 'warning' }, KEYS.api);
    const { shortId } = (await res.json()) as { shortId: number };
    await bot.flushCards();
    await wx.waitForBot((t) => t.includes(`#${shortId}`));

    const stranger = wx.mocker.createContact({ id: 'wxid_stranger', name: '路人' });
    wx.say(stranger, `认领 ${shortId}`);
    await wx.waitForBot((t) => t.includes('members[].wechat'));

    // The configured name of the group is its topic: the answer is in its team's language.
    wx.say(wx.li, '@dutybot claim', [wx.bot]);
    await wx.waitForBot((t) => t.includes('缺少告警编号'));

    const claimed = bot.nextEvent('claimed');
    wx.say(wx.li, WechatMock.quote('dutybot', `🟠 #${shortId} nginx 502 激增 待认领`, '认领'));
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'li' });
  });
});
