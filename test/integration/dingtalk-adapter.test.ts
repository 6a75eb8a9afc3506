import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { channelId, DingTalkWebhookAdapter, secretsOf, THROTTLED_MS } from '../../adapters/dingtalk/webhook-adapter.js';
import type { AlertCard } from '../../src/bot/card.js';
import { followUpCard } from '../../src/bot/follow-ups.js';
import type { ActionRequest, BotReply, CommandRequest, InboundRequest, MessageRef } from '../../src/bot/chat-adapter.js';
import { ackResponse, FakeDingTalk } from '../fakes/dingtalk-server.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';

/**
 * Both DingTalk adapters against one fake DingTalk (test/fakes/dingtalk-server.ts): the app robot
 * with the real dingtalk-stream SDK over a real WebSocket and the card OpenAPI; the custom group
 * robot with 加签 and its 20-a-minute limit. No dutybot core: the handler is the test's.
 */

const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const CONV = 'cidFakeGroup0001==';
const ALERT_ID = '665f1c2e9b1d8c0012345678';

function card(overrides: Partial<AlertCard> = {}): AlertCard {
  return {
    kind: 'alert',
    alertId: ALERT_ID,
    shortId: 12,
    ref: '#12',
    severity: 'critical',
    state: 'triggered',
    locale: 'zh',
    colour: '#d93025',
    heading: '🔴 #12 Disk almost full on web-1',
    status: '待认领',
    fields: [
      { label: '主机', value: 'web-1' },
      { label: '团队', value: 'ops *core* [team]' },
    ],
    labels: [{ name: 'alertname', value: 'DiskFull' }],
    links: [{ text: 'Runbook', href: 'https://runbooks.example.com/disk?a=1&b=2' }],
    mentions: [],
    actions: [
      { id: 'claim', label: '认领', style: 'primary' },
      { id: 'resolve', label: '关闭' },
      { id: 'escalate', label: '升级' },
      { id: 'reassign', label: '转派', options: [{ value: 'm-li', label: '李四' }] },
      { id: 'mute', label: '静默', options: [{ value: '1800000', label: '30分钟' }] },
    ],
    commandHint: '回复命令：认领 12 · 关闭 12 [备注]',
    text: '🔴 #12 Disk almost full on web-1\n待认领',
    ...overrides,
  };
}

const claimed = (): AlertCard =>
  card({
    state: 'acknowledged',
    status: '已认领 · 张三 · 09:41',
    actions: [
      { id: 'resolve', label: '关闭' },
      { id: 'escalate', label: '升级' },
    ],
    commandHint: '回复命令：关闭 12 [备注]',
  });

/** The test's stand-in for the core: records requests and answers with `answer`. */
class Inbox {
  readonly requests: InboundRequest[] = [];
  answer: (req: InboundRequest) => Promise<BotReply | null> = async () => null;
  private readonly events = new EventEmitter();

  readonly handler = async (req: InboundRequest): Promise<BotReply | null> => {
    this.requests.push(req);
    this.events.emit('req');
    return this.answer(req);
  };

  next<T extends InboundRequest>(predicate: (r: InboundRequest) => boolean, timeoutMs = 5_000): Promise<T> {
    const found = this.requests.find(predicate);
    if (found) return Promise.resolve(found as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('req', check);
        reject(new Error('no such request'));
      }, timeoutMs);
      const check = (): void => {
        const r = this.requests.find(predicate);
        if (!r) return;
        clearTimeout(timer);
        this.events.off('req', check);
        resolve(r as T);
      };
      this.events.on('req', check);
    });
  }
}

