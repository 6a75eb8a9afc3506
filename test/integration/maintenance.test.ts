import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, TOKENS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const OPS = 'C0OPS';

function batch(alerts: Array<{ name: string; fp: string; instance: string; status?: 'firing' | 'resolved' }>) {
  return {
    version: '4',
    status: 'firing',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: a.name, severity: 'critical', instance: a.instance },
      annotations: { summary: `${a.name} on ${a.instance}` },
      startsAt: '2026-11-27T09:00:00Z',
      endsAt: a.status === 'resolved' ? '2026-11-27T09:05:00Z' : '0001-01-01T00:00:00Z',
      fingerprint: a.fp,
    })),
  };
}

describe('maintenance windows: matching alerts are kept quiet, then released with a summary', () => {
  const clock = new FakeClock('2026-11-27T09:00:00Z');
  let slack: FakeSlackApi;
  let bot: TestBot;
  const say = (text: string, userId = 'U0ZHANG') =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: OPS, text, replyTo: { platform: 'slack', channel: OPS } });
  const shownInOps = () => JSON.stringify(slack.messages.get(OPS) ?? []);

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [{ platform: 'slack', channel: OPS }];
    input.maintenance = [{ name: 'nightly-backup', match: { labels: ['env="staging"'] }, time: { from: '02:00', to: '03:00' }, reason: 'nightly backup' }];
    const adapter = new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ config: testConfig(input), clock, adapters: [adapter] });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.close();
  });

  it('a window on host=db-1: the matching alert makes no card, the other does; at the end the firing one gets its card and one summary counts both', async () => {
    const created = await say('maint host=db-1 2h kernel upgrade');
    expect(created).toMatchObject({ private: false });
    expect(created!.text).toMatch(/维护窗口 #1 已创建：host=db-1/);
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('维护窗口 #1 开始'));
    expect(shownInOps()).toMatch(/张三.*kernel upgrade/);

    const res = await bot.post(
      '/api/v1/webhooks/alertmanager',
      batch([
        { name: 'MySQLDown', fp: 'fp-db1', instance: 'db-1' },
        { name: 'NginxDown', fp: 'fp-web1', instance: 'web-1' },
        { name: 'DiskSlow', fp: 'fp-db1-disk', instance: 'db-1' },
      ]),
      KEYS.alertmanager,
    );
    const { results } = (await res.json()) as { results: Array<{ alertId: string }> };
    const [db1, web1, disk] = results.map((r) => r.alertId) as [string, string, string];
    // A repeat is deduplicated as usual; the disk alert resolves inside the window.
    await bot.post('/api/v1/webhooks/alertmanager', batch([{ name: 'MySQLDown', fp: 'fp-db1', instance: 'db-1' }]), KEYS.alertmanager);
    await bot.post('/api/v1/webhooks/alertmanager', batch([{ name: 'DiskSlow', fp: 'fp-db1-disk', instance: 'db-1', status: 'resolved' }]), KEYS.alertmanager);
    await bot.flushCards();
    expect(shownInOps()).toMatch(/NginxDown/);
    expect(shownInOps()).not.toMatch(/MySQLDown/);
    expect(shownInOps()).not.toMatch(/DiskSlow/);

    const rest = (await (await bot.get(`/api/v1/alerts/${db1}`, TOKENS.zhang)).json()) as { alert: { maintenance?: { windowId: string }; count: number } };
    expect(rest.alert.maintenance?.windowId).toBe('1');
    expect(rest.alert.count).toBe(2);
    expect((await bot.runtime.alerts.get(web1))!.maintenance).toBeUndefined();
    const listed = await say('maint list');
    expect(listed!.text).toMatch(/#1 host=db-1.*2 条告警/);

    const released = bot.nextEvent('opened');
    clock.advance(2 * 3_600_000);
    expect((await released).alert.id).toBe(db1);
    await bot.flushCards();
    await slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('维护窗口 #1 结束'));
    expect(shownInOps()).toMatch(/MySQLDown/);
    expect(shownInOps()).not.toMatch(/DiskSlow on/); // resolved inside the window: never a card
    expect(shownInOps()).toMatch(/触发 2 条，已恢复 1 条，仍在告警 1 条/);
    expect((await bot.runtime.alerts.get(db1))!.maintenance).toBeUndefined();
    expect((await bot.runtime.alerts.get(disk))!.state).toBe('resolved');
  });

  it('bad windows are refused with the right form, privately in chat and 4xx over REST, and change nothing', async () => {
    expect(await say('maint 2h')).toMatchObject({ private: true, text: expect.stringMatching(/all/) });
    expect(await say('维护 all 8天')).toMatchObject({ private: true, text: expect.stringMatching(/1分钟 到 7天/) });
    expect(await say('maint host=db-1 soon')).toMatchObject({ private: true });
    expect(await say('maint end 99')).toMatchObject({ private: true, text: expect.stringMatching(/没有维护窗口 99/) });
    const post = (body: unknown) => bot.post('/api/v1/maintenance', body, TOKENS.zhang);
    const before = await post({ matchers: 'host=db-2', startsAt: '2026-11-27T12:00:00Z', endsAt: '2026-11-27T11:00:00Z' });
    expect(before.status).toBe(400);
    expect(((await before.json()) as { error: string }).error).toMatch(/end is before the start/);
    expect((await post({ duration: '1h' })).status).toBe(400);
    expect((await post({ matchers: 'host=db-2' })).status).toBe(400);
    expect((await bot.post('/api/v1/maintenance', { matchers: 'host=db-2', duration: '1h' })).status).toBe(401);
    expect(bot.runtime.maintenance!.list()).toHaveLength(0);
  });

  it('REST: create, list, end early (and ending twice is a 409)', async () => {
    const created = await bot.post('/api/v1/maintenance', { match: { hostGroup: [] , labels: ['host="db-3"'] }, duration: '1h', reason: 'disk swap' }, TOKENS.li);
    expect(created.status).toBe(201);
    const { window } = (await created.json()) as { window: { _id: string } };
    const list = (await (await bot.get('/api/v1/maintenance', TOKENS.li)).json()) as { windows: Array<{ _id: string }> };
    expect(list.windows.map((w) => w._id)).toContain(window._id);
    const del = await fetch(`${bot.url}/api/v1/maintenance/${window._id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKENS.li}` } });
    expect(del.status).toBe(200);
    const again = await fetch(`${bot.url}/api/v1/maintenance/${window._id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKENS.li}` } });
    expect(again.status).toBe(409);
  });

  it('a recurring window from the config holds at night: a staging alert at 02:30 Shanghai is in it', async () => {
    clock.set('2026-11-27T18:30:00Z'); // 02:30 in Asia/Shanghai
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'stg-1', title: 'staging job slow', labels: { env: 'staging' } }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    const alert = await bot.runtime.alerts.get(alertId);
    expect(alert!.maintenance?.windowId).toMatch(/^cfg:nightly-backup@/);
    expect(alert!.maintenance?.until.toISOString()).toBe('2026-11-27T19:00:00.000Z');
  });
});
