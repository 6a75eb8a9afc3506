import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { FeishuAppAdapter } from '../../adapters/feishu/app-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import { ackResponse, FakeDingTalk } from '../fakes/dingtalk-server.js';
import { FakeFeishu } from '../fakes/feishu-server.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest, slashCommandBody } from '../fakes/slack-signing.js';
import { FakeClock } from '../support/clock.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';
import { waitFor } from '../support/feishu-card.js';
import { startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';

// Monday 2026-11-23 10:00 in Shanghai; daily rotation 张三, 李四 (09:00 handoffs):
// 23 张三, 24 李四, 25 张三, 26 李四, 27 张三, 28 李四.
const T0 = new Date('2026-11-23T02:00:00Z');
const SECRET = 'slack-signing-secret-for-tests';
const OPS = 'C0OPS';
const CONV = 'cidOPSgroup0123456789==';

/** ops on one platform's channel, on the daily schedule 张三/李四. */
function swapConfig(channels: NonNullable<ReturnType<typeof testConfigInput>['teams']>[number]['channels']) {
  const input = testConfigInput();
  input.teams![0]! = { ...input.teams![0]!, channels, schedule: 'primary' };
  input.schedules = [{ id: 'primary', name: 'Primary', timeZone: 'Asia/Shanghai', layers: [{ members: ['zhang', 'li'], shift: 'daily', start: '2026-11-01' }], remindBefore: 'off' }];
  return input;
}

describe('a swap request is a card with Accept / Decline on Slack and DingTalk', () => {
  const clock = new FakeClock(T0);
  let slack: FakeSlackApi;
  let dingtalk: FakeDingTalk;
  let app: DingTalkAppAdapter;
  let bot: TestBot;

  const slash = (userId: string, text: string) =>
    signedSlackRequest(`${bot.url}/slack/events`, SECRET, slashCommandBody({ userId, channel: OPS, text, responseUrl: slack.responseUrl() }), FORM);
  const clickSlack = (userId: string, messageTs: string, actionId: string, value: string) =>
    signedSlackRequest(
      `${bot.url}/slack/events`,
      SECRET,
      blockActionsBody({ userId, channel: OPS, messageTs, actionId, value, blockId: 'dutybot:question', container: 'message', responseUrl: slack.responseUrl() }),
      FORM,
    );
  /** The Slack question message's buttons as [action_id, label, value]. */
  const buttonsOf = (blocks: unknown[] | undefined): Array<[string, string, string]> =>
    ((blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string; text: { text: string }; value: string }> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements!.map((e): [string, string, string] => [e.action_id, e.text.text, e.value]));

  beforeAll(async () => {
    slack = await FakeSlackApi.start();
    dingtalk = await FakeDingTalk.start();
    const input = swapConfig([
      { platform: 'slack', channel: OPS },
      { platform: 'dingtalk', channel: CONV },
    ]);
    app = dingTalkAppOn(dingtalk);
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [slackAdapter, app], escalationTimers: false });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await dingtalk.close();
    await slack.close();
  });

  it('on Slack: the card @-mentions 张三; 李四 clicking Accept is refused privately; 张三 clicking Accept swaps and the card says so', async () => {
    const posted = slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('换班请求'));
    await slash('U0LI', '换班 张三 11-26');
    const post = await posted;
    const ts = String(post.response.ts);
    const id = /#([0-9a-f]{6})/.exec(String(post.args.text))![1]!;
    expect(String(post.args.text)).toMatch(/^<@U0ZHANG> 换班请求 #[0-9a-f]{6}（Primary）/);
    const card = slack.message(OPS, ts)!;
    expect(JSON.stringify(card.blocks)).toContain('李四 的 11-26 09:00 – 11-27 09:00 ⇄ 张三 的 11-25 09:00 – 11-26 09:00');
    expect(buttonsOf(card.blocks)).toEqual([
      ['dutybot:choice:0', '同意', `swap accept ${id}`],
      ['dutybot:choice:1', '拒绝', `swap decline ${id}`],
    ]);
    // Nothing else was said in the channel: the card is the answer.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === OPS)).toHaveLength(1);

    const refusal = slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'U0LI');
    await clickSlack('U0LI', ts, 'dutybot:choice:0', `swap accept ${id}`);
    expect((await refusal).args.text).toBe(`只有 张三 可以回复换班请求 #${id}`);
    expect(slack.message(OPS, ts)!.edits).toBe(0);
    expect(await bot.overrides.history(10)).toEqual([]);

    const edited = slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === ts);
    await clickSlack('U0ZHANG', ts, 'dutybot:choice:0', `swap accept ${id}`);
    await edited;
    const after = slack.message(OPS, ts)!;
    expect(buttonsOf(after.blocks)).toEqual([]);
    expect(JSON.stringify(after.blocks)).toContain('✅ 张三 已同意 · 10:00');
    const rows = (await bot.overrides.history(10)).reverse();
    expect(rows.map((r) => [r.override.member, r.by, r.via, r.channel, r.swap])).toEqual([
      ['zhang', 'zhang', 'slack', OPS, id],
      ['li', 'zhang', 'slack', OPS, id],
    ]);

    // A second click (or the typed command) changes nothing more and is answered privately.
    const again = slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'U0ZHANG');
    await clickSlack('U0ZHANG', ts, 'dutybot:choice:1', `swap decline ${id}`);
    expect((await again).args.text).toBe(`换班请求 #${id} 已经回复过（已同意）`);
    expect(await bot.overrides.history(10)).toHaveLength(2);
  });

  it('on DingTalk: the card carries the choices; 张三 clicking Decline updates his card at once, and the request is declined', async () => {
    const before = dingtalk.cards.size;
    await dingtalk.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-li', senderNick: '李四', text: '@dutybot 换班 张三 11-28', isInAtList: true });
    const card = await dingtalk.waitFor(() => (dingtalk.cards.size > before ? [...dingtalk.cards.values()].at(-1) : undefined));
    const id = /#([0-9a-f]{6})/.exec(card.params.title!)![1]!;
    expect(card.params).toMatchObject({ kind: 'question', title: `换班请求 #${id}（Primary）`, show_choices: 'true', conv: CONV });
    expect(JSON.parse(card.params.choices!)).toEqual([
      { label: '同意', command: `swap accept ${id}`, style: 'primary' },
      { label: '拒绝', command: `swap decline ${id}`, style: 'danger' },
    ]);
    expect(dingtalk.sessionReplies.filter((r) => JSON.stringify(r.body).includes(id))).toEqual([]);

    // 李四 may not answer his own request: a private message, the card unchanged.
    await dingtalk.sendCardCallback({ outTrackId: card.outTrackId, userId: 'staff-li', params: { action: 'choice', command: `swap decline ${id}`, conv: CONV } });
    const refusal = await dingtalk.waitFor(() => dingtalk.privateMessages.find((m) => m.userIds.includes('staff-li') && JSON.stringify(m.msgParam).includes(id)));
    expect(refusal.msgParam).toEqual({ content: `只有 张三 可以回复换班请求 #${id}` });
    expect(card.updates).toBe(0);

    const ack = await dingtalk.sendCardCallback({ outTrackId: card.outTrackId, userId: 'staff-zhang', params: { action: 'choice', command: `swap decline ${id}`, conv: CONV } });
    const shown = (ackResponse(ack) as { cardData: { cardParamMap: Record<string, string> } }).cardData.cardParamMap;
    expect(shown).toMatchObject({ kind: 'question', show_choices: 'false', status: '❌ 张三 已拒绝，值班不变 · 10:00' });
    expect(dingtalk.cards.get(card.outTrackId)!.params.status).toBe('❌ 张三 已拒绝，值班不变 · 10:00');
    expect(await bot.overrides.history(10)).toHaveLength(2);
  });

  it('an expired request answered by a click is refused and its card says it expired', async () => {
    const posted = slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('11-30'));
    await slash('U0LI', 'swap 张三 11-30');
    const post = await posted;
    const ts = String(post.response.ts);
    const id = /#([0-9a-f]{6})/.exec(String(post.args.text))![1]!;
    clock.set(new Date(T0.getTime() + 1.5 * 86_400_000));
    const refusal = slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === 'U0ZHANG' && String(c.args.text).includes('过期'));
    await clickSlack('U0ZHANG', ts, 'dutybot:choice:0', `swap accept ${id}`);
    expect((await refusal).args.text).toBe(`换班请求 #${id} 已过期，值班不变`);
    expect(JSON.stringify(slack.message(OPS, ts)!.blocks)).toContain('⌛ 已过期');
    expect(buttonsOf(slack.message(OPS, ts)!.blocks)).toEqual([]);
  });
});

