import { Types } from 'mongoose';
import type { Alert } from '../core/alert.js';
import type { AlertStore } from '../store/alerts.js';
import { cardId, type CardDoc, type CardStore } from '../store/cards.js';
import { DONE, SUMMARY, type ChannelQueue, type Outcome } from './card-queues.js';
import type { PlatformId } from './chat-adapter.js';

/** At most this many waiting alerts fold in one step (one summary write, one group of card records). */
const FOLD_BATCH = 2000;

export interface CardFoldingDeps {
  alerts: Pick<AlertStore, 'getMany'>;
  cards: Pick<CardStore, 'get' | 'save' | 'insertNew' | 'openSummary'>;
  enqueue: (platform: PlatformId, channel: string, item: string, fresh: boolean) => void;
}

/**
 * When more new alerts wait for a channel than it can take, the extra ones fold into the channel's
 * one open summary card instead of getting cards of their own.
 */
export class CardFolding {
  constructor(private readonly deps: CardFoldingDeps) {}

  /**
   * Folds `head` and every other alert waiting to be folded in this channel's queue (up to
   * FOLD_BATCH) into the channel's open summary in one step: their alerts read at once, one
   * summary write, their records inserted in groups, one summary edit queued. A backlog of 2,000
   * alerts after a restart is one step, not 2,000 (each one a summary write and re-render).
   *
   * Order of writes: the summary lists the alerts first, then their records say `folded`. A crash
   * between the two leaves alerts without a record; resync() queues them again and they fold
   * into the same summary, which lists each id once. A record that exists already (never, while
   * this worker is the records' only writer) is left alone, and its alert taken off the summary.
   */
  async fold(q: ChannelQueue, head: Alert, now: Date): Promise<Outcome> {
    const others = q.items.slice(1).filter((it) => q.fold.has(it)).slice(0, FOLD_BATCH - 1);
    const folding = [head, ...(await this.deps.alerts.getMany(others))];
    const summary = (await this.openSummary(q)) ?? {
      _id: `s|${q.platform}|${q.channel}|${now.getTime()}`,
      kind: 'summary' as const,
      platform: q.platform,
      channel: q.channel,
      state: 'posting' as const,
      renderedRev: 0,
      alertIds: [],
      closed: false,
      createdAt: now,
      updatedAt: now,
    };
    const listed = new Set((summary.alertIds ?? []).map((id) => id.toHexString()));
    const alertIds = [...(summary.alertIds ?? []), ...folding.filter((a) => !listed.has(a.id)).map((a) => new Types.ObjectId(a.id))];
    await this.deps.cards.save({ ...summary, alertIds, updatedAt: now });
    q.summaryId = summary._id;
    const existing = await this.deps.cards.insertNew(
      folding.map((a) => ({
        _id: cardId(a.id, q.platform, q.channel),
        kind: 'alert' as const,
        alertId: new Types.ObjectId(a.id),
        platform: q.platform,
        channel: q.channel,
        state: 'folded' as const,
        summaryId: summary._id,
        renderedRev: a.rev,
        createdAt: now,
        updatedAt: now,
      })),
    );
    if (existing.size) {
      const mine = (id: Types.ObjectId) => !existing.has(cardId(id.toHexString(), q.platform, q.channel)) || listed.has(id.toHexString());
      await this.deps.cards.save({ ...summary, alertIds: alertIds.filter(mine), updatedAt: now });
    }
    // The head leaves the queue in drain(); the others now (an alert that no longer exists too).
    // A change to one of them that arrived meanwhile is shown by the summary edit queued below,
    // which renders the latest state.
    const stays = new Set(folding.filter((a) => existing.has(cardId(a.id, q.platform, q.channel))).map((a) => a.id));
    const gone = new Set(others.filter((id) => !stays.has(id)));
    const keep = q.items.filter((it, i) => i === 0 || !gone.has(it));
    q.items.length = 0;
    for (const it of keep) q.items.push(it);
    for (const id of gone) {
      q.fold.delete(id);
      q.fresh.delete(id);
    }
    // One that had a record is processed as what it is, the head right away.
    for (const id of stays) q.fold.delete(id);
    if (stays.has(head.id)) return { done: false, retryAfterMs: 0 };
    this.deps.enqueue(q.platform, q.channel, SUMMARY + summary._id, false);
    return DONE;
  }

  /** The channel's open summary: the one this queue last folded into, if still open, else searched for once. */
  private async openSummary(q: ChannelQueue): Promise<CardDoc | null> {
    if (q.summaryId) {
      const known = await this.deps.cards.get(q.summaryId);
      if (known && !known.closed) return known;
    }
    const found = await this.deps.cards.openSummary(q.platform, q.channel);
    q.summaryId = found?._id;
    return found;
  }
}
