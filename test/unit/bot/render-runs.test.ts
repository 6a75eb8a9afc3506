import { describe, expect, it } from 'vitest';
import { cardParams } from '../../../adapters/dingtalk/render.js';
import { cardClickRequest } from '../../../adapters/dingtalk/inbound.js';
import { actionRequest } from '../../../adapters/slack/inbound.js';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { wechatText } from '../../../adapters/wechat/render.js';
import { stateSummary } from '../../../src/bot/follow-ups.js';
import { renderAlertCard, type CardContext } from '../../../src/bot/render-card.js';
import type { CardRemediationAction } from '../../../src/bot/render-runs.js';
import { isRunCommand } from '../../../src/bot/run-command.js';
import type { Alert } from '../../../src/core/alert.js';

const now = new Date('2026-11-27T02:00:00Z');
const at = (hhmm: string): Date => new Date(`2026-11-27T${hhmm}:00+08:00`);

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: '5f8d0d55b54764421b7156c9',
    shortId: 12,
    integration: 'prometheus',
    source: 'alertmanager',
    application: 'web',
    team: 'ops',
    dedupKey: 'nginx-web-03',
    state: 'triggered',
    version: 1,
    rev: 1,
    title: 'nginx down on web-03',
    severity: 'critical',
    host: 'web-03',
    labels: [],
    links: [],
    count: 1,
    firstSeenAt: at('09:30'),
    lastSeenAt: at('09:30'),
    escalationLevel: 0,
    ...over,
  };
}

const restart: CardRemediationAction = { name: 'restart-nginx', label: 'Restart nginx on {host}', labelZh: '重启 nginx（{host}）', confirm: true, approval: 1 };
const failover: CardRemediationAction = { name: 'failover-db', label: 'Fail over the database', confirm: false, approval: 2 };
const zh: CardContext = { locale: 'zh', now, timeZone: 'Asia/Shanghai', teamName: '运维', members: [], remediation: [restart, failover] };
const en: CardContext = { ...zh, locale: 'en', teamName: 'ops' };

