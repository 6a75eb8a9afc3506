import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Directory } from '../config/directory.js';
import type { CardDoc, CardStore } from '../store/cards.js';
import type { AlertCard } from './card.js';
import { DONE, type Outcome } from './card-queues.js';
import type { ChatAdapter, MentionMessage, PlatformId, SendResult } from './chat-adapter.js';
import { texts } from './i18n.js';
import { mentionOf } from './mentions.js';
import { clip } from './render-card.js';

/**
 * The @-mentions of an escalation (a level's `mention`, and the owner whose claim timed out) on
 * channels whose cards are edited in place (Slack). An edit notifies nobody, so each person is
 * @-mentioned by a new message of its own, through the adapter's `mention()` (a reply in the card's
 * thread; for an ack timeout also broadcast to the channel). Channels that cannot edit need none of
 * this: their follow-ups are new messages that @-mention already (decision 0012).
 *
 * What was sent is recorded on the card record (`mentioned`: `<run token>:<member id>`), only after
 * the platform answered, so a restart sends what is owed and nothing twice, but for the window of
 * decision 0005 (a crash between the platform's answer and our record repeats that one message).
 * Each person is @-mentioned once per escalation run and card: a new run (after an ack timeout)
 * mentions again. Runs inside the channel's one worker (src/bot/card-sync.ts), as NoEditDelivery.
 * See docs/decisions/0020-mentions-on-edited-cards.md.
 */

/** The part of a card-sync channel queue this needs. */
export interface MentionQueue {
  platform: PlatformId;
  channel: string;
  key: string;
}

export interface MentionDeps {
  cards: CardStore;
  directory: Directory;
  clock: Clock;
  adapters: ReadonlyMap<PlatformId, ChatAdapter>;
  renderAlert(alert: Alert, now: Date): AlertCard;
  /** One platform call under the channel's rate: a wait comes back, it is not slept here. */
  call(q: MentionQueue, about: CardDoc, fn: () => Promise<SendResult<void>>): Promise<SendResult<void> | { kind: 'wait'; ms: number }>;
}

export interface OwedMentions {
  memberIds: string[];
  /** What the card record keeps once they were sent. */
  keys: string[];
  /** The first message of a run that an ack timeout started: the whole channel sees it. */
  broadcast: boolean;
  /** The round-robin assignee is among them: the message says it is their turn. */
  assigned: boolean;
}


export const mentionKey = (token: string, memberId: string): string => `${token}:${memberId}`;
/** The round-robin assignee's mention is once per card, whatever the escalation runs do. */
const ASSIGN_TOKEN = 'assign';

/**
 * The people the alert's escalation @-mentions (and its round-robin assignee) that this card's
 * channel has not been sent a mention of, or null. Only while nobody has taken the alert and
 * paging is on: a muted alert's mentions wait for the mute's end, as its pages do; in maintenance
 * nobody is paged.
 */
export function owedMentions(alert: Alert, mentioned: readonly string[] | undefined, now: Date): OwedMentions | null {
  const esc = alert.escalation;
  const assignee = alert.assignee?.memberId;
  if (alert.state !== 'triggered' || (!esc?.mentions?.length && !assignee) || alert.maintenance) return null;
  if (alert.mutedUntil && alert.mutedUntil.getTime() > now.getTime()) return null;
  const sent = mentioned ?? [];
  const done = new Set(sent);
  const owed = new Map<string, string>();
  if (assignee && !done.has(mentionKey(ASSIGN_TOKEN, assignee))) owed.set(assignee, mentionKey(ASSIGN_TOKEN, assignee));
  for (const id of esc?.mentions ?? []) {
    if (!done.has(mentionKey(esc!.token, id)) && !owed.has(id)) owed.set(id, mentionKey(esc!.token, id));
  }
  if (!owed.size) return null;
  const firstOfRun = !!esc && !sent.some((k) => k.startsWith(`${esc.token}:`));
  // One key per person: someone both assigned and named by a level is @-mentioned once (the
  // level's key is recorded too, so the run does not mention them again).
  const keys = [...owed.values()];
  if (esc && assignee && owed.has(assignee) && esc.mentions?.includes(assignee)) keys.push(mentionKey(esc.token, assignee));
  return { memberIds: [...owed.keys()], keys, broadcast: firstOfRun && !!esc?.timedOutClaim, assigned: !!assignee && owed.has(assignee) };
}

/** `升级给你，请处理：🔴 #12 …`; after an ack timeout `↩ 李四 认领后 10 分钟未解决，重新升级：🔴 #12 …`. */
export function mentionText(alert: Alert, card: AlertCard, broadcast: boolean, assigned = false): string {
  const t = texts(card.locale);
  const timedOut = alert.escalation?.timedOutClaim;
  if (broadcast && timedOut) return `${t.ackTimedOut(timedOut.minutes, clip(timedOut.ownerName, 60))}${t.colon}${card.heading}`;
  return assigned ? t.mentionAssigned(card.heading) : t.mentionEscalated(card.heading);
}

export class MentionDelivery {
  constructor(private readonly deps: MentionDeps) {}

  /** Whether this channel owes the alert's card a mention message (no I/O: cheap enough for every card). */
  owes(platform: PlatformId, alert: Alert, card?: Pick<CardDoc, 'mentioned'>): boolean {
    return !!this.deps.adapters.get(platform)?.mention && owedMentions(alert, card?.mentioned, this.deps.clock.now()) !== null;
  }

  /** Sends what the posted card `card` owes, then records it. */
  async deliver(q: MentionQueue, alert: Alert, card: CardDoc): Promise<Outcome> {
    const adapter = this.deps.adapters.get(q.platform);
    const now = this.deps.clock.now();
    const owed = card.state === 'posted' && card.messageId ? owedMentions(alert, card.mentioned, now) : null;
    if (!adapter?.mention || !owed || !card.messageId) return DONE;
    const message: MentionMessage = {
      people: owed.memberIds.flatMap((id) => mentionOf(this.deps.directory.member(id))),
      text: mentionText(alert, this.deps.renderAlert(alert, now), owed.broadcast, owed.assigned),
      broadcast: owed.broadcast,
    };
    const ref = { platform: q.platform, channel: q.channel, messageId: card.messageId };
    const result = await this.deps.call(q, card, () => adapter.mention!(ref, message));
    if (result.kind === 'wait') return { done: false, retryAfterMs: result.ms };
    // Sent, or refused for good (`call` put the refusal on the timeline): not tried again either
    // way. Keys of earlier runs are dropped: they never match again.
    const token = alert.escalation?.token;
    const kept = (card.mentioned ?? []).filter((k) => k.startsWith(`${ASSIGN_TOKEN}:`) || (token && k.startsWith(`${token}:`)));
    await this.deps.cards.save({ ...card, mentioned: [...kept, ...owed.keys], updatedAt: this.deps.clock.now() });
    return DONE;
  }
}
