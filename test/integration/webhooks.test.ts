import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';

const fixture = (tool: string, name: string): string =>
  readFileSync(new URL(`../../src/sources/${tool}/fixtures/${name}`, import.meta.url), 'utf8');

describe('each monitoring tool, through its own endpoint and payload', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => bot.stop());
  const models = () => bot.runtime.database.models;

  it('Alertmanager: a batch opens one alert per fingerprint, and the resolved batch closes them', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', fixture('alertmanager', 'firing.json'), KEYS.alertmanager);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; results: Array<{ alertId: string; status: string }> };
    expect(body.accepted).toBe(2);
    expect(new Set(body.results.map((r) => r.alertId)).size).toBe(2);
    // The same batch again (Alertmanager's repeat_interval) repeats, it does not open more.
    const again = (await (await bot.post('/api/v1/webhooks/alertmanager', fixture('alertmanager', 'firing.json'), KEYS.alertmanager)).json()) as {
      results: Array<{ deduplicated: boolean }>;
    };
    expect(again.results.every((r) => r.deduplicated)).toBe(true);
    // Alertmanager re-sends the group when one of its alerts recovers: that one is `resolved`.
    const group = JSON.parse(fixture('alertmanager', 'firing.json')) as { alerts: Array<{ status: string; endsAt: string }> };
    group.alerts[0]!.status = 'resolved';
    group.alerts[0]!.endsAt = '2024-05-14T09:00:00Z';
    const resolved = (await (await bot.post('/api/v1/webhooks/alertmanager', group, KEYS.alertmanager)).json()) as {
      results: Array<{ alertId: string; status: string }>;
    };
    expect(resolved.results.map((r) => r.status)).toEqual(['resolved', 'triggered']);
    expect(resolved.results[0]!.alertId).toBe(body.results[0]!.alertId);
    // A recovery for an alert dutybot never saw opens nothing.
    const unknown = (await (await bot.post('/api/v1/webhooks/alertmanager', fixture('alertmanager', 'resolved.json'), KEYS.alertmanager)).json()) as {
      results: Array<{ status: string }>;
    };
    expect(unknown.results).toEqual([{ alertId: null, shortId: null, status: 'no-open-alert', deduplicated: false }]);
    expect(await models().RawEvent.countDocuments({ source: 'alertmanager' })).toBe(4);
  });

  it('Grafana: firing then resolved', async () => {
    const fired = (await (await bot.post('/api/v1/webhooks/grafana', fixture('grafana', 'firing.json'), KEYS.grafana)).json()) as {
      results: Array<{ alertId: string; status: string }>;
    };
    expect(fired.results[0]!.status).toBe('triggered');
    const res = await bot.post('/api/v1/webhooks/grafana', fixture('grafana', 'resolved.json'), KEYS.grafana);
    expect(res.status).toBe(202);
    const ids = fired.results.map((r) => r.alertId);
    const stored = await Promise.all(ids.map((id) => bot.runtime.alerts.get(id)));
    expect(stored.some((a) => a?.state === 'resolved')).toBe(true);
  });

  it('Zabbix: a problem, then its recovery, close the same alert', async () => {
    const problem = (await (await bot.post('/api/v1/webhooks/zabbix', fixture('zabbix', 'problem.json'), KEYS.zabbix)).json()) as {
      results: Array<{ alertId: string }>;
    };
    const recovery = (await (await bot.post('/api/v1/webhooks/zabbix', fixture('zabbix', 'recovery.json'), KEYS.zabbix)).json()) as {
      results: Array<{ alertId: string; status: string }>;
    };
    expect(recovery.results[0]).toMatchObject({ alertId: problem.results[0]!.alertId, status: 'resolved' });
  });

  it('Graylog: v4 and v5 notifications open alerts', async () => {
    for (const f of ['v4-aggregation.json', 'v5-filter.json']) {
      const res = await bot.post('/api/v1/webhooks/graylog', fixture('graylog', f), KEYS.graylog);
      expect(res.status).toBe(202);
    }
    expect(await models().Alert.countDocuments({ source: 'graylog' })).toBe(2);
  });

  it('the REST fixture is accepted as documented', async () => {
    const res = await bot.post('/api/v1/events', fixture('api', 'trigger.json'), KEYS.api);
    expect(res.status).toBe(202);
  });

  it('a payload of the wrong tool is a 400 naming the field, and stores nothing', async () => {
    const before = await models().RawEvent.countDocuments();
    const res = await bot.post('/api/v1/webhooks/alertmanager', fixture('graylog', 'v5-filter.json'), KEYS.alertmanager);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field?: string }).field).toBeTruthy();
    expect(await models().RawEvent.countDocuments()).toBe(before);
  });

  it('a Zabbix key cannot post to the Grafana endpoint', async () => {
    const res = await bot.post('/api/v1/webhooks/grafana', fixture('grafana', 'firing.json'), KEYS.zabbix);
    expect(res.status).toBe(401);
  });
});
