import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeishuAppAdapter } from '../../adapters/feishu/app-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import type { TimelineEntry } from '../../src/core/alert.js';
import type { AlertEvent } from '../../src/events.js';
import { log } from '../../src/log.js';
import type { ActionRunBodyV1 } from '../../src/notify/webhooks/body.js';
import { FakeFeishu, type EventAck, type FeishuMessage } from '../fakes/feishu-server.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { escalationAt } from '../support/escalation-clock.js';
import { control, controls, statusOf, waitFor } from '../support/feishu-card.js';
import { eventually } from '../support/wait.js';

/**
 * Every button and menu on dutybot's Feishu card besides 认领 (feishu-scenarios.test.ts has the
 * claim), as people in the group use them: the real @larksuiteoapi/node-sdk over its long
 * connection to a fake Feishu, the click answered with the re-rendered card, the group's card
 * patched in place for everyone and the Slack copy edited, and the alert's timeline saying who
 * (the Feishu user's member) and when (the injected clock).
 */

const CHAT = 'oc_ops0123456789abcdef';
const OPS = 'C0OPS';
const BIZ = 'C0BIZ';
const ZHANG = 'ou_zhang000000000001';
const LI = 'ou_li00000000000000002';
const STRANGER = 'ou_stranger0000000099';
const MIN = 60_000;
const T0 = new Date('2026-11-27T09:00:00Z');
const shanghai = (d: Date): string => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);

