import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import { FakeSlackApi, type SlackCall } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';
import { escalationAt } from '../support/escalation-clock.js';

const MIN = 60_000;
// 17:00 in Shanghai; the primary rotation has 张三 (zhang, Slack U0ZHANG) on call today.
const T0 = new Date('2026-11-27T09:00:00Z');

function mentionConfig(): ConfigInput {
  const input = testConfigInput();
  input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], escalationPolicy: 'critical', schedule: 'primary' };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
  input.escalationPolicies = [
    {
      id: 'critical',
      ackTimeout: '10m',
      levels: [
        { after: '0s', notify: [{ schedule: 'primary', via: ['mention'] }] },
        // 王五 has no Slack id: nobody to notify on Slack.
        { after: '5m', notify: [{ member: 'wang', via: ['mention'] }] },
        { after: '10m', notify: [{ member: 'li', via: ['mention'] }, { schedule: 'primary', via: ['mention'] }] },
      ],
    },
  ];
  return input;
}

const at = (bot: TestBot, minutes: number): Promise<void> => escalationAt(bot, new Date(T0.getTime() + minutes * MIN));

async function open(bot: TestBot, dedupKey: string): Promise<string> {
  const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `Payment API down ${dedupKey}`, severity: 'critical' }, KEYS.api);
  expect(res.status).toBe(202);
  return ((await res.json()) as { alertId: string }).alertId;
}

describe('on Slack, the people an escalation @-mentions get a message of their own, so their phones buzz', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const start = (mongoUri = freshDatabaseUri(), clock = new FakeClock(T0)) =>
    startTestBot({ mongoUri, clock, config: testConfig(mentionConfig()), adapters: [adapter()], escalationTimers: false });
  /** The alert's card in the channel (not a reply in a thread). */
  const cardOf = (key: string) => (slack.messages.get('C0OPS') ?? []).find((m) => !m.thread_ts && String(m.text).includes(key));
  /** Messages posted in the card's thread. */
  const repliesTo = (ts: string): SlackCall[] => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts && c.response.ok === true);
  const broadcast = (c: SlackCall) => String(c.args.reply_broadcast) === 'true';

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it("a level's mention is a reply in the card's thread naming <@U0ZHANG>; each person once per run, also across a restart", async () => {
    const mongoUri = freshDatabaseUri();
    const bot = await start(mongoUri);
    const id = await open(bot, 'men-1');
    await at(bot, 0);
    await bot.flushCards();
    const card = cardOf('men-1')!;
    expect(card).toBeDefined();
    let replies = repliesTo(card.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.args.text).toMatch(/^<@U0ZHANG> 升级给你，请处理：🔴 #\d+ Payment API down men-1$/);
    expect(broadcast(replies[0]!)).toBe(false);

    // A restart sends nothing again.
    await bot.stop();
    const again = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 1 * MIN)));
    await again.flushCards();
    expect(repliesTo(card.ts)).toHaveLength(1);

    // Level 2 names 王五, who has no Slack id: nothing is posted, and the timeline says why.
    await at(again, 5);
    await again.flushCards();
    expect(repliesTo(card.ts)).toHaveLength(1);
    const delivery = (await again.runtime.alerts.timeline(id)).filter((e) => e.kind === 'delivery').map((e) => e.text);
    expect(delivery).toEqual([expect.stringContaining('no Slack user id to @-mention (王五)')]);

    // Level 3 names 李四 and the on-call 张三 again: only 李四 is new in this run.
    await at(again, 10);
    await again.flushCards();
    replies = repliesTo(card.ts);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.args.text).toMatch(/^<@U0LI> 升级给你/);
    expect(replies[1]!.args.text).not.toContain('U0ZHANG');
    await again.stop();
  });

  it('an ack timeout @-mentions the owner whose claim lapsed, broadcast to the channel, and the on-call person again', async () => {
    const bot = await start();
    const id = await open(bot, 'men-2');
    await at(bot, 0);
    await bot.flushCards();
    bot.clock.set(new Date(T0.getTime() + 2 * MIN));
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.li)).status).toBe(200);
    await bot.escalation.idle();
    await bot.flushCards();
    const card = cardOf('men-2')!;
    expect(repliesTo(card.ts)).toHaveLength(1);

    await at(bot, 12);
    await bot.flushCards();
    expect((await bot.runtime.alerts.get(id))!.state).toBe('triggered');
    const after = repliesTo(card.ts).slice(1);
    const toLi = after.find((c) => String(c.args.text).includes('<@U0LI>'));
    expect(toLi).toBeDefined();
    expect(broadcast(toLi!)).toBe(true);
    expect(toLi!.args.text).toContain('李四 认领后 10 分钟未解决，重新升级：🔴');
    // The new run's level 1 @-mentions the on-call 张三 again (in the same message or the next).
    expect(after.some((c) => String(c.args.text).includes('<@U0ZHANG>'))).toBe(true);
    expect(after.filter(broadcast)).toHaveLength(1);
    await bot.stop();
  });

  it('a claim before the mention went out sends none: the person it was for is not needed any more', async () => {
    const bot = await start();
    const id = await open(bot, 'men-3');
    await bot.flushCards();
    const card = cardOf('men-3')!;
    bot.clock.set(new Date(T0.getTime() + 1 * MIN));
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.zhang)).status).toBe(200);
    await at(bot, 1);
    await bot.flushCards();
    expect(repliesTo(card.ts)).toEqual([]);
    await bot.stop();
  });
});
