import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { escalationAt } from '../support/escalation-clock.js';
import { startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

// Friday 2026-11-27 17:00 in Shanghai: 张三 is on call for Primary.
const T0 = new Date('2026-11-27T09:00:00Z');
const OPS = 'C0OPS';

describe('paging people on purpose', () => {
  let slack: FakeSlackApi;
  let bot: TestBot;
  const say = (text: string, userId = 'U0LI') =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: OPS, text, replyTo: { platform: 'slack', channel: OPS } });
  const alertCount = async () => bot.runtime.database.db.collection('alerts').countDocuments({});

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: OPS }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off' }];
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), clock: new FakeClock(T0), adapters: [adapter], escalationTimers: false });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('呼叫 Primary: 李四 pulls in whoever is on call; the card says who paged and why, 张三 is mentioned and messaged', async () => {
    const reply = await say('呼叫 Primary 主库复制延迟 30 分钟，需要 DBA');
    expect(reply).toEqual({ text: '已呼叫 Primary：#1 主库复制延迟 30 分钟，需要 DBA', private: false });
    await escalationAt(bot, T0);
    await bot.flushCards();
    const card = (slack.messages.get(OPS) ?? []).find((m) => !m.thread_ts && JSON.stringify(m).includes('李四 呼叫 Primary：主库复制延迟 30 分钟，需要 DBA'));
    expect(card).toBeDefined();
    await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === card!.ts && JSON.stringify(c.args).includes('U0ZHANG'));
    await bot.notify.sender.runOnce();
    const dm = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === 'U0ZHANG');
    expect(JSON.stringify(dm.args)).toContain('主库复制延迟');

    const rest = (await (await bot.get('/api/v1/alerts/1', TOKENS.li)).json()) as { alert: { team: string; route: { escalationPolicy: string } } };
    expect(rest.alert).toMatchObject({ team: 'ops', route: { escalationPolicy: 'page:schedule:primary' } });
  });

  it('page a member by name or mention, and POST /api/v1/page a team', async () => {
    expect(await say('page <@U0ZHANG> can you look at the billing queue?')).toMatchObject({ private: false, text: '已呼叫 张三：#2 can you look at the billing queue?' });
    const res = await bot.post('/api/v1/page', { team: 'ops', message: 'all hands: payment failures' }, TOKENS.zhang);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ shortId: 3, target: { kind: 'team', id: 'ops' } });
    const a = (await (await bot.get('/api/v1/alerts/3', TOKENS.zhang)).json()) as { alert: { title: string; route: { escalationPolicy: string } } };
    expect(a.alert).toMatchObject({ title: '张三 呼叫 运维：all hands: payment failures', route: { escalationPolicy: 'page:team:ops' } });
  });

  it('an unknown target or a missing message is answered privately with the form, and nothing is opened', async () => {
    const before = await alertCount();
    expect(await say('呼叫 nobody 帮忙看看')).toEqual({ private: true, text: '找不到呼叫对象 "nobody"（团队、成员或值班表）\n用法：呼叫 <团队|成员|值班表> <原因>（page <team|member|schedule> <message>）' });
    expect(await say('呼叫 运维')).toMatchObject({ private: true, text: expect.stringMatching(/^缺少呼叫原因\n用法：呼叫/) });
    expect(await say('呼叫')).toMatchObject({ private: true, text: expect.stringMatching(/^缺少呼叫对象/) });
    expect(await say('page ops help', 'U0NOBODY')).toMatchObject({ private: true });
    expect((await bot.post('/api/v1/page', { member: 'nobody', message: 'x' }, TOKENS.li)).status).toBe(404);
    expect((await bot.post('/api/v1/page', { member: 'li', team: 'ops', message: 'x' }, TOKENS.li)).status).toBe(400);
    expect((await bot.post('/api/v1/page', { member: 'li', message: '' }, TOKENS.li)).status).toBe(400);
    expect(await alertCount()).toBe(before);
  });
});
