import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.js';
import type { Member } from '../../src/config/schema.js';
import type { Delivery } from '../../src/notify/channel.js';
import type { OutboxMessage } from '../../src/notify/message.js';
import { AliyunSmsChannel, AliyunVoiceChannel, ttsOutId } from '../../src/notify/providers/aliyun.js';
import { EmailChannel } from '../../src/notify/providers/email.js';
import { TencentSmsChannel } from '../../src/notify/providers/tencent.js';
import { TwilioSmsChannel, TwilioVoiceChannel } from '../../src/notify/providers/twilio.js';
import { WebhookChannel } from '../../src/notify/providers/webhook.js';
import { pageContent } from '../../src/notify/texts.js';
import { FakeAliyun } from '../fakes/aliyun-api.js';
import { FakeSmtp } from '../fakes/smtp-server.js';
import { FakeTencentSms } from '../fakes/tencent-sms.js';
import { FakeTwilio } from '../fakes/twilio-api.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { FakeClock } from '../support/clock.js';

const clock = new FakeClock();
const alert: Alert = {
  id: '6566f0c2a1b2c3d4e5f60718',
  shortId: 42,
  integration: 'prometheus',
  source: 'alertmanager',
  application: 'shop',
  team: 'ops',
  dedupKey: 'k',
  state: 'triggered',
  version: 1,
  title: '磁盘将满 / disk almost full',
  severity: 'critical',
  host: 'db-1',
  labels: [],
  links: [],
  count: 1,
  firstSeenAt: clock.now(),
  lastSeenAt: clock.now(),
  escalationLevel: 0,
  rev: 1,
};
const zhang: Member = { id: 'zhang', name: '张三', phone: '+8613800000001', email: 'zhang@example.com' };
const row = (method: OutboxMessage['method'], extra: Partial<OutboxMessage> = {}): OutboxMessage => ({
  _id: `esc:${alert.id}:r1:1:2:0:zhang:${method}`,
  alertId: alert.id,
  method,
  memberId: 'zhang',
  fallback: [],
  reason: 'escalation level 2 of 3',
  state: 'sending',
  dueAt: clock.now(),
  createdAt: clock.now(),
  attempts: 1,
  ...extra,
});
const link = 'https://dutybot.example.com/l/abc.def';
const delivery = (method: OutboxMessage['method'], member: Member | undefined = zhang, locale: 'zh' | 'en' = 'zh'): Delivery => ({
  row: row(method),
  alert,
  member,
  locale,
  content: pageContent(alert, locale, 'escalation level 2 of 3', link),
  linkToken: 'abc.def',
});

