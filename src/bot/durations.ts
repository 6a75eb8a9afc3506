import type { Locale } from './card.js';

/**
 * Mute durations as people type them in chat, in both languages, as pure functions:
 * `30m`, `2h`, `1d`, `90s`, `30 min`, `2 hours`, `1h30m`, `1.5h`, `30分钟`, `2小时`, `1天`,
 * `半小时`, `两个半小时`, `一天半`. A number always needs a unit: a bare `30` is not a duration.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The shortest and longest mute a command may ask for (both inclusive). */
export const MIN_MUTE_MS = MINUTE;
export const MAX_MUTE_MS = 7 * DAY;

/** The mute choices offered on cards: 30 minutes, 2 hours, 24 hours. */
export const MUTE_CHOICES = [30 * 60e3, 2 * 3600e3, 24 * 3600e3] as const;

/** Longer input is not a duration anyone typed; refusing it early keeps the parser cheap. */
const MAX_INPUT = 64;

const UNIT_MS: Record<string, number> = {
  seconds: SECOND, second: SECOND, secs: SECOND, sec: SECOND, s: SECOND, 秒钟: SECOND, 秒: SECOND,
  minutes: MINUTE, minute: MINUTE, mins: MINUTE, min: MINUTE, m: MINUTE, 分钟: MINUTE, 分: MINUTE,
  hours: HOUR, hour: HOUR, hrs: HOUR, hr: HOUR, h: HOUR, 小时: HOUR, 钟头: HOUR,
  days: DAY, day: DAY, d: DAY, 天: DAY, 日: DAY,
  weeks: WEEK, week: WEEK, wks: WEEK, wk: WEEK, w: WEEK, 周: WEEK, 星期: WEEK, 礼拜: WEEK,
};

/** Longest first, so `min` wins over `m` and `分钟` over `分`. */
const UNIT_ALT = Object.keys(UNIT_MS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const CN_NUM_CHARS = '零〇一二两三四五六七八九十百';

/**
 * One `<number><unit>` part: `30m`, `1.5h`, `两个半小时` (number, 个, 半, unit), `半小时`,
 * `一天半` (unit then 半). Parts may follow each other: `1h30m`, `1小时30分钟`.
 */
const PART = new RegExp(
  `(?:(\\d+(?:\\.\\d+)?|\\.\\d+|[${CN_NUM_CHARS}]+)个?(半)?|(半)个?)(${UNIT_ALT})(半)?`,
  'y',
);

const CN_DIGIT: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

/** `三十` → 30, `二十四` → 24, `十五` → 15, `一百六十八` → 168; null for `一二`. */
function chineseNumber(s: string): number | null {
  let total = 0;
  let cur: number | null = null;
  for (const ch of s) {
    const d = CN_DIGIT[ch];
    if (d !== undefined) {
      if (cur !== null && cur !== 0) return null;
      cur = d;
      continue;
    }
    const mul = ch === '十' ? 10 : ch === '百' ? 100 : null;
    if (mul === null) return null;
    total += (cur ?? 1) * mul;
    cur = null;
  }
  return total + (cur ?? 0);
}

/**
 * A mute duration in milliseconds, or null when the text is not a duration or lies outside
 * 1 minute … 7 days. Case-insensitive; spaces (also full-width) are ignored.
 */
export function parseDuration(s: string): number | null {
  if (typeof s !== 'string' || s.length > 4096) return null;
  const text = s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  if (!text || text.length > MAX_INPUT) return null;

  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return null;
    pos = PART.lastIndex;
    const [, num, halfAfterNum, halfAlone, unit, halfAfterUnit] = m;
    const unitMs = unit === undefined ? undefined : UNIT_MS[unit];
    if (unitMs === undefined) return null;
    let n: number;
    if (halfAlone) {
      n = 0.5;
    } else {
      const v = num === undefined ? null : /^[\d.]/.test(num) ? Number(num) : chineseNumber(num);
      if (v === null || !Number.isFinite(v)) return null;
      n = v + (halfAfterNum ? 0.5 : 0);
    }
    if (halfAfterUnit) {
      if (halfAlone || halfAfterNum) return null;
      n += 0.5;
    }
    total += n * unitMs;
  }

  if (!Number.isFinite(total)) return null;
  const ms = Math.round(total);
  return ms >= MIN_MUTE_MS && ms <= MAX_MUTE_MS ? ms : null;
}

/**
 * A duration for people: the largest unit that divides it evenly.
 * zh: `30分钟`, `2小时`, `1天`, `90秒`; en: `30 min`, `2 h`, `1 day`, `3 days`, `90 s`.
 */
export function formatDuration(ms: number, locale: Locale): string {
  const en = locale === 'en';
  if (!Number.isFinite(ms) || ms <= 0) return en ? '0 min' : '0分钟';
  const v = Math.max(1, Math.round(ms / SECOND)) * SECOND;
  if (v % DAY === 0) {
    const n = v / DAY;
    return en ? `${n} ${n === 1 ? 'day' : 'days'}` : `${n}天`;
  }
  if (v % HOUR === 0) return en ? `${v / HOUR} h` : `${v / HOUR}小时`;
  if (v % MINUTE === 0) return en ? `${v / MINUTE} min` : `${v / MINUTE}分钟`;
  return en ? `${v / SECOND} s` : `${v / SECOND}秒`;
}