describe('remediation actions on cards', () => {
  it('a button per matching action, labelled in the card language with the host filled in; the command in the hint', () => {
    const card = renderAlertCard(alert(), en);
    expect(card.runs?.map((r) => r.label)).toEqual(['Restart nginx on web-03', 'Fail over the database']);
    expect(card.runs?.[0]).toMatchObject({ name: 'restart-nginx', command: 'run restart-nginx 12', style: 'danger', confirm: { ok: 'Run', cancel: 'Cancel' } });
    expect(card.runs?.[1]).toMatchObject({ approval: 2 });
    expect(card.runs?.[1]?.confirm).toBeUndefined();
    expect(card.commandHint).toContain('run restart-nginx 12 · run failover-db 12');
    const chinese = renderAlertCard(alert(), zh);
    expect(chinese.runs?.[0]?.label).toBe('重启 nginx（web-03）');
    // No Chinese label: the English one.
    expect(chinese.runs?.[1]?.label).toBe('Fail over the database');
    expect(chinese.commandHint).toContain('执行 restart-nginx 12');
    // WeChat has no buttons: the card text says what to type.
    expect(wechatText(chinese)).toContain('执行 restart-nginx 12');
  });

  it('a resolved alert offers none; a card without actions is unchanged', () => {
    expect(renderAlertCard(alert({ state: 'resolved', resolvedAt: at('09:50') }), en).runs).toBeUndefined();
    const plain = renderAlertCard(alert(), { ...en, remediation: [] });
    expect(plain.runs).toBeUndefined();
    expect(plain.commandHint).not.toContain('run ');
  });

  it('approvals waiting and the last result are on the card, from the alert', () => {
    const a = alert({
      remediation: {
        pending: [{ action: 'failover-db', needed: 2, by: [{ memberId: 'alice', name: 'alice', at: at('09:40') }] }],
        last: { action: 'restart-nginx', at: at('09:41'), by: ['张三'], status: 200, excerpt: '{"restarted":true}' },
      },
    });
    const card = renderAlertCard(a, en);
    expect(card.fields).toContainEqual({ label: 'Awaiting approval', value: 'Fail over the database: waiting for 1 more approval (alice)' });
    expect(card.fields).toContainEqual({ label: 'Action result', value: '▶️ Restart nginx on web-03 · 张三 · 09:41 · HTTP 200 {"restarted":true}' });
    expect(card.runResult).toBe('▶️ Restart nginx on web-03 · 张三 · 09:41 · HTTP 200 {"restarted":true}');
    const timedOut = renderAlertCard(alert({ remediation: { last: { action: 'restart-nginx', at: at('09:41'), by: ['张三'], excerpt: '', error: 'network: timeout' } } }), zh);
    expect(timedOut.fields).toContainEqual({ label: '动作结果', value: '⚠️ 重启 nginx（web-03） · 张三 · 09:41 · 无响应（network: timeout）' });
    // Channels that cannot edit get a follow-up line for a new result.
    expect(stateSummary(timedOut).key).not.toBe(stateSummary(renderAlertCard(alert(), zh)).key);
    expect(stateSummary(timedOut).line).toContain('无响应');
  });

  it('Slack: a button `dutybot:run:<name>` with the alert id, and Slack\'s confirm dialog when `confirm: true`', () => {
    const msg = renderBlocks(renderAlertCard(alert(), en));
    const elements = JSON.parse(JSON.stringify(msg.attachments![0]!.blocks)).flatMap((b: { elements?: unknown[] }) => b.elements ?? []) as Array<Record<string, unknown>>;
    const run = elements.find((e) => e.action_id === 'dutybot:run:restart-nginx')!;
    expect(run).toMatchObject({ type: 'button', value: '5f8d0d55b54764421b7156c9', style: 'danger', text: { text: 'Restart nginx on web-03' } });
    expect(run.confirm).toMatchObject({ title: { text: 'Run this action?' }, text: { text: 'Restart nginx on web-03 (#12)' }, confirm: { text: 'Run' }, deny: { text: 'Cancel' } });
    expect(elements.find((e) => e.action_id === 'dutybot:run:failover-db')!.confirm).toBeUndefined();
    // The click comes back as `run`, confirmed (Slack asked), with the action's name.
    const req = actionRequest(
      { user: { id: 'U0ZHANG' }, channel: { id: 'C0OPS' }, container: { message_ts: '1.2' } },
      { action_id: 'dutybot:run:restart-nginx', value: '5f8d0d55b54764421b7156c9', action_ts: '3.4' },
    );
    expect(req).toMatchObject({ action: 'run', value: 'restart-nginx', alertRef: '5f8d0d55b54764421b7156c9', confirmed: true });
  });

  it('DingTalk: the `runs` list for the template loop, its flag and the result line; a click comes back as `run`', () => {
    const p = cardParams(renderAlertCard(alert({ remediation: { last: { action: 'restart-nginx', at: at('09:41'), by: ['张三'], status: 502, excerpt: 'bad gateway' } } }), zh));
    expect(p.show_runs).toBe('true');
    expect(JSON.parse(p.runs!)).toEqual([
      { name: 'restart-nginx', label: '重启 nginx（web-03）', command: '执行 restart-nginx 12', confirm: 'true' },
      { name: 'failover-db', label: 'Fail over the database', command: '执行 failover-db 12', confirm: 'false' },
    ]);
    expect(p.run_status).toBe('⚠️ 重启 nginx（web-03） · 张三 · 09:41 · HTTP 502 bad gateway');
    expect(p.markdown).toContain('HTTP 502 bad gateway');
    for (const v of Object.values(p)) expect(typeof v).toBe('string');
    expect(cardParams(renderAlertCard(alert(), { ...zh, remediation: [] }))).toMatchObject({ runs: '[]', show_runs: 'false', run_status: '' });
    const click = cardClickRequest(
      {
        outTrackId: 'dutybot-1',
        userId: 'staff-zhang',
        content: JSON.stringify({ cardPrivateData: { actionIds: ['run'], params: { action: 'run', alertId: '5f8d0d55b54764421b7156c9', conv: 'cid1', value: 'restart-nginx' } } }),
      },
      'msg-1',
      () => undefined,
    );
    expect(click?.req).toMatchObject({ action: 'run', value: 'restart-nginx', alertRef: '5f8d0d55b54764421b7156c9', channel: 'cid1' });
    expect(click?.req.kind === 'action' && click.req.confirmed).toBeFalsy();
  });

  it('a WeChat group passes `执行 <action> [id]` to the core and leaves chatter that starts with 执行 alone', () => {
    for (const t of ['执行 restart-nginx 12', 'run restart-nginx #12', '执行 restart-nginx', 'RUN failover-db 3']) expect(isRunCommand(t)).toBe(true);
    for (const t of ['执行 一下', '执行完了吗', '执行', 'run', '执行 restart-nginx 12 现在 马上']) expect(isRunCommand(t)).toBe(false);
  });
});
