// What a team's channels are told when a maintenance window starts and ends, in both languages.
import type { Locale } from '../bot/card.js';
import type { Notice } from '../bot/team-notice.js';
import type { MaintenanceDoc } from '../store/maintenance.js';
import { describeMatch, windowRef, type WindowEnd } from './maintenance-window.js';

export function startNotice(doc: MaintenanceDoc, held: number, fmt: (d: Date) => string): (l: Locale) => Notice {
  return (l) => ({
    heading:
      l === 'en'
        ? `🛠 Maintenance ${windowRef(doc)} started: ${describeMatch(doc)}, until ${fmt(doc.endsAt)}`
        : `🛠 维护窗口 ${windowRef(doc)} 开始：${describeMatch(doc)}，至 ${fmt(doc.endsAt)}`,
    lines: [
      whoWhy(doc, l),
      l === 'en' ? 'Matching alerts are recorded but post no card and page nobody.' : '期间匹配的告警照常记录，但不发卡片、不通知值班。',
      ...(held
        ? [l === 'en' ? `${held} open alert(s) matching it are held: escalation and ack timeout paused until it ends.` : `已在告警的 ${held} 条匹配告警进入维护：暂停升级和认领超时，窗口结束后重新升级。`]
        : []),
    ],
  });
}

export function endNotice(r: WindowEnd): (l: Locale) => Notice {
  const { doc } = r;
  const firing = r.released.length;
  const early = doc.endedBy ? doc.endedBy.name : undefined;
  return (l) => ({
    heading: l === 'en' ? `✅ Maintenance ${windowRef(doc)} ended: ${describeMatch(doc)}` : `✅ 维护窗口 ${windowRef(doc)} 结束：${describeMatch(doc)}`,
    lines: [
      l === 'en'
        ? `During the window: ${r.fired} fired, ${r.resolved} resolved, ${firing} still firing (their cards follow now)`
        : `窗口期间：触发 ${r.fired} 条，已恢复 ${r.resolved} 条，仍在告警 ${firing} 条（现在发出卡片）`,
      ...(r.held
        ? [
            l === 'en'
              ? `${r.held} already open when it began were held; those still firing escalate again from level 1`
              : `开始时已在告警 ${r.held} 条（期间暂停升级），仍在告警的从第 1 级重新升级`,
          ]
        : []),
      whoWhy(doc, l),
      ...(early ? [l === 'en' ? `Ended early by ${early}` : `由 ${early} 提前结束`] : []),
    ],
  });
}

function whoWhy(doc: MaintenanceDoc, l: Locale): string {
  const reason = doc.reason ?? (l === 'en' ? 'no reason given' : '未填写原因');
  if (doc.kind === 'recurring') return l === 'en' ? `Recurring window from the config (dutybot.yaml) · reason: ${reason}` : `配置文件（dutybot.yaml）中的周期维护窗口 · 原因：${reason}`;
  return l === 'en' ? `By ${doc.createdBy.name} · reason: ${reason}` : `创建人：${doc.createdBy.name} · 原因：${reason}`;
}
