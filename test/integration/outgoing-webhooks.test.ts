import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBodyV1 } from '../../src/notify/webhooks/body.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { KEYS, TOKENS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { eventually } from '../support/wait.js';

describe('outgoing webhooks: matching alerts’ events are POSTed, signed, through the outbox', () => {
  const nginx = new FakeWebhookReceiver('nginx-receiver-secret-0123');
  const audit = new FakeWebhookReceiver('audit-receiver-secret-0123');
  const slow = new FakeWebhookReceiver('slow-receiver-secret-01234');
  let bot: TestBot;
  let n = 0;

  beforeAll(async () => {
    await Promise.all([nginx.start(), audit.start(), slow.start()]);
    const input = testConfigInput();
    input.notify = { maxAttempts: 3 };
    input.webhooks = [
      { name: 'restart-nginx', url: `${nginx.origin}/hook`, secret: nginx.secret, events: ['opened', 'resolved'], match: { title: 'nginx' } },
      { name: 'audit', url: `${audit.origin}/in`, secret: audit.secret, events: ['claimed'] },
      { name: 'slow', url: `${slow.origin}/in`, secret: slow.secret, events: ['claimed'], timeout: '200ms', unhealthyAfter: 1 },
    ];
    bot = await startTestBot({ config: testConfig(input), outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot.stop();
    await Promise.all([nginx.close(), audit.close(), slow.close()]);
  });

  async function open(title: string): Promise<string> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `wh-${n}`, title, severity: 'critical', host: 'web-03' }, KEYS.api);
    expect(res.status).toBe(202);
    return ((await res.json()) as { alertId: string }).alertId;
  }
  const act = (id: string, action: string, body: unknown = {}) => bot.post(`/api/v1/alerts/${id}/${action}`, body, TOKENS.zhang);
  const bodies = (r: FakeWebhookReceiver, alertId: string) => r.received.map((x) => x.body as unknown as WebhookBodyV1).filter((b) => b.alert.id === alertId);
  const requestsFor = (r: FakeWebhookReceiver, alertId: string) => r.requests.filter((q) => (JSON.parse(q.body) as WebhookBodyV1).alert.id === alertId);
  const receipts = async (alertId: string) => (await bot.runtime.alerts.timeline(alertId)).filter((e) => e.kind === 'delivery').map((e) => e.text ?? '');
  /** Lets the sender finish what it is doing, then runs a pass (retries whose time has come). */
  const pass = async () => {
    await bot.notify.sender.settled();
    await bot.notify.sender.runOnce();
  };

  it('an nginx alert opened and resolved makes two signed POSTs with the documented body, and receipts on the timeline', async () => {
    const id = await open('nginx 502 on web-03');
    await eventually(() => bodies(nginx, id).length === 1, 10_000, 'opened POST');
    expect((await act(id, 'resolve', { note: 'restarted by hand' })).status).toBe(200);
    await eventually(() => bodies(nginx, id).length === 2, 10_000, 'resolved POST');
    const [opened, resolved] = bodies(nginx, id);
    expect(requestsFor(nginx, id).every((r) => r.signatureOk && r.path === '/hook')).toBe(true);
    expect(opened).toMatchObject({
      version: 1,
      webhook: 'restart-nginx',
      event: 'opened',
      alert: { id, title: 'nginx 502 on web-03', severity: 'critical', state: 'triggered', team: 'ops', application: 'billing', host: 'web-03', labels: {} },
      entry: { kind: 'opened', actor: { kind: 'source' } },
    });
    expect(resolved).toMatchObject({ event: 'resolved', alert: { state: 'resolved' }, entry: { kind: 'resolved', actor: { kind: 'member', name: '张三', memberId: 'zhang', via: 'rest' }, text: 'restarted by hand' } });
    // The idempotency key is the body's id, the same on every attempt.
    expect(requestsFor(nginx, id).map((r) => r.headers['idempotency-key'])).toEqual([opened!.id, resolved!.id]);
    await bot.notify.sender.settled();
    expect(await receipts(id)).toEqual([
      expect.stringMatching(/^webhook to "restart-nginx" via webhook \(opened event\): sent, receipt http 202/),
      expect.stringMatching(/^webhook to "restart-nginx" via webhook \(resolved event\): sent, receipt http 202/),
    ]);
  });

  it('an alert the webhook’s match excludes sends it nothing', async () => {
    const mysql = await open('mysql replication lag');
    await act(mysql, 'resolve');
    const sentinel = await open('nginx upstream timeout');
    await eventually(() => bodies(nginx, sentinel).length === 1, 10_000, 'sentinel POST');
    await bot.notify.sender.settled();
    expect(requestsFor(nginx, mysql)).toEqual([]);
    expect(await receipts(mysql)).toEqual([]);
  });

  it('a 5xx is retried with backoff and delivered once, with one receipt', async () => {
    nginx.fail('http500');
    const id = await open('nginx worker crashed');
    await eventually(() => requestsFor(nginx, id).length === 1, 10_000, 'first attempt');
    await bot.notify.sender.settled();
    expect(requestsFor(nginx, id)[0]!.status).toBe(500);
    expect(bodies(nginx, id)).toEqual([]);
    bot.clock.advance(5_000);
    await pass();
    await bot.notify.sender.settled();
    const reqs = requestsFor(nginx, id);
    expect(reqs.map((r) => r.status)).toEqual([500, 202]);
    expect(reqs[0]!.headers['idempotency-key']).toBe(reqs[1]!.headers['idempotency-key']);
    expect(bodies(nginx, id)).toHaveLength(1);
    expect(await receipts(id)).toEqual([expect.stringMatching(/\(opened event\): sent, receipt http 202/)]);
  });

  it('a slow receiver times out, is retried and reported unhealthy, and does not hold up another webhook', async () => {
    slow.reply({ status: 200, body: {}, delayMs: 1_500 });
    const id = await open('disk almost full');
    expect((await act(id, 'claim')).status).toBe(200);
    await eventually(() => bodies(audit, id).length === 1, 10_000, 'audit POST');
    expect(bodies(audit, id)[0]).toMatchObject({ event: 'claimed', alert: { state: 'acknowledged', owner: { memberId: 'zhang', name: '张三' } } });
    await eventually(async () => (await bot.notify.outbox.countOpen()) === 1 && !(await receipts(id)).some((t) => t.includes('"slow"')) && (await bot.notify.sender.settled(), true), 10_000);
    const row = (await bot.notify.outbox.due(new Date(bot.clock.now().getTime() + 60_000), 10)).find((r) => r.alertId === id)!;
    expect(row).toMatchObject({ state: 'pending', attempts: 1, lastError: 'network: timeout' });
    const ready = (await (await bot.get('/readyz')).json()) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(ready.checks.find((c) => c.name === 'webhooks')).toMatchObject({ ok: true, detail: expect.stringContaining('slow: unhealthy (1 failed attempts in a row, last: network: timeout)') });
    expect(await (await bot.get('/metrics')).text()).toContain('dutybot_webhook_healthy{webhook="slow"} 0');
    // The receiver is quick again: the retry goes out and the webhook is healthy.
    bot.clock.advance(5_000);
    await pass();
    await bot.notify.sender.settled();
    expect(await receipts(id)).toEqual(expect.arrayContaining([expect.stringMatching(/^webhook to "slow" via webhook \(claimed event\): sent/)]));
    expect(await (await bot.get('/metrics')).text()).toContain('dutybot_webhook_healthy{webhook="slow"} 1');
  });

  it('a receiver answering {"action": "resolve"} resolves the alert as the webhook', async () => {
    nginx.reply({ status: 200, body: { action: 'resolve', note: 'nginx restarted on web-03' } });
    const id = await open('nginx down on web-03');
    const alert = await eventually(async () => {
      const a = await bot.runtime.alerts.get(id);
      return a?.state === 'resolved' ? a : undefined;
    }, 10_000, 'act-back resolve');
    expect(alert.resolvedBy).toMatchObject({ kind: 'system', name: 'webhook restart-nginx', via: 'webhook' });
    const timeline = await bot.runtime.alerts.timeline(id);
    expect(timeline.find((e) => e.kind === 'resolved')).toMatchObject({ text: 'nginx restarted on web-03' });
    // Its own resolved event goes out too, like any other.
    await eventually(() => bodies(nginx, id).some((b) => b.event === 'resolved'), 10_000, 'resolved POST');
  });

  it('a note act-back is written on the timeline; malformed, huge, redirect answers change nothing and are recorded', async () => {
    nginx.reply({ status: 200, body: { action: 'note', note: 'restart queued' } });
    const noted = await open('nginx slow responses');
    await eventually(async () => (await bot.runtime.alerts.timeline(noted)).some((e) => e.kind === 'note' && e.text === 'restart queued'), 10_000, 'note');

    nginx.reply(
      { status: 200, body: { action: 'reboot-the-world' } },
      { status: 200, body: 'resolve please' },
      { status: 200, body: JSON.stringify({ action: 'resolve', pad: 'x'.repeat(200_000) }) },
      { status: 302, body: '', headers: { location: 'http://elsewhere.example/' } },
    );
    const ids = [await open('nginx a'), await open('nginx b'), await open('nginx c'), await open('nginx d')];
    await eventually(async () => {
      await bot.notify.sender.settled();
      return (await Promise.all(ids.map(receipts))).every((r) => r.length === 1);
    }, 10_000, 'four receipts');
    for (const id of ids) expect((await bot.runtime.alerts.get(id))!.state).toBe('triggered');
    const all = (await Promise.all(ids.map(receipts))).flat();
    expect(all.filter((t) => t.includes('sent, receipt http 200'))).toHaveLength(3);
    expect(all).toContainEqual(expect.stringContaining('failed: http 302 redirect to http://elsewhere.example/ (not followed)'));
  });
});
