import type { Alert } from '../core/alert.js';
import type { SnoozeDecision } from '../core/ack-timeout.js';
import type { BotReply } from './chat-adapter.js';
import type { Locale } from './card.js';
import { formatDuration } from './durations.js';
import { formatTime } from './render-card.js';

/** What `snooze|延后` needs from the escalation engine (src/jobs/escalation-engine.ts). */
export type Snoozer = (
  ref: string,
  who: { memberId?: string; name: string; via: string },
  durationMs: number,
) => Promise<SnoozeDecision & { alert?: Alert }>;

/**
 * The answer to `snooze <id> <duration>`: a public line when the ack deadline moved, else a
 * private reason (not the owner, beyond the policy's limit, no ack timeout) and nothing changed.
 */
export function snoozeReply(ref: string, d: SnoozeDecision & { alert?: Alert }, locale: Locale, ctx: { now: Date; timeZone: string }): BotReply {
  const zh = locale === 'zh';
  const id = d.alert ? `#${d.alert.shortId}` : `#${ref.replace(/^[#＃]/, '')}`;
  if (d.ok) {
    const at = formatTime(d.dueAt, ctx);
    return { text: zh ? `${id} 认领超时已延后至 ${at}` : `${id}: ack timeout pushed to ${at}`, private: false };
  }
  if (!d.alert) return { text: zh ? `找不到告警 ${id}` : `no alert ${id}`, private: true };
  switch (d.code) {
    case 'not-claimed':
      return { text: zh ? `${id} 未被认领，无需延后` : `${id} is not claimed: nothing to snooze`, private: true };
    case 'no-ack-timeout':
      return { text: zh ? `${id} 的升级策略没有认领超时` : `${id}'s escalation policy has no ack timeout`, private: true };
    case 'not-owner':
      return { text: zh ? `只有认领人 ${d.alert.owner?.name ?? ''} 可以延后 ${id}` : `only the owner (${d.alert.owner?.name ?? '?'}) may snooze ${id}`, private: true };
    case 'too-long': {
      const max = formatDuration(d.maxMs ?? 0, locale);
      return { text: zh ? `最多延后 ${max}` : `a snooze may be at most ${max}`, private: true };
    }
  }
}
