import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

const T0 = new Date('2026-11-27T09:00:00Z');

/**
 * An escalation level may page a URL and nobody else: `{url, via: [webhook]}` (the README's
 * "webhook posts to the target's url"). The step's signed POST reaches a local receiver.
 */
describe('a paging webhook target with only its url', () => {
  const receiver = new FakeWebhookReceiver();
  let bot: TestBot;

  beforeAll(async () => {
    await receiver.start();
    const input = testConfigInput();
    input.teams![0] = { ...input.teams![0]!, escalationPolicy: 'page-hook' };
    input.escalationPolicies = [{ id: 'page-hook', levels: [{ after: '0s', notify: [{ url: `${receiver.origin}/page`, via: ['webhook'] }] }] }];
    input.notify = { webhook: { secret: receiver.secret } };
    bot = await startTestBot({ clock: new FakeClock(T0), config: testConfig(input), escalationTimers: false, outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot?.stop();
    await receiver.close();
  });

  it('loads, and its escalation step POSTs the alert, signed, to the url', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'hook-1', title: 'Queue backlog on mq-1', severity: 'critical', host: 'mq-1' }, KEYS.api);
    expect(res.status).toBe(202);
    const { alertId, shortId } = (await res.json()) as { alertId: string; shortId: number };
    await bot.escalation.idle();
    await bot.escalation.tick();
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();

    expect(receiver.requests.map((r) => [r.method, r.path, r.signatureOk])).toEqual([['POST', '/page', true]]);
    expect(receiver.received).toHaveLength(1);
    const { key, body } = receiver.received[0]!;
    expect(body).toMatchObject({
      type: 'alert.page',
      id: key,
      reason: 'escalation level 1 of 1',
      level: 1,
      cycle: 1,
      alert: { id: alertId, shortId, title: 'Queue backlog on mq-1', severity: 'critical', state: 'triggered', team: 'ops', integration: 'rest', host: 'mq-1' },
    });
    expect(key).toMatch(new RegExp(`^esc:${alertId}:[0-9a-f]+:1:1:0:webhook:webhook$`));
    const timeline = (await bot.runtime.alerts.timeline(alertId)).map((e) => `${e.kind}: ${e.text}`);
    expect(timeline).toContain(`escalated: level 1 of 1: webhook → ${receiver.origin}/page (webhook)`);
    expect(timeline.find((t) => t.startsWith('delivery:'))).toMatch(/^delivery: webhook to 127\.0\.0\.1:\d+ via webhook \(escalation level 1 of 1\): sent, receipt http 202/);
  });
});
