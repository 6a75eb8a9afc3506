import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import type { OutboxMessage } from '../../src/notify/message.js';
import type { MaintenanceDoc } from '../../src/store/maintenance.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';
import { escalationAt } from '../support/escalation-clock.js';

const MIN = 60_000;
// 17:00 in Shanghai; 张三 (zhang) is on call on the primary rotation today.
const T0 = new Date('2026-11-27T09:00:00Z');
const OPS = 'C0OPS';

function holdConfig(): ConfigInput {
  const input = testConfigInput();
  input.teams![0]! = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: OPS }], escalationPolicy: 'critical', schedule: 'primary' };
  input.teams![1]! = { ...input.teams![1]!, channels: [{ platform: 'slack', channel: 'C0BIZ' }] };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] }];
  input.escalationPolicies = [
    {
      id: 'critical',
      ackTimeout: '10m',
      levels: [
        { after: '0s', notify: [{ team: 'biz', via: ['chat'] }, { schedule: 'primary', via: ['mention'] }] },
        { after: '5m', notify: [{ schedule: 'primary', via: ['sms'] }] },
      ],
    },
  ];
  // 01:00–01:30 in Shanghai (17:00–17:30 UTC), every day.
  input.maintenance = [{ name: 'nightly-db', match: { labels: ['host="db-9"'] }, time: { from: '01:00', to: '01:30' }, reason: 'nightly vacuum' }];
  return input;
}

const at = (bot: TestBot, minutes: number): Promise<void> => escalationAt(bot, new Date(T0.getTime() + minutes * MIN));

/** Moves the clock and runs the maintenance check the timer would run (it may run too: ending twice is a no-op). */
async function maintenanceAt(bot: TestBot, minutes: number): Promise<void> {
  await at(bot, minutes);
  await bot.maintenance.tick();
  await at(bot, minutes);
}

async function open(bot: TestBot, dedupKey: string, host: string): Promise<string> {
  const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title: `MySQL down ${dedupKey}`, severity: 'critical', host }, KEYS.api);
  expect(res.status).toBe(202);
  const { alertId } = (await res.json()) as { alertId: string };
  await bot.escalation.idle();
  return alertId;
}

const at10 = () => new Date(T0.getTime() + 10 * MIN).toISOString();
const escalated = async (bot: TestBot, id: string) => (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'escalated').map((e) => e.text);

/** The rows escalation inserted for one alert (not the sender's fallbacks), whatever became of them. */
async function pages(bot: TestBot, alertId: string): Promise<OutboxMessage[]> {
  await bot.notify.sender.settled();
  const byId = new Map<string, OutboxMessage>();
  for (const name of ['outboxlog', 'outbox'])
    for (const r of await bot.runtime.database.db.collection<OutboxMessage>(name).find({ alertId }).toArray()) byId.set(r._id, r);
  return [...byId.values()].filter((r) => r._id.startsWith('esc:') && !r._id.includes('>'));
}

function say(bot: TestBot, text: string, userId = 'U0ZHANG') {
  return bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: OPS, text, replyTo: { platform: 'slack', channel: OPS } });
}