describe('Aliyun SMS and voice against a fake that checks the RPC signature', () => {
  const fake = new FakeAliyun();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());
  const creds = { accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, regionId: 'cn-hangzhou' };

  it('sends the template with severity, id, title and link, OutId from the row, and returns BizId', async () => {
    const sms = new AliyunSmsChannel({ provider: 'aliyun', ...creds, signName: '值班机器人', templateCode: 'SMS_000001', endpoint: fake.origin }, clock);
    const r = await sms.send(delivery('sms'));
    expect(r.kind).toBe('sent');
    const [call] = fake.calls('SendSms');
    expect(call).toMatchObject({ PhoneNumbers: '13800000001', SignName: '值班机器人', TemplateCode: 'SMS_000001' });
    expect(JSON.parse(call!.TemplateParam!)).toEqual({ severity: '严重', id: '42', title: '磁盘将满 / disk almost full', link });
    expect(call!.OutId).toBe(row('sms')._id);
    expect(r.kind === 'sent' && r.receipt).toMatch(/\^/);
  });

  it('maps throttling to retry, a bad number to permanent, 500 and a hang-up to retry, a wrong secret to permanent', async () => {
    const sms = new AliyunSmsChannel({ provider: 'aliyun', ...creds, signName: 'S', templateCode: 'SMS_000001', endpoint: fake.origin }, clock);
    fake.fail('throttle');
    expect(await sms.send(delivery('sms'))).toMatchObject({ kind: 'retry', error: expect.stringContaining('isv.BUSINESS_LIMIT_CONTROL') });
    fake.fail('permanent');
    expect(await sms.send(delivery('sms'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('isv.MOBILE_NUMBER_ILLEGAL') });
    fake.fail('http500');
    expect((await sms.send(delivery('sms'))).kind).toBe('retry');
    fake.fail('hangup');
    expect(await sms.send(delivery('sms'))).toMatchObject({ kind: 'retry', error: expect.stringMatching(/^network/) });
    const wrong = new AliyunSmsChannel({ provider: 'aliyun', ...creds, accessKeySecret: 'nope', signName: 'S', templateCode: 'SMS_000001', endpoint: fake.origin }, clock);
    expect(await wrong.send(delivery('sms'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('SignatureDoesNotMatch') });
    expect(await sms.send(delivery('sms', { id: 'x', name: 'X' }))).toMatchObject({ kind: 'permanent', error: 'member x has no phone number' });
  });

  it('calls with the TTS template and returns the CallId', async () => {
    const voice = new AliyunVoiceChannel({ provider: 'aliyun', ...creds, calledShowNumber: '057188000000', ttsCode: 'TTS_000001', endpoint: fake.origin }, clock);
    const r = await voice.send(delivery('voice'));
    expect(r).toMatchObject({ kind: 'sent', receipt: expect.stringMatching(/^116012854210/) });
    expect(fake.calls('SingleCallByTts')[0]).toMatchObject({ CalledNumber: '13800000001', CalledShowNumber: '057188000000', TtsCode: 'TTS_000001' });
    // Aliyun takes 1 to 15 bytes (the fake refuses more); the same row always gives the same OutId.
    expect(fake.calls('SingleCallByTts')[0]!.OutId).toBe(ttsOutId(row('voice')._id));
    expect(ttsOutId(row('voice')._id)).toMatch(/^t[0-9a-z]{14}$/);
  });
});

describe('Tencent Cloud SMS against a fake that checks TC3-HMAC-SHA256', () => {
  const fake = new FakeTencentSms();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());
  const cfg = () =>
    ({ provider: 'tencent', secretId: fake.secretId, secretKey: fake.secretKey, sdkAppId: fake.sdkAppId, signName: '值班', templateId: '1234567', region: 'ap-guangzhou', endpoint: fake.origin }) as const;

  it('sends the four template parameters with SessionContext and returns the serial number', async () => {
    const r = await new TencentSmsChannel(cfg(), clock).send(delivery('sms'));
    expect(r).toMatchObject({ kind: 'sent', receipt: expect.stringMatching(/^2019:/) });
    expect(fake.sends()[0]).toMatchObject({ PhoneNumberSet: ['+8613800000001'], TemplateParamSet: ['严重', '42', '磁盘将满 / disk almost full', link], TemplateId: '1234567' });
    expect(fake.sends()[0]!.SessionContext).toBeTruthy();
  });

  it('maps a number limit to retry, a bad number and a bad signature to permanent', async () => {
    const ch = new TencentSmsChannel(cfg(), clock);
    fake.fail('throttle');
    expect(await ch.send(delivery('sms'))).toMatchObject({ kind: 'retry', error: expect.stringContaining('LimitExceeded.PhoneNumberThirtySecondLimit') });
    fake.fail('permanent');
    expect(await ch.send(delivery('sms'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('IncorrectPhoneNumber') });
    fake.fail('http500');
    expect((await ch.send(delivery('sms'))).kind).toBe('retry');
    expect(await new TencentSmsChannel({ ...cfg(), secretKey: 'wrong' }, clock).send(delivery('sms'))).toMatchObject({
      kind: 'permanent',
      error: expect.stringContaining('AuthFailure.SignatureFailure'),
    });
  });
});

describe('Twilio SMS and voice against a fake that checks Basic auth', () => {
  const fake = new FakeTwilio();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());
  const cfg = () => ({ provider: 'twilio', accountSid: fake.accountSid, authToken: fake.authToken, from: '+15005550006', endpoint: fake.origin }) as const;

  it('sends the short text with the link', async () => {
    const r = await new TwilioSmsChannel(cfg()).send(delivery('sms', zhang, 'en'));
    expect(r).toMatchObject({ kind: 'sent', receipt: expect.stringMatching(/^SM/) });
    const [m] = fake.messages();
    expect(m).toMatchObject({ To: '+8613800000001', From: '+15005550006' });
    expect(m!.Body).toContain('#42');
    expect(m!.Body).toContain(link);
  });

  it('calls with TwiML that reads the title and gathers one digit', async () => {
    const r = await new TwilioVoiceChannel(cfg(), (t) => `https://dutybot.example.com/notify/twilio/gather/${t}`).send(delivery('voice', zhang, 'en'));
    expect(r.kind).toBe('sent');
    const twiml = fake.calls()[0]!.Twiml!;
    expect(twiml).toContain('<Gather numDigits="1"');
    expect(twiml).toContain('action="https://dutybot.example.com/notify/twilio/gather/abc.def"');
    expect(twiml).toContain('disk almost full');
    expect(twiml).toContain('Press 1 to claim');
  });

  it('maps 429 to retry with its Retry-After, 21211 and bad credentials to permanent', async () => {
    fake.fail('throttle');
    expect(await new TwilioSmsChannel(cfg()).send(delivery('sms'))).toMatchObject({ kind: 'retry', afterMs: 2000 });
    fake.fail('permanent');
    expect(await new TwilioSmsChannel(cfg()).send(delivery('sms'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('21211') });
    expect(await new TwilioSmsChannel({ ...cfg(), authToken: 'wrong' }).send(delivery('sms'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('20003') });
  });
});

describe('email over SMTP against a local smtp-server', () => {
  const smtp = new FakeSmtp();
  beforeAll(() => smtp.start());
  afterAll(() => smtp.close());

  it('sends HTML and text in the team language with severity, short id and title in the subject, and the personal link', async () => {
    const ch = new EmailChannel(smtp.url, 'dutybot <dutybot@example.com>');
    const r = await ch.send(delivery('email'));
    await ch.close();
    expect(r.kind).toBe('sent');
    const mail = smtp.mails.at(-1)!;
    expect(mail.to).toEqual(['zhang@example.com']);
    expect(mail.subject).toBe('[严重] #42 磁盘将满 / disk almost full db-1');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('你收到这条消息是因为：escalation level 2 of 3');
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.header('x-dutybot-alert')).toBe(alert.id);
  });

  it('gives the same Message-ID to a repeat of one row; 450 is retried, 550 is permanent', async () => {
    const ch = new EmailChannel(smtp.url, 'dutybot@example.com');
    await ch.send(delivery('email', zhang, 'en'));
    await ch.send(delivery('email', zhang, 'en'));
    const [a, b] = smtp.mails.slice(-2);
    expect(a!.header('message-id')).toBe(b!.header('message-id'));
    expect(a!.subject).toBe('[Critical] #42 磁盘将满 / disk almost full db-1');
    smtp.refuseNext(450);
    expect((await ch.send(delivery('email'))).kind).toBe('retry');
    smtp.refuseNext(550);
    expect(await ch.send(delivery('email'))).toMatchObject({ kind: 'permanent', error: expect.stringContaining('550') });
    expect(await ch.send(delivery('email', { id: 'li', name: '李四' }))).toMatchObject({ kind: 'permanent', error: 'member li has no email address' });
    await ch.close();
  });
});

describe('signed webhook', () => {
  const fake = new FakeWebhookReceiver();
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('is signed, carries the row id as idempotency key, and maps 429/410', async () => {
    const ch = new WebhookChannel(fake.secret, clock, 2_000);
    const d = { ...delivery('webhook', undefined), row: row('webhook', { memberId: undefined, url: `${fake.origin}/hook` }) };
    expect(await ch.send(d)).toMatchObject({ kind: 'sent', receipt: 'http 202 wh-1' });
    await ch.send(d);
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0]!.key).toBe(d.row._id);
    expect(fake.received[0]!.body).toMatchObject({ type: 'alert.page', alert: { shortId: 42, severity: 'critical' } });
    fake.fail('throttle');
    expect(await ch.send(d)).toMatchObject({ kind: 'retry', afterMs: 3000 });
    fake.fail('permanent');
    expect((await ch.send(d)).kind).toBe('permanent');
    expect((await new WebhookChannel('another-secret-0123456', clock).send(d)).kind).toBe('permanent');
  });
});
