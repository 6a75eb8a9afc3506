import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import type { NewOutboxMessage } from '../../src/notify/message.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeSmtp } from '../fakes/smtp-server.js';
import { FakeTwilio } from '../fakes/twilio-api.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { FakeClock } from '../support/clock.js';

const PUBLIC = 'https://dutybot.example.com';
const SECRET = 'slack-signing-secret-for-tests';

describe('the outbox sender pages people by SMS, voice, email and direct message', () => {
  const aliyun = new FakeAliyun();
  const twilio = new FakeTwilio();
  const smtp = new FakeSmtp();
  let slack: FakeSlackApi;
  let bot: TestBot;
  let input: ConfigInput;
  let n = 0;

  const start = (clock?: FakeClock) =>
    startTestBot({
      config: testConfig(input),
      adapters: [new SlackAdapter({ botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: slack.apiUrl, log })],
      outboxIntervalMs: false,
      ...(clock ? { clock, mongoUri: bot.mongoUri } : {}),
    });

  /** A fresh alert (each test its own). */
  async function openAlert(title = 'MySQL 主库连接数过高'): Promise<{ id: string; shortId: number }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `k-${n}`, title, severity: 'critical', host: 'db-1' }, KEYS.api);
    expect(res.status).toBe(202);
    const r = (await res.json()) as { alertId: string; shortId: number };
    return { id: r.alertId, shortId: r.shortId };
  }

  const row = (alertId: string, method: NewOutboxMessage['method'], extra: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
    _id: `esc:${alertId}:run1:1:1:0:zhang:${method}`,
    alertId,
    method,
    memberId: 'zhang',
    fallback: [],
    reason: 'escalation level 1 of 2',
    level: 1,
    cycle: 1,
    ...extra,
  });

  const enqueue = (...rows: NewOutboxMessage[]) => bot.notify.outbox.enqueue(rows, bot.clock.now());
  const pass = async () => {
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
  };
  const deliveries = async (alertId: string) => (await bot.runtime.alerts.timeline(alertId)).filter((e) => e.kind === 'delivery').map((e) => e.text);
  const local = (url: string) => url.replace(PUBLIC, bot.url);

  beforeAll(async () => {
    await Promise.all([aliyun.start(), twilio.start(), smtp.start()]);
    slack = await FakeSlackApi.start();
    input = testConfigInput();
    input.members![0] = { ...input.members![0]!, phone: '+8613800000001', email: 'zhang@example.com' };
    input.teams![0]!.channels = [{ platform: 'slack', channel: 'C0OPS' }];
    input.teams![1]!.locale = 'en';
    input.notify = {
      publicUrl: PUBLIC,
      linkSecret: 'link-secret-0123456789abcdef',
      maxAttempts: 3,
      email: { smtpUrl: smtp.url, from: 'dutybot <dutybot@example.com>' },
      sms: { provider: 'aliyun', accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, signName: '值班', templateCode: 'SMS_000001', endpoint: aliyun.origin },
      voice: { provider: 'twilio', accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006', endpoint: twilio.origin },
    };
    bot = await start();
  });
  afterAll(async () => {
    await bot.stop();
    await Promise.all([aliyun.close(), twilio.close(), smtp.close(), slack.close()]);
  });
  beforeEach(() => {
    aliyun.requests.length = 0;
    twilio.requests.length = 0;
  });

  it('an SMS goes out once with a personal link, and its receipt is on the alert’s timeline', async () => {
    const a = await openAlert();
    expect(await enqueue(row(a.id, 'sms'))).toBe(1);
    await pass();
    const [call] = aliyun.calls('SendSms');
    expect(JSON.parse(call!.TemplateParam!).link).toMatch(/^https:\/\/dutybot\.example\.com\/l\//);
    const done = await bot.notify.outbox.find(row(a.id, 'sms')._id);
    expect(done).toMatchObject({ state: 'sent', provider: 'aliyun', attempts: 1, receipt: expect.stringContaining('^') });
    expect(await bot.notify.outbox.countOpen()).toBe(0);
    expect(await deliveries(a.id)).toEqual([`SMS to 张三 via aliyun (escalation level 1 of 2): sent, receipt ${done!.receipt}`]);

    // The escalation engine replaying its step inserts the same _id again: the sender drops it.
    await enqueue(row(a.id, 'sms'));
    await pass();
    expect(await bot.notify.outbox.countOpen()).toBe(0);
    expect(aliyun.calls('SendSms')).toHaveLength(1);
    await expect(bot.runtime.metrics.registry.getSingleMetricAsString('dutybot_notify_messages_total')).resolves.toContain(
      'dutybot_notify_messages_total{channel="sms",provider="aliyun",result="sent"} 1',
    );
  });

  it('kick() after enqueue (what the escalation engine does) delivers at once; email in the team’s language', async () => {
    const a = await openAlert('Disk full on db-1');
    const before = smtp.mails.length;
    await bot.runtime.notify!.outbox.enqueue([row(a.id, 'email', { teamId: 'biz' })], bot.clock.now());
    bot.runtime.notify!.kick();
    await bot.notify.sender.settled();
    expect(smtp.mails.length).toBe(before + 1);
    expect(smtp.mails.at(-1)!.subject).toBe(`[Critical] #${a.shortId} Disk full on db-1 db-1`);
    expect(smtp.mails.at(-1)!.text).toContain('Claim or resolve: https://dutybot.example.com/l/');
  });

  it('throttling is retried with backoff, not before its time', async () => {
    const a = await openAlert();
    aliyun.fail('throttle', 2);
    await enqueue(row(a.id, 'sms'));
    await pass();
    let r = await bot.notify.outbox.find(row(a.id, 'sms')._id);
    expect(r).toMatchObject({ state: 'pending', attempts: 1, lastError: expect.stringContaining('isv.BUSINESS_LIMIT_CONTROL') });
    expect(r!.dueAt.getTime() - bot.clock.now().getTime()).toBe(60_000);
    await pass();
    expect(aliyun.requests).toHaveLength(1); // not due yet
    bot.clock.advance(60_000);
    await pass();
    bot.clock.advance(60_000);
    await pass();
    r = await bot.notify.outbox.find(row(a.id, 'sms')._id);
    expect(r).toMatchObject({ state: 'sent', attempts: 3 });
    expect(aliyun.requests).toHaveLength(3);
  });

  it('a provider failing permanently falls back to email, which carries the personal link', async () => {
    const a = await openAlert('订单量骤降 / order volume dropped');
    aliyun.fail('permanent');
    await enqueue(row(a.id, 'sms', { fallback: ['email'] }));
    const before = smtp.mails.length;
    await pass();
    expect(await bot.notify.outbox.find(row(a.id, 'sms')._id)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('isv.MOBILE_NUMBER_ILLEGAL') });
    const fb = await bot.notify.outbox.find(`${row(a.id, 'sms')._id}>email`);
    expect(fb).toMatchObject({ state: 'sent', method: 'email', provider: 'smtp', fallbackOf: row(a.id, 'sms')._id, fallback: [] });
    expect(smtp.mails.length).toBe(before + 1);
    const mail = smtp.mails.at(-1)!;
    expect(mail.subject).toContain('订单量骤降');
    expect(mail.text).toMatch(/https:\/\/dutybot\.example\.com\/l\/\S+/);
    const lines = await deliveries(a.id);
    expect(lines[0]).toMatch(/^SMS to 张三 via aliyun \(escalation level 1 of 2\): failed: isv\.MOBILE_NUMBER_ILLEGAL.*falling back to email$/);
    expect(lines[1]).toMatch(/^email to 张三 via smtp .*: sent, receipt </);
  });

  it('after too many attempts a message fails for good and falls back', async () => {
    const a = await openAlert();
    aliyun.fail('http500', 3);
    await enqueue(row(a.id, 'sms', { fallback: ['voice'] }));
    for (let i = 0; i < 3; i++) {
      await pass();
      bot.clock.advance(30_000);
    }
    await pass();
    expect(await bot.notify.outbox.find(row(a.id, 'sms')._id)).toMatchObject({ state: 'failed', attempts: 3, lastError: expect.stringMatching(/^gave up after 3 attempts: http 500/) });
    expect(await bot.notify.outbox.find(`${row(a.id, 'sms')._id}>voice`)).toMatchObject({ state: 'sent', provider: 'twilio' });
  });

  it('a mention row is refused with a clear error; a row whose alert was claimed meanwhile is cancelled', async () => {
    const a = await openAlert();
    await enqueue(row(a.id, 'mention', { teamId: 'ops', memberId: undefined }));
    await pass();
    expect(await bot.notify.outbox.find(row(a.id, 'mention')._id)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('unsupported') });

    await bot.post(`/api/v1/alerts/${a.id}/claim`, {}, 'token-li-0123456789ab');
    await enqueue(row(a.id, 'sms'));
    await pass();
    expect(await bot.notify.outbox.find(row(a.id, 'sms')._id)).toMatchObject({ state: 'cancelled', lastError: 'claimed by 李四 before it went out' });
    expect(aliyun.requests).toHaveLength(0);
  });

  it('a restart with a row left in sending delivers it once, after its lease', async () => {
    const a = await openAlert();
    await enqueue(row(a.id, 'sms'));
    // The process claims the row and dies before the provider call.
    const [due] = await bot.notify.outbox.due(bot.clock.now(), 10);
    await bot.notify.outbox.claim(due!, new Date(bot.clock.now().getTime() + 120_000));
    const clock = bot.clock;
    await bot.stop();
    bot = await start(clock);
    await pass();
    expect(aliyun.requests).toHaveLength(0); // still leased to the dead process
    clock.advance(120_000);
    await pass();
    await pass();
    expect(aliyun.calls('SendSms')).toHaveLength(1);
    expect(await bot.notify.outbox.find(row(a.id, 'sms')._id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a crash between recording a message as sent and freeing its row does not send it again', async () => {
    const a = await openAlert();
    await enqueue(row(a.id, 'sms'));
    const [due] = await bot.notify.outbox.due(bot.clock.now(), 10);
    const claimed = (await bot.notify.outbox.claim(due!, new Date(bot.clock.now().getTime() + 120_000)))!;
    await bot.notify.outbox.log.replaceOne({ _id: claimed._id }, { ...claimed, state: 'sent', receipt: 'x', finishedAt: bot.clock.now() }, { upsert: true });
    bot.clock.advance(120_000);
    await pass();
    expect(aliyun.requests).toHaveLength(0);
    expect(await bot.notify.outbox.countOpen()).toBe(0);
  });

  it('the action link of an SMS: GET only shows the page; POST claims as that member and the Slack card updates', async () => {
    const a = await openAlert('Redis 内存使用率 95%');
    await bot.flushCards();
    const card = slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes('Redis'))!;
    await enqueue(row(a.id, 'sms'));
    await pass();
    const link = JSON.parse(aliyun.calls('SendSms')[0]!.TemplateParam!).link as string;

    const page = await fetch(local(link));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Redis 内存使用率 95%');
    expect(html).toContain('认领 / Claim');
    expect((await bot.runtime.alerts.get(a.id))!.state).toBe('triggered'); // a mail scanner's GET changes nothing

    const post = (action: string, url = link) =>
      fetch(local(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `action=${action}` });
    const res = await post('claim');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`已认领 #${a.shortId}`);
    const claimed = (await bot.runtime.alerts.get(a.id))!;
    expect(claimed).toMatchObject({ state: 'acknowledged', owner: { memberId: 'zhang', name: '张三', via: 'link' } });
    await bot.flushCards();
    const update = slack.callsTo('chat.update').find((c) => c.args.ts === card.response.ts);
    expect(JSON.stringify(update?.args)).toContain('张三');

    // Used once: a second use (even for another action) gets a clear page and changes nothing.
    const again = await post('resolve');
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link was already used; nothing was changed.');
    expect((await fetch(local(link))).status).toBe(410);
    expect((await bot.runtime.alerts.get(a.id))!.state).toBe('acknowledged');
  });

  it('an expired or forged link changes nothing', async () => {
    const a = await openAlert();
    const old = bot.notify.links!.url(a.id, 'zhang', new Date(bot.clock.now().getTime() - 25 * 3_600_000), 'row-x');
    const post = (url: string) => fetch(local(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=claim' });
    const expired = await post(old);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('链接已过期，未做任何更改');
    expect((await post(`${PUBLIC}/l/bm9uc2Vuc2U.AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await post(old.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(404);
    expect((await bot.runtime.alerts.get(a.id))!.state).toBe('triggered');
  });

  it('a Twilio call reads the title; pressing 1 claims the alert (the callback’s signature is checked)', async () => {
    const a = await openAlert('Nginx 502 比例升高');
    await enqueue(row(a.id, 'voice'));
    await pass();
    const [call] = twilio.calls();
    expect(call!.Twiml).toContain('Nginx 502 比例升高');
    expect(call!.Twiml).toContain('按 1 认领');

    const forged = await fetch(`${bot.url}${new URL(/action="([^"]+)"/.exec(call!.Twiml!)![1]!).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      body: 'Digits=1',
    });
    expect(forged.status).toBe(403);
    expect((await bot.runtime.alerts.get(a.id))!.state).toBe('triggered');

    const res = await twilio.pressKey(call!.sid!, '1', bot.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('已认领');
    expect((await bot.runtime.alerts.get(a.id))!).toMatchObject({ state: 'acknowledged', owner: { name: '张三', via: 'voice' } });
  });

  it('a direct message goes to the member’s Slack user id with the link', async () => {
    const a = await openAlert();
    await enqueue(row(a.id, 'dm'));
    await pass();
    const dm = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'U0ZHANG');
    expect(String(dm?.args.text)).toMatch(/https:\/\/dutybot\.example\.com\/l\//);
    expect(await deliveries(a.id)).toEqual(['direct message to 张三 via slack (escalation level 1 of 2): sent, receipt slack:U0ZHANG']);
  });

  it('someone no chat platform can message directly: the DM fails for good and falls back to SMS', async () => {
    const a = await openAlert();
    await enqueue(row(a.id, 'dm', { _id: `esc:${a.id}:wang:dm`, memberId: 'wang', fallback: ['sms'] }));
    await pass();
    expect(await bot.notify.outbox.find(`esc:${a.id}:wang:dm`)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('no chat platform can send wang a direct message') });
    expect(await bot.notify.outbox.find(`esc:${a.id}:wang:dm>sms`)).toMatchObject({ state: 'failed', lastError: 'member wang has no phone number' });
  });
});
