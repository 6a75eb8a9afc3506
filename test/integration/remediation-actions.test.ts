import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../src/bot/chat-adapter.js';
import type { ActionRunBodyV1 } from '../../src/notify/webhooks/body.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

/** The ops team's channel speaks English; any other channel the config's Chinese. */
const OPS = 'C0OPS';

describe('remediation actions: run|执行 <action> <id> POSTs signed and writes the result on the timeline', () => {
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  let bot: TestBot;
  let n = 0;

  beforeAll(async () => {
    await remediator.start();
    const input = testConfigInput();
    input.teams![0] = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: OPS }], locale: 'en' };
    input.actions = [
      { name: 'restart-nginx', label: 'Restart nginx', url: `${remediator.origin}/restart`, secret: remediator.secret, match: { title: 'nginx' }, members: ['zhang'], timeout: '300ms' },
    ];
    bot = await startTestBot({ config: testConfig(input), outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot.stop();
    await remediator.close();
  });

  async function open(title: string): Promise<{ id: string; shortId: number }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `run-${n}`, title, severity: 'critical', host: 'web-03' }, KEYS.api);
    const r = (await res.json()) as { alertId: string; shortId: number };
    return { id: r.alertId, shortId: r.shortId };
  }
  const say = (userId: string, text: string, extra: Partial<CommandRequest> = {}) =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: OPS, text, replyTo: { platform: 'slack', channel: OPS }, ...extra });
  const notes = async (id: string) => (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'note').map((e) => e.text);

  it('an allowed member runs it: one signed POST, the status and an excerpt in the channel and on the timeline', async () => {
    remediator.reply({ status: 200, body: { restarted: true, host: 'web-03' } });
    const a = await open('nginx down on web-03');
    const reply = await say('U0ZHANG', `run restart-nginx ${a.shortId}`);
    expect(reply).toEqual({ text: `▶️ 张三 ran restart-nginx (Restart nginx) on #${a.shortId}: HTTP 200 {"restarted":true,"host":"web-03"}`, private: false });
    expect(remediator.requests).toHaveLength(1);
    expect(remediator.requests[0]!.signatureOk).toBe(true);
    const body = remediator.received[0]!.body as unknown as ActionRunBodyV1;
    expect(body).toMatchObject({ version: 1, action: 'restart-nginx', by: { memberId: 'zhang', name: '张三', via: 'slack' }, alert: { id: a.id, shortId: a.shortId, host: 'web-03' } });
    expect(remediator.requests[0]!.headers['idempotency-key']).toBe(body.id);
    expect(await notes(a.id)).toEqual(['ran action "restart-nginx": http 200 {"restarted":true,"host":"web-03"}']);
  });

  it('someone not allowed, an alert it does not match, or an unknown action: a private answer and nothing sent', async () => {
    const before = remediator.requests.length;
    const nginx = await open('nginx 502');
    const mysql = await open('mysql down');
    expect(await say('U0LI', `run restart-nginx ${nginx.shortId}`)).toEqual({ text: 'you may not run restart-nginx (allowed: zhang)', private: true });
    expect(await say('U0ZHANG', `执行 restart-nginx ${mysql.shortId}`, { channel: 'C0ELSE' })).toEqual({ text: `动作 restart-nginx 不适用于告警 #${mysql.shortId}`, private: true });
    expect(await say('U0ZHANG', `run reboot-dc ${nginx.shortId}`)).toEqual({ text: 'no action named "reboot-dc"; actions: restart-nginx', private: true });
    expect(await say('U0NOBODY', `run restart-nginx ${nginx.shortId}`)).toMatchObject({ private: true });
    expect(remediator.requests).toHaveLength(before);
    expect(await notes(nginx.id)).toEqual([]);
  });

  it('a double click: one POST; the second hears privately that the action is running', async () => {
    remediator.reply({ status: 200, body: { restarted: true }, delayMs: 250 });
    const before = remediator.requests.length;
    const a = await open('nginx down on web-04');
    const replies = await Promise.all([say('U0ZHANG', `run restart-nginx ${a.shortId}`), say('U0ZHANG', `run restart-nginx ${a.shortId}`)]);
    expect(replies).toContainEqual({ text: `张三 is running restart-nginx on #${a.shortId}; the result will show on the card`, private: true });
    expect(remediator.requests.length - before).toBe(1);
    expect(await notes(a.id)).toEqual(['ran action "restart-nginx": http 200 {"restarted":true}']);
  });

  it('a receiver that does not answer in time: the timeout is reported and recorded (in Chinese, on a quoted card)', async () => {
    remediator.reply({ status: 200, body: {}, delayMs: 1_500 });
    const a = await open('nginx upstream timeout');
    const reply = await say('U0ZHANG', '执行 restart-nginx', { quotedAlertRef: String(a.shortId), channel: 'C0ELSE' });
    expect(reply).toEqual({ text: `⚠️ 张三 在 #${a.shortId} 执行了 restart-nginx (Restart nginx)：无响应（network: timeout）`, private: false });
    expect(await notes(a.id)).toEqual(['ran action "restart-nginx": no answer (network: timeout)']);
  });
});