describe('Feishu card buttons other than claim: resolve, escalate, mute/unmute, snooze, reassign, remediation', () => {
  const clock = new FakeClock(T0);
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  let feishu: FakeFeishu;
  let slack: FakeSlackApi;
  let app: FeishuAppAdapter;
  let bot: TestBot;
  let n = 0;

  beforeAll(async () => {
    await remediator.start();
    feishu = await FakeFeishu.start({ now: () => clock.now().getTime() });
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.members![0]!.feishu = ZHANG;
    input.members![1]!.feishu = LI;
    input.teams![0]!.channels = [
      { platform: 'slack', channel: OPS },
      { platform: 'feishu', channel: CHAT },
    ];
    input.teams![0]!.escalationPolicy = 'ops';
    input.teams![1]!.channels = [{ platform: 'slack', channel: BIZ }];
    // Level 2 pages the business team: an escalate clicked in Feishu brings it forward.
    input.escalationPolicies = [
      {
        id: 'ops',
        ackTimeout: '30m',
        snoozeMax: '1h',
        levels: [
          { after: '0s', notify: [{ team: 'ops', via: ['chat'] }] },
          { after: '20m', notify: [{ team: 'biz', via: ['chat'] }] },
        ],
      },
    ];
    input.actions = [
      {
        name: 'restart-nginx',
        label: 'Restart nginx on {host}',
        labelZh: '重启 nginx（{host}）',
        url: `${remediator.origin}/restart-nginx`,
        secret: remediator.secret,
        match: { title: 'nginx' },
        teams: ['ops'],
        confirm: true,
        timeout: '2s',
      },
      {
        name: 'failover-db',
        label: 'Fail over MySQL',
        labelZh: 'MySQL 主备切换',
        url: `${remediator.origin}/failover-db`,
        secret: remediator.secret,
        match: { title: 'mysql' },
        teams: ['ops'],
        approval: 2,
        timeout: '2s',
      },
    ];
    app = new FeishuAppAdapter({ appId: feishu.appId, appSecret: feishu.appSecret, domain: feishu.origin, log, now: () => clock.now().getTime() });
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: 'secret-secret-secret', apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [slackAdapter, app], escalationTimers: false, outboxIntervalMs: false });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await feishu.close();
    await slack.close();
    await remediator.close();
  });

  /** An alert of the ops team, its escalation's first step run, its cards out. */
  async function open(title: string): Promise<{ alertId: string; shortId: number; card: FeishuMessage }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `fb-${n}`, title, severity: 'critical', host: 'web-03' }, KEYS.api);
    const { alertId, shortId } = (await res.json()) as { alertId: string; shortId: number };
    await escalationAt(bot, clock.now());
    await bot.flushCards();
    const card = feishu.inChat(CHAT).find((m) => m.msg_type === 'interactive' && JSON.stringify(m.content).includes(alertId));
    expect(card, `a Feishu card for ${title}`).toBeDefined();
    return { alertId, shortId, card: card! };
  }

  /**
   * A person clicks a button (or picks `option` from a menu) on the group's card and the change
   * happens: the domain event, then every card settled, then Feishu's answer to the click.
   */
  async function press(
    card: FeishuMessage,
    openId: string,
    action: string,
    expects: AlertEvent['type'],
    option?: string,
  ): Promise<{ event: AlertEvent; ack: EventAck; answered: FeishuMessage['content'] }> {
    const c = control(card, action);
    expect(c, `the card offers ${action}`).toBeDefined();
    const happened = bot.nextEvent(expects);
    const ack = feishu.clickCard({ messageId: card.message_id, openId, value: c!.value, ...(option ? { option } : {}) });
    const event = await happened;
    await bot.escalation.idle();
    await bot.flushCards();
    const answer = await ack;
    expect(answer.code).toBe(200);
    // The clicker sees the change at once: Feishu's answer carries the re-rendered card.
    const answered = (answer.answer as { card?: { type: string; data: FeishuMessage['content'] } } | undefined)?.card;
    expect(answered?.type, `the click on ${action} is answered with the card`).toBe('raw');
    return { event, ack: answer, answered: answered!.data };
  }

  const slackCard = (alertId: string, channel = OPS): string => {
    const post = slack.callsTo('chat.postMessage').find((c) => c.args.channel === channel && JSON.stringify(c.args).includes(alertId));
    return JSON.stringify(post ? slack.message(channel, String(post.response.ts)) : undefined);
  };
  const timeline = (alertId: string): Promise<TimelineEntry[]> => bot.runtime.alerts.timeline(alertId);
  const byFeishu = (memberId: string) => ({ kind: 'member', memberId, via: 'feishu', channel: CHAT });
  const actions = (m: Pick<FeishuMessage, 'content'>): string[] => controls(m).map((c) => c.value.action);

  it('a resolve clicked in Feishu closes the alert: green card without buttons in the group and on Slack, by 张三 at that minute', async () => {
    const { alertId, card } = await open('Kafka 消费积压');
    expect(actions(card)).toEqual(['claim', 'resolve', 'escalate', 'reassign', 'mute']);
    clock.advance(3 * MIN);
    const at = clock.now();

    const { event, answered } = await press(card, ZHANG, 'resolve', 'resolved');
    expect(event.entry).toMatchObject({ kind: 'resolved', at, actor: byFeishu('zhang') });
    expect(answered).toMatchObject({ header: { template: 'green' } });
    expect(actions({ content: answered })).toEqual([]);
    // The group's card, for everyone: patched in place.
    expect(card.content).toMatchObject({ header: { template: 'green' } });
    expect(statusOf(card)).toContain('已关闭 · 张三');
    expect(actions(card)).toEqual([]);
    expect(slackCard(alertId)).toContain('已关闭 · 张三');
    expect(slackCard(alertId)).not.toContain('dutybot:resolve');
    const alert = (await bot.runtime.alerts.get(alertId))!;
    expect(alert).toMatchObject({ state: 'resolved', resolvedBy: { memberId: 'zhang', name: '张三' }, resolvedAt: at });
    expect((await timeline(alertId)).filter((e) => e.kind === 'resolved')).toEqual([expect.objectContaining({ at, actor: expect.objectContaining(byFeishu('zhang')) })]);
  });

  it('an escalate clicked in Feishu goes to level 2 at once: the business team is paged on Slack, the card says level 2, by 李四', async () => {
    const { alertId, card } = await open('支付网关超时');
    expect(statusOf(card)).toContain('1/2');
    clock.advance(2 * MIN);
    const at = clock.now();

    const { event } = await press(card, LI, 'escalate', 'escalated');
    expect(event.entry).toMatchObject({ kind: 'escalated', at, actor: byFeishu('li') });
    await eventually(async () => (await bot.runtime.alerts.get(alertId))?.escalation?.firedLevel === 2 || undefined, 5_000, 'level 2 fired');
    await bot.escalation.idle();
    await bot.flushCards();
    expect(slackCard(alertId, BIZ)).toContain('支付网关超时');
    // The escalation engine's jump follows the click: the group's card is patched once more.
    expect(statusOf(card)).toContain('2/2');
    const escalated = (await timeline(alertId)).filter((e) => e.kind === 'escalated');
    expect(escalated.find((e) => e.actor.via === 'feishu')).toMatchObject({ at, actor: byFeishu('li') });
    expect(slackCard(alertId)).toContain('2/2');
  });

  it('a mute chosen from the Feishu menu silences the alert for 30 min and offers 取消静默; an unmute clicked there ends it', async () => {
    const { alertId, card } = await open('磁盘将满 web-03');
    const mute = control(card, 'mute')!;
    expect(mute.tag).toBe('select_static');
    expect(mute.options!.map((o) => o.value)).toContain(String(30 * MIN));
    clock.advance(MIN);
    const mutedAt = clock.now();

    const muted = await press(card, ZHANG, 'mute', 'muted', String(30 * MIN));
    expect(muted.event.entry).toMatchObject({ kind: 'muted', at: mutedAt, actor: byFeishu('zhang') });
    expect((await bot.runtime.alerts.get(alertId))!.mutedUntil).toEqual(new Date(mutedAt.getTime() + 30 * MIN));
    expect(statusOf(card)).toContain('🔕 静默至');
    // The mute pauses the escalation too, and every copy says so.
    expect(statusOf(card)).toContain('升级 第 1/2 级（已暂停）');
    expect(slackCard(alertId)).toContain('（已暂停）');
    expect(actions(card)).toContain('unmute');
    expect(actions(card)).not.toContain('mute');
    expect(actions({ content: muted.answered })).toContain('unmute');
    expect(slackCard(alertId)).toContain('dutybot:unmute');

    clock.advance(5 * MIN);
    const unmutedAt = clock.now();
    const unmuted = await press(card, LI, 'unmute', 'unmuted');
    expect(unmuted.event.entry).toMatchObject({ kind: 'unmuted', at: unmutedAt, actor: byFeishu('li') });
    expect((await bot.runtime.alerts.get(alertId))!.mutedUntil).toBeUndefined();
    expect(statusOf(card)).not.toContain('🔕');
    expect(statusOf(card)).toMatch(/升级 第 1\/2 级，\d+ 分钟后下一级/);
    expect(actions(card)).toContain('mute');
    expect(slackCard(alertId)).toContain('dutybot:mute');
    const kinds = (await timeline(alertId)).filter((e) => e.actor.via === 'feishu').map((e) => [e.kind, e.actor.memberId, e.at.getTime()]);
    expect(kinds).toEqual([
      ['muted', 'zhang', mutedAt.getTime()],
      ['unmuted', 'li', unmutedAt.getTime()],
    ]);
  });

  it('a reassign picked from the Feishu member menu gives the alert to 李四; the menu then no longer offers the owner', async () => {
    const { alertId, card } = await open('Redis 主从切换');
    const menu = control(card, 'reassign')!;
    expect(menu.tag).toBe('select_static');
    expect(menu.options!.map((o) => [o.value, o.text.content])).toEqual(expect.arrayContaining([['zhang', '张三'], ['li', '李四']]));
    clock.advance(MIN);
    const at = clock.now();

    const { event, answered } = await press(card, ZHANG, 'reassign', 'reassigned', 'li');
    expect(event.entry).toMatchObject({ kind: 'reassigned', at, actor: byFeishu('zhang') });
    expect((await bot.runtime.alerts.get(alertId))!.owner).toMatchObject({ memberId: 'li', name: '李四' });
    expect(statusOf(card)).toContain('已认领 · 李四');
    expect(JSON.stringify(answered)).toContain('李四');
    expect(control(card, 'reassign')!.options!.map((o) => o.value)).not.toContain('li');
    expect(slackCard(alertId)).toContain('李四');
    expect((await timeline(alertId)).find((e) => e.kind === 'reassigned')).toMatchObject({ at, actor: byFeishu('zhang') });
  });

  it('a snooze chosen on the claimed Feishu card moves the ack deadline for its owner only; the menu keeps within the policy', async () => {
    const { alertId, card } = await open('订单队列堆积');
    expect(control(card, 'snooze')).toBeUndefined(); // nothing to snooze before a claim
    const claimedAt = clock.now();
    await press(card, LI, 'claim', 'claimed');
    expect((await bot.runtime.alerts.get(alertId))!.escalation!.ack!.dueAt).toEqual(new Date(claimedAt.getTime() + 30 * MIN));
    const snooze = control(card, 'snooze')!;
    expect(snooze.tag).toBe('select_static');
    expect(snooze.options!.map((o) => o.value)).toEqual([String(30 * MIN), String(60 * MIN)]);

    // 张三 is not the owner: told privately, nothing moves.
    const refused = await feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: snooze.value, option: String(60 * MIN) });
    expect(refused.answer).toMatchObject({ toast: { type: 'info' } });
    expect(JSON.stringify(refused.answer)).toContain('李四');
    expect((await bot.runtime.alerts.get(alertId))!.escalation!.ack!.dueAt).toEqual(new Date(claimedAt.getTime() + 30 * MIN));

    clock.advance(10 * MIN);
    const at = clock.now();
    const { event } = await press(card, LI, 'snooze', 'snoozed', String(60 * MIN));
    expect(event.entry).toMatchObject({ at, actor: { memberId: 'li', via: 'feishu' } });
    expect((await bot.runtime.alerts.get(alertId))!.escalation!.ack!.dueAt).toEqual(new Date(at.getTime() + 60 * MIN));
    const note = (await timeline(alertId)).find((e) => e.kind === 'note' && e.actor.via === 'feishu');
    expect(note).toMatchObject({ at, actor: { memberId: 'li', name: '李四', via: 'feishu' } });
    // The deadline on the card (and on Slack) is the new one, in the team's zone (Asia/Shanghai).
    const due = shanghai(new Date(at.getTime() + 60 * MIN));
    expect(statusOf(card)).toContain(`⏰ ${due} 前未解决将重新升级`);
    expect(slackCard(alertId)).toContain(`${due} 前未解决将重新升级`);
  });

  it("a remediation action clicked in Feishu runs at once (Feishu's own dialog confirmed it), as 张三, and the result shows on both cards", async () => {
    const { alertId, shortId, card } = await open('nginx down on web-03');
    const run = control(card, 'run', 'restart-nginx')!;
    expect(run).toMatchObject({ tag: 'button', text: { content: '重启 nginx（web-03）' }, confirm: { title: { content: expect.any(String) } } });
    remediator.reply({ status: 200, body: { restarted: true } });
    clock.advance(MIN);
    const at = clock.now();

    const ack = await feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: run.value });
    expect(ack.code).toBe(200);
    await eventually(async () => (await bot.runtime.alerts.get(alertId))?.remediation?.last, 10_000, "the run's result");
    await bot.flushCards();
    expect(remediator.requests).toHaveLength(1);
    expect(remediator.requests[0]!.signatureOk).toBe(true);
    const body = JSON.parse(remediator.requests[0]!.body) as ActionRunBodyV1;
    expect(body).toMatchObject({ action: 'restart-nginx', by: { memberId: 'zhang', name: '张三', via: 'feishu' }, alert: { id: alertId, shortId } });
    expect(JSON.stringify(card.content)).toContain('重启 nginx（web-03） · 张三');
    expect(JSON.stringify(card.content)).toContain('HTTP 200');
    expect(slackCard(alertId)).toContain('重启 nginx（web-03） · 张三');
    const note = (await timeline(alertId)).find((e) => e.kind === 'note');
    expect(note).toMatchObject({ at, text: 'ran action "restart-nginx": http 200 {"restarted":true}', actor: { memberId: 'zhang', via: 'feishu' } });
  });

  it('approval: 2 clicked in Feishu: the first click waits for a second member (said privately, shown on both cards), 李四\'s click runs it', async () => {
    const { alertId, card } = await open('mysql primary down');
    const run = control(card, 'run', 'failover-db')!;
    expect(run).not.toHaveProperty('confirm');

    const first = await feishu.clickCard({ messageId: card.message_id, openId: ZHANG, value: run.value });
    expect(first.answer).toMatchObject({ toast: { type: 'info' } });
    const eph = await waitFor(() => feishu.ephemerals.find((e) => e.open_id === ZHANG && JSON.stringify(e).includes('还需 1 人批准')));
    expect(eph).toMatchObject({ chat_id: CHAT });
    await bot.flushCards();
    expect(remediator.requests.filter((r) => r.path === '/failover-db')).toHaveLength(0);
    expect(JSON.stringify(card.content)).toContain('MySQL 主备切换：还需 1 人批准（张三）');
    expect(slackCard(alertId)).toContain('MySQL 主备切换：还需 1 人批准（张三）');

    remediator.reply({ status: 202, body: { switched: 'db-2' } });
    clock.advance(MIN);
    const at = clock.now();
    expect((await feishu.clickCard({ messageId: card.message_id, openId: LI, value: run.value })).code).toBe(200);
    await eventually(async () => (await bot.runtime.alerts.get(alertId))?.remediation?.last, 10_000, "the run's result");
    await bot.flushCards();
    expect(JSON.parse(remediator.requests.find((r) => r.path === '/failover-db')!.body)).toMatchObject({
      by: { memberId: 'li', via: 'feishu' },
      approvedBy: [{ memberId: 'zhang', name: '张三' }, { memberId: 'li', name: '李四' }],
    });
    expect(JSON.stringify(card.content)).toContain('MySQL 主备切换 · 张三、李四');
    expect(JSON.stringify(card.content)).not.toContain('还需');
    expect(slackCard(alertId)).toContain('HTTP 202');
    const notes = (await timeline(alertId)).filter((e) => e.kind === 'note');
    expect(notes.map((e) => [e.text, e.actor.memberId, e.actor.via])).toEqual([
      ['approved action "failover-db" (1/2)', 'zhang', 'feishu'],
      ['ran action "failover-db": http 202 {"switched":"db-2"}', 'li', 'feishu'],
    ]);
    expect(notes[1]!.at).toEqual(at);
  });

  it('a Feishu user dutybot does not know is refused privately on every button and menu, and nothing changes', async () => {
    const { alertId, card } = await open('nginx 502 on web-03');
    const tries: Array<[string, string | undefined]> = [
      ['resolve', undefined],
      ['escalate', undefined],
      ['mute', String(30 * MIN)],
      ['reassign', 'li'],
      ['run', undefined],
    ];
    const before = await timeline(alertId);
    const shown = JSON.stringify(card.content);
    const patches = card.patches;
    for (const [action, option] of tries) {
      const c = control(card, action)!;
      const seen = feishu.ephemerals.length;
      const ack = await feishu.clickCard({ messageId: card.message_id, openId: STRANGER, value: c.value, ...(option ? { option } : {}) });
      expect(ack.answer, action).toMatchObject({ toast: { type: 'info' } });
      expect(ack.answer, action).not.toHaveProperty('card');
      // The whole answer, to the clicker alone, when the toast is too short for it.
      if (String((ack.answer as { toast: { content: string } }).toast.content).endsWith('…')) {
        const eph = await waitFor(() => feishu.ephemerals.slice(seen).find((e) => e.open_id === STRANGER));
        expect(eph).toMatchObject({ chat_id: CHAT, msg_type: 'interactive' });
      }
    }
    await bot.flushCards();
    expect(card.patches).toBe(patches);
    expect(JSON.stringify(card.content)).toBe(shown);
    expect(remediator.requests.filter((r) => JSON.parse(r.body).alert?.id === alertId)).toEqual([]);
    expect(await timeline(alertId)).toEqual(before);
    expect((await bot.runtime.alerts.get(alertId))!).toMatchObject({ state: 'triggered', escalationLevel: expect.any(Number) });
    expect((await bot.runtime.alerts.get(alertId))!.mutedUntil).toBeUndefined();
    // Nothing was said in the group.
    expect(feishu.inChat(CHAT).filter((m) => m.msg_type === 'text')).toEqual([]);
  });
});
