import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import type { OutboxMessage } from '../../src/notify/message.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

const MIN = 60_000;
// 17:00 in Shanghai; the primary rotation has 张三 (zhang) on call today, the secondary 王五 (wang).
const T0 = new Date('2026-11-27T09:00:00Z');

function escalationConfig(): ConfigInput {
  const input = testConfigInput();
  input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], escalationPolicy: 'critical', schedule: 'primary' };
  input.teams![1]! = { ...input.teams![1]!, channels: [{ platform: 'slack', channel: 'C0BIZ' }] };
  input.schedules = [
    { id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] },
    { id: 'secondary', name: 'Secondary', timeZone: 'Asia/Shanghai', layers: [{ members: ['wang'], shift: 'weekly', start: '2026-11-02' }] },
  ];
  input.escalationPolicies = [
    {
      id: 'critical',
      levels: [
        { after: '0s', notify: [{ team: 'biz', via: ['chat'] }, { schedule: 'primary', via: ['mention'] }] },
        { after: '5m', notify: [{ schedule: 'primary', via: ['sms', 'voice'] }] },
        { after: '10m', notify: [{ schedule: 'secondary', via: ['voice'] }] },
      ],
    },
  ];
  return input;
}

/**
 * The messages escalation asked for, whatever the sender has done with them since (a finished row
 * moves to `outboxlog`; with no provider configured here, an SMS fails and falls back): the rows
 * the engine inserted, not the fallbacks the sender derived (`<id>><method>`).
 */
async function outboxRows(bot: TestBot): Promise<OutboxMessage[]> {
  await bot.notify.sender.settled();
  const db = bot.runtime.database.db;
  // A row being finished is in both collections for a moment (log first, then freed): once each.
  const byId = new Map<string, OutboxMessage>();
  for (const name of ['outboxlog', 'outbox']) for (const r of await db.collection<OutboxMessage>(name).find({}).toArray()) byId.set(r._id, r);
  return [...byId.values()]
    .filter((r) => r._id.startsWith('esc:') && !r._id.includes('>'))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));
}

async function at(bot: TestBot, minutes: number): Promise<void> {
  await bot.escalation.idle(); // what earlier events started happens at its own time
  bot.clock.set(new Date(T0.getTime() + minutes * MIN));
  await bot.escalation.idle();
  await bot.escalation.tick();
}

async function openCritical(bot: TestBot, dedupKey: string): Promise<string> {
  const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `Payment API down ${dedupKey}`, severity: 'critical' }, KEYS.api);
  expect(res.status).toBe(202);
  const { alertId } = (await res.json()) as { alertId: string };
  await bot.escalation.idle();
  return alertId;
}

