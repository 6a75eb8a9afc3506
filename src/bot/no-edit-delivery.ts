import { Types } from 'mongoose';
import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { AlertStore } from '../store/alerts.js';
import { cardId, type CardDoc, type CardStore } from '../store/cards.js';
import type { AlertCard, Card, SummaryCard } from './card.js';
import { DONE, type Outcome } from './card-queues.js';
import type { PlatformId } from './chat-adapter.js';
import { FOLLOW_UP_BATCH, followUpCard, INITIAL_SUMMARY_KEY, stateSummary } from './follow-ups.js';
import type { SlidingWindow } from './rate-policy.js';

/**
 * What a channel that cannot edit (DingTalk and WeCom group robots, WeChat rooms) gets instead of
 * edits (decision 0012). Every message is a new one, and what it showed is recorded only after the
 * platform accepted it:
 *
 * - a summary that has grown since it was posted posts `📦 +14 more since 09:41 …` naming the
 *   alerts no message has named or counted yet (`announcedIds` on the summary record);
 * - a change people act on (claimed by whom, resolved, muted) posts a follow-up line, and the
 *   changes waiting in the channel's queue go out together in one message (`shownKey` on each
 *   alert's card record says what the channel was last shown).
 *
 * It runs inside the channel's one worker (src/bot/card-sync.ts), so the records it writes have
 * no other writer, and it never waits itself: a wait goes back to the worker as an Outcome.
 */

/** The part of a card-sync channel queue this needs. */
export interface NoEditQueue {
  platform: PlatformId;
  channel: string;
  key: string;
  /** Alert ids and summary items waiting, the head being processed. */
  items: string[];
  window: SlidingWindow;
}

export type PostOutcome = { kind: 'sent'; messageId: string } | { kind: 'wait'; ms: number } | { kind: 'failed'; error: string };

export interface NoEditDeps {
  alerts: AlertStore;
  cards: CardStore;
  clock: Clock;
  renderAlert(alert: Alert, now: Date): AlertCard;
  renderSummary(alerts: Alert[], now: Date, since?: Date): SummaryCard;
  /** Posts one new message under the channel's rate; `about` is the record its trouble is noted on. */
  post(q: NoEditQueue, card: Card, about: CardDoc): Promise<PostOutcome>;
  enqueue(q: NoEditQueue, item: string): void;
  /** The queue item of a summary card. */
  summaryItem(summaryId: string): string;
}

/** How far down a channel's queue to look for other changes to fold into a follow-up. */
const SCAN_LIMIT = 200;
const ALERT_ID = /^[0-9a-f]{24}$/i;

interface Due {
  alert: Alert;
  card: CardDoc;
  rendered: AlertCard;
  key: string;
}

export class NoEditDelivery {
  constructor(private readonly deps: NoEditDeps) {}

  /**
   * An alert changed whose card is posted, or folded into a summary. Sends a follow-up when what
   * people act on moved since they were last shown, together with the other changes waiting.
   */
  async changed(q: NoEditQueue, alert: Alert, card: CardDoc): Promise<Outcome> {
    const summaries = new Map<string, CardDoc | null>();
    const now = this.deps.clock.now();
    const head = await this.due(alert, card, now, summaries);
    if (!head) {
      if (card.state === 'folded' && card.summaryId) {
        // Not announced yet: the summary will announce it. Resolved: the summary may close.
        const announced = await this.announced(card, summaries);
        if (!announced || alert.state === 'resolved') this.deps.enqueue(q, this.deps.summaryItem(card.summaryId));
      }
      if (card.renderedRev < alert.rev && (await this.announced(card, summaries))) {
        await this.deps.cards.save({ ...card, renderedRev: alert.rev, updatedAt: now });
      }
      return DONE;
    }
    const wait = q.window.delay(now.getTime());
    if (wait > 0) return { done: false, retryAfterMs: wait };

    // Fold the other changes waiting in this channel's queue into the same message.
    const batch: Due[] = [head];
    const taken: string[] = [];
    for (const item of q.items.slice(1, SCAN_LIMIT)) {
      if (batch.length >= FOLLOW_UP_BATCH) break;
      if (!ALERT_ID.test(item)) continue;
      const other = await this.deps.alerts.get(item);
      const otherCard = other ? await this.deps.cards.get(cardId(other.id, q.platform, q.channel)) : null;
      const due = other && otherCard ? await this.due(other, otherCard, now, summaries) : null;
      if (!due) continue;
      batch.push(due);
      taken.push(item);
    }
    // Out of the queue before the send: a change arriving meanwhile queues them again.
    for (const item of taken) {
      const i = q.items.indexOf(item);
      if (i > 0) q.items.splice(i, 1);
    }

    const message = followUpCard(
      batch.map((d) => d.rendered),
      head.rendered.locale,
    );
    const sent = await this.deps.post(q, message, card);
    if (sent.kind !== 'sent') {
      for (const item of taken) this.deps.enqueue(q, item);
      if (sent.kind === 'wait') return { done: false, retryAfterMs: sent.ms };
      await this.deps.cards.save({ ...card, lastError: sent.error, updatedAt: this.deps.clock.now() });
      return DONE;
    }
    const at = this.deps.clock.now();
    for (const d of batch) {
      await this.deps.cards.save({ ...d.card, shownKey: d.key, renderedRev: d.alert.rev, updatedAt: at, lastError: undefined });
      if (d.card.state === 'folded' && d.card.summaryId && d.alert.state === 'resolved') this.deps.enqueue(q, this.deps.summaryItem(d.card.summaryId));
    }
    return DONE;
  }

