import { describe, expect, it } from 'vitest';
import { TEXTS } from '../../../src/bot/i18n.js';
import { type CardContext, formatTime, renderAlertCard, renderSummaryCard } from '../../../src/bot/render-card.js';
import type { Alert } from '../../../src/core/alert.js';

// 10:00 in Shanghai.
const now = new Date('2026-11-27T02:00:00Z');
const at = (hhmm: string): Date => new Date(`2026-11-27T${hhmm}:00+08:00`);

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    shortId: 12,
    integration: 'prometheus',
    source: 'alertmanager',
    application: 'k8s-prod',
    team: 'ops',
    dedupKey: 'disk-web-1',
    state: 'triggered',
    version: 1,
    rev: 1,
    title: 'Disk almost full on web-1',
    severity: 'critical',
    host: 'web-1',
    labels: [
      { name: 'alertname', value: 'DiskFull' },
      { name: 'env', value: 'prod' },
    ],
    links: [{ text: 'Runbook', href: 'https://wiki.example.com/disk' }],
    count: 1,
    firstSeenAt: at('09:30'),
    lastSeenAt: at('09:40'),
    escalationLevel: 0,
    ...over,
  };
}

const members = [
  { id: 'zhang', name: '张三' },
  { id: 'li', name: '李四' },
];
const zh: CardContext = { locale: 'zh', now, timeZone: 'Asia/Shanghai', teamName: '运维', members };
const en: CardContext = { ...zh, locale: 'en', teamName: 'ops' };
const ids = (card: { actions: Array<{ id: string }> }): string[] => card.actions.map((a) => a.id);

