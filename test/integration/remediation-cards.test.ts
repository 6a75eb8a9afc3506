import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkAppAdapter } from '../../adapters/dingtalk/app-adapter.js';
import { SlackAdapter } from '../../adapters/slack/adapter.js';
import { log } from '../../src/log.js';
import type { ActionRunBodyV1 } from '../../src/notify/webhooks/body.js';
import { FakeDingTalk } from '../fakes/dingtalk-server.js';
import { dingTalkAppOn } from '../support/dingtalk-app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActionsBody, FORM, signedSlackRequest } from '../fakes/slack-signing.js';
import { FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { FakeClock } from '../support/clock.js';
import { KEYS, startTestBot, testConfig, testConfigInput, type TestBot } from '../support/bot.js';
import { eventually } from '../support/wait.js';

const CONV = 'cidOPSgroup0123456789==';
const OPS = 'C0OPS';
const SECRET = 'slack-signing-secret-for-tests';

/**
 * Remediation actions as buttons on the cards (issue #10): an nginx alert's card offers "重启 nginx"
 * on DingTalk and Slack; a click runs it as the clicker, after a confirmation where asked, and
 * after a second member's approval where asked; the receiver gets a signed POST, and the result
 * shows on every copy of the card.
 */
describe('remediation actions: buttons on every card, confirm, approvals, the result on every copy', () => {
  const clock = new FakeClock();
  const remediator = new FakeWebhookReceiver('remediation-secret-012345');
  let dingtalk: FakeDingTalk;
  let slack: FakeSlackApi;
  let app: DingTalkAppAdapter;
  let bot: TestBot;
  let n = 0;

  beforeAll(async () => {
    await remediator.start();
    dingtalk = await FakeDingTalk.start({ now: () => clock.now().getTime() });
    slack = await FakeSlackApi.start();
    const input = testConfigInput();
    input.teams![0]!.channels = [
      { platform: 'slack', channel: OPS },
      { platform: 'dingtalk', channel: CONV },
    ];
    input.members!.push({ id: 'zhao', name: '赵六', slack: 'U0ZHAO', dingtalk: 'staff-zhao' });
    input.teams![1]!.members = ['wang', 'zhao'];
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
    app = dingTalkAppOn(dingtalk);
    const slackAdapter = new SlackAdapter({ botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: slack.apiUrl, log });
    bot = await startTestBot({ clock, config: testConfig(input), adapters: [slackAdapter, app], outboxIntervalMs: false });
    await app.waitUntilOpen();
  });
  afterAll(async () => {
    await bot.stop();
    await dingtalk.close();
    await slack.close();
    await remediator.close();
  });

  async function open(title: string): Promise<{ alertId: string; shortId: number }> {
    n += 1;
    const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: `rc-${n}`, title, severity: 'critical', host: 'web-03' }, KEYS.api);
    const r = (await res.json()) as { alertId: string; shortId: number };
    await bot.flushCards();
    return r;
  }
  const dingCard = (alertId: string) => [...dingtalk.cards.values()].find((c) => c.params.alertId === alertId)!;
  const slackTs = (alertId: string) => String(slack.callsTo('chat.postMessage').find((c) => JSON.stringify(c.args).includes(alertId))!.response.ts);
  const slackCard = (alertId: string) => JSON.stringify(slack.message(OPS, slackTs(alertId)) ?? {});
  const dingClick = (alertId: string, userId: string, action: string) =>
    dingtalk.sendCardCallback({ outTrackId: dingCard(alertId).outTrackId, userId, actionId: 'run', params: { action: 'run', alertId, conv: CONV, value: action } });
  const slackClick = (alertId: string, userId: string, action: string) =>
    signedSlackRequest(
      `${bot.url}/slack/events`,
      SECRET,
      blockActionsBody({ userId, channel: OPS, messageTs: slackTs(alertId), actionId: `dutybot:run:${action}`, value: alertId, blockId: `dutybot:${alertId}`, responseUrl: slack.responseUrl() }),
      FORM,
    );
  const privateTo = (staffId: string, text: string) =>
    dingtalk.waitFor(() => dingtalk.privateMessages.find((m) => m.userIds.includes(staffId) && String(m.msgParam.content).includes(text)), 5_000, `a private message to ${staffId} with "${text}"`);
  const ephemeralTo = (user: string, text: string) => slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === user && String(c.args.text).includes(text));
  /** The run is over once its result is on the alert (the POST has been answered or timed out). */
  const ranOn = (alertId: string) => eventually(async () => (await bot.runtime.alerts.get(alertId))?.remediation?.last, 10_000, 'the run\'s result');
  const notes = async (id: string) => (await bot.runtime.alerts.timeline(id)).filter((e) => e.kind === 'note').map((e) => e.text);

  it('scenario: an nginx alert → "restart" clicked in DingTalk, confirmed by a second click → a signed POST → the result on the DingTalk and Slack cards', async () => {
    const { alertId, shortId } = await open('nginx down on web-03');
    // Both cards offer the action: DingTalk in its `runs` loop, Slack as a button with its confirm dialog.
    expect(JSON.parse(dingCard(alertId).params.runs!)).toEqual([{ name: 'restart-nginx', label: '重启 nginx（web-03）', command: `执行 restart-nginx ${shortId}`, confirm: 'true' }]);
    expect(dingCard(alertId).params.hint).toContain(`执行 restart-nginx ${shortId}`);
    const slackMsg = slackCard(alertId);
    expect(slackMsg).toContain('dutybot:run:restart-nginx');
    expect(slackMsg).toContain('"confirm":{');

    // First click: DingTalk has no dialog, so the clicker is asked privately; nothing is sent.
    await dingClick(alertId, 'staff-zhang', 'restart-nginx');
    await privateTo('staff-zhang', '再次点击');
    expect(remediator.requests).toHaveLength(0);

    remediator.reply({ status: 200, body: { restarted: true, host: 'web-03' } });
    await dingClick(alertId, 'staff-zhang', 'restart-nginx');
    await ranOn(alertId);
    await bot.flushCards();
    const req = remediator.requests[0]!;
    expect(req.signatureOk).toBe(true);
    expect(req.path).toBe('/restart-nginx');
    const body = JSON.parse(req.body) as ActionRunBodyV1;
    expect(body).toMatchObject({ version: 1, action: 'restart-nginx', by: { memberId: 'zhang', name: '张三', via: 'dingtalk' }, alert: { id: alertId, shortId, host: 'web-03' } });

    const result = '重启 nginx（web-03） · 张三';
    expect(dingCard(alertId).params.run_status).toContain(result);
    expect(dingCard(alertId).params.run_status).toContain('HTTP 200 {"restarted":true,"host":"web-03"}');
    expect(dingCard(alertId).params.markdown).toContain('HTTP 200');
    expect(slackCard(alertId)).toContain(result);
    expect(slackCard(alertId)).toContain('HTTP 200 {\\"restarted\\":true,\\"host\\":\\"web-03\\"}');
    expect(await notes(alertId)).toEqual(['ran action "restart-nginx": http 200 {"restarted":true,"host":"web-03"}']);
  });

  it('Slack: the confirm dialog is Slack\'s own, so a click runs at once; a receiver that times out shows on both cards', async () => {
    const { alertId } = await open('nginx 502 on web-03');
    const before = remediator.requests.length;
    remediator.reply({ status: 200, body: {}, delayMs: 3_000 });
    expect((await slackClick(alertId, 'U0LI', 'restart-nginx')).status).toBe(200);
    await ranOn(alertId);
    expect(remediator.requests).toHaveLength(before + 1);
    await dingtalk.waitFor(() => (dingCard(alertId).params.run_status ?? '').includes('network: timeout'), 8_000, 'the timeout on the DingTalk card');
    await bot.flushCards();
    expect(slackCard(alertId)).toContain('李四');
    expect(slackCard(alertId)).toContain('无响应（network: timeout）');
  });

  it('a DingTalk confirmation expires after two minutes: the next click asks again', async () => {
    const { alertId } = await open('nginx worker crash');
    const before = remediator.requests.length;
    await dingClick(alertId, 'staff-li', 'restart-nginx');
    await privateTo('staff-li', '再次点击');
    const asked = dingtalk.privateMessages.length;
    clock.advance(3 * 60_000);
    await dingClick(alertId, 'staff-li', 'restart-nginx');
    await dingtalk.waitFor(() => dingtalk.privateMessages.length > asked, 5_000, 'a second question');
    expect(String(dingtalk.privateMessages.at(-1)!.msgParam.content)).toContain('再次点击');
    expect(remediator.requests).toHaveLength(before);
  });

  it('approval: 2 on Slack: the first click waits (shown on both cards, stored on the alert), the same person again changes nothing, a second member runs it', async () => {
    const { alertId } = await open('mysql primary down');
    const before = remediator.requests.length;
    expect((await slackClick(alertId, 'U0ZHANG', 'failover-db')).status).toBe(200);
    await ephemeralTo('U0ZHANG', '还需 1 人批准');
    await bot.flushCards();
    expect(remediator.requests).toHaveLength(before);
    expect(slackCard(alertId)).toContain('MySQL 主备切换：还需 1 人批准（张三）');
    expect(dingCard(alertId).params.markdown).toContain('还需 1 人批准（张三）');
    const stored = await bot.runtime.alerts.get(alertId);
    expect(stored!.remediation!.pending).toEqual([{ action: 'failover-db', needed: 2, by: [{ memberId: 'zhang', name: '张三', at: expect.any(Date) }] }]);

    const updates = slack.callsTo('chat.update').length;
    expect((await slackClick(alertId, 'U0ZHANG', 'failover-db')).status).toBe(200);
    await ephemeralTo('U0ZHANG', '你已批准过');
    await bot.flushCards();
    expect(slack.callsTo('chat.update').length).toBe(updates);
    expect(remediator.requests).toHaveLength(before);

    remediator.reply({ status: 202, body: { switched: 'db-2' } });
    expect((await slackClick(alertId, 'U0LI', 'failover-db')).status).toBe(200);
    await ranOn(alertId);
    await bot.flushCards();
    expect(JSON.parse(remediator.requests.at(-1)!.body)).toMatchObject({
      action: 'failover-db',
      by: { memberId: 'li', via: 'slack' },
      approvedBy: [{ memberId: 'zhang', name: '张三' }, { memberId: 'li', name: '李四' }],
    });
    expect(slackCard(alertId)).toContain('MySQL 主备切换 · 张三、李四');
    expect(slackCard(alertId)).toContain('HTTP 202');
    expect(slackCard(alertId)).not.toContain('还需');
    expect(dingCard(alertId).params.run_status).toContain('HTTP 202');
    expect((await bot.runtime.alerts.get(alertId))!.remediation!.pending).toBeUndefined();
    expect(await notes(alertId)).toEqual(['approved action "failover-db" (1/2)', 'ran action "failover-db": http 202 {"switched":"db-2"}']);
  });

  it('approval: 2 on DingTalk: a click, the same person again (a private answer), then another member by command in the group', async () => {
    const { alertId, shortId } = await open('mysql replica lag');
    const before = remediator.requests.length;
    await dingClick(alertId, 'staff-zhang', 'failover-db');
    await privateTo('staff-zhang', '还需 1 人批准');
    await bot.flushCards();
    expect(dingCard(alertId).params.markdown).toContain('还需 1 人批准（张三）');
    await dingClick(alertId, 'staff-zhang', 'failover-db');
    await privateTo('staff-zhang', '你已批准过');
    expect(remediator.requests).toHaveLength(before);

    await dingtalk.sendRobotMessage({ conversationId: CONV, senderStaffId: 'staff-li', senderNick: '李四', text: `@dutybot 执行 failover-db ${shortId}`, isInAtList: true });
    await ranOn(alertId);
    const said = await dingtalk.waitFor(() => dingtalk.sessionReplies.find((r) => JSON.stringify(r.body).includes(`#${shortId} 执行了 failover-db`)));
    expect(JSON.stringify(said.body)).toContain('HTTP 202');
    await bot.flushCards();
    expect(dingCard(alertId).params.run_status).toContain('张三、李四');
  });

  it('not allowed, not matching the alert: a private answer, nothing sent, nothing on the card or timeline', async () => {
    const nginx = await open('nginx 504 on web-03');
    const mysql = await open('mysql slow queries');
    const before = remediator.requests.length;
    const updates = slack.callsTo('chat.update').length;
    expect((await slackClick(nginx.alertId, 'U0ZHAO', 'restart-nginx')).status).toBe(200);
    await ephemeralTo('U0ZHAO', '你不能执行 restart-nginx（允许：团队 ops）');
    await dingClick(mysql.alertId, 'staff-zhang', 'restart-nginx');
    await privateTo('staff-zhang', `动作 restart-nginx 不适用于告警 #${mysql.shortId}`);
    await bot.flushCards();
    expect(remediator.requests).toHaveLength(before);
    expect(slack.callsTo('chat.update').length).toBe(updates);
    expect(await notes(nginx.alertId)).toEqual([]);
    expect(await notes(mysql.alertId)).toEqual([]);
    expect(dingCard(mysql.alertId).params.show_runs).toBe('true'); // its own action (failover-db) is still offered
  });
});
