import type { AlertCard, Card } from './card.js';

/**
 * Follow-up lines, for platforms that cannot edit a posted card (WeChat, and the DingTalk and WeCom
 * group robots): when what people act on changes — state, owner, mute — one short line follows
 * the card (`#12 已认领 · 张三`); repeats and times send nothing, sparing the robots' 20 a minute.
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
  return {
    key: JSON.stringify([card.state, people, mute]),
    line: `${card.ref} ${[stateLabel, ...people, ...mute].join(' · ')}`,
  };
}

/** The summary every card starts from: posted open, nobody on it, not muted. */
export const INITIAL_SUMMARY_KEY = JSON.stringify(['triggered', [], []]);

/**
 * The last state summary sent per posted message, to decide whether an `update()` deserves a
 * follow-up line. In memory and bounded: after a restart an unknown message is compared with the
 * state every card is posted in, so a claimed alert may get its line once more, never lose one.
 */
export class FollowUps {
  private readonly last = new Map<string, string>();

  constructor(private readonly max = 20_000) {}

  /** Records what a freshly posted card shows. */
  remember(messageId: string, card: Card): void {
    if (card.kind !== 'alert') return;
    this.set(messageId, stateSummary(card).key);
  }

  /** The line to post for this update, or null when state, owner and mute are unchanged. */
  pending(messageId: string, card: Card): StateSummary | null {
    if (card.kind !== 'alert') return null;
    const now = stateSummary(card);
    const before = this.last.get(messageId) ?? INITIAL_SUMMARY_KEY;
    return now.key === before ? null : now;
  }

  /** Call once the line was really sent, so a failed send is tried again on the next update. */
  commit(messageId: string, summary: StateSummary): void {
    this.set(messageId, summary.key);
  }

  private set(messageId: string, key: string): void {
    this.last.delete(messageId);
    this.last.set(messageId, key);
    if (this.last.size > this.max) {
      const oldest = this.last.keys().next();
      if (!oldest.done) this.last.delete(oldest.value);
    }
  }
}