  /**
   * A summary on a channel that cannot edit: its first message (`📦 还有 21 条告警…`), then one
   * `📦 +14 more since 09:41` for every group of alerts folded into it after that, until every
   * open alert in it has been named or counted once. Closes when all of its alerts are resolved.
   */
  async summary(q: NoEditQueue, summary: CardDoc): Promise<Outcome> {
    const alerts = await this.deps.alerts.getMany((summary.alertIds ?? []).map((id) => id.toHexString()));
    const announced = new Set((summary.announcedIds ?? []).map((id) => id.toHexString()));
    // An alert resolved before it could be announced is not announced, as with its own card.
    const pending = alerts.filter((a) => !announced.has(a.id) && a.state !== 'resolved');
    const now = this.deps.clock.now();
    if (pending.length === 0) {
      if (alerts.length > 0 && alerts.every((a) => a.state === 'resolved') && !summary.closed) {
        await this.deps.cards.save({ ...summary, closed: true, updatedAt: now });
      }
      return DONE;
    }
    const first = !summary.messageId;
    const rendered = this.deps.renderSummary(pending, now, first ? undefined : (summary.announcedAt ?? summary.updatedAt));
    const sent = await this.deps.post(q, rendered, summary);
    if (sent.kind === 'wait') return { done: false, retryAfterMs: sent.ms };
    const at = this.deps.clock.now();
    if (sent.kind === 'failed') {
      await this.deps.cards.save({ ...summary, state: summary.messageId ? summary.state : 'failed', lastError: sent.error, updatedAt: at });
      return DONE;
    }
    await this.deps.cards.save({
      ...summary,
      state: 'posted',
      messageId: summary.messageId ?? sent.messageId,
      renderedRev: summary.renderedRev + 1,
      announcedIds: [...(summary.announcedIds ?? []), ...pending.map((a) => new Types.ObjectId(a.id))],
      announcedAt: at,
      updatedAt: at,
      lastError: undefined,
    });
    // A summary line shows an alert as opened: one that is claimed or muted by now owes a follow-up.
    for (const a of pending) {
      if (stateSummary(this.deps.renderAlert(a, at)).key !== INITIAL_SUMMARY_KEY) this.deps.enqueue(q, a.id);
    }
    return DONE;
  }

  /** The follow-up this alert's card owes the channel, or null when people were shown its state. */
  private async due(alert: Alert, card: CardDoc, now: Date, summaries: Map<string, CardDoc | null>): Promise<Due | null> {
    if (card.state !== 'posted' && card.state !== 'folded') return null;
    if (card.state === 'folded' && !(await this.announced(card, summaries))) return null;
    if (card.renderedRev >= alert.rev && card.shownKey !== undefined) return null;
    const rendered = this.deps.renderAlert(alert, now);
    const key = stateSummary(rendered).key;
    // A card posted before its state was recorded started open, like every card.
    if (key === (card.shownKey ?? INITIAL_SUMMARY_KEY)) return null;
    return { alert, card, rendered, key };
  }

  /** A folded alert has been named or counted in a summary message that was sent. */
  private async announced(card: CardDoc, summaries: Map<string, CardDoc | null>): Promise<boolean> {
    if (card.state !== 'folded') return true;
    if (!card.summaryId || !card.alertId) return false;
    let summary = summaries.get(card.summaryId);
    if (summary === undefined) {
      summary = await this.deps.cards.get(card.summaryId);
      summaries.set(card.summaryId, summary);
    }
    const id = card.alertId.toHexString();
    return !!summary?.announcedIds?.some((a) => a.toHexString() === id);
  }
}