describe('renderAlertCard', () => {
  it('renders a triggered critical alert in Chinese', () => {
    const card = renderAlertCard(alert({ count: 5 }), zh);
    expect(card).toMatchObject({ kind: 'alert', alertId: 'a1', shortId: 12, ref: '#12', locale: 'zh', colour: '#d93025' });
    expect(card.heading).toBe('🔴 #12 Disk almost full on web-1');
    expect(card.status).toBe('待认领 · 已重复 5 次');
    expect(card.fields).toEqual([
      { label: '来源 · 应用', value: 'prometheus · k8s-prod' },
      { label: '团队', value: '运维' },
      { label: '主机', value: 'web-1' },
      { label: '次数', value: '5' },
      { label: '最近', value: '09:40' },
    ]);
    expect(ids(card)).toEqual(['claim', 'resolve', 'escalate', 'reassign', 'mute']);
    expect(card.actions[0]).toEqual({ id: 'claim', label: '认领', style: 'primary' });
    expect(card.actions.find((a) => a.id === 'reassign')?.options).toEqual([
      { value: 'zhang', label: '张三' },
      { value: 'li', label: '李四' },
    ]);
    expect(card.actions.find((a) => a.id === 'mute')?.options).toEqual([
      { value: '1800000', label: '30分钟' },
      { value: '7200000', label: '2小时' },
      { value: '86400000', label: '1天' },
    ]);
    expect(card.commandHint).toBe('回复命令：认领 12 · 关闭 12 [备注] · 升级 12 · 转派 12 <成员> · 静默 12 2h');
    expect(card.text.split('\n')).toEqual([
      '🔴 #12 Disk almost full on web-1',
      '待认领 · 已重复 5 次',
      '来源 · 应用：prometheus · k8s-prod',
      '团队：运维',
      '主机：web-1',
      '次数：5',
      '最近：09:40',
      '标签：alertname=DiskFull · env=prod',
      'Runbook：https://wiki.example.com/disk',
      card.commandHint,
    ]);
  });

  it('renders a triggered critical alert in English', () => {
    const card = renderAlertCard(alert(), en);
    expect(card.locale).toBe('en');
    expect(card.status).toBe('Open');
    expect(card.fields.map((f) => f.label)).toEqual(['Source · Application', 'Team', 'Host', 'Last seen']);
    expect(card.fields.find((f) => f.label === 'Team')?.value).toBe('ops');
    expect(card.actions.map((a) => a.label)).toEqual(['Claim', 'Resolve', 'Escalate', 'Reassign', 'Mute']);
    expect(card.actions.find((a) => a.id === 'mute')?.options?.map((o) => o.label)).toEqual(['30 min', '2 h', '1 day']);
    expect(card.commandHint).toBe('Commands: claim 12 · resolve 12 [note] · escalate 12 · reassign 12 <member> · mute 12 2h');
    expect(card.text).toContain('Source · Application: prometheus · k8s-prod');
  });

  it('shows where escalation stands: level 2 of 3, next in 4 min; paused while muted; gone once claimed', () => {
    const policy = { policyId: 'crit', levels: [0, 5, 10].map((m) => ({ afterMs: m * 60_000, notify: [] })), repeat: 0 };
    const escalation = { policy, token: 't', cycle: 1, level: 3, firedLevel: 2, firedAt: new Date(now.getTime() - 60_000), nextAt: new Date(now.getTime() + 4 * 60_000) };
    expect(renderAlertCard(alert({ escalationLevel: 2, escalation }), zh).status).toBe('待认领 · 升级 第 2/3 级，4 分钟后下一级');
    const card = renderAlertCard(alert({ escalationLevel: 2, escalation }), en);
    expect(card.status).toBe('Open · level 2 of 3, next in 4 min');
    expect(card.fields.map((f) => f.label)).not.toContain('Escalation level');
    const { nextAt: _n, ...rest } = escalation;
    expect(renderAlertCard(alert({ escalation: { ...rest, pausedRemainingMs: 120_000 } }), en).status).toBe('Open · level 2 of 3 (paused)');
    expect(renderAlertCard(alert({ escalation: { ...rest, done: true, firedLevel: 3 } }), zh).status).toBe('待认领 · 升级 第 3/3 级');
    const first = { policy, token: 't', cycle: 1, level: 1, nextAt: new Date(now.getTime() + 30_000) };
    expect(renderAlertCard(alert({ escalation: first }), zh).status).toBe('待认领 · 30 秒后升级');
    const claimed = renderAlertCard(alert({ state: 'acknowledged', owner: { name: '张三', memberId: 'zhang', at: at('09:41'), via: 'slack' }, escalation }), en);
    expect(claimed.status).not.toMatch(/level/);
  });

  it('colours by severity', () => {
    expect(renderAlertCard(alert({ severity: 'warning' }), en)).toMatchObject({ colour: '#f29900', heading: expect.stringMatching(/^🟠 /) });
    expect(renderAlertCard(alert({ severity: 'info' }), en)).toMatchObject({ colour: '#1a73e8', heading: expect.stringMatching(/^🔵 /) });
  });

  it('shows the owner of a claimed alert and no claim button', () => {
    const claimed = alert({
      state: 'acknowledged',
      owner: { memberId: 'zhang', name: '张三', at: at('09:41'), via: 'slack' },
      claimedAt: at('09:41'),
      escalationLevel: 2,
    });
    const card = renderAlertCard(claimed, zh);
    expect(card.status).toBe('已认领 · 张三 · 09:41');
    expect(ids(card)).toEqual(['resolve', 'escalate', 'reassign', 'mute']);
    // The owner is not offered as a reassign target.
    expect(card.actions.find((a) => a.id === 'reassign')?.options).toEqual([{ value: 'li', label: '李四' }]);
    expect(card.fields).toContainEqual({ label: '升级级别', value: '2' });
    expect(card.commandHint).not.toContain('认领');
    expect(renderAlertCard(claimed, en).status).toBe('Claimed · 张三 · 09:41');
  });

  it('shows a resolved alert green with no actions', () => {
    const resolved = alert({
      state: 'resolved',
      resolvedAt: at('10:02'),
      resolvedBy: { kind: 'member', memberId: 'li', name: '李四', via: 'dingtalk' },
    });
    const card = renderAlertCard(resolved, { ...zh, mutedUntil: at('11:00') });
    expect(card.colour).toBe('#188038');
    expect(card.heading).toBe('✅ #12 Disk almost full on web-1');
    expect(card.status).toBe('已关闭 · 李四 · 10:02');
    expect(card.actions).toEqual([]);
    expect(card.commandHint).toBe('');
    expect(card.text).not.toContain('回复命令');
  });

  it('offers unmute instead of mute while muted, and forgets an expired mute', () => {
    const card = renderAlertCard(alert(), { ...en, mutedUntil: at('11:41') });
    expect(card.heading).toBe('🔴 🔕 #12 Disk almost full on web-1');
    expect(card.status).toBe('Open · 🔕 Muted until 11:41');
    expect(ids(card)).toContain('unmute');
    expect(ids(card)).not.toContain('mute');
    expect(card.commandHint).toMatch(/unmute 12$/);
    expect(renderAlertCard(alert(), { ...zh, mutedUntil: at('11:41') }).status).toBe('待认领 · 🔕 静默至 11:41');

    // The alert's own mute counts when the context does not say.
    expect(renderAlertCard(alert({ mutedUntil: at('11:41') }), en).status).toBe('Open · 🔕 Muted until 11:41');

    const expired = renderAlertCard(alert(), { ...en, mutedUntil: at('09:00') });
    expect(ids(expired)).toContain('mute');
    expect(ids(expired)).not.toContain('unmute');
  });

  it('picks at most six useful labels: well-known first, then by name, none repeating host or service', () => {
    const card = renderAlertCard(
      alert({
        host: 'web-1',
        service: 'nginx',
        labels: [
          { name: 'zeta', value: 'z' },
          { name: 'alpha', value: 'a' },
          { name: 'node', value: 'web-1' },
          { name: 'svc', value: 'nginx' },
          { name: 'instance', value: 'web-1:9100' },
          { name: 'empty', value: '' },
          { name: 'job', value: 'node' },
          { name: 'severity', value: 'critical' },
          { name: 'alertname', value: 'DiskFull' },
          { name: 'namespace', value: 'default' },
          { name: 'cluster', value: 'sh-1' },
        ],
      }),
      en,
    );
    expect(card.labels.map((l) => l.name)).toEqual(['alertname', 'severity', 'namespace', 'instance', 'job', 'cluster']);
    const few = renderAlertCard(alert({ labels: [{ name: 'zeta', value: 'z' }, { name: 'alpha', value: 'a' }, { name: 'env', value: 'prod' }] }), en);
    expect(few.labels.map((l) => l.name)).toEqual(['env', 'alpha', 'zeta']);
  });

  it('truncates huge titles and survives odd data', () => {
    const odd = alert({
      title: `Disk\u0000full ${'x'.repeat(100_000)}`,
      host: undefined,
      application: '',
      labels: [],
      links: [
        { text: 'evil', href: 'javascript:alert(1)' },
        ...Array.from({ length: 8 }, (_, i) => ({ text: `l${i}`, href: `https://x.example/${i}` })),
      ],
      count: Number.NaN,
      lastSeenAt: new Date('nope'),
    });
    const card = renderAlertCard(odd, { ...zh, timeZone: 'Mars/Olympus' });
    const title = card.heading.replace('🔴 #12 ', '');
    expect(Array.from(title)).toHaveLength(150);
    expect(title.startsWith('Disk full x')).toBe(true);
    expect(title.endsWith('…')).toBe(true);
    expect(card.text).not.toContain('\u0000');
    expect(card.labels).toEqual([]);
    expect(card.links).toHaveLength(5);
    expect(card.links[0]?.href).toBe('https://x.example/0');
    expect(card.fields.map((f) => f.label)).toEqual(['来源', '团队']);

    const empty = renderAlertCard(alert({ title: '\u0000 ', labels: undefined as never, links: undefined as never }), en);
    expect(empty.heading).toBe('🔴 #12 (no title)');
  });

  it('keeps the plain text within 1000 characters, command hint included', () => {
    const long = (n: number): string => '告'.repeat(n);
    const big = alert({
      title: long(5000),
      host: long(500),
      service: long(500),
      application: long(500),
      labels: Array.from({ length: 40 }, (_, i) => ({ name: `l${i}${long(80)}`, value: long(300) })),
      links: Array.from({ length: 5 }, (_, i) => ({ text: long(200), href: `https://x.example/${i}/${'p'.repeat(1500)}` })),
      count: 99,
      escalationLevel: 3,
    });
    for (const ctx of [zh, en]) {
      const card = renderAlertCard(big, ctx);
      expect(card.text.length).toBeLessThanOrEqual(1000);
      expect(card.text.endsWith(card.commandHint)).toBe(true);
      expect(card.text.startsWith(card.heading)).toBe(true);
    }
  });

  it('dates times that are not today', () => {
    expect(formatTime(new Date('2026-11-28T01:41:00Z'), zh)).toBe('11-28 09:41');
    expect(formatTime(new Date('2025-11-28T01:41:00Z'), zh)).toBe('2025-11-28 09:41');
    expect(formatTime(new Date('2026-11-27T01:41:00Z'), { now, timeZone: 'UTC' })).toBe('01:41');
  });
});

