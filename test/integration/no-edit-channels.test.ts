import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DingTalkWebhookAdapter } from '../../adapters/dingtalk/webhook-adapter.js';
import { FeishuWebhookAdapter } from '../../adapters/feishu/webhook-adapter.js';
import { WeComWebhookAdapter } from '../../adapters/wechat/wecom-webhook-adapter.js';
import { WechatyAdapter } from '../../adapters/wechat/wechaty-adapter.js';
import type { Card } from '../../src/bot/card.js';
import type { ChatAdapter, MessageRef, PlatformId, SendResult } from '../../src/bot/chat-adapter.js';
import { ratePolicyOf } from '../../src/bot/rate-policy.js';
import type { ChannelRef } from '../../src/config/schema.js';
import { log } from '../../src/log.js';
import { CardStore, type CardDoc } from '../../src/store/cards.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { FakeFeishu } from '../fakes/feishu-server.js';
import { WechatMock } from '../fakes/wechat-mock.js';
import { FakeWeComRobot } from '../fakes/wecom-robot.js';
import { FakeClock } from '../support/clock.js';
import { startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

/**
 * Channels that cannot edit a message — a DingTalk custom robot, a WeCom group robot, a WeChat
 * room through wechaty — get every alert of a burst: its own card, or named or counted in a
 * summary message that was really sent ("📦 还有 37 条告警", then "📦 09:00 以来又有 14 条告警").
 * Claims and resolves follow as short lines, folded when many. Each at the platform's real rate,
 * on a fake clock; what the group saw is read back from the platform's fake.
 */

const BIZ_KEY = 'biz-key-0123456789abcdef';
const MINUTE = 60_000;

interface Said {
  text: string;
  /** Fake-clock ms when the platform took it. */
  at: number;
}

interface Channel {
  adapter: ChatAdapter;
  ref: ChannelRef;
  /** What the group was shown, in order. */
  said(): Said[];
  /** Messages the platform refused (rate limits). */
  refusals(): number;
  afterStart?(): Promise<void>;
  close(): Promise<void>;
}

interface Kind {
  name: string;
  platform: PlatformId;
  /** The platform's own limit per rolling minute, when it publishes one. */
  platformPerMinute?: number;
  open(clock: FakeClock): Promise<Channel>;
}

const KINDS: Kind[] = [
  {
    name: 'DingTalk custom robot (加签)',
    platform: 'dingtalk-webhook',
    platformPerMinute: 20,
    async open(clock) {
      const dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
      const url = dingtalk.addCustomRobot('robot-token-biz', 'SEC0123456789abcdef');
      const adapter = new DingTalkWebhookAdapter({ log, secrets: new Map([[url, 'SEC0123456789abcdef']]), oapiUrl: dingtalk.url, now: () => clock.now().getTime() });
      return {
        adapter,
        ref: { platform: 'dingtalk-webhook', url, secret: 'SEC0123456789abcdef' },
        said: () =>
          dingtalk.robotMessages.map((m) => {
            const body = m.body as { markdown?: { text: string }; text?: { content: string } };
            return { text: body.markdown?.text ?? body.text?.content ?? '', at: m.at };
          }),
        refusals: () => dingtalk.robotRefusals.length,
        close: () => dingtalk.close(),
      };
    },
  },
  {
    name: 'WeCom group robot',
    platform: 'wecom-webhook',
    platformPerMinute: 20,
    async open(clock) {
      const robot = await FakeWeComRobot.start({ now: () => clock.now().getTime() });
      const adapter = WeComWebhookAdapter.fromEnv({ WECOM_API_URL: robot.origin }, log);
      return {
        adapter,
        ref: { platform: 'wecom-webhook', url: FakeWeComRobot.webhookUrl('key-biz-0001') },
        said: () => robot.messages('key-biz-0001').map((m) => ({ text: m.content, at: m.at })),
        refusals: () => robot.requests.filter((m) => m.errcode !== 0).length,
        close: () => robot.close(),
      };
    },
  },
  {
    name: 'Feishu custom bot (签名校验)',
    platform: 'feishu-webhook',
    platformPerMinute: 100,
    async open(clock) {
      const feishu = await FakeFeishu.start({ now: () => clock.now().getTime() });
      const url = feishu.addBot('hook-biz-0001', 'feishu-bot-secret-01');
      const adapter = new FeishuWebhookAdapter({ log, secrets: new Map([[url, 'feishu-bot-secret-01']]), now: () => clock.now().getTime() });
      return {
        adapter,
        ref: { platform: 'feishu-webhook', url, secret: 'feishu-bot-secret-01' },
        said: () => feishu.botMessages.map((m) => ({ text: feishuText(m.body), at: m.at })),
        refusals: () => feishu.botRefusals.length,
        close: () => feishu.close(),
      };
    },
  },
  {
    name: 'WeChat room (wechaty, puppet-mock)',
    platform: 'wechat',
    async open(clock) {
      const wx = new WechatMock({ topic: '业务值班' });
      const said: Said[] = [];
      (wx.room as unknown as EventEmitter).on('message', (m: { payload: { talkerId?: string; text?: string } }) => {
        if (m.payload.talkerId === wx.bot.id) said.push({ text: m.payload.text ?? '', at: clock.now().getTime() });
      });
      const adapter = new WechatyAdapter({ puppet: wx.puppet, log });
      return {
        adapter,
        ref: { platform: 'wechat', room: '业务值班' },
        said: () => said,
        refusals: () => 0,
        afterStart: async () => {
          const loggedIn = once(adapter.wechaty as unknown as EventEmitter, 'login');
          wx.login();
          await loggedIn;
        },
        close: async () => {},
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Reading what the group saw

/** A Feishu bot message's words: a text's, or a card's title and every text in it, a line each. */
function feishuText(body: Record<string, unknown>): string {
  if (body.msg_type === 'text') return String((body.content as { text?: string }).text ?? '');
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.tag === 'plain_text' || o.tag === 'lark_md') && typeof o.content === 'string') texts.push(o.content);
      else Object.values(o).forEach(walk);
    }
  };
  walk(body.card);
  return texts.join('\n');
}

type Message =
  | { kind: 'card'; ref: number }
  | { kind: 'summary' | 'more'; count: number; named: number[] }
  | { kind: 'follow-up'; changes: Array<{ ref: number; status: string }> }
  | { kind: 'other' };

/** Robots' markdown escapes, and a WeChat @-mention in front, removed. */
const plain = (text: string): string => text.replace(/\\/g, '').replace(/^@\S+[\s\u2005]+/, '');

function read(raw: string): Message {
  const text = plain(raw);
  const named = [...text.matchAll(/#(\d+) 告警-\d+/g)].map((m) => Number(m[1]));
  const summary = /还有 (\d+) 条告警/.exec(text);
  if (summary) return { kind: 'summary', count: Number(summary[1]), named };
  const more = /又有 (\d+) 条告警/.exec(text);
  if (more) return { kind: 'more', count: Number(more[1]), named };
  if (named.length) return { kind: 'card', ref: named[0]! };
  const changes = text
    .split('\n')
    .filter((line) => /已认领|已关闭/.test(line))
    .flatMap((line) => {
      const status = /已认领 · \S+|已关闭 · \S+/.exec(line)![0];
      return [...line.matchAll(/#(\d+)/g)].map((m) => ({ ref: Number(m[1]), status }));
    });
  return changes.length ? { kind: 'follow-up', changes } : { kind: 'other' };
}

interface Accounting {
  own: number[];
  named: number[];
  counted: number;
  more: number;
  followUps: Array<{ ref: number; status: string }>;
  followUpMessages: number;
}

/** Every alert once: its own card, or named or counted in a summary message; nothing twice. */
function account(said: Said[], alerts: ReadonlySet<number>): Accounting {
  const acc: Accounting = { own: [], named: [], counted: 0, more: 0, followUps: [], followUpMessages: 0 };
  for (const m of said.map((s) => read(s.text))) {
    if (m.kind === 'card') acc.own.push(m.ref);
    if (m.kind === 'summary' || m.kind === 'more') {
      acc.counted += m.count;
      acc.named.push(...m.named);
      expect(m.named.length).toBeLessThanOrEqual(m.count);
    }
    if (m.kind === 'more') acc.more++;
    if (m.kind === 'follow-up') {
      acc.followUps.push(...m.changes);
      acc.followUpMessages++;
    }
  }
  expect(new Set(acc.own).size).toBe(acc.own.length); // no alert posted twice
  expect(new Set(acc.named).size).toBe(acc.named.length); // nor named in two summaries
  expect(acc.named.filter((r) => acc.own.includes(r))).toEqual([]); // nor both
  expect([...acc.own, ...acc.named].filter((r) => !alerts.has(r))).toEqual([]);
  expect(acc.own.length + acc.counted).toBe(alerts.size); // the counts add up exactly
  return acc;
}

/** At most `count` messages in any `perMs`. */
function maxInWindow(said: Said[], perMs: number): number {
  const times = said.map((s) => s.at).sort((a, b) => a - b);
  return Math.max(0, ...times.map((t, i) => times.slice(i).filter((x) => x < t + perMs).length));
}

/** The database agrees with the group: posted cards are the own cards, announced ids the counted ones, none twice. */
async function records(bot: TestBot, platform: PlatformId): Promise<{ posted: number; announced: string[]; folded: CardDoc[] }> {
  const store = new CardStore(bot.runtime.database.conn);
  const all = (await store.Card.find({ platform }).lean()) as CardDoc[];
  const announced = all.filter((c) => c.kind === 'summary').flatMap((c) => (c.announcedIds ?? []).map((id) => id.toHexString()));
  return {
    posted: all.filter((c) => c.kind === 'alert' && c.state === 'posted').length,
    announced,
    folded: all.filter((c) => c.kind === 'alert' && c.state === 'folded'),
  };
}

function config(ref: ChannelRef) {
  const input = testConfigInput();
  input.teams![1]!.channels = [ref];
  input.integrations!.push({ name: 'billing', type: 'api', key: BIZ_KEY, team: 'biz' });
  // 王五 is @-mentioned when he claims: by mobile on the robots, as a room member on WeChat.
  input.members![2]!.phone = '+8613800000003';
  input.members![2]!.wechat = 'wxid_li';
  return testConfig(input);
}

/**
 * `n` alerts at one instant of the fake clock (a burst within one second). The clock stands still
 * while they go in: moved under sends in flight, it would stamp a message on arrival later than
 * the sender counted it.
 */
async function burst(bot: TestBot, from: number, n: number): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (let i = from; i < from + n; i++) {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `svc-${i}`, title: `告警-${i}`, severity: 'warning', host: `app-${i % 7}` }, BIZ_KEY);
    const { shortId, alertId } = (await res.json()) as { shortId: number; alertId: string };
    ids.set(shortId, alertId);
  }
  return ids;
}

for (const kind of KINDS) {
  describe(`a channel that cannot edit: ${kind.name}`, () => {
    const clock = new FakeClock();
    let channel: Channel;
    let bot: TestBot;
    const alerts = new Map<number, string>();
    const withinRate = (): void => {
      const said = channel.said();
      const policy = ratePolicyOf(kind.platform, channel.adapter);
      expect(maxInWindow(said, policy.perMs)).toBeLessThanOrEqual(policy.count);
      if (policy.burst) expect(maxInWindow(said, policy.burst.perMs)).toBeLessThanOrEqual(policy.burst.count);
      if (kind.platformPerMinute) expect(maxInWindow(said, MINUTE)).toBeLessThanOrEqual(kind.platformPerMinute - 1);
      expect(channel.refusals()).toBe(0);
    };

    beforeAll(async () => {
      channel = await kind.open(clock);
      bot = await startTestBot({ clock, config: config(channel.ref), adapters: [channel.adapter] });
      await channel.afterStart?.();
      expect(channel.adapter.capabilities.edit).toBe(false);
    });
    afterAll(async () => {
      await bot?.stop();
      await channel?.close();
    });

    it('60 distinct alerts in one second: within minutes each has its own message or is named or counted in a sent summary, once', async () => {
      const start = clock.now().getTime();
      for (const [ref, id] of await burst(bot, 0, 60)) alerts.set(ref, id);
      await bot.flushCards();

      const said = channel.said();
      expect(said.at(-1)!.at - start).toBeLessThanOrEqual(5 * MINUTE);
      withinRate();
      const acc = account(said, new Set(alerts.keys()));
      expect(acc.counted).toBeGreaterThan(0);
      const db = await records(bot, kind.platform);
      expect(db.posted).toBe(acc.own.length);
      expect(db.announced.length).toBe(acc.counted);
      expect(new Set(db.announced).size).toBe(db.announced.length);
    });

    it('alerts folding into a summary after it went out get a new "+N more since" message', async () => {
      const before = channel.said().length;
      for (const [ref, id] of await burst(bot, 60, 40)) alerts.set(ref, id);
      await bot.flushCards();

      const acc = account(channel.said(), new Set(alerts.keys()));
      expect(acc.more).toBeGreaterThan(0);
      expect(channel.said().slice(before).some((s) => /\d\d:\d\d 以来又有 \d+ 条告警/.test(s.text))).toBe(true);
      withinRate();
      const db = await records(bot, kind.platform);
      expect(db.posted + db.announced.length).toBe(alerts.size);
      // Every folded alert was announced by a message that went out.
      const announced = new Set(db.announced);
      expect(db.folded.filter((c) => !announced.has(c.alertId!.toHexString()))).toEqual([]);
    });

    it('claims and resolves after the burst reach the group as follow-ups within the rate, folded when many', async () => {
      const refs = [...alerts.keys()].sort((a, b) => a - b);
      const before = channel.said().length;
      const claimed = refs.slice(0, 3);
      for (const ref of claimed) expect((await bot.post(`/api/v1/alerts/${ref}/claim`, {}, TOKENS.wang)).status).toBe(200);
      await bot.flushCards();
      const resolved = refs.slice(0, 60);
      for (const ref of resolved) expect((await bot.post(`/api/v1/alerts/${ref}/resolve`, {}, TOKENS.wang)).status).toBe(200);
      await bot.flushCards();

      const acc = account(channel.said().slice(0, before), new Set(alerts.keys()));
      const after = channel.said().slice(before).map((s) => read(s.text));
      expect(after.every((m) => m.kind === 'follow-up')).toBe(true);
      const changes = after.flatMap((m) => (m.kind === 'follow-up' ? m.changes : []));
      for (const ref of claimed) expect(changes).toContainEqual({ ref, status: '已认领 · 王五' });
      // Each resolve once, own card or folded alike.
      const closed = changes.filter((c) => c.status.startsWith('已关闭')).map((c) => c.ref);
      expect(closed.sort((a, b) => a - b)).toEqual(resolved);
      expect(after.length).toBeLessThan(resolved.length / 4);
      expect(acc.followUpMessages).toBe(0);
      withinRate();
    });
  });
}

describe('a channel that cannot edit, across a restart', () => {
  const clock = new FakeClock();
  let robot: FakeWeComRobot;
  let bot: TestBot;
  const ref: ChannelRef = { platform: 'wecom-webhook', url: FakeWeComRobot.webhookUrl('key-restart-01') };
  const said = (): Said[] => robot.messages('key-restart-01').map((m) => ({ text: m.content, at: m.at }));
  const start = (mongoUri?: string): Promise<TestBot> =>
    startTestBot({ clock, config: config(ref), adapters: [WeComWebhookAdapter.fromEnv({ WECOM_API_URL: robot.origin }, log)], ...(mongoUri ? { mongoUri } : {}) });

  beforeAll(async () => {
    robot = await FakeWeComRobot.start({ now: () => clock.now().getTime() });
    bot = await start();
  });
  afterAll(async () => {
    await bot?.stop();
    await robot?.close();
  });

  it('continues where it left off: what was announced is not announced again, what was not is', async () => {
    const alerts = new Map(await burst(bot, 0, 60));
    await bot.flushCards();
    for (const [k, v] of await burst(bot, 60, 40)) alerts.set(k, v);
    // The robot's minute is used up: cards and folded alerts wait in the queue when dutybot stops.
    await bot.cards.settled();
    const before = said().length;
    await bot.stop();
    clock.advance(MINUTE);
    bot = await start(bot.mongoUri);
    await bot.flushCards();

    expect(said().length).toBeGreaterThan(before);
    const acc = account(said(), new Set(alerts.keys()));
    expect(acc.more).toBeGreaterThan(0);
    expect(maxInWindow(said(), MINUTE)).toBeLessThanOrEqual(19);
    const db = await records(bot, 'wecom-webhook');
    expect(db.posted).toBe(acc.own.length);
    expect(db.announced.length).toBe(acc.counted);
  });
});

/** A platform that says it edits, then answers that it cannot (as an expired card might). */
class CannotEditAfterAll implements ChatAdapter {
  readonly platform = 'slack' as const;
  readonly capabilities = { edit: true, buttons: false, receive: false };
  readonly posted: Card[] = [];
  updates = 0;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  status() {
    return { state: 'ready' as const };
  }
  async post(channel: string, card: Card): Promise<SendResult<MessageRef>> {
    this.posted.push(card);
    return { kind: 'sent', value: { platform: 'slack', channel, messageId: String(this.posted.length) } };
  }
  async update(): Promise<SendResult<void>> {
    this.updates++;
    return { kind: 'unsupported', error: 'this message can no longer be edited' };
  }
  async reply(): Promise<SendResult<void>> {
    return { kind: 'failed', error: 'no replies' };
  }
}

describe('an edit that comes back unsupported', () => {
  it('is not recorded as shown: the channel gets a new message instead', async () => {
    const adapter = new CannotEditAfterAll();
    const input = testConfigInput();
    input.teams![1]!.channels = [{ platform: 'slack', channel: 'C0BIZ' }];
    input.integrations!.push({ name: 'billing', type: 'api', key: BIZ_KEY, team: 'biz' });
    const bot = await startTestBot({ config: testConfig(input), adapters: [adapter] });
    try {
      const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'x-1', title: '告警-1' }, BIZ_KEY);
      const { shortId } = (await res.json()) as { shortId: number };
      await bot.flushCards();
      expect((await bot.post(`/api/v1/alerts/${shortId}/claim`, {}, TOKENS.wang)).status).toBe(200);
      await bot.flushCards();
      expect(adapter.updates).toBe(1); // asked once; afterwards the channel is treated as one that cannot edit
      expect(adapter.posted.map((c) => (c.kind === 'summary' ? c.heading : c.kind))).toEqual(['alert', `#${shortId} 已认领 · 王五`]);
      await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'x-1', title: '告警-1' }, BIZ_KEY); // a repeat: nothing to say
      await bot.flushCards();
      expect(adapter.posted).toHaveLength(2);
      expect(adapter.updates).toBe(1);
    } finally {
      await bot.stop();
    }
  });
});
