import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeSmtp } from '../fakes/smtp-server.js';
import { FakeTwilio } from '../fakes/twilio-api.js';
import { FakeClock } from '../support/clock.js';
import { freshDatabaseUri, KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

/**
 * The whole paging path with nothing in between stubbed: an alert in over REST, the escalation
 * engine on a fake clock, the outbox sender, the real HTTP and SMTP clients against fake Aliyun,
 * Twilio and SMTP servers that check signatures, the personal link, and the Slack card.
 */
const MIN = 60_000;
// 17:00 in Shanghai: 张三 (zhang) has today's primary shift, 王五 (wang) the week's secondary.
const T0 = new Date('2026-11-27T09:00:00Z');
const PUBLIC = 'https://dutybot.example.com';

describe('an unclaimed critical alert reaches a person, by chat, then SMS, then phone', () => {
  const aliyun = new FakeAliyun();
  const twilio = new FakeTwilio();
  const smtp = new FakeSmtp();
  let slack: FakeSlackApi;
  let input: ConfigInput;
  let n = 0;

  const start = (mongoUri: string, clock: FakeClock) =>
    startTestBot({
      mongoUri,
      clock,
      config: testConfig(input),
      adapters: [new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'slack-signing-secret-for-tests', apiUrl: slack.apiUrl, log })],
      escalationTimers: false,
      outboxIntervalMs: false,
    });

  /** Moves the fake clock to T0 + `minutes`, runs the steps due then, and lets the sender deliver. */
  async function at(bot: TestBot, minutes: number): Promise<void> {
    await bot.escalation.idle();
    bot.clock.set(new Date(T0.getTime() + minutes * MIN));
    await bot.escalation.idle();
    await bot.escalation.tick();
    await bot.notify.sender.runOnce();
    await bot.notify.sender.settled();
  }

  async function openCritical(bot: TestBot): Promise<{ id: string; shortId: number; key: string }> {
    n += 1;
    const key = `pay-${n}`;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: `支付接口超时 ${key}`, severity: 'critical' }, KEYS.api);
    expect(res.status).toBe(202);
    const r = (await res.json()) as { alertId: string; shortId: number };
    await bot.escalation.idle();
    return { id: r.alertId, shortId: r.shortId, key };
  }

  const smsTo = (phone: string) => aliyun.calls('SendSms').filter((c) => c.PhoneNumbers === phone);
  const callsTo = (phone: string) => twilio.calls().filter((c) => c.To === phone);

  beforeAll(async () => {
    await Promise.all([aliyun.start(), twilio.start(), smtp.start()]);
    slack = await FakeSlackApi.start();
    input = testConfigInput();
    input.members![0] = { ...input.members![0]!, phone: '13800000001', email: 'zhang@example.com' };
    input.members![2] = { ...input.members![2]!, phone: '+8613800000003' };
    input.teams![0] = { ...input.teams![0]!, channels: [{ platform: 'slack', channel: 'C0OPS' }], escalationPolicy: 'critical', schedule: 'primary' };
    input.schedules = [
      { id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }] },
      { id: 'secondary', name: 'Secondary', timeZone: 'Asia/Shanghai', layers: [{ members: ['wang'], shift: 'weekly', start: '2026-11-02' }] },
    ];
    input.escalationPolicies = [
      {
        id: 'critical',
        levels: [
          { after: '0s', notify: [{ schedule: 'primary', via: ['mention'] }] },
          { after: '5m', notify: [{ schedule: 'primary', via: ['sms', 'email'] }] },
          { after: '10m', notify: [{ schedule: 'secondary', via: ['voice'] }] },
        ],
      },
    ];
    input.notify = {
      publicUrl: PUBLIC,
      linkSecret: 'link-secret-0123456789abcdef',
      email: { smtpUrl: smtp.url, from: 'dutybot <dutybot@example.com>' },
      sms: { provider: 'aliyun', accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, signName: '值班', templateCode: 'SMS_000001', endpoint: aliyun.origin },
      voice: { provider: 'twilio', accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006', endpoint: twilio.origin },
    };
  });
  afterAll(async () => {
    await Promise.all([aliyun.close(), twilio.close(), smtp.close(), slack.close()]);
  });
  beforeEach(() => {
    aliyun.requests.length = 0;
    twilio.requests.length = 0;
    smtp.mails.length = 0;
    slack.reset();
  });

  it('SMS at 5 min fails for good and falls back to email; its link claims the alert, the Slack card updates, and the 10-min call never rings', async () => {
    const bot = await start(freshDatabaseUri(), new FakeClock(T0));
    const a = await openCritical(bot);
    await at(bot, 0);
    await bot.flushCards();
    const card = slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(a.key))!;
    expect(card).toBeDefined();

    aliyun.fail('permanent');
    await at(bot, 4);
    expect(aliyun.requests).toHaveLength(0);
    await at(bot, 5);
    expect(aliyun.requests).toHaveLength(1); // tried once, refused for good (isv.MOBILE_NUMBER_ILLEGAL)
    expect(smsTo('13800000001')).toHaveLength(0);
    expect(smtp.mails.map((m) => m.to)).toEqual([['zhang@example.com']]);
    const link = /https:\/\/dutybot\.example\.com\/l\/\S+/.exec(smtp.mails[0]!.text)![0];

    // 张三 opens the email's link at 7 min and claims.
    bot.clock.set(new Date(T0.getTime() + 7 * MIN));
    const res = await fetch(link.replace(PUBLIC, bot.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=claim',
    });
    expect(res.status).toBe(200);
    expect((await bot.runtime.alerts.get(a.id))!).toMatchObject({ state: 'acknowledged', owner: { memberId: 'zhang', via: 'link' } });
    await bot.flushCards();
    const update = slack.callsTo('chat.update').filter((c) => c.args.ts === card.response.ts).at(-1);
    expect(JSON.stringify(update?.args)).toContain('张三');

    await at(bot, 10);
    await at(bot, 30);
    expect(twilio.calls()).toHaveLength(0);
    const deliveries = (await bot.runtime.alerts.timeline(a.id)).filter((e) => e.kind === 'delivery').map((e) => e.text);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]).toMatch(/^SMS to 张三 via aliyun .*failed.*falling back to email$/);
    expect(deliveries[1]).toMatch(/^email to 张三 via smtp .*: sent/);
    await bot.stop();
  });

  it('a restart at 6 min: the SMS went out once, and the 10-min call to the secondary rings once', async () => {
    const mongoUri = freshDatabaseUri();
    const first = await start(mongoUri, new FakeClock(T0));
    await openCritical(first);
    await at(first, 0);
    await at(first, 5);
    expect(smsTo('13800000001')).toHaveLength(1);
    first.clock.set(new Date(T0.getTime() + 6 * MIN));
    await first.stop();

    const second = await start(mongoUri, new FakeClock(new Date(T0.getTime() + 6 * MIN)));
    await at(second, 9);
    expect(callsTo('+8613800000003')).toHaveLength(0);
    await at(second, 10);
    await at(second, 11);
    expect(smsTo('13800000001')).toHaveLength(1);
    expect(callsTo('+8613800000003')).toHaveLength(1);
    expect(smtp.mails).toHaveLength(0); // the SMS was delivered: no fallback
    await second.stop();
  });
});