describe('renderSummaryCard', () => {
  const many = Array.from({ length: 37 }, (_, i) =>
    alert({
      id: `a${i}`,
      shortId: 100 + i,
      title: `Alert ${i}`,
      host: `web-${i % 5}`,
      severity: i % 2 ? 'warning' : 'critical',
      lastSeenAt: new Date(now.getTime() - (37 - i) * 60_000),
    }),
  );

  it('sums up 37 alerts over 5 hosts, newest first', () => {
    const card = renderSummaryCard(many, { locale: 'en', now, timeZone: 'Asia/Shanghai', teamName: 'ops' });
    expect(card.heading).toBe('📦 +37 more for ops, 5 hosts');
    expect(card.lines).toHaveLength(12);
    expect(card.lines[0]).toBe('🔴 #136 Alert 36');
    expect(card.lines[1]).toBe('🟠 #135 Alert 35');
    expect(card.lines[10]).toBe('…');
    expect(card.lines[11]).toBe('Hosts (5): web-1, web-0, web-4, web-3, web-2');
    expect(card.text).toBe([card.heading, ...card.lines].join('\n'));
  });

  it('speaks Chinese', () => {
    const card = renderSummaryCard(many, { locale: 'zh', now, timeZone: 'Asia/Shanghai', teamName: '运维' });
    expect(card.heading).toBe('📦 还有 37 条告警（运维，5 台主机）');
    expect(TEXTS.zh.summary.moreAlerts(37, '运维', 5)).toBe('还有 37 条告警（运维，5 台主机）');
  });

  it('says "+14 more since 09:41" for what folded in after a summary went out (channels that cannot edit)', () => {
    const since = new Date('2026-11-27T01:41:00Z');
    expect(renderSummaryCard(many.slice(0, 14), { locale: 'en', now, timeZone: 'Asia/Shanghai', teamName: 'ops' }, since).heading).toMatch(/^📦 \+14 more since 09:41 for ops, \d hosts$/);
    expect(renderSummaryCard(many.slice(0, 14), { locale: 'zh', now, timeZone: 'Asia/Shanghai', teamName: '运维' }, since).heading).toMatch(/^📦 09:41 以来又有 14 条告警（运维，\d 台主机）$/);
  });

  it('copes with few alerts and no hosts', () => {
    const card = renderSummaryCard([alert({ host: undefined })], { locale: 'en', now, timeZone: 'UTC', teamName: 'ops' });
    expect(card.heading).toBe('📦 +1 more for ops');
    expect(card.lines).toEqual(['🔴 #12 Disk almost full on web-1', 'Hosts: none given']);
    expect(renderSummaryCard([], { locale: 'zh', now, timeZone: 'UTC', teamName: '运维' }).lines).toEqual(['主机：未注明']);
  });
});