describe('alerts already open when a maintenance window begins are held, then escalate again from level 1', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const start = (mongoUri = freshDatabaseUri(), clock = new FakeClock(T0)) =>
    startTestBot({ mongoUri, clock, config: testConfig(holdConfig()), adapters: [adapter()], escalationTimers: false, outboxIntervalMs: false });
  // The card, not a reply in its thread (the @-mentions of escalation: slack-mentions.test.ts).
  const cardOf = (title: string) => String((slack.messages.get(OPS) ?? []).filter((m) => !m.thread_ts && String(m.text).includes(title)).at(-1)?.text);
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('db-1 escalating, then `maint host=db-1 1h` from chat: no step or page during the window (a restart changes nothing), then level 1 again and the summary counts it', async () => {
    slack.reset();
    const uri = freshDatabaseUri();
    let bot = await start(uri);
    const id = await open(bot, 'db1-down', 'db-1');
    const other = await open(bot, 'web1-down', 'web-1');
    await at(bot, 0);
    expect(await escalated(bot, id)).toEqual(['level 1 of 2: chat → biz (team biz) · mention → zhang (schedule primary)']);

    await at(bot, 2);
    const reply = await say(bot, 'maint host=db-1 1h 内核升级');
    expect(reply).toMatchObject({ private: false, text: expect.stringMatching(/维护窗口 #1 已创建：host=db-1/) });
    let alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.maintenance).toMatchObject({ windowId: '1', since: new Date(T0.getTime() + 2 * MIN), until: new Date(T0.getTime() + 62 * MIN) });
    // Paused with the 3 minutes that were left to level 2.
    expect(alert.escalation).toMatchObject({ level: 2, pausedRemainingMs: 3 * MIN });
    expect(alert.escalation!.nextAt).toBeUndefined();
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('维护窗口 #1 开始'));
    expect(JSON.stringify(slack.messages.get(OPS))).toMatch(/创建人：张三 · 原因：内核升级/);
    expect(JSON.stringify(slack.messages.get(OPS))).toMatch(/已在告警的 1 条匹配告警进入维护/);
    await bot.flushCards();
    expect(cardOf('db1-down')).toMatch(/维护中，至/);
    expect(cardOf('db1-down')).toMatch(/已暂停/);
    expect(cardOf('web1-down')).not.toMatch(/维护中/);
    // Listed as in maintenance.
    expect((await say(bot, 'list'))!.text).toMatch(/db1-down.*维护中/);

    // Level 2 was due at 5: nothing fires, nobody is paged; the alert outside the window goes on.
    await at(bot, 5);
    await at(bot, 20);
    expect(await escalated(bot, id)).toHaveLength(1);
    expect(await pages(bot, id)).toEqual([]);
    expect(await escalated(bot, other)).toHaveLength(2);
    // A stale wake-up of the old step does nothing either.
    expect(await bot.escalation.runStep({ alertId: id, token: alert.escalation!.token, cycle: 1, level: 2 })).toBe('stale');

    // A restart in the middle of the window changes nothing.
    await bot.stop();
    bot = await start(uri, new FakeClock(new Date(T0.getTime() + 30 * MIN)));
    await at(bot, 40);
    expect(await escalated(bot, id)).toHaveLength(1);
    expect(await pages(bot, id)).toEqual([]);
    expect((await bot.runtime.alerts.get(id))!.maintenance?.windowId).toBe('1');

    // The window ends: escalation starts again from level 1, timed from the end.
    await maintenanceAt(bot, 62);
    alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.maintenance).toBeUndefined();
    expect(await escalated(bot, id)).toEqual([
      'level 1 of 2: chat → biz (team biz) · mention → zhang (schedule primary)',
      'level 1 of 2: chat → biz (team biz) · mention → zhang (schedule primary)',
    ]);
    expect(alert.escalation).toMatchObject({ level: 2, nextAt: new Date(T0.getTime() + 67 * MIN) });
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('维护窗口 #1 结束'));
    const summary = JSON.stringify((slack.messages.get(OPS) ?? []).filter((m) => String(m.text).includes('维护窗口 #1 结束')));
    expect(summary).toMatch(/仍在告警 1 条/);
    expect(summary).toMatch(/开始时已在告警 1 条/);
    await at(bot, 67);
    expect((await pages(bot, id)).map((r) => [r.method, r.level])).toEqual([['sms', 2]]);
    await bot.flushCards();
    expect(cardOf('db1-down')).not.toMatch(/维护中/);
    const doc = (await (await bot.get('/api/v1/maintenance/1', TOKENS.zhang)).json()) as { window: MaintenanceDoc };
    expect(doc.window).toMatchObject({ state: 'ended', heldIds: [id], summary: { fired: 0, held: 1, resolved: 0, stillFiring: 1 } });
    await bot.stop();
  });

  it('the outbox does not send a pending page of an alert that a window now holds', async () => {
    const bot = await start();
    const id = await open(bot, 'db2-down', 'db-2');
    await at(bot, 1);
    await say(bot, 'maint host=db-2 30m swap disk');
    const row = { _id: `esc:${id}:old:1:2:0:zhang:sms`, alertId: id, method: 'sms' as const, memberId: 'zhang', fallback: [], reason: 'escalation level 2 of 2', level: 2, cycle: 1 };
    await bot.notify.outbox.enqueue([row], bot.clock.now());
    await bot.notify.sender.runOnce();
    const [sent] = await pages(bot, id);
    expect(sent).toMatchObject({ state: 'cancelled', lastError: 'maintenance window 1 began before it went out' });
    await bot.stop();
  });

  it('a claimed alert: the window pauses its ack timeout, the end resumes it with the time that was left', async () => {
    const bot = await start();
    const id = await open(bot, 'db3-down', 'db-3');
    await at(bot, 2);
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.li)).status).toBe(200);
    await bot.escalation.idle();
    await at(bot, 4); // 8 of the 10 minutes left
    await say(bot, 'maint host=db-3 30m');
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack).toMatchObject({ pausedRemainingMs: 8 * MIN });
    await at(bot, 13);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await maintenanceAt(bot, 34);
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack).toMatchObject({ dueAt: new Date(T0.getTime() + 42 * MIN) });
    await at(bot, 41);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await at(bot, 42);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('triggered');
    await bot.stop();
  });
});

