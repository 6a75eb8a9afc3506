import type { Clock } from '../core/clock.js';
import type { Logger } from '../log.js';
import type { AlertStore } from '../store/alerts.js';
import type { CardDoc, CardStore } from '../store/cards.js';
import type { Card } from './card.js';
import { DONE, type ChannelQueue, type Outcome } from './card-queues.js';
import type { ChatAdapter, PlatformId, SendResult } from './chat-adapter.js';
import type { PostOutcome } from './no-edit-delivery.js';

/** Waits at least this long are recorded on the alert's timeline. */
const LONG_WAIT_MS = 60_000;

export interface CardSenderDeps {
  alerts: Pick<AlertStore, 'addTimeline'>;
  cards: Pick<CardStore, 'save'>;
  adapters: ReadonlyMap<PlatformId, ChatAdapter>;
  clock: Clock;
  log: Logger;
  /** Counts each send by platform, operation and result (the `dutybot_chat_messages_total` metric). */
  countSend?: (platform: PlatformId, op: 'post' | 'update', result: SendResult<unknown>['kind']) => void;
}

/** The platform calls of card sync: each under its channel's rate limit, counted, and recorded on the card. */
export class CardSender {
  constructor(private readonly deps: CardSenderDeps) {}

  /**
   * Posts or edits one card under the channel's rate limit and records the outcome. `stored`: the
   * card record is already in the database (a new one is written as `posting` before the post).
   * `extra` is recorded with a successful send.
   */
  async send(q: ChannelQueue, card: CardDoc, rendered: Card, rev: number, stored: boolean, extra: Partial<CardDoc> = {}): Promise<Outcome> {
    const adapter = this.deps.adapters.get(q.platform)!;
    const editing = !!card.messageId && card.state === 'posted';
    if (!editing && stored && card.state === 'posting' && adapter.findPosted) {
      // An earlier post may have reached the platform unrecorded (killed, or timed out while the
      // platform took it): where it can tell, ask before posting again (decision 0005).
      const found = await adapter.findPosted(q.channel, card._id);
      if (found.kind === 'retry') return { done: false, retryAfterMs: found.afterMs };
      if (found.kind === 'sent' && found.value) {
        this.deps.log.info({ channel: q.key, card: card._id, messageId: found.value.messageId }, 'card was posted before a restart or time-out; recorded, not posted again');
        // Shown: some earlier state. The next pass edits it to the latest.
        await this.deps.cards.save({ ...card, state: 'posted', messageId: found.value.messageId, renderedRev: 0, updatedAt: this.deps.clock.now() });
        return { done: false, retryAfterMs: 0 };
      }
    }
    let messageId = card.messageId;
    const result = await this.call(q, editing ? 'update' : 'post', card, async (): Promise<SendResult<unknown>> => {
      if (editing) return adapter.update({ platform: q.platform, channel: q.channel, messageId: card.messageId! }, rendered);
      // Marked before the call: a crash during it leaves `posting`, and resync() posts again
      // (after asking the platform, where it can tell, whether the post arrived).
      if (!stored) await this.deps.cards.save({ ...card, state: 'posting' });
      const posted = await adapter.post(q.channel, rendered, card._id);
      if (posted.kind === 'sent') messageId = posted.value.messageId;
      return posted;
    });
    const now = this.deps.clock.now();
    if (result.kind === 'wait') return { done: false, retryAfterMs: result.ms };
    if (result.kind === 'unsupported' && editing) {
      // It cannot edit after all: nothing is recorded as shown; the item goes the no-edit way.
      this.deps.log.warn({ channel: q.key, card: card._id, error: result.error }, 'chat platform cannot edit here; posting new messages instead');
      q.noEdit = true;
      return { done: false, retryAfterMs: 0 };
    }
    if (result.kind === 'failed' || result.kind === 'unsupported') {
      await this.deps.cards.save({ ...card, state: card.messageId ? card.state : 'failed', lastError: result.error, updatedAt: now });
      return DONE;
    }
    await this.deps.cards.save({ ...card, ...extra, state: 'posted', messageId, renderedRev: rev, updatedAt: now, lastError: undefined });
    return DONE;
  }

  /** One new message on a channel that cannot edit (follow-ups, "+14 more since 09:41"). */
  async postNew(q: ChannelQueue, card: Card, about: CardDoc): Promise<PostOutcome> {
    const adapter = this.deps.adapters.get(q.platform)!;
    const result = await this.call(q, 'post', about, () => adapter.post(q.channel, card));
    if (result.kind === 'wait') return result;
    if (result.kind === 'sent') return { kind: 'sent', messageId: result.value.messageId };
    return { kind: 'failed', error: result.error };
  }

  /**
   * One platform call under the channel's rate limit: a wait (ours, or the platform's `retry`) is
   * returned, not slept; every call is counted; long waits and refusals go on the alerts' timelines.
   */
  async call<T>(q: ChannelQueue, op: 'post' | 'update', card: CardDoc, fn: () => Promise<SendResult<T>>): Promise<SendResult<T> | { kind: 'wait'; ms: number }> {
    const wait = q.window.delay(this.deps.clock.now().getTime());
    if (wait > 0) return { kind: 'wait', ms: wait };
    q.window.record(this.deps.clock.now().getTime());
    const result = await fn();
    const now = this.deps.clock.now();
    this.deps.countSend?.(q.platform, op, result.kind);
    if (result.kind === 'retry') {
      this.deps.log.info({ channel: q.key, afterMs: result.afterMs, error: result.error }, 'chat platform asked us to wait');
      // A long wait (a throttled robot) is something the responders should be able to see.
      if (result.afterMs >= LONG_WAIT_MS) await this.noteDelivery(card, `${q.platform}: ${result.error}; retry in ${Math.round(result.afterMs / 1000)} s`, now);
      return { kind: 'wait', ms: result.afterMs };
    }
    if (result.kind === 'failed' || (result.kind === 'unsupported' && op === 'post')) {
      this.deps.log.warn({ channel: q.key, card: card._id, error: result.error }, 'chat platform refused a card');
      await this.noteDelivery(card, `${q.platform}: ${result.error}`, now);
    }
    return result;
  }

  private async noteDelivery(card: CardDoc, text: string, at: Date): Promise<void> {
    const ids = card.kind === 'alert' && card.alertId ? [card.alertId] : (card.alertIds ?? []);
    await this.deps.alerts.addTimeline(
      ids.map((id) => ({ alertId: id.toHexString(), at, kind: 'delivery' as const, actor: { kind: 'system' as const, name: 'dutybot', via: card.platform, channel: card.channel }, text })),
    );
  }
}
