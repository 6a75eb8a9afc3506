import type { Matchers } from '../config/schema.js';
import { parseDuration } from './durations.js';
import { localTime } from '../core/time-window.js';

/**
 * Maintenance windows from chat, as pure functions: `maint host=db-1 2h kernel upgrade`,
 * `维护 hostgroup=mysql 到 23:00 迁移`, `maint all 30m`. Matchers are the routes' matchers
 * (src/core/matchers.ts) written as `name=value` words: `hostgroup=`, `integration=`, `severity=`,
 * `application=`, `source=` map to those matchers, anything else is a label matcher
 * (`host=db-1`, `env!=dev`, `service=~"nginx|mysql"`; `host` and `service` are the alert's own).
 */
export const MAX_CHAT_WINDOW_MS = 7 * 86_400_000;

export interface Bilingual {
  zh: string;
  en: string;
}

export type MaintArgs =
  | { ok: true; match: Matchers; all: boolean; endsAt: Date; reason?: string }
  | { ok: false; error: Bilingual };

const MATCHER_WORD = /^([A-Za-z_][A-Za-z0-9_./-]*)(=~|!~|!=|=)(.*)$/s;
const ALL_WORDS = new Set(['all', '全部', '所有']);
const UNTIL_WORDS = ['until', 'till', 'to', '到', '至', '直到'];

/** Adds one `name=value` word to the matchers; an error for a matcher key that takes no operator but `=`. */
export function addMatcherWord(m: Matchers, word: string): Bilingual | null {
  const r = MATCHER_WORD.exec(word);
  if (!r) return { zh: `"${word}" 不是匹配条件（如 host=db-1）`, en: `"${word}" is not a matcher like host=db-1` };
  const [, rawName, op, rawValue] = r as unknown as [string, string, string, string];
  const name = rawName.toLowerCase();
  const value = rawValue.replace(/^"(.*)"$/s, '$1');
  const plain: Record<string, 'hostGroup' | 'integration' | 'severity' | 'application' | 'source'> = {
    hostgroup: 'hostGroup',
    integration: 'integration',
    severity: 'severity',
    application: 'application',
    app: 'application',
    source: 'source',
  };
  const key = plain[name];
  if (key) {
    if (op !== '=') return { zh: `${rawName} 只支持 =`, en: `${rawName} takes only =` };
    const values = value.split(',').filter(Boolean);
    const bad = key === 'severity' ? values.find((v) => !['critical', 'warning', 'info'].includes(v)) : undefined;
    if (bad !== undefined) return { zh: `未知的级别 "${bad}"（critical、warning、info）`, en: `unknown severity "${bad}" (critical, warning, info)` };
    const list = (m[key] as string[] | undefined) ?? [];
    (m as Record<string, string[]>)[key] = [...list, ...values];
    return null;
  }
  m.labels = [...(m.labels ?? []), word];
  return null;
}

/** The instant of a wall-clock date and time in a zone (daylight saving handled by asking Intl). */
export function zonedInstant(date: string, minutes: number, zone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, mo - 1, d, 0, minutes);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const t = localTime(new Date(guess), zone);
    const [ty, tmo, td] = t.date.split('-').map(Number) as [number, number, number];
    const seen = Date.UTC(ty, tmo - 1, td, 0, t.minutes);
    if (seen === wanted) break;
    guess += wanted - seen;
  }
  return new Date(guess);
}

/** `23:00` (the next one), `2026-12-05 08:00` or `2026-12-05T08:00`, in the zone; null if not a time. */
export function parseUntil(words: string[], now: Date, zone: string): { at: Date; used: number } | null {
  const hm = (s: string) => {
    const m = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/.exec(s);
    return m ? Number(m[1]) * 60 + Number(m[2]) : null;
  };
  const first = words[0]?.normalize('NFKC') ?? '';
  const dt = /^(\d{4}-\d{2}-\d{2})[T ]?(\d{1,2}:\d{2})?$/.exec(first);
  if (dt) {
    const timeWord = dt[2] ?? words[1]?.normalize('NFKC');
    const min = timeWord ? hm(timeWord) : null;
    if (min === null) return null;
    return { at: zonedInstant(dt[1]!, min, zone), used: dt[2] ? 1 : 2 };
  }
  const min = hm(first);
  if (min === null) return null;
  const today = localTime(now, zone).date;
  let at = zonedInstant(today, min, zone);
  if (at <= now) at = zonedInstant(new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), min, zone);
  return { at, used: 1 };
}

/** Parses the words after `maint`/`维护`. */
export function parseMaintArgs(text: string, now: Date, zone: string): MaintArgs {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const match: Matchers = {};
  let all = false;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (ALL_WORDS.has(w.toLowerCase())) {
      all = true;
      continue;
    }
    if (!MATCHER_WORD.test(w)) break;
    const err = addMatcherWord(match, w);
    if (err) return { ok: false, error: err };
  }
  const hasMatcher = Object.keys(match).length > 0;
  if (!hasMatcher && !all) {
    return {
      ok: false,
      error: {
        zh: '请给出匹配条件（如 host=db-1），或写 all 表示屏蔽全部告警',
        en: 'give matchers (e.g. host=db-1), or the word all to silence every alert',
      },
    };
  }
  let endsAt: Date | null = null;
  let word = words[i];
  if (word === undefined) return { ok: false, error: { zh: '缺少时长或结束时间（如 2h、到 23:00）', en: 'missing a duration or an end time (e.g. 2h, until 23:00)' } };
  const glued = UNTIL_WORDS.find((u) => word!.toLowerCase().startsWith(u) && word!.length > u.length && /^[0-9]/.test(word!.slice(u.length)));
  if (glued) {
    words.splice(i, 1, glued, word.slice(glued.length));
    word = glued;
  }
  if (UNTIL_WORDS.includes(word.toLowerCase())) {
    const u = parseUntil(words.slice(i + 1), now, zone);
    if (!u) return { ok: false, error: { zh: `无法识别的结束时间 "${words[i + 1] ?? ''}"（如 23:00）`, en: `unknown end time "${words[i + 1] ?? ''}" (e.g. 23:00)` } };
    endsAt = u.at;
    i += 1 + u.used;
  } else {
    const u = parseUntil(words.slice(i), now, zone);
    if (u) {
      endsAt = u.at;
      i += u.used;
    } else {
      const ms = parseDuration(word);
      if (ms === null) return { ok: false, error: { zh: `无效的时长 "${word}"，应为 1分钟 到 7天`, en: `invalid duration "${word}": use 1 min to 7 days` } };
      endsAt = new Date(now.getTime() + ms);
      i += 1;
    }
  }
  if (endsAt <= now) return { ok: false, error: { zh: '结束时间早于开始时间', en: 'the end is before the start' } };
  if (endsAt.getTime() - now.getTime() > MAX_CHAT_WINDOW_MS) {
    return { ok: false, error: { zh: '聊天中创建的维护窗口最长 7 天', en: 'a window from chat lasts at most 7 days' } };
  }
  const reason = words.slice(i).join(' ').trim();
  return { ok: true, match, all: all && !hasMatcher, endsAt, ...(reason ? { reason } : {}) };
}
