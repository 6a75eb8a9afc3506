import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseGroupText, splitQuote, stripBotMentions } from '../../adapters/wechat/inbound.js';
import { renderWeComMarkdown, truncateUtf8, utf8Bytes } from '../../adapters/wechat/render.js';
import { followUpCard, stateSummary } from '../../src/bot/follow-ups.js';
import { maskSecrets } from '../../adapters/wechat/sdk-log.js';
import { WechatyAdapter, WECHAT_QR_PATH, type InboundOutcome } from '../../adapters/wechat/wechaty-adapter.js';
import { maskChannel, WeComWebhookAdapter } from '../../adapters/wechat/wecom-webhook-adapter.js';
import type { AlertCard } from '../../src/bot/card.js';
import type { BotReply, CommandRequest, InboundRequest } from '../../src/bot/chat-adapter.js';
import { WechatMock } from '../fakes/wechat-mock.js';
import { FakeWechatPuppetServer } from '../fakes/wechat-puppet-server.js';
import { FakeWeComRobot } from '../fakes/wecom-robot.js';

/**
 * The WeChat adapters with their real SDKs: wechaty (1.20) on wechaty-puppet-mock — directly,
 * and through wechaty-puppet-service's gRPC server like production — and the WeCom robot
 * adapter against a fake robot. Everything waits on events; nothing sleeps.
 */

const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const ADMIN = 'admin-token-0123456789abcdef';

function card(overrides: Partial<AlertCard> = {}): AlertCard {
  return {
    kind: 'alert',
    alertId: '665f1c2e9b1d8c0012345678',
    shortId: 12,
    ref: '#12',
    severity: 'critical',
    state: 'triggered',
    locale: 'zh',
    colour: '#d93025',
    heading: '🔴 #12 web-1 磁盘快满了',
    status: '待认领',
    fields: [
      { label: '主机', value: 'web-1' },
      { label: '团队', value: '运维' },
    ],
    labels: [{ name: 'alertname', value: 'DiskFull' }],
    links: [{ text: 'Runbook', href: 'https://runbooks.example.com/disk?a=1&b=2' }],
    mentions: [],
    actions: [
      { id: 'claim', label: '认领', style: 'primary' },
      { id: 'resolve', label: '关闭' },
    ],
    commandHint: '回复命令：认领 12 · 关闭 12 [备注]',
    text: '🔴 #12 web-1 磁盘快满了\n待认领\n主机：web-1\n回复命令：认领 12 · 关闭 12 [备注]',
    ...overrides,
  };
}

const claimed = (name = '张三', time = '09:41'): Partial<AlertCard> => ({ state: 'acknowledged', status: `已认领 · ${name} · ${time}` });

/** Collects what the adapter hands the core, and what became of every group message. */
class Inbox {
  readonly requests: InboundRequest[] = [];
  readonly outcomes = new Map<string, InboundOutcome>();
  answer: BotReply | null = null;
  private waiters: Array<() => void> = [];

  readonly handler = async (req: InboundRequest): Promise<BotReply | null> => {
    this.requests.push(req);
    this.wake();
    return this.answer;
  };

  readonly onInbound = (e: InboundOutcome): void => {
    this.outcomes.set(e.messageId, e);
    this.wake();
  };

  /** The outcome of one message, once the adapter decided. */
  outcome(messageId: string, timeoutMs = 5_000): Promise<InboundOutcome> {
    return this.until(() => this.outcomes.get(messageId), timeoutMs, `no outcome for ${messageId}`);
  }

  request(deliveryId: string, timeoutMs = 5_000): Promise<CommandRequest> {
    return this.until(
      () => this.requests.find((r): r is CommandRequest => r.kind === 'command' && r.deliveryId === deliveryId),
      timeoutMs,
      `no request for ${deliveryId}`,
    );
  }

