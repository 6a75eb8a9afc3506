import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { DingTalkWebhookAdapter, sign } from '../../adapters/dingtalk/webhook-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { ackResponse, FakeDingTalk } from '../fakes/dingtalk-server.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, TOKENS, type TestBot } from '../support/bot.js';

const CONV = 'cidOPSgroup0123456789==';
const ROBOT_TOKEN = 'robot-token-ops';
const ROBOT_SECRET = 'SEC0123456789abcdef';

describe('DingTalk: interactive cards in step with Slack, commands by @-message, a custom robot within its limits', () => {
  const clock = new FakeClock();
  let dingtalk: FakeDingTalk;
  let slack: FakeSlackApi;
  let app: DingTalkAppAdapter;
  let bot: TestBot;
  let robotUrl: string;
  const cardOf = (alertId: string) => [...dingtalk.cards.values()].find((c) => c.params.alertId === alertId);

  beforeAll(async () => {
    // The custom robot's 20-a-minute limit and signature clock follow the test's clock.
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    robotUrl = dingtalk.addCustomRobot(ROBOT_TOKEN, ROBOT_SECRET);
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [
      { platform: 'slack', channel: 'C0OPS' },
      { platform: 'dingtalk', channel: CONV },
    ];
    input.teams![1]!.channels = [{ platform: 'dingtalk-webhook', url: robotUrl, secret: ROBOT_SECRET }];
    input.integrations!.push({ name: 'billing', type: 'api', key: 'biz-key-0123456789abcdef', team: 'biz' });
    input.members![2]!.phone = '+8613800000003';
    app = dingTalkAppOn(dingtalk);
    const robot = new DingTalkWebhookAdapter({
      log,
      secrets: new Map([[robotUrl, ROBOT_SECRET]]),
      oapiUrl: dingtalk.url,
      now: () => clock.now().getTime(),
    });
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [slackAdapter, app, robot] });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await dingtalk.close();
    await slack.close();
  });

  it('a click on the DingTalk card claims it; the clicker sees it at once, the Slack copy follows; a redelivery does nothing twice', async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'kafka-lag', title: 'Kafka 消费积压', severity: 'critical' }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    await bot.flushCards();
    const card = cardOf(alertId)!;
    expect(card).toMatchObject({ conversationId: CONV });
    expect(card.params).toMatchObject({ state: 'triggered', show_claim: 'true' });

    const claimed = bot.nextEvent('claimed');
    const ackPromise = dingtalk.sendCardCallback({ outTrackId: card.outTrackId, userId: 'staff-zhang', params: { action: 'claim', alertId, conv: CONV } });
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'zhang', via: 'dingtalk' });
    await bot.flushCards();
    const ack = await ackPromise;
    const answer = ackResponse(ack) as { cardData: { cardParamMap: Record<string, string> } };
    expect(answer.cardData.cardParamMap).toMatchObject({ state: 'acknowledged', show_claim: 'false' });
    expect(cardOf(alertId)!.params.status).toContain('张三');
    const slackPost = slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('Kafka'))!;
    expect(JSON.stringify(slack.message('C0OPS', String(slackPost.response.ts)))).toContain('张三');

    const again = await dingtalk.redeliver(ack.headers.messageId);
    expect(again.code).toBe(200);
    await bot.flushCards();
    const detail = await bot.runtime.alerts.timeline(alertId);
    expect(detail.filter((e) => e.kind === 'claimed')).toHaveLength(1);
  });

  it('@dutybot 认领 12 in the group claims by command, and still works after the stream drops', async () => {
    dingtalk.dropConnections();
    await dingtalk.waitForConnection(1);
    await app.waitUntilOpen();
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'es-red', title: 'ES 集群变红', severity: 'critical' }, KEYS.api);
    const { shortId } = (await res.json()) as { shortId: number };
    const claimed = bot.nextEvent('claimed');
    await dingtalk.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-li', senderNick: '李四', text: `@dutybot 认领 ${shortId}`, isInAtList: true });
    expect((await claimed).entry.actor).toMatchObject({ memberId: 'li', via: 'dingtalk', channel: CONV });
    const reply = await dingtalk.waitFor(() => dingtalk.sessionReplies.find((r) => JSON.stringify(r.body).includes(`已认领 #${shortId}`)));
    expect(reply).toBeTruthy();
  });

  it('60 alerts in a minute to one custom robot: never throttled (no 130101), the overflow in a summary', async () => {
    const batch = Array.from({ length: 60 }, (_, i) => ({ eventType: 'trigger', dedupKey: `expiry-${i}`, title: `证书即将过期 ${i}`, severity: 'warning', host: `shop-${i % 4}` }));
    for (const e of batch) await bot.post('/api/v1/events', e, 'biz-key-0123456789abcdef');
    await bot.flushCards();
    expect(dingtalk.robotRefusals).toEqual([]); // (the next test throttles the robot on purpose)
    const texts = dingtalk.robotMessages.filter((m) => m.accessToken === ROBOT_TOKEN).map((m) => JSON.stringify(m.body));
    expect(texts.some((t) => t.includes('还有') && t.includes('条告警'))).toBe(true);
    expect(texts.filter((t) => t.includes('证书即将过期')).length).toBeGreaterThanOrEqual(10);
    // No minute of the robot's life saw more than 19 messages.
    const times = dingtalk.robotMessages.filter((m) => m.accessToken === ROBOT_TOKEN).map((m) => m.at);
    for (const t of times) expect(times.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(19);
  });

  it('a throttled robot is waited out, and the wait shows on the alert\'s timeline', async () => {
    // Another program shares the robot and spends its whole minute: DingTalk throttles the robot.
    clock.advance(10 * 60_000);
    for (let i = 0; i < 21; i++) {
      const timestamp = String(clock.now().getTime());
      await fetch(`${dingtalk.url}/robot/send?access_token=${ROBOT_TOKEN}&timestamp=${timestamp}&sign=${encodeURIComponent(sign(timestamp, ROBOT_SECRET))}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'text', text: { content: `cron job ${i}` } }),
      });
    }
    expect(dingtalk.robotRefusals.at(-1)?.errcode).toBe(130101);
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'balance-low', title: '短信余额不足', severity: 'warning' }, 'biz-key-0123456789abcdef');
    const { alertId } = (await res.json()) as { alertId: string };
    await bot.flushCards();
    const timeline = await bot.runtime.alerts.timeline(alertId);
    expect(timeline.find((e) => e.kind === 'delivery')?.text).toMatch(/dingtalk-webhook: .*130101|throttl/i);
    expect(dingtalk.robotMessages.some((m) => JSON.stringify(m.body).includes('短信余额不足'))).toBe(true);
    const metrics = await (await bot.get('/metrics')).text();
    expect(metrics).toMatch(/dutybot_chat_messages_total\{platform="dingtalk-webhook",op="post",result="retry"\} 1/);
  });

  it("the custom robot's state line @-mentions the new owner by mobile", async () => {
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'domain-expiry', title: '域名 7 天后过期', severity: 'warning' }, 'biz-key-0123456789abcdef');
    const { shortId } = (await res.json()) as { shortId: number };
    await bot.flushCards();
    expect((await bot.post(`/api/v1/alerts/${shortId}/claim`, {}, TOKENS.wang)).status).toBe(200);
    await bot.flushCards();
    const line = dingtalk.robotMessages.filter((m) => m.accessToken === ROBOT_TOKEN).at(-1)!.body as {
      text: { content: string };
      at: { atMobiles: string[] };
    };
    expect(line.text.content).toContain(`#${shortId}`);
    expect(line.text.content).toContain('@+8613800000003');
    expect(line.at.atMobiles).toEqual(['+8613800000003']);
  });

  it('Slack being down holds up no other platform', async () => {
    slack.rateLimit('chat.postMessage', 1, 3600);
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: 'disk-9', title: '磁盘 95%', severity: 'critical' }, KEYS.api);
    const { alertId } = (await res.json()) as { alertId: string };
    // Let every queue run until it only waits for time: Slack's waits an hour, DingTalk's is done.
    await new Promise((r) => setImmediate(r));
    await bot.cards.settled();
    expect(cardOf(alertId)).toBeTruthy();
    expect(bot.cards.isIdle()).toBe(false);
    await bot.flushCards();
    expect(slack.callsTo('chat.postMessage').some((c) => c.status === 200 && String(c.args.text).includes('磁盘 95%'))).toBe(true);
  });
});