describe('mute pauses the ack timeout; unmute resumes it with the time that was left', () => {
  let slack: FakeSlackApi;
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('claimed at 2 (due 12), muted at 4 with 8 min left, unmuted at 20: due at 28, not before', async () => {
    const adapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    const bot = await startTestBot({ clock: new FakeClock(T0), config: testConfig(holdConfig()), adapters: [adapter], escalationTimers: false, outboxIntervalMs: false });
    const id = await open(bot, 'mute-1', 'app-1');
    const shortId = (await bot.runtime.alerts.get(id))!.shortId;
    await at(bot, 2);
    expect((await bot.post(`/api/v1/alerts/${id}/claim`, {}, TOKENS.li)).status).toBe(200);
    await at(bot, 4);
    expect(await say(bot, `mute ${shortId} 1h`)).toMatchObject({ private: false });
    await bot.escalation.idle();
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack).toMatchObject({ pausedRemainingMs: 8 * MIN });
    await bot.flushCards();
    expect(String((slack.messages.get(OPS) ?? []).filter((m) => !m.thread_ts && String(m.text).includes('mute-1')).at(-1)?.text)).toMatch(/认领超时已暂停（剩 8 分钟）/);
    await at(bot, 12);
    await at(bot, 19);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await at(bot, 20);
    expect(await say(bot, `unmute ${shortId}`)).toMatchObject({ private: false });
    await bot.escalation.idle();
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack).toMatchObject({ dueAt: new Date(T0.getTime() + 28 * MIN) });
    expect((await bot.runtime.alerts.get(id))!.escalation!.ack!.pausedRemainingMs).toBeUndefined();
    await at(bot, 27);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('acknowledged');
    await at(bot, 28);
    expect((await bot.runtime.alerts.get(id))!.state).toBe('triggered');
    await bot.stop();
  });
});

