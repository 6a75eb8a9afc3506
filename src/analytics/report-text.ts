import type { Locale } from '../bot/card.js';
import type { Figures, MemberRow } from '../core/analytics.js';
import type { NoiseRow } from '../store/analytics-facts.js';

/** Seconds for people: `45秒`, `12分钟`, `1小时5分钟`, `2天3小时` / `45s`, `12m`, `1h 5m`, `2d 3h`. */
export function formatSeconds(s: number | null, locale: Locale): string {
  if (s === null) return '—';
  const zh = locale === 'zh';
  const u = zh ? { d: '天', h: '小时', m: '分钟', s: '秒' } : { d: 'd', h: 'h', m: 'm', s: 's' };
  const join = (parts: string[]) => parts.join(zh ? '' : ' ');
  if (s < 60) return `${s}${u.s}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}${u.m}`;
  const h = Math.floor(m / 60);
  if (h < 24) return join([`${h}${u.h}`, ...(m % 60 ? [`${m % 60}${u.m}`] : [])]);
  const d = Math.floor(h / 24);
  return join([`${d}${u.d}`, ...(h % 24 ? [`${h % 24}${u.h}`] : [])]);
}

export interface ReportInput {
  heading: string;
  figures: Figures;
  members: MemberRow[];
  memberName: (id: string) => string;
  noisiest: NoiseRow[];
  /** `静默 12 1天` for noisy alerts still open, by dedup key. */
  muteSuggestions?: Array<{ shortId: number; title: string }>;
}

/** The three times in one line, under their figures (the full definitions: core/analytics.ts DEFINITIONS, README). */
export const DEFINITION_LINE = {
  en: 'MTTD = problem start (per the source) → received · MTTA = received → claimed · MTTR = problem start → end (per the source) or resolved',
  zh: 'MTTD＝问题开始（来源时间）→ 接收 · MTTA＝接收 → 认领 · MTTR＝问题开始 → 结束（来源时间）或解决',
} as const;

const pct = (n: number, of: number): string => (of ? `${Math.round((n / of) * 100)}%` : '—');

/** The figures as lines of text in the locale (the chart carries the daily series). */
export function reportLines(r: ReportInput, locale: Locale): string[] {
  const f = r.figures;
  const t = (s: number | null) => formatSeconds(s, locale);
  const zh = locale === 'zh';
  const lines = [r.heading];
  if (zh) {
    lines.push(
      `告警 ${f.opened} · 已认领 ${f.claimed} · 已解决 ${f.resolved}（人工 ${f.resolvedByPerson} / 来源恢复 ${f.resolvedBySource}）`,
      `未认领即解决 ${f.resolvedBeforeClaim} · 期末未解决 ${f.openAtEnd} · 升级 ${f.escalated} · 静默 ${f.muted}`,
      `非工作时间 ${f.offHours}（${pct(f.offHours, f.opened)}）`,
      `MTTD 平均 ${t(f.mttdSeconds)} · P90 ${t(f.mttdP90Seconds)}`,
      `MTTA 平均 ${t(f.mttaSeconds)} · P90 ${t(f.mttaP90Seconds)}`,
      `MTTR 平均 ${t(f.mttrSeconds)} · P90 ${t(f.mttrP90Seconds)}`,
      DEFINITION_LINE.zh,
    );
  } else {
    lines.push(
      `Alerts ${f.opened} · claimed ${f.claimed} · resolved ${f.resolved} (by people ${f.resolvedByPerson} / by the source ${f.resolvedBySource})`,
      `Resolved before a claim ${f.resolvedBeforeClaim} · open at the end ${f.openAtEnd} · escalated ${f.escalated} · muted ${f.muted}`,
      `Out of working hours ${f.offHours} (${pct(f.offHours, f.opened)})`,
      `MTTD mean ${t(f.mttdSeconds)} · p90 ${t(f.mttdP90Seconds)}`,
      `MTTA mean ${t(f.mttaSeconds)} · p90 ${t(f.mttaP90Seconds)}`,
      `MTTR mean ${t(f.mttrSeconds)} · p90 ${t(f.mttrP90Seconds)}`,
      DEFINITION_LINE.en,
    );
  }
  if (r.members.length) {
    const claims = [...r.members].sort((a, b) => b.claims - a.claims).filter((m) => m.claims > 0);
    if (claims.length) {
      lines.push(
        (zh ? '认领：' : 'Claims: ') +
          claims.map((m) => `${r.memberName(m.key)} ${m.claims}（MTTA ${t(m.mttaSeconds)}）`.replace(zh ? /$/ : /（(.*)）/, zh ? '' : ' ($1)')).join(' · '),
      );
    }
  }
  const load = loadLine(r, locale);
  if (load) lines.push(load);
  if (r.noisiest.length) {
    lines.push(zh ? '最吵的告警：' : 'Noisiest alerts:');
    r.noisiest.forEach((n, i) =>
      lines.push(zh ? `${i + 1}. ${n.title}（${n.integration}）· ${n.alerts} 次告警，${n.events} 个事件` : `${i + 1}. ${n.title} (${n.integration}) · ${n.alerts} alerts, ${n.events} events`),
    );
  }
  if (r.muteSuggestions?.length) {
    lines.push(zh ? '建议静默（仍未解决）：' : 'Suggested mutes (still open):');
    for (const s of r.muteSuggestions) lines.push(zh ? `· 静默 ${s.shortId} 1天 — ${s.title}` : `· mute ${s.shortId} 1d — ${s.title}`);
  }
  return lines;
}

/** `12h` / `12.5小时`: hours on call, one decimal at most. */
export function formatHours(h: number, locale: Locale): string {
  const n = Math.round(h * 10) / 10;
  return locale === 'zh' ? `${n}小时` : `${n}h`;
}

/**
 * Fair load in one line, the busiest first (most pages, then most hours):
 * `值班负载：张三 63小时 · 呼叫 3（夜间 3）；李四 …` / `On-call load: 张三 63h, 3 pages (3 at night); …`.
 * Absent when nobody was on call or paged.
 */
export function loadLine(r: Pick<ReportInput, 'members' | 'memberName'>, locale: Locale): string | null {
  const zh = locale === 'zh';
  const busy = r.members.filter((m) => m.pages > 0 || m.hoursOnCall > 0).sort((a, b) => b.pages - a.pages || b.hoursOnCall - a.hoursOnCall || a.key.localeCompare(b.key));
  if (!busy.length) return null;
  const one = (m: (typeof busy)[number]) =>
    zh
      ? `${r.memberName(m.key)} ${formatHours(m.hoursOnCall, locale)} · 呼叫 ${m.pages}（夜间 ${m.nightPages}）`
      : `${r.memberName(m.key)} ${formatHours(m.hoursOnCall, locale)}, ${m.pages} page${m.pages === 1 ? '' : 's'} (${m.nightPages} at night)`;
  return (zh ? '值班负载：' : 'On-call load: ') + busy.map(one).join(zh ? '；' : '; ');
}