describe('an unclaimed critical alert escalates on time, and stops when someone owns it', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const start = (mongoUri = freshDatabaseUri(), clock = new FakeClock(T0)) =>
    startTestBot({ mongoUri, clock, config: testConfig(escalationConfig()), adapters: [adapter()], escalationTimers: false });
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('chat at 0 min, SMS to the on-call at 5, and a claim at 7 stops the voice call at 10', async () => {
    slack.reset();
    const bot = await start();
    const id = await openCritical(bot, 'pay-1');
    await at(bot, 0);
    await bot.flushCards();
    // Level 1 brought the business team's channel in, and @-mentions the on-call person (a reply
    // in the card's thread: test/integration/slack-mentions.test.ts). One card in each channel.
    const cards = (channel: string) => (slack.messages.get(channel) ?? []).filter((m) => !m.thread_ts && String(m.text).includes('pay-1'));
    expect(cards('C0BIZ')).toHaveLength(1);
    expect(cards('C0OPS')).toHaveLength(1);
    let alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.escalatedTeams).toEqual(['biz']);
    expect(alert.escalation).toMatchObject({ firedLevel: 1, level: 2, mentions: ['zhang'], nextAt: new Date(T0.getTime() + 5 * MIN) });
    expect(await outboxRows(bot)).toEqual([]);

    await at(bot, 4);
    expect(await outboxRows(bot)).toEqual([]);
    await at(bot, 5);
    const rows = await outboxRows(bot);
    expect(rows).toHaveLength(1);
    const token = alert.escalation!.token;
    expect(rows[0]).toMatchObject({
      _id: `esc:${id}:${token}:1:2:0:zhang:sms`,
      alertId: id,
      method: 'sms',
      memberId: 'zhang',
      fallback: ['voice'],
      level: 2,
      cycle: 1,
      reason: 'escalation level 2 of 3',
      createdAt: new Date(T0.getTime() + 5 * MIN),
    });

    bot.clock.set(new Date(T0.getTime() + 7 * MIN));
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.li)).status).toBe(200);
    await at(bot, 10);
    await at(bot, 30);
    expect(await outboxRows(bot)).toHaveLength(1);
    alert = (await bot.runtime.alerts.get(id))!;
    // A stale job (or a second wake-up) for the step a claim stopped does nothing.
    expect(await bot.escalation.runStep({ alertId: id, token, cycle: 1, level: 3 })).toBe('stale');
    expect(await bot.escalation.runStep({ alertId: id, token: 'old-run', cycle: 1, level: 2 })).toBe('stale');
    expect(await outboxRows(bot)).toHaveLength(1);
    const escalated = (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'escalated');
    expect(escalated.map((e) => e.text)).toEqual([
      'level 1 of 3: chat → biz (team biz) · mention → zhang (schedule primary)',
      'level 2 of 3: sms/voice → zhang (schedule primary)',
    ]);
    await bot.stop();
  });

  it('a restart at 6 min still makes the 10-min voice call to the secondary, exactly once', async () => {
    slack.reset();
    const mongoUri = freshDatabaseUri();
    const first = await start(mongoUri);
    const id = await openCritical(first, 'pay-2');
    await at(first, 0);
    await at(first, 5);
    first.clock.set(new Date(T0.getTime() + 6 * MIN));
    await first.stop();

    const second = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 6 * MIN)));
    await at(second, 9);
    expect((await outboxRows(second)).map((r) => r.method)).toEqual(['sms']);
    await at(second, 10);
    await at(second, 10);
    const rows = await outboxRows(second);
    expect(rows.map((r) => [r.method, r.memberId])).toEqual([
      ['sms', 'zhang'],
      ['voice', 'wang'],
    ]);
    // A replay of the step (a backstop job, another restart) changes nothing.
    const token = (await second.runtime.alerts.get(id))!.escalation!.token;
    expect(await second.escalation.runStep({ alertId: id, token, cycle: 1, level: 3 })).toBe('stale');
    await second.stop();
    const third = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 11 * MIN)));
    await at(third, 12);
    expect(await outboxRows(third)).toHaveLength(2);
    expect((await third.runtime.alerts.timeline(id)).filter((e) => e.kind === 'escalated')).toHaveLength(3);
    await third.stop();
  });

  it('a manual escalate jumps to the next level now; the following levels keep their spacing', async () => {
    slack.reset();
    const bot = await start();
    const id = await openCritical(bot, 'pay-3');
    await at(bot, 0);
    bot.clock.set(new Date(T0.getTime() + 1 * MIN));
    expect((await bot.post(`/api/v1/alerts/${id}/escalate`, { reason: 'customers calling' }, TOKENS.li)).status).toBe(200);
    await bot.escalation.idle();
    expect((await outboxRows(bot)).map((r) => [r.method, r.memberId, r.createdAt.getTime() - T0.getTime()])).toEqual([['sms', 'zhang', 1 * MIN]]);
    const alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.escalationLevel).toBe(2);
    expect(alert.escalation?.nextAt).toEqual(new Date(T0.getTime() + 6 * MIN));
    await at(bot, 6);
    expect((await outboxRows(bot)).map((r) => r.method)).toEqual(['sms', 'voice']);
    await bot.stop();
  });

  it('a mute pauses escalation; after the unmute the rest of the wait runs', async () => {
    slack.reset();
    const bot = await start();
    const id = await openCritical(bot, 'pay-4');
    await at(bot, 0);
    bot.clock.set(new Date(T0.getTime() + 2 * MIN));
    const muted = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: 'C0OPS', text: `静默 ${(await bot.runtime.alerts.get(id))!.shortId} 30分钟`, replyTo: { platform: 'slack', channel: 'C0OPS' } });
    expect(muted?.text).toMatch(/已静默/);
    await at(bot, 10);
    expect(await outboxRows(bot)).toEqual([]);
    bot.clock.set(new Date(T0.getTime() + 20 * MIN));
    await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: 'C0OPS', text: `unmute ${(await bot.runtime.alerts.get(id))!.shortId}`, replyTo: { platform: 'slack', channel: 'C0OPS' } });
    await at(bot, 22);
    expect(await outboxRows(bot)).toEqual([]);
    await at(bot, 23); // 3 minutes were left when the mute began
    expect((await outboxRows(bot)).map((r) => r.method)).toEqual(['sms']);
    await bot.stop();
  });

  it('a step whose alert was read ahead fires on time; after a claim in between, its late backstop does nothing', async () => {
    const bot = await start();
    const id = await openCritical(bot, 'pay-6');
    await at(bot, 0);
    // Two seconds before the SMS at 5 min the engine reads the alert ahead; nothing changes it.
    await at(bot, 5 - 2 / 60);
    expect(await outboxRows(bot)).toEqual([]);
    await at(bot, 5);
    const token = (await bot.runtime.alerts.get(id))!.escalation!.token;
    expect((await outboxRows(bot)).map((r) => r._id)).toEqual([`esc:${id}:${token}:1:2:0:zhang:sms`]);
    // Read ahead again before the 10-min call, then claimed: the copy read ahead is not used.
    await at(bot, 10 - 2 / 60);
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.li)).status).toBe(200);
    bot.clock.set(new Date(T0.getTime() + 10 * MIN + 5_000));
    expect(await bot.escalation.runStep({ alertId: id, token, cycle: 1, level: 3 })).toBe('stale');
    expect(await outboxRows(bot)).toHaveLength(1);
    await bot.stop();
  });

  it('each step is also saved as a durable Agenda job (alertId + token + cycle + level)', async () => {
    // The clock runs a day ahead of the wall: the backstop jobs are saved but not yet due.
    const bot = await startTestBot({
      clock: new FakeClock(new Date(Date.now() + 86_400_000)),
      config: testConfig(escalationConfig()),
      jobs: true,
      escalationTimers: false,
    });
    const id = await openCritical(bot, 'pay-5');
    const jobs = await bot.runtime.database.db.collection('agendaJobs').find({ name: 'escalation-step' }).toArray();
    const token = (await bot.runtime.alerts.get(id))!.escalation!.token;
    expect(jobs.map((j) => j.data)).toEqual([{ alertId: id, token, cycle: 1, level: 1 }]);
    await bot.stop();
  });
});