describe('TEXTS', () => {
  it('has the refusals and confirmations of the chat core in both languages', () => {
    expect(TEXTS.zh.refuse.alreadyClaimed('张三', '09:41')).toBe('已被 张三 于 09:41 认领');
    expect(TEXTS.en.refuse.alreadyClaimed('张三', '09:41')).toBe('already claimed by 张三 at 09:41');
    expect(TEXTS.en.refuse.alreadyResolved('李四', '10:02')).toBe('already resolved by 李四 at 10:02');
    expect(TEXTS.zh.refuse.alreadyResolved('李四', '10:02')).toBe('已被 李四 于 10:02 关闭');
    expect(TEXTS.en.refuse.unknownUser('slack', 'U123')).toContain('`members[].slack` in dutybot.yaml');
    expect(TEXTS.zh.refuse.unknownUser('dingtalk')).toContain('`members[].dingtalk`');
    expect(TEXTS.zh.refuse.notFound('12')).toBe('找不到告警 #12');
    expect(TEXTS.zh.done.claimed(12)).toBe('已认领 #12');
    expect(TEXTS.en.done.escalated('#12', 2)).toBe('escalated #12 to level 2');
    expect(TEXTS.en.summary.moreAlerts(37, 'ops', 5)).toBe('+37 more for ops, 5 hosts');
    expect(TEXTS.zh.state).toEqual({ triggered: '待认领', acknowledged: '已认领', resolved: '已关闭' });
    expect(TEXTS.en.severity).toEqual({ critical: 'Critical', warning: 'Warning', info: 'Info' });
  });
});