describe('remediation actions: approvals are stored in MongoDB and counted once', () => {
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  let bot: TestBot;
  let n = 0;
  const config = () => {
    const input = testConfigInput();
    input.teams![0] = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: OPS }], locale: 'en' };
    input.teams![1] = { ...input.teams![1]!, members: ['wang', 'zhang', 'li'] };
    input.members![2]!.slack = 'U0WANG';
    input.actions = [
      { name: 'failover-db', url: `${remediator.origin}/failover`, secret: remediator.secret, match: { title: 'mysql' }, teams: ['ops', 'biz'], approval: 3, timeout: '2s' },
    ];
    return testConfig(input);
  };

  beforeAll(async () => {
    await remediator.start();
    bot = await startTestBot({ config: config(), outboxIntervalMs: false });
  });
  afterAll(async () => {
    await bot.stop();
    await remediator.close();
  });

  async function open(title: string): Promise<{ id: string; shortId: number }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `appr-${n}`, title, severity: 'critical' }, KEYS.api);
    const r = (await res.json()) as { alertId: string; shortId: number };
    return { id: r.alertId, shortId: r.shortId };
  }
  const say = (userId: string, text: string) =>
    bot.chat.handle({ kind: 'command', platform: 'slack', userId, channel: OPS, text, replyTo: { platform: 'slack', channel: OPS } });

  it('an approval survives a restart of dutybot; the same member twice is refused privately', async () => {
    const a = await open('mysql primary down');
    const first = await say('U0ZHANG', `run failover-db ${a.shortId}`);
    expect(first).toMatchObject({ private: false });
    expect(first!.text).toContain('waiting for 2 more approvals (张三)');
    const mongoUri = bot.mongoUri;
    await bot.stop();
    bot = await startTestBot({ config: config(), mongoUri, outboxIntervalMs: false });
    expect(await say('U0ZHANG', `run failover-db ${a.shortId}`)).toEqual({
      text: `You have already approved "failover-db" on #${a.shortId}; it needs 2 more approvals from someone else (approved: 张三)`,
      private: true,
    });
    expect((await say('U0LI', `run failover-db ${a.shortId}`))!.text).toContain('waiting for 1 more approval (张三, 李四)');
    expect(remediator.requests).toHaveLength(0);
    expect((await bot.runtime.alerts.get(a.id))!.remediation!.pending![0]!.by.map((b) => b.memberId)).toEqual(['zhang', 'li']);
  });

  it('approvals at the same moment are counted once each: the same member twice is one, and of two last ones exactly one sends the POST', async () => {
    const a = await open('mysql replica broken');
    await say('U0ZHANG', `run failover-db ${a.shortId}`);
    const twice = await Promise.all([say('U0LI', `run failover-db ${a.shortId}`), say('U0LI', `run failover-db ${a.shortId}`)]);
    expect(twice.map((r) => r!.private).sort()).toEqual([false, true]);
    expect((await bot.runtime.alerts.get(a.id))!.remediation!.pending![0]!.by.map((b) => b.memberId)).toEqual(['zhang', 'li']);

    const b = await open('mysql disk full');
    const before = remediator.requests.length;
    await say('U0ZHANG', `run failover-db ${b.shortId}`);
    remediator.reply({ status: 200, body: { ok: true } });
    const last = await Promise.all([say('U0LI', `run failover-db ${b.shortId}`), say('U0WANG', `run failover-db ${b.shortId}`)]);
    expect(remediator.requests).toHaveLength(before + 1);
    expect(last.filter((r) => r!.text.includes('HTTP 200'))).toHaveLength(1);
    const stored = await bot.runtime.alerts.get(b.id);
    expect(stored!.remediation!.pending).toBeUndefined();
    expect(stored!.remediation!.last).toMatchObject({ action: 'failover-db', status: 200 });
    expect(stored!.remediation!.last!.by).toHaveLength(3);
  });
});
