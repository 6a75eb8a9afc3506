import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';
import { escalationAt } from '../support/escalation-clock.js';

const MIN = 60_000;
const T0 = new Date('2026-11-27T09:00:00Z');

function ackConfig(): ConfigInput {
  const input = testConfigInput();
  input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], escalationPolicy: 'critical', schedule: 'primary' };
  input.teams![1]! = { ...input.teams![1]!, channels: [{ platform: 'slack', channel: 'C0BIZ' }] };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
  input.escalationPolicies = [
    {
      id: 'critical',
      ackTimeout: '10m',
      snoozeMax: '1h',
      levels: [
        { after: '0s', notify: [{ team: 'biz', via: ['chat'] }, { schedule: 'primary', via: ['mention'] }] },
        { after: '5m', notify: [{ schedule: 'primary', via: ['sms'] }] },
      ],
    },
  ];
  return input;
}

const at = (bot: TestBot, minutes: number): Promise<void> => escalationAt(bot, new Date(T0.getTime() + minutes * MIN));

async function openAndClaimAt2(bot: TestBot, dedupKey: string): Promise<string> {
  const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `Payment API down ${dedupKey}`, severity: 'critical' }, KEYS.api);
  expect(res.status).toBe(202);
  const { alertId } = (await res.json()) as { alertId: string };
  await at(bot, 0);
  bot.clock.set(new Date(T0.getTime() + 2 * MIN));
  expect((await bot.post(`/api/v1/alerts/${alertId}/claim`, {}, TOKENS.li)).status).toBe(200);
  await bot.escalation.idle();
  return alertId;
}

const escalatedTexts = async (bot: TestBot, id: string) => (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'escalated').map((e) => e.text);

function say(bot: TestBot, userId: string, text: string) {
  return bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: 'C0OPS', text, replyTo: { platform: 'slack', channel: 'C0OPS' } });
}