describe('on Feishu the swap request is a card too', () => {
  const CHAT = 'oc_ops0123456789abcdef';
  const ZHANG = 'ou_zhang000000000001';
  const LI = 'ou_li00000000000000002';
  let feishu: FakeFeishu;
  let bot: TestBot;

  beforeAll(async () => {
    feishu = await FakeFeishu.start();
    const input = swapConfig([{ platform: 'feishu', channel: CHAT }]);
    input.members![0]!.feishu = ZHANG;
    input.members![1]!.feishu = LI;
    const app = new FeishuAppAdapter({ appId: feishu.appId, appSecret: feishu.appSecret, domain: feishu.origin, log });
    bot = await startTestBot({ clock: new FakeClock(T0), config: testConfig(input), adapters: [app], escalationTimers: false });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await feishu.close();
  });

  it('@-mentions 张三 with Accept / Decline; his click accepts, and the answer to the click is the card saying so', async () => {
    await feishu.sendMessage({ chatId: CHAT, openId: LI, text: '@_user_1 换班 张三 11-26' });
    const card = await waitFor(() => feishu.inChat(CHAT).find((m) => m.msg_type === 'interactive' && JSON.stringify(m.content).includes('换班请求')));
    const text = JSON.stringify(card.content);
    expect(text).toContain(`<at id=${ZHANG}></at>`);
    const actions = (card.content.elements as Array<{ tag: string; actions?: Array<{ value: { action: string; command: string } }> }>).flatMap((e) => e.actions ?? []);
    const id = /#([0-9a-f]{6})/.exec(text)![1]!;
    expect(actions.map((a) => a.value)).toEqual([
      { action: 'choice', command: `swap accept ${id}` },
      { action: 'choice', command: `swap decline ${id}` },
    ]);
    const ack = await feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: actions[0]!.value });
    const answered = JSON.stringify((ack.answer as { card: { data: unknown } }).card.data);
    expect(answered).toContain('✅ 张三 已同意 · 10:00');
    expect(answered).not.toContain('"choice"');
    expect((await bot.overrides.history(10)).map((r) => [r.override.member, r.via, r.swap])).toEqual([
      ['li', 'feishu', id],
      ['zhang', 'feishu', id],
    ]);
  });
});