describe('DingTalkAppAdapter (dingtalk-stream SDK against the fake DingTalk)', () => {
  let fake: FakeDingTalk;
  let adapter: DingTalkAppAdapter;
  const inbox = new Inbox();

  beforeAll(async () => {
    fake = await FakeDingTalk.start();
    adapter = dingTalkAppOn(fake, { clickAnswerMs: 1_000 });
    expect(adapter.status().state).toBe('off');
    await adapter.start(inbox.handler);
    await fake.waitForConnection(1);
    await adapter.waitUntilOpen();
  });

  afterAll(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  beforeEach(() => {
    inbox.requests.length = 0;
    inbox.answer = async () => null;
  });

  it('connects through the configurable gateway and subscribes to robot messages and card callbacks only', () => {
    expect(adapter.status()).toEqual({ state: 'ready' });
    expect(fake.gatewayRequests[0]).toMatchObject({ clientId: fake.clientId, status: 200 });
    expect(fake.gatewayRequests[0]!.subscriptions).toEqual([
      { type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
      { type: 'CALLBACK', topic: '/v1.0/card/instances/callback' },
    ]);
  });

  it('sends a direct message through the robot’s one-to-one API (paging by dm)', async () => {
    expect(await adapter.sendDirect('staff-zhang', '[dutybot] 严重 #7 磁盘满')).toEqual({ kind: 'sent', value: undefined });
    expect(fake.privateMessages.at(-1)).toMatchObject({ userIds: ['staff-zhang'], msgKey: 'sampleText', msgParam: { content: '[dutybot] 严重 #7 磁盘满' } });
  });

  it('echoes the gateway ping', async () => {
    const echo = await fake.ping();
    expect(echo.code).toBe(200);
  });

  it('turns an @-message into a command and answers through the sessionWebhook', async () => {
    inbox.answer = async () => ({ text: '已认领 #12', private: false });
    const ack = await fake.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-zhang', senderNick: '张三', text: '@dutybot 认领 12', isInAtList: true });
    expect(ack).toMatchObject({ code: 200, message: 'OK' });

    const req = await inbox.next<CommandRequest>((r) => r.kind === 'command');
    expect(req).toMatchObject({ kind: 'command', platform: 'dingtalk', text: '认领 12', userId: 'staff-zhang', userName: '张三', channel: CONV, deliveryId: ack.headers.messageId });
    expect(req.replyTo.handle).toMatch(new RegExp(`^${fake.url}/robot/sendBySession/`));

    const reply = await fake.waitFor(() => fake.sessionReplies[0]);
    expect(reply.body).toMatchObject({ msgtype: 'text', text: { content: '已认领 #12' } });
  });

  it('sends a private answer to the person, not the group', async () => {
    inbox.answer = async () => ({ text: '你好，dutybot 还不认识你', private: true });
    const before = fake.sessionReplies.length;
    await fake.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-wang', text: '@dutybot 认领 12' });
    const sent = await fake.waitFor(() => fake.privateMessages.find((m) => m.userIds.includes('staff-wang')));
    expect(sent).toMatchObject({ robotCode: fake.robotCode, msgKey: 'sampleText', msgParam: { content: '你好，dutybot 还不认识你' } });
    expect(fake.sessionReplies.length).toBe(before);
  });

  it('runs a redelivered robot message once and acknowledges it each time', async () => {
    const ack = await fake.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-zhang', text: 'help' });
    await inbox.next((r) => r.kind === 'command');
    const again = await fake.redeliver(ack.headers.messageId);
    expect(again.code).toBe(200);
    await fake.ping(); // frames are handled in order: the redelivery has been processed by now
    expect(inbox.requests.filter((r) => r.deliveryId === ack.headers.messageId)).toHaveLength(1);
  });

  describe('cards', () => {
    let ref: MessageRef;

    it('posts a card with string-only params and updates it, with one access token', async () => {
      const posted = await adapter.post(CONV, card());
      expect(posted.kind).toBe('sent');
      if (posted.kind !== 'sent') return;
      ref = posted.value;
      expect(ref).toMatchObject({ platform: 'dingtalk', channel: CONV });

      const stored = fake.cards.get(ref.messageId)!;
      expect(stored).toMatchObject({ conversationId: CONV, cardTemplateId: 'dutybot-alert.schema', callbackType: 'STREAM', robotCode: fake.robotCode });
      expect(stored.params).toMatchObject({ kind: 'alert', alertId: ALERT_ID, ref: '#12', state: 'triggered', conv: CONV, show_claim: 'true', label_claim: '认领', show_unmute: 'false' });
      expect(Object.values(stored.params).every((v) => typeof v === 'string')).toBe(true);
      expect(JSON.parse(stored.params.options_mute!)).toEqual([{ value: '1800000', text: '30分钟' }]);
      expect(stored.params.markdown).toContain('ops \\*core\\* [team]');

      const updated = await adapter.update(ref, claimed());
      expect(updated).toEqual({ kind: 'sent', value: undefined });
      expect(fake.cards.get(ref.messageId)!.params).toMatchObject({ state: 'acknowledged', status: '已认领 · 张三 · 09:41', show_claim: 'false', label_claim: '' });

      const cardCalls = fake.calls.filter((c) => c.path.startsWith('/v1.0/card/'));
      expect(cardCalls.map((c) => c.token)).toEqual([cardCalls[0]!.token, cardCalls[0]!.token]);
      expect(adapter.tokensFetched).toBe(1);
      expect(fake.calls.filter((c) => c.path === '/v1.0/oauth2/accessToken')).toHaveLength(1);
    });

    it('answers a click with the card the core re-rendered for the clicker', async () => {
      const posted = await adapter.post(CONV, card());
      if (posted.kind !== 'sent') throw new Error(posted.error);
      const clickRef = posted.value;
      inbox.answer = async (req) => {
        // What the core's outbox does right after the action: the card for everyone.
        if (req.kind === 'action') await adapter.update(clickRef, claimed());
        return null;
      };
      const ack = await fake.sendCardCallback({ outTrackId: clickRef.messageId, userId: 'staff-zhang', params: { action: 'claim', alertId: ALERT_ID, conv: CONV } });

      const req = await inbox.next<ActionRequest>((r) => r.kind === 'action');
      expect(req).toMatchObject({ kind: 'action', platform: 'dingtalk', action: 'claim', alertRef: ALERT_ID, userId: 'staff-zhang', channel: CONV, deliveryId: ack.headers.messageId });
      expect(ack.code).toBe(200);
      const answer = ackResponse(ack) as { cardData: { cardParamMap: Record<string, string> } };
      expect(answer.cardData.cardParamMap).toMatchObject({ state: 'acknowledged', show_claim: 'false', show_resolve: 'true' });
      expect(fake.cards.get(clickRef.messageId)!.params.state).toBe('acknowledged');
    });

    it('answers a redelivered click again without running the handler again', async () => {
      const posted = await adapter.post(CONV, card());
      if (posted.kind !== 'sent') throw new Error(posted.error);
      const escalated = card({ fields: [{ label: '升级级别', value: '1' }] });
      inbox.answer = async () => {
        await adapter.update(posted.value, escalated);
        return null;
      };
      const first = await fake.sendCardCallback({ outTrackId: posted.value.messageId, userId: 'staff-li', params: { action: 'escalate', alertId: ALERT_ID } });
      const again = await fake.redeliver(first.headers.messageId);
      expect(again.code).toBe(200);
      expect(ackResponse(again)).toHaveProperty('cardData.cardParamMap.alertId', ALERT_ID);
      expect(fake.acks.filter((a) => a.headers.messageId === first.headers.messageId)).toHaveLength(2);
      expect(inbox.requests.filter((r) => r.deliveryId === first.headers.messageId)).toHaveLength(1);
    });

    it('leaves the card as it is on a refusal and tells the clicker privately', async () => {
      const posted = await adapter.post(CONV, claimed());
      if (posted.kind !== 'sent') throw new Error(posted.error);
      inbox.answer = async () => ({ text: '已被 张三 于 09:41 认领', private: true });
      const ack = await fake.sendCardCallback({ outTrackId: posted.value.messageId, userId: 'staff-li', params: { action: 'claim', alertId: ALERT_ID } });
      expect(ackResponse(ack)).toHaveProperty('cardData.cardParamMap.state', 'acknowledged');
      const sent = await fake.waitFor(() => fake.privateMessages.find((m) => m.userIds.includes('staff-li')));
      expect(sent.msgParam).toEqual({ content: '已被 张三 于 09:41 认领' });
    });

    it('carries a chosen option and finds the alert from the card when the params lack it', async () => {
      const posted = await adapter.post(CONV, card());
      if (posted.kind !== 'sent') throw new Error(posted.error);
      const muted = card({ heading: '🔴 🔕 #12 Disk almost full on web-1', status: '待认领 · 🔕 静默至 10:11' });
      inbox.answer = async () => {
        await adapter.update(posted.value, muted);
        return null;
      };
      const ack = await fake.sendCardCallback({ outTrackId: posted.value.messageId, userId: 'staff-zhang', actionId: 'mute', params: { value: '1800000' } });
      expect(ackResponse(ack)).toHaveProperty('cardData.cardParamMap.status', '待认领 · 🔕 静默至 10:11');
      const req = await inbox.next<ActionRequest>((r) => r.kind === 'action');
      expect(req).toMatchObject({ action: 'mute', value: '1800000', alertRef: ALERT_ID, channel: CONV });
    });

    it('maps 429 to retry, refreshes a refused token once, and fails on a refused one', async () => {
      fake.failNext('/v1.0/card/instances/createAndDeliver', { status: 429, body: { code: 'Throttling.Api', message: 'too fast' }, headers: { 'retry-after': '3' } });
      expect(await adapter.post(CONV, card())).toMatchObject({ kind: 'retry', afterMs: 3_000 });

      fake.failNext('/v1.0/card/instances/createAndDeliver', { status: 403, body: { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'qps' } });
      expect(await adapter.post(CONV, card())).toMatchObject({ kind: 'retry' });

      const tokens = adapter.tokensFetched;
      fake.revokeTokens();
      expect((await adapter.post(CONV, card())).kind).toBe('sent');
      expect(adapter.tokensFetched).toBe(tokens + 1);

      fake.failNext('/v1.0/card/instances', { status: 401, body: { code: 'InvalidAuthentication', message: 'bad token' } }, 2);
      expect(await adapter.update(ref, card())).toMatchObject({ kind: 'failed', error: expect.stringContaining('401') });
      expect(adapter.status()).toMatchObject({ state: 'degraded' });
      expect((await adapter.update(ref, card())).kind).toBe('sent');
      expect(adapter.status()).toEqual({ state: 'ready' });

      fake.failNext('/v1.0/card/instances', { status: 500, body: {} });
      expect(await adapter.update(ref, card())).toMatchObject({ kind: 'retry', afterMs: 5_000 });
    });

    it('refreshes the access token 5 minutes before it expires', async () => {
      let clock = Date.parse('2026-11-27T09:00:00Z');
      const timed = new DingTalkAppAdapter({
        clientId: fake.clientId,
        clientSecret: fake.clientSecret,
        robotCode: fake.robotCode,
        cardTemplateId: 't',
        apiUrl: fake.url,
        log,
        now: () => clock,
      });
      expect((await timed.post(CONV, card())).kind).toBe('sent');
      clock += 7200_000 - 5 * 60_000 - 1;
      expect((await timed.post(CONV, card())).kind).toBe('sent');
      expect(timed.tokensFetched).toBe(1);
      clock += 2;
      expect((await timed.post(CONV, card())).kind).toBe('sent');
      expect(timed.tokensFetched).toBe(2);
    });

    it('retries a network failure after 5 s', async () => {
      const offline = new DingTalkAppAdapter({ clientId: 'x', clientSecret: 'y', robotCode: 'x', cardTemplateId: 't', apiUrl: 'http://127.0.0.1:1', log });
      expect(await offline.post(CONV, card())).toMatchObject({ kind: 'retry', afterMs: 5_000 });
    });
  });

  it('reconnects after the stream drops and still receives messages', async () => {
    const opened = fake.connectionsOpened;
    fake.dropConnections();
    await fake.waitForConnection(opened + 1);
    await adapter.waitUntilOpen();
    expect(adapter.status()).toEqual({ state: 'ready' });

    await fake.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-zhang', text: '@dutybot 列表' });
    const req = await inbox.next<CommandRequest>((r) => r.kind === 'command');
    expect(req.text).toBe('列表');
  });

  it('keeps one reconnect loop with backoff through an outage and reports itself degraded', async () => {
    fake.gatewayDown = true;
    const gatewayCalls = fake.gatewayRequests.length;
    fake.dropConnections();
    await fake.waitFor(() => fake.gatewayRequests.length >= gatewayCalls + 2, 5_000, 'two refused gateway calls');
    expect(adapter.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('gateway http 503') });

    // Failed handshakes: the SDK schedules two retries for each (its connect() catch and the
    // socket's close handler); only one loop may survive.
    fake.gatewayDown = false;
    fake.refuseSockets = true;
    const refused = fake.socketsRefused;
    await fake.waitFor(() => fake.socketsRefused >= refused + 3, 5_000, 'three refused handshakes');
    fake.refuseSockets = false;
    const opened = fake.connectionsOpened;
    await fake.waitForConnection(opened + 1);
    await adapter.waitUntilOpen();
    expect(adapter.status()).toEqual({ state: 'ready' });
    await fake.ping();
    expect(fake.connected).toBe(1);
    expect(fake.maxPendingTickets).toBe(1);
  });

  it('stops for good: no reconnect after stop', async () => {
    const other = new DingTalkAppAdapter({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      robotCode: fake.robotCode,
      cardTemplateId: 't',
      apiUrl: fake.url,
      log,
      reconnectMs: { first: 20, max: 40 },
    });
    const opened = fake.connectionsOpened;
    await other.start(async () => null);
    await fake.waitForConnection(opened + 1);
    await other.stop();
    expect(other.status().state).toBe('off');
    const requests = fake.gatewayRequests.length;
    // A negative needs a window: a reconnect would ask the gateway within 20-40 ms; none in 300 ms.
    await expect(fake.waitFor(() => fake.gatewayRequests.length > requests, 300, 'a gateway request')).rejects.toThrow(/timed out/);
  });
});

describe('fromEnv', () => {
  it('reads the app robot from DINGTALK_* and is off without a client id', () => {
    expect(DingTalkAppAdapter.fromEnv({}, log)).toBeNull();
    expect(() => DingTalkAppAdapter.fromEnv({ DINGTALK_CLIENT_ID: 'id' }, log)).toThrow(/DINGTALK_CLIENT_SECRET/);
    expect(() => DingTalkAppAdapter.fromEnv({ DINGTALK_CLIENT_ID: 'id', DINGTALK_CLIENT_SECRET: 's' }, log)).toThrow(/DINGTALK_CARD_TEMPLATE_ID/);
    const a = DingTalkAppAdapter.fromEnv({ DINGTALK_CLIENT_ID: 'id', DINGTALK_CLIENT_SECRET: 's', DINGTALK_CARD_TEMPLATE_ID: 't', DINGTALK_API_URL: 'http://127.0.0.1:9' }, log);
    expect(a?.platform).toBe('dingtalk');
    expect(a?.capabilities).toEqual({ edit: true, buttons: true, receive: true });
  });

  it('builds the webhook adapter with DINGTALK_OAPI_URL and the configured secrets', () => {
    const a = DingTalkWebhookAdapter.fromEnv({ DINGTALK_OAPI_URL: 'http://127.0.0.1:9' }, log, new Map());
    expect(a.platform).toBe('dingtalk-webhook');
    expect(
      secretsOf([
        { platform: 'dingtalk-webhook', url: 'https://oapi.dingtalk.com/robot/send?access_token=a', secret: 'SECa' },
        { platform: 'dingtalk-webhook', url: 'https://oapi.dingtalk.com/robot/send?access_token=b' },
        { platform: 'slack', url: 'x', secret: 'y' },
      ]),
    ).toEqual(new Map([['https://oapi.dingtalk.com/robot/send?access_token=a', 'SECa']]));
  });
});

describe('DingTalkWebhookAdapter (custom robot with 加签)', () => {
  const SECRET = 'SECfake0123456789abcdef';
  let clock = Date.parse('2026-11-27T09:00:00Z');
  const now = (): number => clock;
  let fake: FakeDingTalk;
  let url: string;
  let adapter: DingTalkWebhookAdapter;

  beforeAll(async () => {
    fake = await FakeDingTalk.start({ now });
    url = fake.addCustomRobot('robot-token-ops', SECRET);
    const channels = [{ platform: 'dingtalk-webhook' as const, url, secret: SECRET }];
    adapter = new DingTalkWebhookAdapter({ log, secrets: secretsOf(channels), oapiUrl: fake.url, now });
    await adapter.start(async () => null);
  });

  afterAll(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  it('uses the robot URL as the channel id', () => {
    expect(channelId({ url })).toBe(url);
    expect(adapter.capabilities).toEqual({ edit: false, buttons: false, receive: false });
  });

  it('posts a signed markdown message that says how to act', async () => {
    const posted = await adapter.post(url, card());
    expect(posted.kind).toBe('sent');
    const msg = fake.robotMessages.at(-1)!;
    expect(msg.accessToken).toBe('robot-token-ops');
    expect(msg.body).toMatchObject({ msgtype: 'markdown', at: { atMobiles: [], atUserIds: [], isAtAll: false } });
    const text = (msg.body.markdown as { title: string; text: string }).text;
    expect(text).toContain('<font color="#d93025">**🔴 #12 Disk almost full on web-1**</font>');
    expect(text).toContain('**团队**：ops \\*core\\* [team]');
    expect(text).toContain('回复命令：认领 12');
    expect(text).toContain('无法接收回复');
    expect(text).toContain('[Runbook](https://runbooks.example.com/disk?a=1&b=2)');
    expect(adapter.status()).toEqual({ state: 'ready' });
  });

  it('cannot edit: update() is unsupported and sends nothing; a one-line follow-up goes out as text, @-mentioning by mobile', async () => {
    const posted = await adapter.post(url, card());
    if (posted.kind !== 'sent') throw new Error(posted.error);
    const count = fake.robotMessages.length;
    expect(await adapter.update(posted.value, claimed())).toMatchObject({ kind: 'unsupported' });
    expect(fake.robotMessages.length).toBe(count);

    const line = followUpCard([{ ...claimed(), mentions: [{ name: '张三', phone: '+8613800000001' }] }], 'zh');
    expect((await adapter.post(url, line)).kind).toBe('sent');
    expect(fake.robotMessages.at(-1)!.body).toMatchObject({
      msgtype: 'text',
      text: { content: '#12 已认领 · 张三 @+8613800000001' },
      at: { atMobiles: ['+8613800000001'] },
    });
  });

  it('maps the 21st message in a minute (130101) to a 10-minute retry', async () => {
    clock += 10 * 60_000; // a fresh minute
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await adapter.post(url, card()));
    expect(results.slice(0, 20).every((r) => r.kind === 'sent')).toBe(true);
    expect(results[20]).toMatchObject({ kind: 'retry', afterMs: THROTTLED_MS });
    expect(fake.robotRefusals.at(-1)).toMatchObject({ errcode: 130101 });

    clock += THROTTLED_MS + 1;
    expect((await adapter.post(url, card())).kind).toBe('sent');
  });

  it('fails on a wrong secret (310000) and reports itself degraded', async () => {
    const wrong = new DingTalkWebhookAdapter({ log, resolveSecret: () => 'SECwrong', oapiUrl: fake.url, now });
    await wrong.start(async () => null);
    const res = await wrong.post(url, card());
    expect(res).toMatchObject({ kind: 'failed', error: expect.stringContaining('310000') });
    expect(wrong.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('310000') });
    expect(wrong.status().detail).not.toContain('robot-token-ops');
  });

  it('fails on a stale timestamp and on an unsigned request to a signing robot', async () => {
    const stale = new DingTalkWebhookAdapter({ log, secrets: new Map([[url, SECRET]]), oapiUrl: fake.url, now: () => clock - 2 * 3_600_000 });
    expect(await stale.post(url, card())).toMatchObject({ kind: 'failed', error: expect.stringContaining('310000') });
    const unsigned = new DingTalkWebhookAdapter({ log, oapiUrl: fake.url, now });
    expect(await unsigned.post(url, card())).toMatchObject({ kind: 'failed' });
  });
});
