import type { AlertCard, CardMention, Locale, SummaryCard } from './card.js';
import { texts } from './i18n.js';
import type { ChatPlatform } from '../config/directory.js';
import { CHAT_IDENTITIES } from '../config/schema.js';

/**
 * Follow-up lines, for platforms that cannot edit a posted card (WeChat, and the DingTalk and WeCom
 * group robots): when what people act on changes — state, owner, mute — one short line follows
 * the card (`#12 已认领 · 张三`); repeats and times send nothing, sparing the robots' 20 a minute.
 * The core decides when (src/bot/no-edit-delivery.ts) and records what was shown durably.
 */
/** `09:41`, `11-28 09:41`, `2025-11-28 09:41` as render-card.ts writes times. */
const TIME = /^(?:\d{4}-)?(?:\d{2}-\d{2} )?\d{2}:\d{2}$/;
const MUTED = '🔕';

export interface StateSummary {
  /** Equal keys mean nothing a person would act on has changed (counts and times are left out). */
  key: string;
  /** `#12 已认领 · 张三`, `#12 待认领 · 🔕 静默至 10:41`. */
  line: string;
}

/**
 * What a follow-up line says about an alert card: its state, its owner (or who resolved it) and
 * its mute. Read from `card.status` (`已认领 · 张三 · 09:41`, `待认领 · 已重复 5 次 · 🔕 静默至 10:41`):
 * the repeat count of an open alert and the times are left out, so a count-only update says nothing.
 */
export function stateSummary(card: AlertCard): StateSummary {
  const parts = card.status
    .split(' · ')
    .map((p) => p.trim())
    .filter(Boolean);
  const stateLabel = parts[0] ?? card.state;
  const rest = parts.slice(1);
  const mute = rest.filter((p) => p.startsWith(MUTED));
  // An open alert's status carries only its repeat count besides the mute; an owner exists only
  // once claimed (or resolved, where it names who resolved it).
  const people = card.state === 'triggered' ? [] : rest.filter((p) => !p.startsWith(MUTED) && !TIME.test(p));
  // A remediation action's result and a round-robin pick are news too (the key is unchanged for
  // cards without them): a channel that cannot edit hears whose turn it is in a follow-up.
  const run = card.runResult ? [card.runResult] : [];
  const assigned = card.assignment ? [card.assignment] : [];
  const base = run.length ? [card.state, people, mute, run] : [card.state, people, mute];
  return {
    key: JSON.stringify(assigned.length ? [...base, assigned] : base),
    line: `${card.ref} ${[stateLabel, ...people, ...mute, ...run, ...assigned].join(' · ')}`,
  };
}

/** The summary every card starts from: posted open, nobody on it, not muted (also what a summary line shows). */
export const INITIAL_SUMMARY_KEY = JSON.stringify(['triggered', [], []]);

/** At most this many alerts' changes in one follow-up message (well under the robots' 4 KB). */
export const FOLLOW_UP_BATCH = 40;

/**
 * One follow-up message for channels that cannot edit: `#12 已认领 · 张三` for one change; for
 * several, `🔄 5 条告警有变化` and one line per distinct status (`#12 #13 #14 已关闭 · 李四`), so a
 * mass resolve is a line, not fifty messages. The new owners are @-mentioned where a platform can.
 */
export function followUpCard(cards: readonly AlertCard[], locale: Locale): SummaryCard {
  const groups = new Map<string, string[]>();
  for (const c of cards) {
    const status = stateSummary(c).line.slice(c.ref.length).trim();
    const refs = groups.get(status) ?? [];
    refs.push(c.ref);
    groups.set(status, refs);
  }
  const lines = [...groups].map(([status, refs]) => `${refs.join(' ')} ${status}`.trim());
  const seen = new Set<string>();
  const mentions: CardMention[] = cards.flatMap((c) => c.mentions).filter((m) => {
    const key = JSON.stringify([m.name, m.phone, ...(Object.keys(CHAT_IDENTITIES) as ChatPlatform[]).map((p) => m[p])]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (lines.length === 1 && cards.length === 1) return { kind: 'summary', locale, heading: lines[0]!, lines: [], text: lines[0]!, mentions };
  const heading = `🔄 ${texts(locale).summary.changed(cards.length)}`;
  return { kind: 'summary', locale, heading, lines, text: [heading, ...lines].join('\n'), mentions };
}
