import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeishuAppAdapter } from '../../adapters/feishu/app-adapter.js';
import { FeishuWebhookAdapter } from '../../adapters/feishu/webhook-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { FakeFeishu, type FeishuMessage } from '../fakes/feishu-server.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { buttons, waitFor } from '../support/feishu-card.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

/**
 * Feishu as users meet it: the real @larksuiteoapi/node-sdk (WSClient long connection, Client open
 * API) against a fake Feishu (test/fakes/feishu-server.ts) speaking its protobuf frames, next to
 * Slack, plus a custom bot with 签名校验 for an outbound-only group.
 */

const CHAT = 'oc_ops0123456789abcdef';
const ZHANG = 'ou_zhang000000000001';
const LI = 'ou_li00000000000000002';
const STRANGER = 'ou_stranger0000000099';
const BOT_TOKEN = 'hook-biz-0001';
const BOT_SECRET = 'feishu-bot-secret-01';
const BIZ_KEY = 'biz-key-0123456789abcdef';

describe('Feishu: cards in step with Slack, clicks and @-commands, a signed custom bot', () => {
  const clock = new FakeClock();
  let feishu: FakeFeishu;
  let slack: FakeSlackApi;
  let app: FeishuAppAdapter;
  let bot: TestBot;

  const cardFor = (alertId: string): FeishuMessage | undefined => feishu.inChat(CHAT).find((m) => m.msg_type === 'interactive' && JSON.stringify(m.content).includes(alertId));
  const trigger = async (dedupKey: string, title: string, key: string = KEYS.api): Promise<{ alertId: string; shortId: number }> => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey, title, severity: 'critical' }, key);
    return (await res.json()) as { alertId: string; shortId: number };
  };

  beforeAll(async () => {
    feishu = await FakeFeishu.start({ now: () => clock.now().getTime() });
    slack = await FakeSlackApi.start();
    const botUrl = feishu.addBot(BOT_TOKEN, BOT_SECRET);
    const input = testConfigInput();
    input.members![0]!.feishu = ZHANG;
    input.members![1]!.feishu = LI;
    input.teams![0]!.channels = [
      { platform: 'slack', channel: 'C0OPS' },
      { platform: 'feishu', channel: CHAT },
    ];
    input.teams![1]!.channels = [{ platform: 'feishu-webhook', url: botUrl, secret: BOT_SECRET }];
    input.integrations!.push({ name: 'billing', type: 'api', key: BIZ_KEY, team: 'biz' });
    app = new FeishuAppAdapter({ appId: feishu.appId, appSecret: feishu.appSecret, domain: feishu.origin, log });
    const robot = new FeishuWebhookAdapter({ log, secrets: new Map([[botUrl, BOT_SECRET]]), now: () => clock.now().getTime() });
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [slackAdapter, app, robot] });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await feishu.close();
    await slack.close();
  });

  it('a click on the Feishu card claims it; the clicker sees it at once, every copy follows; a redelivery does nothing twice', async () => {
    const { alertId } = await trigger('kafka-lag', 'Kafka 消费积压');
    await bot.flushCards();
    const card = cardFor(alertId)!;
    expect(card.content).toMatchObject({ config: { update_multi: true }, header: { template: 'red' } });
    const claim = buttons(card).find((b) => b.value.action === 'claim')!;

    const claimed = bot.nextEvent('claimed');
    const ackPromise = feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: claim.value, eventId: 'ev-click-1' });
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'zhang', via: 'feishu' });
    await bot.flushCards();
    const ack = await ackPromise;
    expect(ack.code).toBe(200);
    // The click's answer carries the re-rendered card: the clicker sees the claim without waiting.
    const answered = (ack.answer as { card: { type: string; data: FeishuMessage['content'] } }).card;
    expect(answered.type).toBe('raw');
    expect(JSON.stringify(answered.data)).toContain('张三');
    expect(buttons({ content: answered.data }).map((b) => b.value.action)).not.toContain('claim');
    // Every copy: the group's card is patched in place, Slack's message is edited.
    expect(card.patches).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(card.content)).toContain('张三');
    expect(buttons(card).some((b) => b.value.action === 'claim')).toBe(false);
    const slackPost = slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('Kafka'))!;
    expect(JSON.stringify(slack.message('C0OPS', String(slackPost.response.ts)))).toContain('张三');

    // Feishu delivers an unacknowledged event again with the same event id.
    const again = await feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: claim.value, eventId: 'ev-click-1' });
    expect(again.code).toBe(200);
    await bot.flushCards();
    const timeline = await bot.runtime.alerts.timeline(alertId);
    expect(timeline.filter((e) => e.kind === 'claimed')).toHaveLength(1);
  });

  it('a click from a Feishu user dutybot does not know is refused privately and changes nothing', async () => {
    const { alertId } = await trigger('redis-oom', 'Redis 内存不足');
    await bot.flushCards();
    const card = cardFor(alertId)!;
    const claim = buttons(card).find((b) => b.value.action === 'claim')!;
    const ack = await feishu.clickCard({ messageId: card.message_id, openId: STRANGER, value: claim.value });
    // A toast only the clicker sees, and the whole answer as an ephemeral card to them alone.
    expect(ack.answer).toMatchObject({ toast: { type: 'info' } });
    expect(ack.answer).not.toHaveProperty('card');
    const eph = await waitFor(() => feishu.ephemerals.find((e) => e.open_id === STRANGER));
    expect(eph).toMatchObject({ chat_id: CHAT, msg_type: 'interactive' });
    expect(JSON.stringify(eph)).toContain('members[].feishu');
    await bot.flushCards();
    expect(card.patches).toBe(0);
    expect((await bot.runtime.alerts.timeline(alertId)).some((e) => e.kind === 'claimed')).toBe(false);
    // Nothing was said in the group.
    expect(feishu.inChat(CHAT).some((m) => JSON.stringify(m.content).includes('members[].feishu'))).toBe(false);
  });

  it('@dutybot 认领 12 and @dutybot resolve 12 work, in Chinese and English, and the answers reply in the group', async () => {
    const { alertId, shortId } = await trigger('es-red', 'ES 集群变红');
    await bot.flushCards();
    const card = cardFor(alertId)!;
    const claimed = bot.nextEvent('claimed');
    // A large event arrives in fragments; the SDK joins them.
    await feishu.sendEvent(
      'im.message.receive_v1',
      {
        sender: { sender_id: { open_id: LI }, sender_type: 'user' },
        message: { message_id: 'om_in_cmd1', chat_id: CHAT, chat_type: 'group', message_type: 'text', content: JSON.stringify({ text: `@_user_1 认领 ${shortId}` }), mentions: [{ key: '@_user_1', id: { open_id: feishu.botOpenId }, name: 'dutybot' }] },
      },
      { fragments: 3 },
    );
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'li', via: 'feishu', channel: CHAT });
    const answer = await waitFor(() => [...feishu.messages.values()].find((m) => m.parent_id === 'om_in_cmd1'));
    expect(JSON.stringify(answer.content)).toContain(`#${shortId}`);

    const resolved = bot.nextEvent('resolved');
    await feishu.sendMessage({ chatId: CHAT, openId: ZHANG, text: `@_user_1 resolve ${shortId} fixed the shard` });
    expect((await resolved).entry.actor).toMatchObject({ memberId: 'zhang', via: 'feishu' });
    await bot.flushCards();
    expect(card.content).toMatchObject({ header: { template: 'green' } });
  });

  it('the custom bot posts signed cards the fake accepts, and a wrong secret is refused and reported', async () => {
    const { shortId } = await trigger('cert-expiry', '证书即将过期', BIZ_KEY);
    await bot.flushCards();
    expect(feishu.botRefusals).toEqual([]);
    const posted = feishu.botMessages.find((m) => JSON.stringify(m.body).includes('证书即将过期'))!;
    expect(posted.body).toMatchObject({ msg_type: 'interactive', timestamp: String(Math.floor(clock.now().getTime() / 1000)) });
    expect(JSON.stringify(posted.body)).not.toContain('"tag":"button"');

    // A claim reaches the group as a new line, since the bot cannot edit.
    expect((await bot.post(`/api/v1/alerts/${shortId}/claim`, {}, TOKENS.wang)).status).toBe(200);
    await bot.flushCards();
    expect(JSON.stringify(feishu.botMessages.at(-1)!.body)).toMatch(new RegExp(`#${shortId} 已认领`));

    const wrong = feishu.addBot('hook-other', 'another-secret');
    const robot = new FeishuWebhookAdapter({ log, secrets: new Map([[wrong, 'not-the-secret']]), now: () => clock.now().getTime() });
    await robot.start(async () => null);
    const sent = await robot.reply({ platform: 'feishu-webhook', channel: wrong }, { text: 'hello', private: false });
    expect(sent).toMatchObject({ kind: 'failed' });
    expect(feishu.botRefusals.at(-1)).toMatchObject({ code: 19021 });
    expect(robot.status()).toMatchObject({ state: 'degraded' });
    expect(JSON.stringify(robot.status())).not.toContain('hook-other');
  });

  it('pages by direct message to an open_id', async () => {
    expect(await app.sendDirect(ZHANG, '🔴 #99 数据库主库宕机')).toEqual({ kind: 'sent', value: undefined });
    const dm = [...feishu.messages.values()].find((m) => m.receive_id_type === 'open_id' && m.receive_id === ZHANG)!;
    expect(dm).toMatchObject({ msg_type: 'text', content: { text: '🔴 #99 数据库主库宕机' } });
  });

  it('reconnects after the long connection drops, and commands still work', async () => {
    feishu.dropConnections();
    await feishu.waitForConnection(2);
    await app.waitUntilOpen();
    const { shortId } = await trigger('nginx-502', 'nginx 502');
    const claimed = bot.nextEvent('claimed');
    await feishu.sendMessage({ chatId: CHAT, openId: ZHANG, text: `@_user_1 claim ${shortId}` });
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'zhang', via: 'feishu' });
  });
});

