import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DingTalkWebhookAdapter } from '../../adapters/dingtalk/webhook-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { eventually } from '../support/wait.js';

// Monday 2026-11-23 10:00 in Shanghai.
const T0 = new Date('2026-11-23T02:00:00Z');
const OPS = 'C0OPS';

const ROBOT_SECRET = 'SEC0123456789abcdef';

/** ops = 张三, 李四, 王五 (王五 paused), its alerts assigned in turn among `among`; cards on Slack and a DingTalk group robot. */
function config(among: 'team' | 'on-call', robotUrl: string): ConfigInput {
  const input = testConfigInput();
  input.members![2] = { ...input.members![2]!, slack: 'U0WANG', paused: true };
  const channels: NonNullable<ConfigInput['teams']>[number]['channels'] = [
    { platform: 'slack', channel: OPS },
    { platform: 'dingtalk-webhook', url: robotUrl, secret: ROBOT_SECRET },
  ];
  input.teams![0] = { ...input.teams![0]!, members: ['zhang', 'wang', 'li'], channels, schedule: 'primary', assign: { mode: 'round-robin', among } };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off', handoffNotice: false }];
  return input;
}

describe('round-robin: each new alert of the team names the next member in turn', () => {
  const clock = new FakeClock(T0);
  let slack: FakeSlackApi;
  let dingtalk: FakeDingTalk;
  let robotUrl: string;
  let bot: TestBot;
  let mongoUri: string;
  const start = async (among: 'team' | 'on-call', uri?: string): Promise<TestBot> =>
    startTestBot({
      clock,
      config: testConfig(config(among, robotUrl)),
      adapters: [
        new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log }),
        new DingTalkWebhookAdapter({ log, secrets: new Map([[robotUrl, ROBOT_SECRET]]), oapiUrl: dingtalk.url, now: () => clock.now().getTime() }),
      ],
      escalationTimers: false,
      ...(uri ? { mongoUri: uri } : {}),
    });
  /** Opens an alert and waits until round-robin has named someone; returns the alert id and who. */
  const open = async (key: string): Promise<{ alertId: string; who: string }> => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: `Disk full ${key}`, severity: 'critical' }, KEYS.api);
    expect(res.status).toBe(202);
    const { alertId } = (await res.json()) as { alertId: string };
    const alert = await eventually(async () => (await bot.runtime.alerts.get(alertId))?.assignee && bot.runtime.alerts.get(alertId), 10_000, `assignee of ${key}`);
    return { alertId, who: alert!.assignee!.name };
  };

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    robotUrl = dingtalk.addCustomRobot('robot-token-ops', ROBOT_SECRET);
    bot = await start('team');
    mongoUri = bot.mongoUri;
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
    await dingtalk.close();
  });

  it('ten alerts over 张三, 王五 (paused), 李四 alternate 张三 and 李四, and a restart in the middle continues the rotation', async () => {
    const who: string[] = [];
    for (let i = 0; i < 5; i++) who.push((await open(`rr-${i}`)).who);
    await bot.stop();
    bot = await start('team', mongoUri);
    for (let i = 5; i < 10; i++) who.push((await open(`rr-${i}`)).who);
    expect(who).toEqual(['张三', '李四', '张三', '李四', '张三', '李四', '张三', '李四', '张三', '李四']);
  });

  it('the card names the assignee, the alert stays unclaimed, the timeline says so, and a thread reply @-mentions them', async () => {
    const { alertId, who } = await open('rr-card');
    expect(who).toBe('张三');
    await bot.flushCards();
    const alert = (await bot.runtime.alerts.get(alertId))!;
    expect(alert.state).toBe('triggered');
    expect(alert.owner).toBeUndefined();
    const card = (slack.messages.get(OPS) ?? []).find((m) => !m.thread_ts && String(m.text).includes('rr-card'))!;
    expect(JSON.stringify(card.attachments)).toContain('*指派*\\n张三（轮流）');
    const replies = slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === card.ts);
    expect(replies.map((c) => c.args.text)).toEqual([expect.stringMatching(/^<@U0ZHANG> 轮到你了（轮流指派），请认领：🔴 #\d+ Disk full rr-card$/)]);
    // The group robot cannot edit: a message that says whose turn it is @-mentions 张三 (the card itself when it was posted after the pick).
    const robot = dingtalk.robotMessages.map((m) => m.body).filter((b) => JSON.stringify(b).includes(`#${alert.shortId}`));
    const told = robot.filter((b) => JSON.stringify(b).includes('指派：张三（轮流）') || JSON.stringify(b).includes('张三（轮流）'));
    expect(told).toHaveLength(1);
    expect((told[0]!.at as { atUserIds: string[] }).atUserIds).toEqual(['staff-zhang']);
    const entries = await bot.runtime.alerts.timeline(alertId);
    expect(entries.filter((e) => e.kind === 'assigned').map((e) => [e.text, e.actor.via])).toEqual([['assigned to 张三 (round-robin)', 'round-robin']]);
  });

  it('repeats of an open alert do not take a turn', async () => {
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'rr-card', title: 'Disk full rr-card', severity: 'critical' }, KEYS.api);
    await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'rr-card', title: 'Disk full rr-card', severity: 'critical' }, KEYS.api);
    await bot.flushCards();
    expect((await open('rr-next')).who).toBe('李四');
  });

  it('among on-call: the person on call now; nobody is named when the on-call person is paused, and no turn is used', async () => {
    await bot.stop();
    bot = await start('on-call', mongoUri);
    expect((await open('oc-1')).who).toBe('张三'); // Monday: 张三's day
    clock.set(new Date(T0.getTime() + 86_400_000)); // Tuesday: 李四's
    expect((await open('oc-2')).who).toBe('李四');
    // 王五 covers now: paused, so nobody can take the turn.
    const cover = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0WANG', channel: OPS, text: '代班 我 2小时', replyTo: { platform: 'slack', channel: OPS } });
    expect(cover?.text).toContain('王五');
    const turns = async () => (await bot.runtime.database.models.Counter.findOne({ _id: 'assign:ops' }).lean())?.seq;
    const before = await turns();
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'oc-3', title: 'Disk full oc-3', severity: 'critical' }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    await bot.flushCards();
    clock.set(new Date(T0.getTime() + 86_400_000 + 3 * 3_600_000)); // the cover is over: 李四 again
    expect((await open('oc-4')).who).toBe('李四');
    expect((await bot.runtime.alerts.get(alertId))!.assignee).toBeUndefined();
    expect(await turns()).toBe(before! + 1);
  });
});