  private until<T>(get: () => T | undefined, timeoutMs: number, message: string): Promise<T> {
    const now = get();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(message));
      }, timeoutMs);
      const check = (): void => {
        const v = get();
        if (v === undefined) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(v);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

describe('WechatyAdapter (wechaty + wechaty-puppet-mock)', () => {
  const wx = new WechatMock();
  const inbox = new Inbox();
  let adapter: WechatyAdapter;
  let server: Server;
  let adminUrl: string;

  beforeAll(async () => {
    adapter = new WechatyAdapter({ puppet: wx.puppet, log, adminToken: ADMIN, onInbound: inbox.onInbound });
    expect(adapter.status().state).toBe('off');
    expect(adapter.capabilities).toEqual({ edit: false, buttons: false, receive: true });
    const app = express();
    app.use(adapter.router!);
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WECHAT_QR_PATH}`;

    await adapter.start(inbox.handler);
    expect(adapter.status().state).toBe('starting');
    const bot = adapter.wechaty as unknown as EventEmitter;

    const scanned = once(bot, 'scan');
    wx.scan('https://login.weixin.qq.com/l/dutybot-test-qr');
    await scanned;
    expect(adapter.qrCode()).toBe('https://login.weixin.qq.com/l/dutybot-test-qr');
    expect(adapter.status().state).toBe('starting');

    const unauthorised = await fetch(adminUrl);
    expect(unauthorised.status).toBe(401);
    const wrong = await fetch(adminUrl, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const qr = await fetch(adminUrl, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(qr.status).toBe(200);
    const body = (await qr.json()) as { qr: string; url: string };
    expect(body.qr).toBe('https://login.weixin.qq.com/l/dutybot-test-qr');
    expect(body.url).toBe(`https://wechaty.js.org/qrcode/${encodeURIComponent(body.qr)}`);
    // The same code as an image, for a browser (token in the query).
    expect((await fetch(`${adminUrl}.png`)).status).toBe(401);
    const png = await fetch(`${adminUrl}.png?token=${ADMIN}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

    const loggedIn = once(bot, 'login');
    wx.login();
    await loggedIn;
    expect(adapter.status().state).toBe('ready');
    expect(adapter.qrCode()).toBeUndefined();
  });

  afterAll(async () => {
    await adapter?.stop();
    expect(adapter.status().state).toBe('off');
    await new Promise<void>((ok) => server?.close(() => ok()));
  });

  it('sends a direct message to a contact (paging by dm); an unknown contact fails for good', async () => {
    expect(await adapter.sendDirect('wxid_zhang', '[dutybot] 严重 #7 磁盘满')).toEqual({ kind: 'sent', value: undefined });
    expect(wx.direct.at(-1)).toEqual({ to: 'wxid_zhang', from: 'wxid_dutybot', text: '[dutybot] 严重 #7 磁盘满' });
    expect((await adapter.sendDirect('wxid_nobody', 'x')).kind).toBe('failed');
  });

  it('serves no QR once logged in', async () => {
    const res = await fetch(adminUrl, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await res.json()).toMatchObject({ qr: null, url: null, status: { state: 'ready' } });
  });

  it('posts a card into the room found by topic, and by room id', async () => {
    const byTopic = await adapter.post('运维值班', card());
    expect(byTopic.kind).toBe('sent');
    if (byTopic.kind !== 'sent') return;
    expect(byTopic.value).toMatchObject({ platform: 'wechat', channel: '运维值班' });
    // The mock puppet returns no message id: the adapter makes one up.
    expect(byTopic.value.messageId).toMatch(/^wx-/);
    const seen = await wx.waitForBot((t) => t.startsWith('🔴 #12'));
    expect(seen.text).toContain('认领 12');

    const byId = await adapter.post(wx.room.id, card({ text: '🔴 #13 另一条', ref: '#13', shortId: 13 }));
    expect(byId.kind).toBe('sent');
    await wx.waitForBot((t) => t.startsWith('🔴 #13'));
  });

  it('retries a room it cannot find yet (just after login the room list may still be loading)', async () => {
    const r = await adapter.post('没有这个群', card());
    expect(r).toMatchObject({ kind: 'retry' });
  });

  it('turns `认领 12` said by a person into a command request', async () => {
    const id = wx.say(wx.zhang, '认领 12');
    const req = await inbox.request(id);
    expect(req).toEqual({
      kind: 'command',
      platform: 'wechat',
      userId: wx.zhang.id,
      userName: '张三',
      channel: wx.room.id,
      channelName: '运维值班',
      text: '认领 12',
      replyTo: { platform: 'wechat', channel: wx.room.id, handle: wx.zhang.id },
      deliveryId: id,
    });
  });

  it('reads a quote reply of a card as a command on that alert', async () => {
    const id = wx.say(wx.li, WechatMock.quote('dutybot', '🔴 #12 web-1 磁盘快满了 待认领 …', '认领'));
    const req = await inbox.request(id);
    expect(req).toMatchObject({ userId: wx.li.id, text: '认领', quotedAlertRef: '12' });
  });

  it('forwards a text that @-mentions the bot, without the mention', async () => {
    const id = wx.say(wx.li, '@dutybot\u2005这个告警怎么处理', [wx.bot]);
    const req = await inbox.request(id);
    expect(req.text).toBe('这个告警怎么处理');
  });

  it('ignores ordinary chatter, its own messages and replayed history', async () => {
    const chatter = wx.say(wx.zhang, '中午吃什么？关闭窗户了吗');
    expect(await inbox.outcome(chatter)).toMatchObject({ outcome: 'ignored', reason: 'chatter' });

    const before = wx.said.length;
    await adapter.post('运维值班', card({ text: '认领 12', heading: '认领 12' }));
    const own = wx.said.slice(before).find((m) => m.talkerId === wx.bot.id);
    expect(own).toBeDefined();
    expect(await inbox.outcome(own!.id)).toMatchObject({ outcome: 'ignored', reason: 'self' });

    const old = wx.sayAt(wx.zhang, '认领 12', Date.now() - 3_600_000);
    expect(await inbox.outcome(old)).toMatchObject({ outcome: 'ignored', reason: 'old' });
    expect(inbox.requests.some((r) => r.deliveryId === chatter || r.deliveryId === old || r.deliveryId === own!.id)).toBe(false);
  });

  it('answers in the room, @-mentioning the person', async () => {
    inbox.answer = { text: '已认领 #12', private: true };
    try {
      wx.say(wx.zhang, '认领12');
      const answer = await wx.waitForBot((t) => t.includes('已认领 #12'));
      expect(answer.text).toMatch(/^@张三[\s\u2005]+已认领 #12$/);
    } finally {
      inbox.answer = null;
    }
  });

  it('cannot edit: update() answers unsupported and sends nothing; a follow-up is a new line that @-mentions the owner', async () => {
    const posted = await adapter.post('运维值班', card({ ref: '#21', shortId: 21, text: '🔴 #21 新告警' }));
    if (posted.kind !== 'sent') throw new Error(posted.error);
    const n = wx.botMessages().length;
    expect(await adapter.update(posted.value, card({ ref: '#21', ...claimed() }))).toMatchObject({ kind: 'unsupported' });
    expect(wx.botMessages().length).toBe(n);

    const owner = { name: '张三', wechat: wx.zhang.id };
    const line = followUpCard([card({ ref: '#21', ...claimed(), mentions: [owner] })], 'zh');
    expect((await adapter.post('运维值班', line)).kind).toBe('sent');
    expect(wx.botMessages().at(-1)?.text).toMatch(/^@张三[\s\u2005]+#21 已认领 · 张三$/);
  });

  it('retries sends while the account is logged out', async () => {
    const bot = adapter.wechaty as unknown as EventEmitter;
    const out = once(bot, 'logout');
    await wx.puppet.logout('test');
    await out;
    expect(adapter.status()).toMatchObject({ state: 'degraded' });
    expect(await adapter.post('运维值班', card())).toMatchObject({ kind: 'retry', afterMs: 30_000 });
    const back = once(bot, 'login');
    wx.login();
    await back;
    expect(adapter.status().state).toBe('ready');
    expect((await adapter.post('运维值班', card())).kind).toBe('sent');
  });
});

describe('WechatyAdapter through wechaty-puppet-service (gRPC on 127.0.0.1, TLS off)', () => {
  const wx = new WechatMock({ topic: '值班群' });
  const inbox = new Inbox();
  let server: FakeWechatPuppetServer;
  let adapter: WechatyAdapter;
  let home: string;

  beforeAll(async () => {
    // The puppet-service client caches payloads under $HOME/.wechaty.
    home = mkdtempSync(join(tmpdir(), 'dutybot-wechat-home-'));
    vi.stubEnv('HOME', home);
    server = await FakeWechatPuppetServer.start(wx.puppet);
    adapter = new WechatyAdapter({
      name: 'dutybot',
      puppet: 'wechaty-puppet-service',
      puppetOptions: server.puppetOptions(),
      memoryDir: join(home, 'data', 'wechat'),
      log,
      onInbound: inbox.onInbound,
    });
    await adapter.start(inbox.handler);
    const loggedIn = once(adapter.wechaty as unknown as EventEmitter, 'login');
    wx.login();
    await loggedIn;
    expect(adapter.status().state).toBe('ready');
  });

  afterAll(async () => {
    await adapter?.stop();
    await server?.stop();
    vi.unstubAllEnvs();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('posts, receives a command and answers, all over gRPC', async () => {
    const posted = await adapter.post('值班群', card());
    expect(posted.kind).toBe('sent');
    await wx.waitForBot((t) => t.startsWith('🔴 #12'));

    inbox.answer = { text: '已认领 #12', private: false };
    const id = wx.say(wx.zhang, '认领 #12');
    const req = await inbox.request(id);
    expect(req).toMatchObject({ userId: wx.zhang.id, userName: '张三', channel: wx.room.id, text: '认领 #12' });
    const answer = await wx.waitForBot((t) => t.includes('已认领 #12'));
    expect(answer.text.startsWith('@张三')).toBe(true);
  });

  it('keeps the memory card (where puppets save the login session) in memoryDir', async () => {
    // Puppets that keep their session locally (padlocal, xp) write it through this card.
    // `memory` is on the implementation, not on the exported interface.
    const memory = (adapter.wechaty as unknown as { memory: { set(k: string, v: unknown): Promise<void>; save(): Promise<void> } }).memory;
    await memory.set('probe', 1);
    await memory.save();
    expect(existsSync(join(home, 'data', 'wechat', 'dutybot.memory-card.json'))).toBe(true);
  });
});

describe('WechatyAdapter start-up', () => {
  it('is off without WECHATY_PUPPET and reports an unreachable puppet service as degraded', async () => {
    expect(WechatyAdapter.fromEnv({}, '/tmp', log)).toBeNull();
    const adapter = new WechatyAdapter({
      puppet: 'wechaty-puppet-service',
      // Port 9 on loopback: nothing listens, the connection is refused at once.
      puppetOptions: { endpoint: '127.0.0.1:9', token: 'insecure_unreachable-0000', tls: { disable: true } },
      log,
      retryDelayMs: 60_000,
    });
    const home = mkdtempSync(join(tmpdir(), 'dutybot-wechat-home-'));
    vi.stubEnv('HOME', home);
    try {
      await adapter.start(async () => null);
      expect(adapter.status().state).toBe('degraded');
      expect(await adapter.post('值班群', card())).toMatchObject({ kind: 'retry' });
    } finally {
      await adapter.stop();
      vi.unstubAllEnvs();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('WeComWebhookAdapter (fake WeCom robot)', () => {
  let clock = Date.parse('2026-11-27T09:00:00Z');
  let robot: FakeWeComRobot;
  let adapter: WeComWebhookAdapter;
  const url = (key: string): string => FakeWeComRobot.webhookUrl(key);

  beforeAll(async () => {
    robot = await FakeWeComRobot.start({ now: () => clock });
    adapter = WeComWebhookAdapter.fromEnv({ WECOM_API_URL: robot.origin }, log);
    await adapter.start(async () => null);
    expect(adapter.status().state).toBe('ready');
    expect(adapter.capabilities).toEqual({ edit: false, buttons: false, receive: false });
  });

  afterAll(async () => {
    await adapter?.stop();
    await robot?.close();
  });

  it('posts a card as markdown to the robot of the configured URL (host replaced by apiUrl)', async () => {
    const r = await adapter.post(url('key-card-0001'), card());
    expect(r.kind).toBe('sent');
    if (r.kind !== 'sent') return;
    expect(r.value.channel).toBe(url('key-card-0001'));
    const m = await robot.waitFor((x) => x.key === 'key-card-0001');
    expect(m).toMatchObject({ msgtype: 'markdown', errcode: 0 });
    expect(m.content).toContain('### 🔴 #12 web-1 磁盘快满了');
    expect(m.content).toContain('<font color="warning">待认领</font>');
    expect(m.content).toContain('[Runbook](https://runbooks.example.com/disk?a=1&b=2)');
  });

  it('answers 45009 past 20 messages a minute with a retry after 60 s', async () => {
    const key = 'key-rate-0001';
    for (let i = 0; i < 20; i++) expect((await adapter.post(url(key), card())).kind).toBe('sent');
    const r21 = await adapter.post(url(key), card());
    expect(r21).toMatchObject({ kind: 'retry', afterMs: 60_000 });
    expect(robot.requests.filter((m) => m.key === key).at(-1)?.errcode).toBe(45009);
    clock += 60_000;
    expect((await adapter.post(url(key), card())).kind).toBe('sent');
  });

  it('cuts long Chinese text to at most 4096 bytes without breaking a character', async () => {
    const long = '磁盘空间不足'.repeat(600); // 10 800 bytes
    const big = card({
      heading: `🔴 #12 ${long}`,
      status: `待认领 · ${long}`,
      fields: Array.from({ length: 30 }, (_, i) => ({ label: `字段${i}`, value: long })),
      labels: Array.from({ length: 6 }, (_, i) => ({ name: `l${i}`, value: long })),
    });
    const md = renderWeComMarkdown(big);
    expect(utf8Bytes(md)).toBeLessThanOrEqual(4096);
    expect(md).not.toContain('\uFFFD');
    expect(md).toMatch(/<font color="warning">[^<]*…<\/font>/); // the status was cut inside its tag
    const r = await adapter.post(url('key-long-0001'), big);
    expect(r.kind).toBe('sent');
    const m = await robot.waitFor((x) => x.key === 'key-long-0001');
    expect(m.errcode).toBe(0);
    expect(m.bytes).toBeLessThanOrEqual(4096);
  });

  it('gives up on an invalid webhook (93000) and on a URL that is not a robot webhook', async () => {
    robot.failNext(93000, 'invalid webhook url');
    expect(await adapter.post(url('key-gone-0001'), card())).toMatchObject({ kind: 'failed' });
    const before = robot.requests.length;
    expect(await adapter.post('https://example.com/hook', card())).toMatchObject({ kind: 'failed' });
    expect(robot.requests.length).toBe(before);
  });

  it('cannot edit; a follow-up goes out as one markdown line, or as text when it @-mentions by mobile', async () => {
    const key = 'key-follow-0001';
    const posted = await adapter.post(url(key), card());
    if (posted.kind !== 'sent') throw new Error(posted.error);
    const n = (): number => robot.messages(key).length;
    expect(await adapter.update(posted.value, card(claimed()))).toMatchObject({ kind: 'unsupported' });
    expect(n()).toBe(1);
    await adapter.post(url(key), followUpCard([card(claimed())], 'zh'));
    expect(robot.messages(key).at(-1)).toMatchObject({ msgtype: 'markdown', content: '**#12 已认领 · 张三**' });
    await adapter.post(url(key), followUpCard([card({ ...claimed(), mentions: [{ name: '张三', phone: '+86 138-0000-0001' }] })], 'zh'));
    expect(robot.messages(key).at(-1)?.body).toMatchObject({ msgtype: 'text', text: { content: '#12 已认领 · 张三', mentioned_mobile_list: ['+8613800000001'] } });
    expect(n()).toBe(3);
  });

  it('never logs a robot key whole', () => {
    expect(maskChannel(url('abcdef12-3456-7890'))).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd…');
  });
});