describe('a claim not resolved within the policy ack timeout returns the alert to triggered', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const start = (mongoUri = freshDatabaseUri(), clock = new FakeClock(T0)) =>
    startTestBot({ mongoUri, clock, config: testConfig(ackConfig()), adapters: [adapter()], escalationTimers: false });
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('claimed at 2 min with a 10-min ack timeout: triggered again at 12, the timeline says why, level 1 runs again', async () => {
    const bot = await start();
    const id = await openAndClaimAt2(bot, 'ack-1');
    let alert = (await bot.runtime.alerts.get(id))!;
    const firstToken = alert.escalation!.token;
    expect(alert.escalation?.ack).toMatchObject({ dueAt: new Date(T0.getTime() + 12 * MIN), ownerName: '李四', ownerId: 'li' });

    await at(bot, 11);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await at(bot, 12);
    alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.state).toBe('triggered');
    expect(alert.owner).toBeUndefined();
    const reopened = (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'reopened');
    expect(reopened.map((e) => e.text)).toEqual(["no resolution within 10 min of 李四's claim"]);
    // A new run from level 1, timed from now; the previous owner is @-mentioned with the on-call person.
    expect(alert.escalation!.token).not.toBe(firstToken);
    expect(alert.escalation).toMatchObject({ firedLevel: 1, level: 2, nextAt: new Date(T0.getTime() + 17 * MIN), restartedBecause: "no resolution within 10 min of 李四's claim" });
    expect(alert.escalation!.mentions).toEqual(expect.arrayContaining(['li', 'zhang']));
    expect(await escalatedTexts(bot, id)).toEqual([
      'level 1 of 2: chat → biz (team biz) · mention → zhang (schedule primary)',
      'level 1 of 2: chat → biz (team biz) · mention → zhang (schedule primary)',
    ]);
    // The card shows why and @-mentions 李四.
    await bot.flushCards();
    const card = (slack.messages.get('C0OPS') ?? []).filter((m) => !m.thread_ts && String(m.text).includes('ack-1')).at(-1);
    expect(String(card?.text)).toContain('李四 认领后 10 分钟未解决');
    // A second wake-up for the old claim does nothing.
    expect(await bot.escalation.runStep({ alertId: id, token: firstToken, cycle: 0, level: 0, ack: new Date(T0.getTime() + 2 * MIN).toISOString() })).toBe('stale');
    expect(await escalatedTexts(bot, id)).toHaveLength(2);
    await bot.stop();
  });

  it('the owner snoozes at 11 min for 20 min: the deadline moves to 31; others, too long, are refused privately', async () => {
    const bot = await start();
    const id = await openAndClaimAt2(bot, 'ack-2');
    const shortId = (await bot.runtime.alerts.get(id))!.shortId;
    bot.clock.set(new Date(T0.getTime() + 11 * MIN));
    const other = await say(bot, 'U0ZHANG', `snooze ${shortId} 20m`);
    expect(other).toMatchObject({ private: true });
    expect(other?.text).toMatch(/李四/);
    const tooLong = await say(bot, 'U0LI', `延后 ${shortId} 2小时`);
    expect(tooLong).toMatchObject({ private: true });
    expect(tooLong?.text).toMatch(/1/);
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.dueAt).toEqual(new Date(T0.getTime() + 12 * MIN));
    const ok = await say(bot, 'U0LI', `延后 ${shortId} 20分钟`);
    expect(ok).toMatchObject({ private: false });
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.dueAt).toEqual(new Date(T0.getTime() + 31 * MIN));
    await bot.flushCards();
    const card = (slack.messages.get('C0OPS') ?? []).filter((m) => !m.thread_ts && String(m.text).includes('ack-2')).at(-1);
    expect(String(card?.text)).toMatch(/⏰ .*17:31.* 前未解决将重新升级/);
    // The claimed Slack card offers the snooze choices within the policy's 1 h limit.
    const snoozeSelect = JSON.stringify(card).match(/"action_id":"dutybot:snooze".*?\]/)?.[0] ?? '';
    expect(snoozeSelect).toContain('"value":"1800000"');
    expect(snoozeSelect).toContain('"value":"3600000"');
    expect(snoozeSelect).not.toContain('"value":"7200000"');
    // Choosing 1 h on the card (at 12 min, before the 31-min deadline) pushes it to 72 min.
    bot.clock.set(new Date(T0.getTime() + 12 * MIN));
    const click = await bot.chat.handle({ kind: 'action', platform: 'slack', userId: 'U0LI', channel: 'C0OPS', action: 'snooze', alertRef: id, value: '3600000', replyTo: { platform: 'slack', channel: 'C0OPS' } });
    expect(click).toBeNull();
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.dueAt).toEqual(new Date(T0.getTime() + 72 * MIN));
    const back = await say(bot, 'U0LI', `延后 ${shortId} 19分钟`);
    expect(back).toMatchObject({ private: false });
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.dueAt).toEqual(new Date(T0.getTime() + 31 * MIN));
    await at(bot, 12);
    await at(bot, 30);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await at(bot, 31);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('triggered');
    expect((await bot.runtime.alerts.timeline(id)).find((e) => e.kind === 'reopened')?.text).toBe("no resolution within 29 min of 李四's claim");
    await bot.stop();
  });

  it('a snooze on an alert whose policy has no ack timeout is refused and changes nothing', async () => {
    const input = ackConfig();
    delete input.escalationPolicies![0]!.ackTimeout;
    const bot = await startTestBot({ clock: new FakeClock(T0), config: testConfig(input), escalationTimers: false });
    const id = await openAndClaimAt2(bot, 'ack-3');
    const shortId = (await bot.runtime.alerts.get(id))!.shortId;
    const r = await say(bot, 'U0LI', `snooze ${shortId} 20m`);
    expect(r).toMatchObject({ private: true, text: expect.stringMatching(/没有认领超时/) });
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack).toBeUndefined();
    await at(bot, 30);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await bot.stop();
  });

  it('over REST: the owner snoozes, anyone else gets 403, a bad or too long duration 400', async () => {
    const bot = await start();
    const id = await openAndClaimAt2(bot, 'ack-6');
    bot.clock.set(new Date(T0.getTime() + 5 * MIN));
    const other = await bot.post(`/api/v1/alerts/${id}/snooze`, { duration: '20m' }, TOKENS.zhang);
    expect(other.status).toBe(403);
    const bad = await bot.post(`/api/v1/alerts/${id}/snooze`, { duration: 'soon' }, TOKENS.li);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/duration/);
    const long = await bot.post(`/api/v1/alerts/${id}/snooze`, { duration: '2h' }, TOKENS.li);
    expect(long.status).toBe(400);
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.dueAt).toEqual(new Date(T0.getTime() + 12 * MIN));
    const ok = await bot.post(`/api/v1/alerts/${id}/snooze`, { duration: '30m' }, TOKENS.li);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { ackDueAt: string }).ackDueAt).toBe(new Date(T0.getTime() + 35 * MIN).toISOString());
    expect((await bot.post(`/api/v1/alerts/999/snooze`, { duration: '30m' }, TOKENS.li)).status).toBe(404);
    await bot.stop();
  });

  it('a resolve before the deadline stops it', async () => {
    const bot = await start();
    const id = await openAndClaimAt2(bot, 'ack-4');
    bot.clock.set(new Date(T0.getTime() + 8 * MIN));
    expect((await bot.post(`/api/v1/alerts/${id}/resolve`, {}, TOKENS.li)).status).toBe(200);
    await at(bot, 12);
    await at(bot, 40);
    const alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.state).toBe('resolved');
    expect((await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'reopened')).toEqual([]);
    expect(await escalatedTexts(bot, id)).toHaveLength(1);
    await bot.stop();
  });

  it('a restart of dutybot between the claim and the deadline still fires it, once', async () => {
    const mongoUri = freshDatabaseUri();
    const first = await start(mongoUri);
    const id = await openAndClaimAt2(first, 'ack-5');
    first.clock.set(new Date(T0.getTime() + 5 * MIN));
    await first.stop();
    const second = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 6 * MIN)));
    await at(second, 12);
    await at(second, 12);
    expect((await second.runtime.alerts.get(id))!.state).toBe('triggered');
    expect((await second.runtime.alerts.timeline(id)).filter((e) => e.kind === 'reopened')).toHaveLength(1);
    await second.stop();
    const third = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 13 * MIN)));
    await at(third, 14);
    expect((await third.runtime.alerts.timeline(id)).filter((e) => e.kind === 'reopened')).toHaveLength(1);
    expect(await escalatedTexts(third, id)).toHaveLength(2);
    await third.stop();
  });
});
