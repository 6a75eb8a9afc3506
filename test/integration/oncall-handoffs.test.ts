import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

// Friday 2026-11-27 17:00 in Shanghai: 张三 is on call until 09:00 tomorrow, then 李四.
const T0 = '2026-11-27T09:00:00Z';
const OPS = 'C0OPS';

describe('handoff notices and shift reminders', () => {
  const clock = new FakeClock(T0);
  let slack: FakeSlackApi;
  let bot: TestBot;
  const config = () => {
    const input = testConfigInput();
    input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: OPS }], schedule: 'primary' };
    input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
    return testConfig(input);
  };
  const start = async () => {
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log });
    return startTestBot({ config: config(), clock, adapters: [adapter], escalationTimers: false, ...(bot ? { mongoUri: bot.mongoUri } : {}) });
  };
  const notices = () => slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('值班交接'));
  const dmsTo = (user: string) => slack.callsTo('chat.postMessage').filter((c) => (c.args as { channel?: string }).channel === user);
  const event = (eventType: 'trigger' | 'resolve', dedupKey: string) =>
    bot.post('/api/v1/events', { eventType, dedupKey, title: `Disk full ${dedupKey}`, severity: 'warning' }, KEYS.api);

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    bot = await start();
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('an hour before her shift, 李四 gets a direct message, once', async () => {
    for (const k of ['a', 'b', 'c']) expect((await event('trigger', k)).status).toBe(202);
    await event('resolve', 'b');
    await bot.flushCards();
    clock.set('2026-11-28T00:00:00Z'); // 08:00 in Shanghai
    const dm = await slack.waitFor((c) => (c.args as { channel?: string }).channel === 'U0LI');
    expect((dm.args as { text: string }).text).toBe('值班提醒：你将于 11-28 09:00 起值班「Primary」，至 11-29 09:00（Asia/Shanghai）');
    await bot.handoffs.tick();
    expect(dmsTo('U0LI')).toHaveLength(1);
    expect(dmsTo('U0ZHANG')).toHaveLength(0);
  });

  it('dutybot restarts a minute before the handoff: at 09:00 the team gets one notice naming the alerts 李四 inherits', async () => {
    clock.set('2026-11-28T00:59:00Z');
    await bot.stop();
    bot = await start();
    await bot.handoffs.tick(); // enqueues the reminder again: the outbox knows it went out
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
    expect(notices()).toHaveLength(0);
    expect(dmsTo('U0LI')).toHaveLength(1);

    clock.set('2026-11-28T01:00:00Z');
    const posted = await slack.waitFor((c) => JSON.stringify(c.args).includes('值班交接'));
    expect((posted.args as { channel: string }).channel).toBe(OPS);
    expect(JSON.stringify(posted.args)).toContain('值班交接 09:00：张三 → 李四；未处理 2 条：#1 #3');
    expect(JSON.stringify(posted.args)).toContain('值班表：Primary');
  });

  it('a restart after the handoff does not post it again; one missed while down is posted late, once', async () => {
    clock.set('2026-11-28T01:10:00Z');
    await bot.stop();
    bot = await start();
    await bot.handoffs.tick();
    expect(notices()).toHaveLength(1);

    // Down from 09:10 to 09:20 the next day: the 09:00 handoff back to 张三 goes out on start.
    await bot.stop();
    clock.set('2026-11-29T01:20:00Z');
    bot = await start();
    await slack.waitFor((c) => JSON.stringify(c.args).includes('李四 → 张三'));
    await bot.handoffs.tick();
    expect(notices()).toHaveLength(2);
    expect(JSON.stringify(notices()[1]!.args)).toContain('值班交接 09:00：李四 → 张三；未处理 2 条：#1 #3');
  });
});
