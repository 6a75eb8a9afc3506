import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAlertCard } from '../../src/bot/render-card.js';
import { sourceTime } from '../../src/core/source-times.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, TOKENS, startTestBot, type TestBot } from '../support/bot.js';

describe("the source's own times are kept next to the receipt times", () => {
  const clock = new FakeClock('2026-11-27T06:05:00Z'); // 14:05 in Asia/Shanghai
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({ clock });
  });
  afterAll(async () => bot.stop());

  const am = (status: 'firing' | 'resolved', startsAt: string, endsAt = '0001-01-01T00:00:00Z') => ({
    version: '4',
    status,
    alerts: [{ status, labels: { alertname: 'HighLatency', instance: 'api-1' }, annotations: {}, startsAt, endsAt, fingerprint: 'lat-1' }],
  });

  it('an Alertmanager alert whose startsAt is 10 minutes old shows both times, on the card and over REST, in both languages', async () => {
    const res = await bot.post('/api/v1/webhooks/alertmanager', am('firing', '2026-11-27T05:55:00Z'), KEYS.alertmanager);
    const { results } = (await res.json()) as { results: Array<{ alertId: string }> };
    const id = results[0]!.alertId;
    const alert = (await bot.runtime.alerts.get(id))!;
    expect(alert.sourceStartedAt?.toISOString()).toBe('2026-11-27T05:55:00.000Z');
    expect(alert.firstSeenAt.toISOString()).toBe('2026-11-27T06:05:00.000Z');
    const ctx = { now: clock.now(), timeZone: 'Asia/Shanghai', teamName: 'ops', members: [] };
    expect(renderAlertCard(alert, { ...ctx, locale: 'en' }).text).toContain('started 13:55 (received 14:05)');
    expect(renderAlertCard(alert, { ...ctx, locale: 'zh' }).text).toContain('开始于 13:55（收到于 14:05）');
    const rest = (await (await bot.get(`/api/v1/alerts/${id}`, TOKENS.zhang)).json()) as { alert: { times?: string; sourceStartedAt: string } };
    expect(rest.alert.times).toBe('开始于 13:55（收到于 14:05）');

    clock.advance(60_000);
    await bot.post('/api/v1/webhooks/alertmanager', am('resolved', '2026-11-27T05:55:00Z', '2026-11-27T06:03:00Z'), KEYS.alertmanager);
    const done = (await bot.runtime.alerts.get(id))!;
    expect(done.state).toBe('resolved');
    expect(done.sourceEndedAt?.toISOString()).toBe('2026-11-27T06:03:00.000Z');
    expect(done.resolvedAt?.toISOString()).toBe('2026-11-27T06:06:00.000Z');
  });

  it('times within a minute show once; a time in the future or not a time is ignored (receipt time), never a 500', async () => {
    const near = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'near', title: 'near', occurredAt: new Date(clock.now().getTime() - 30_000).toISOString() }, KEYS.api);
    const nearAlert = (await bot.runtime.alerts.get(((await near.json()) as { alertId: string }).alertId))!;
    expect(renderAlertCard(nearAlert, { now: clock.now(), timeZone: 'Asia/Shanghai', teamName: 'ops', members: [], locale: 'en' }).text).not.toContain('received');

    // dutybot's own REST format names a bad time (400, field occurredAt); monitoring tools' bad times are ignored below.
    const junk = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'junk', title: 'junk', occurredAt: 'yesterday-ish' }, KEYS.api);
    expect(junk.status).toBe(400);

    const future = await bot.post('/api/v1/webhooks/alertmanager', { version: '4', alerts: [{ status: 'firing', labels: { alertname: 'Skew' }, startsAt: '2026-11-27T09:00:00Z', fingerprint: 'skew' }] }, KEYS.alertmanager);
    expect(future.status).toBe(202);
    const bad = await bot.post('/api/v1/webhooks/alertmanager', { version: '4', alerts: [{ status: 'firing', labels: { alertname: 'Bad' }, startsAt: '2026-13-45T99:00:00Z', fingerprint: 'bad' }] }, KEYS.alertmanager);
    expect(bad.status).toBe(202);
    const badId = ((await bad.json()) as { results: Array<{ alertId: string }> }).results[0]!.alertId;
    expect((await bot.runtime.alerts.get(badId))!.sourceStartedAt?.getTime()).toBe(clock.now().getTime());
    const futureId = ((await future.json()) as { results: Array<{ alertId: string }> }).results[0]!.alertId;
    expect((await bot.runtime.alerts.get(futureId))!.sourceStartedAt?.getTime()).toBe(clock.now().getTime());
    const now = clock.now();
    expect(sourceTime(new Date(now.getTime() + 4 * 60_000), now).getTime()).toBe(now.getTime() + 4 * 60_000);
    expect(sourceTime(new Date(now.getTime() + 6 * 60_000), now)).toBe(now);
    expect(sourceTime(new Date('nope'), now)).toBe(now);
  });
});