describe('WeChat text handling (pure)', () => {
  it('splits WeChat quote replies and finds the quoted alert', () => {
    expect(splitQuote('「dutybot：🔴 #12 磁盘」\n- - - - - - - - - - - - - - -\n关闭 已处理')).toEqual({
      quoted: 'dutybot：🔴 #12 磁盘',
      body: '关闭 已处理',
    });
    expect(parseGroupText('「张三：#7 已认领 · 张三」\n- - - - -\n@dutybot\u2005关闭', ['dutybot'])).toEqual({
      text: '关闭',
      mentioned: true,
      quotedAlertRef: '7',
    });
    expect(parseGroupText('认领 12', ['dutybot'])).toEqual({ text: '认领 12', mentioned: false });
  });

  it('strips only the bot mentions (other mentions are arguments)', () => {
    expect(stripBotMentions('@值班机器人\u2005转派 12 @李四', ['dutybot', '值班机器人'])).toEqual({ text: '转派 12 @李四', mentioned: true });
    expect(stripBotMentions('@dutybot2 认领 12', ['dutybot']).mentioned).toBe(false);
  });

  it('summarises state, owner and mute, not counts or times', () => {
    expect(stateSummary(card({ status: '待认领 · 已重复 5 次' })).key).toBe(stateSummary(card()).key);
    expect(stateSummary(card(claimed('张三', '09:41'))).key).toBe(stateSummary(card(claimed('张三', '11-28 09:42'))).key);
    expect(stateSummary(card(claimed())).line).toBe('#12 已认领 · 张三');
    // Several changes are one message, one line per distinct status.
    const many = followUpCard(
      [card(claimed()), card({ ref: '#13', state: 'resolved', status: '已关闭 · 李四 · 10:30' }), card({ ref: '#14', state: 'resolved', status: '已关闭 · 李四 · 10:31' })],
      'zh',
    );
    expect(many.lines).toEqual(['#12 已认领 · 张三', '#13 #14 已关闭 · 李四']);
    expect(many.heading).toBe('🔄 3 条告警有变化');
  });

  it('truncates by UTF-8 bytes on code points', () => {
    expect(truncateUtf8('告警😀告警', 9)).toBe('告警…');
    expect(utf8Bytes(truncateUtf8('😀'.repeat(100), 50))).toBeLessThanOrEqual(50);
    expect(truncateUtf8('short', 50)).toBe('short');
  });

  it('masks puppet tokens in SDK log lines', () => {
    expect(maskSecrets('GrpcManager token: "puppet_padlocal_0123456789abcdef"', [])).toBe('GrpcManager token: "[redacted]"');
    expect(maskSecrets('uses secret-value-123', ['secret-value-123'])).toBe('uses [redacted]');
  });
});