describe('maintenance windows: the audit trail, recurring windows, and restarts in the middle of a start or an end', () => {
  let slack: FakeSlackApi;
  const adapter = () => new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
  const start = (mongoUri = freshDatabaseUri(), clock = new FakeClock(T0)) =>
    startTestBot({ mongoUri, clock, config: testConfig(holdConfig()), adapters: [adapter()], escalationTimers: false, outboxIntervalMs: false });
  beforeAll(async () => {
    slack = await FakeSlackApi.start();
  });
  afterAll(async () => slack.close());

  it('every change is recorded with who, when and what: created over REST, ended early from chat; readable over REST and recapped in `maint list`', async () => {
    slack.reset();
    const bot = await start();
    const created = await bot.post('/api/v1/maintenance', { matchers: 'host=db-5 severity=critical', duration: '2h', reason: 'disk swap' }, TOKENS.li);
    expect(created.status).toBe(201);
    await at(bot, 10);
    expect(await say(bot, 'maint end 1')).toMatchObject({ private: false });
    const res = await bot.get('/api/v1/maintenance/1', TOKENS.wang);
    expect(res.status).toBe(200);
    const { window } = (await res.json()) as { window: MaintenanceDoc };
    const match = { labels: ['host=db-5'], severity: ['critical'] };
    expect(window.history).toEqual([
      { at: T0.toISOString(), action: 'created', by: { kind: 'member', memberId: 'li', name: '李四', via: 'rest' }, match, all: false, startsAt: T0.toISOString(), endsAt: new Date(T0.getTime() + 120 * MIN).toISOString(), reason: 'disk swap' },
      {
        at: new Date(T0.getTime() + 10 * MIN).toISOString(),
        action: 'ended',
        by: { kind: 'member', memberId: 'zhang', name: '张三', via: 'slack', channel: OPS },
        match,
        all: false,
        startsAt: T0.toISOString(),
        endsAt: new Date(T0.getTime() + 120 * MIN).toISOString(),
        reason: 'disk swap',
        note: 'ended early',
      },
    ]);
    const audit = (await (await bot.get('/api/v1/maintenance/audit', TOKENS.wang)).json()) as { changes: Array<{ windowId: string; action: string }> };
    expect(audit.changes.map((c) => [c.windowId, c.action])).toEqual([['1', 'ended'], ['1', 'created']]);
    expect((await bot.get('/api/v1/maintenance/99', TOKENS.wang)).status).toBe(404);
    expect((await bot.get('/api/v1/maintenance/audit?windows=0', TOKENS.wang)).status).toBe(400);
    expect((await bot.get('/api/v1/maintenance/1')).status).toBe(401);
    // The notices name who created it and why, and who ended it early.
    const ops = JSON.stringify(slack.messages.get(OPS) ?? []);
    expect(ops).toMatch(/维护窗口 #1 开始.*创建人：李四 · 原因：disk swap/);
    expect(ops).toMatch(/维护窗口 #1 结束.*由 张三 提前结束/);
    expect((await say(bot, 'maint list'))!.text).toMatch(/最近结束：\n✅ #1 host=db-5 severity=critical · 李四：disk swap · 由 张三 结束/);
    await bot.stop();
  });

  it('a window scheduled over REST for later holds the alerts open when its start comes; the trail says it started on time', async () => {
    const bot = await start();
    const id = await open(bot, 'db6-down', 'db-6');
    const res = await bot.post('/api/v1/maintenance', { matchers: 'host=db-6', startsAt: at10(), endsAt: new Date(T0.getTime() + 40 * MIN).toISOString(), reason: 'failover drill' }, TOKENS.zhang);
    expect(res.status).toBe(201);
    await maintenanceAt(bot, 5);
    expect((await bot.runtime.alerts.get(id))!.maintenance).toBeUndefined();
    await maintenanceAt(bot, 10);
    expect((await bot.runtime.alerts.get(id))!.maintenance).toMatchObject({ windowId: '1', since: new Date(T0.getTime() + 10 * MIN) });
    const { window } = (await (await bot.get('/api/v1/maintenance/1', TOKENS.zhang)).json()) as { window: MaintenanceDoc };
    expect(window.history!.map((h) => [h.action, h.by.name, h.note])).toEqual([
      ['created', '张三', undefined],
      ['started', 'dutybot', 'on time'],
    ]);
    await bot.stop();
  });

  it('a recurring window from the config begins at 01:00: the open db-9 alert is held; at 01:30 it escalates from level 1; its start and end are on the trail', async () => {
    slack.reset();
    const bot = await start(freshDatabaseUri(), new FakeClock(new Date(T0.getTime() + 478 * MIN))); // 00:58 in Shanghai
    const id = await open(bot, 'db9-slow', 'db-9');
    await at(bot, 478);
    expect(await escalated(bot, id)).toHaveLength(1);
    await maintenanceAt(bot, 480);
    const held = (await bot.runtime.alerts.get(id))!;
    expect(held.maintenance).toMatchObject({ windowId: expect.stringMatching(/^cfg:nightly-db@/), since: new Date(T0.getTime() + 480 * MIN) });
    expect(held.escalation!.pausedRemainingMs).toBe(3 * MIN); // level 2 was due at 01:03
    await at(bot, 490);
    expect(await escalated(bot, id)).toHaveLength(1);
    await maintenanceAt(bot, 510);
    expect((await bot.runtime.alerts.get(id))!.maintenance).toBeUndefined();
    expect(await escalated(bot, id)).toHaveLength(2);
    const windowId = held.maintenance!.windowId;
    const { changes } = (await (await bot.get('/api/v1/maintenance/audit', TOKENS.zhang)).json()) as { changes: Array<{ windowId: string; action: string; by: { name: string }; reason?: string }> };
    expect(changes.filter((c) => c.windowId === windowId).map((c) => [c.action, c.by.name, c.reason])).toEqual([
      ['ended', 'dutybot.yaml', 'nightly vacuum'],
      ['started', 'dutybot.yaml', 'nightly vacuum'],
    ]);
    const ops = JSON.stringify(slack.messages.get(OPS) ?? []);
    expect(ops).toMatch(/配置文件（dutybot.yaml）中的周期维护窗口 · 原因：nightly vacuum/);
    expect(ops).toMatch(/开始时已在告警 1 条/);
    await bot.stop();
  });

  it('a restart cut short the hold of a starting window, or the release of an ending one: the next start finishes it, once', async () => {
    slack.reset();
    const uri = freshDatabaseUri();
    let bot = await start(uri);
    const id = await open(bot, 'db7-down', 'db-7');
    await at(bot, 1);
    // As if dutybot died right after recording a window, before holding the open alerts.
    const windows = bot.runtime.database.db.collection<MaintenanceDoc>('maintenance');
    await windows.insertOne({
      _id: '1', kind: 'once', match: { labels: ['host=db-7'] }, all: false, startsAt: bot.clock.now(), endsAt: new Date(T0.getTime() + 31 * MIN),
      reason: 'reboot', createdBy: { kind: 'member', memberId: 'zhang', name: '张三', via: 'rest' }, teams: ['ops'], state: 'active', alertIds: [], heldIds: [], history: [],
    });
    await bot.stop();
    bot = await start(uri, new FakeClock(new Date(T0.getTime() + 2 * MIN)));
    expect((await bot.runtime.alerts.get(id))!.maintenance).toMatchObject({ windowId: '1' });
    expect((await bot.runtime.maintenance!.get('1'))!).toMatchObject({ heldIds: [id], capturedAt: expect.any(Date) });
    await at(bot, 20);
    expect(await escalated(bot, id)).toHaveLength(1);
    // As if dutybot died right after marking the window ended, before releasing its alerts.
    await bot.runtime.database.db.collection<MaintenanceDoc>('maintenance').updateOne({ _id: '1' }, { $set: { state: 'ended', endedAt: new Date(T0.getTime() + 31 * MIN), releasing: true } });
    await bot.stop();
    bot = await start(uri, new FakeClock(new Date(T0.getTime() + 31 * MIN)));
    await at(bot, 31);
    expect((await bot.runtime.alerts.get(id))!.maintenance).toBeUndefined();
    expect(await escalated(bot, id)).toHaveLength(2);
    expect((await bot.runtime.maintenance!.get('1'))!).toMatchObject({ releasing: false, summary: { held: 1, stillFiring: 1 } });
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('维护窗口 #1 结束'));
    // Another start finds nothing left to do.
    await bot.stop();
    bot = await start(uri, new FakeClock(new Date(T0.getTime() + 32 * MIN)));
    await at(bot, 32);
    expect(await escalated(bot, id)).toHaveLength(2);
    expect((slack.messages.get(OPS) ?? []).filter((m) => String(m.text).includes('维护窗口 #1 结束'))).toHaveLength(1);
    await bot.stop();
  });
});
