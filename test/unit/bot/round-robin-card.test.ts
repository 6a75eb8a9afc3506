import { describe, expect, it } from 'vitest';
import { stateSummary } from '../../../src/bot/follow-ups.js';
import { owedMentions } from '../../../src/bot/mention-delivery.js';
import { renderAlertCard, type CardContext } from '../../../src/bot/render-card.js';
import type { Alert } from '../../../src/core/alert.js';

const now = new Date('2026-11-27T02:00:00Z');
const zh: CardContext = { locale: 'zh', now, timeZone: 'Asia/Shanghai', teamName: '运维', members: [] };
const en: CardContext = { ...zh, locale: 'en', teamName: 'ops' };

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: '5f8d0d55b54764421b7156c9',
    shortId: 12,
    integration: 'prometheus',
    source: 'alertmanager',
    application: 'web',
    team: 'ops',
    dedupKey: 'disk',
    state: 'triggered',
    version: 1,
    rev: 2,
    title: 'Disk almost full',
    severity: 'critical',
    labels: [],
    links: [],
    count: 1,
    firstSeenAt: now,
    lastSeenAt: now,
    escalationLevel: 0,
    ...over,
  };
}

const assignee = { memberId: 'zhang', name: '张三', at: now, how: 'round-robin' as const };

describe('a round-robin pick on the card', () => {
  it('is a field in the card language while nobody has claimed; the owner replaces it', () => {
    expect(renderAlertCard(alert({ assignee }), zh).fields).toContainEqual({ label: '指派', value: '张三（轮流）' });
    expect(renderAlertCard(alert({ assignee }), en).fields).toContainEqual({ label: 'Assigned', value: '张三 (round-robin)' });
    const claimed = renderAlertCard(alert({ assignee, state: 'acknowledged', owner: { memberId: 'li', name: '李四', at: now, via: 'slack' } }), zh);
    expect(claimed.fields.map((f) => f.label)).not.toContain('指派');
    expect(claimed.assignment).toBeUndefined();
  });

  it('is news for channels that cannot edit: a follow-up says whose turn it is', () => {
    const before = stateSummary(renderAlertCard(alert(), zh));
    const after = stateSummary(renderAlertCard(alert({ assignee }), zh));
    expect(after.key).not.toBe(before.key);
    expect(after.line).toBe('#12 待认领 · 指派：张三（轮流）');
  });

  it('owes the assignee one @-mention per card, beside an escalation level\'s, while the alert waits', () => {
    const owed = owedMentions(alert({ assignee }), [], now);
    expect(owed).toEqual({ memberIds: ['zhang'], keys: ['assign:zhang'], broadcast: false, assigned: true });
    expect(owedMentions(alert({ assignee }), ['assign:zhang'], now)).toBeNull();
    expect(owedMentions(alert({ assignee, mutedUntil: new Date(now.getTime() + 60_000) }), [], now)).toBeNull();
    const escalation = { token: 'run1', mentions: ['zhang', 'li'] } as unknown as NonNullable<Alert['escalation']>;
    // 张三 is both the pick and named by the level: one mention, and the level's key is recorded too.
    expect(owedMentions(alert({ assignee, escalation }), [], now)).toMatchObject({ memberIds: ['zhang', 'li'], keys: ['assign:zhang', 'run1:li', 'run1:zhang'] });
    expect(owedMentions(alert({ assignee, escalation }), ['assign:zhang', 'run1:li', 'run1:zhang'], now)).toBeNull();
  });
});
