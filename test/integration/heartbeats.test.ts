import { afterAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import type { Alert } from '../../src/core/alert.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const OPS = 'C0OPS';

function config() {
  const input = testConfigInput();
  input.teams![0]!.channels = [{ platform: 'slack', channel: OPS }];
  input.integrations![1]!.watchdog = 'Watchdog';
  input.heartbeats = [
    { name: 'backup', team: 'ops', interval: '1m', grace: '30s' },
    { name: 'prometheus-watchdog', integration: 'prometheus', interval: '5m', grace: '1m' },
  ];
  input.teams!.push({ id: 'other', name: 'Other', members: [] });
  input.integrations!.push({ name: 'other-rest', type: 'api', key: 'other-key-0123456789abcdef', team: 'other' });
  return testConfig(input);
}

const openAlerts = async (bot: TestBot): Promise<Alert[]> => bot.runtime.alerts.list({ states: ['triggered', 'acknowledged'], limit: 50 });

describe('heartbeats: a dead man\'s switch opens one alert and the next ping resolves it', () => {
  const clock = new FakeClock('2026-11-27T09:00:00Z');
  const mongoUri = freshDatabaseUri();
  let slack: FakeSlackApi;
  let bot: TestBot;
  const start = async () =>
    startTestBot({
      config: config(),
      clock,
      mongoUri,
      adapters: [new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log })],
    });
  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
  });

  it('every 1m with 30s grace: stops → one alert at 1m30s; a restart during the wait changes nothing; the next ping resolves it', async () => {
    slack = await FakeSlackApi.start();
    bot = await start();
    const ping = await bot.post('/api/v1/heartbeats/backup/ping', {}, KEYS.api);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ heartbeat: 'backup', state: 'up', resolved: false });

    clock.advance(20_000);
    await bot.stop();
    bot = await start(); // restarted 20 s after the ping: due stays at 1m30s (not 20s + 1m30s)

    clock.advance(69_000); // 1m29s after the ping
    await bot.heartbeats.check();
    expect(await openAlerts(bot)).toHaveLength(0);

    const opened = bot.nextEvent('opened');
    clock.advance(1_000); // 1m30s: the in-process timer fires the check
    const ev = await opened;
    expect(ev.alert.title).toMatch(/backup/);
    expect(ev.alert.title).toContain('2026-11-27 17:00'); // since the last ping, in Asia/Shanghai
    expect(ev.alert.integration).toBe('heartbeats');
    expect(ev.alert.severity).toBe('critical');
    expect(ev.alert.route?.teams).toEqual(['ops']);

    // Fires once, not once per interval: ten minutes later still one alert, counted once.
    clock.advance(10 * 60_000);
    await bot.heartbeats.check();
    const open = await openAlerts(bot);
    expect(open.filter((a) => a.integration === 'heartbeats' && a.dedupKey === 'heartbeat:backup')).toHaveLength(1);
    expect(open.find((a) => a.dedupKey === 'heartbeat:backup')!.count).toBe(1);
    await bot.flushCards();
    expect(JSON.stringify(slack.messages.get(OPS))).toMatch(/backup/);

    // The list in chat shows it missing; a ping by GET with ?key= resolves it and the card says so.
    const list = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: OPS, text: 'heartbeats', replyTo: { platform: 'slack', channel: OPS } });
    expect(list?.text).toMatch(/💔 丢失 backup/);
    const resolved = bot.nextEvent('resolved');
    const again = await bot.get(`/api/v1/heartbeats/backup/ping?key=${KEYS.api}`);
    expect(await again.json()).toMatchObject({ resolved: true, state: 'up' });
    const r = await resolved;
    expect(r.alert.state).toBe('resolved');
    expect(r.entry.text).toMatch(/backup/);
    await bot.flushCards();
    expect(JSON.stringify(slack.messages.get(OPS))).toMatch(/已关闭/);
  });

  it('unknown heartbeat → 404 naming it; another team\'s key → 401; no key → 401', async () => {
    const unknown = await bot.post('/api/v1/heartbeats/nope/ping', {}, KEYS.api);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('"nope"');
    expect((await bot.post('/api/v1/heartbeats/backup/ping', {}, 'other-key-0123456789abcdef')).status).toBe(401);
    expect((await bot.post('/api/v1/heartbeats/backup/ping', {})).status).toBe(401);
  });

  it('the Watchdog alert in an Alertmanager batch is a ping and makes no card', async () => {
    await bot.flushCards();
    slack.reset();
    const before = bot.runtime.heartbeats!.list().find((h) => h.spec.name === 'prometheus-watchdog')!.doc?.lastPingAt;
    const res = await bot.post(
      '/api/v1/webhooks/alertmanager',
      {
        version: '4',
        status: 'firing',
        alerts: [
          { status: 'firing', labels: { alertname: 'Watchdog', severity: 'none' }, annotations: {}, startsAt: '2026-11-27T08:00:00Z', fingerprint: 'wd' },
          { status: 'firing', labels: { alertname: 'DiskFull', instance: 'db-9' }, annotations: {}, startsAt: '2026-11-27T09:11:00Z', fingerprint: 'disk' },
        ],
      },
      KEYS.alertmanager,
    );
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
    const hb = bot.runtime.heartbeats!.list().find((h) => h.spec.name === 'prometheus-watchdog')!;
    expect(hb.doc?.lastPingAt?.getTime()).toBe(clock.now().getTime());
    expect(hb.doc?.lastPingAt).not.toEqual(before);
    await bot.flushCards();
    const shown = JSON.stringify(slack.messages.get(OPS) ?? []);
    expect(shown).toMatch(/DiskFull/);
    expect(shown).not.toMatch(/Watchdog/);
    expect((await openAlerts(bot)).some((a) => a.title === 'Watchdog')).toBe(false);
  });

  it('heartbeat pause from chat shows in the list and on /metrics, and it cannot fire while paused', async () => {
    const reply = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: OPS, text: '心跳 暂停 backup 2小时', replyTo: { platform: 'slack', channel: OPS } });
    expect(reply?.text).toMatch(/已暂停/);
    clock.advance(60 * 60_000);
    await bot.heartbeats.check();
    expect((await openAlerts(bot)).some((a) => a.dedupKey === 'heartbeat:backup')).toBe(false);
    const list = await bot.chat.handle({ kind: 'command', platform: 'slack', userId: 'U0ZHANG', channel: OPS, text: 'heartbeats', replyTo: { platform: 'slack', channel: OPS } });
    expect(list?.text).toMatch(/⏸ 暂停 backup/);
    const metrics = await (await bot.get('/metrics')).text();
    expect(metrics).toMatch(/dutybot_heartbeat_paused\{name="backup"\} 1/);
  });
});
