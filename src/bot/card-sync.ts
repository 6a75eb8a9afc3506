import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Directory } from '../config/directory.js';
import type { AlertEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { AlertStore } from '../store/alerts.js';
import { cardId, type CardDoc, type CardStore } from '../store/cards.js';
import { Types } from 'mongoose';
import type { Card } from './card.js';
import { alertChannels, channelId } from './channels.js';
import type { ChatAdapter, PlatformId, SendResult } from './chat-adapter.js';
import { stateSummary } from './follow-ups.js';
import { MentionDelivery } from './mention-delivery.js';
import { mentionOf } from './mentions.js';
import { NoEditDelivery, type PostOutcome } from './no-edit-delivery.js';
import { ratePolicyOf, SlidingWindow } from './rate-policy.js';
import { renderAlertCard, renderSummaryCard, type CardContext } from './render-card.js';

/**
 * Keeps every copy of every alert's card in step with the alert: "one alert, many cards, one state".
 *
 * The truth is in MongoDB: each alert has a `rev`, each card record the `rev` it shows. Domain
 * events only *wake* the sender; a crash loses no work because `resync()` at start compares the
 * two and re-queues whatever is behind (including a card that was about to be posted).
 *
 * One queue per channel, drained in order by one worker under the platform's rate limit. An alert
 * is at most once in a queue, so a burst of 100 repeats makes a few edits, not 100. When more new
 * alerts wait for a channel than it can take, the extra ones fold into one summary card.
 */
export interface CardSyncDeps {
  alerts: AlertStore;
  cards: CardStore;
  directory: Directory;
  adapters: ReadonlyMap<PlatformId, ChatAdapter>;
  clock: Clock;
  log: Logger;
  /** Waiting (rate limit, Retry-After). Tests pass one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  timeZone: string;
  /** Counts each send by platform, operation and result (the `dutybot_chat_messages_total` metric). */
  countSend?: (platform: PlatformId, op: 'post' | 'update', result: SendResult<unknown>['kind']) => void;
  /** The remediation actions (`actions:`) an alert matches, shown as buttons on its card. */
  remediation?: (alert: Alert) => CardContext['remediation'];
}

interface ChannelQueue {
  key: string;
  platform: PlatformId;
  channel: string;
  items: string[];
  /** New alerts that will get a card of their own; beyond `foldAfter` they fold. */
  fresh: Set<string>;
  fold: Set<string>;
  /** The head item changed while it was being sent: send it again afterwards. */
  again: boolean;
  running: boolean;
  /** Waiting out a rate limit or a Retry-After. */
  sleeping: boolean;
  window: SlidingWindow;
  /** The adapter said it cannot edit here (`unsupported`): post new messages instead. */
  noEdit?: boolean;
  /** The channel's open summary as last seen (re-read by `_id`, not searched for, at each fold). */
  summaryId?: string;
}

const SUMMARY = 'summary:';
/** At most this many waiting alerts fold in one step (one summary write, one group of card records). */
const FOLD_BATCH = 2000;
/** Waits at least this long are recorded on the alert's timeline. */
const LONG_WAIT_MS = 60_000;
export type Outcome = { done: true } | { done: false; retryAfterMs: number };
const DONE: Outcome = { done: true };

export class CardSync {
  private readonly queues = new Map<string, ChannelQueue>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly settledWaiters: Array<() => void> = [];
  private readonly sleep: (ms: number) => Promise<void>;
  private stopped = false;
  /** What channels that cannot edit get instead of edits (decision 0012). */
  private readonly noEdit: NoEditDelivery;
  /** The messages that @-mention people on channels whose cards are edited (decision 0020). */
  private readonly mentions: MentionDelivery;

  constructor(private readonly deps: CardSyncDeps) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.noEdit = new NoEditDelivery({
      alerts: deps.alerts,
      cards: deps.cards,
      clock: deps.clock,
      renderAlert: (alert, now) => renderAlertCard(alert, this.context(alert, now)),
      renderSummary: (alerts, now, since) => renderSummaryCard(alerts, this.summaryContext(alerts, now), since),
      post: (q, card, about) => this.postNew(q as ChannelQueue, card, about),
      enqueue: (q, item) => this.enqueue(q.platform, q.channel, item, false),
      summaryItem: (id) => SUMMARY + id,
    });
    this.mentions = new MentionDelivery({
      cards: deps.cards,
      directory: deps.directory,
      clock: deps.clock,
      adapters: deps.adapters,
      renderAlert: (alert, now) => renderAlertCard(alert, this.context(alert, now)),
      call: (q, about, fn) => this.call(q as ChannelQueue, 'post', about, fn),
    });
  }

  /** Subscribe this to AlertEvents. */
  readonly onEvent = (ev: AlertEvent): void => {
    this.enqueueAlert(ev.alert, ev.type === 'opened');
  };

  /** Re-renders every copy of an alert's card after a change that is no lifecycle event (a remediation action's result). */
  readonly refresh = (alert: Alert): void => {
    this.enqueueAlert(alert, false);
  };

  /** Re-queues every card that is behind its alert (run at start, after a crash or an outage). */
  async resync(since: Date): Promise<number> {
    let queued = 0;
    const alerts = await this.deps.alerts.recent(since, 5000);
    // Each card by its `_id`, several at once: a filter on `alertId` would scan every card ever
    // posted on FerretDB. Queued afterwards in the alerts' order.
    const ids = alerts.flatMap((a) => this.channelsOf(a).map((ch) => cardId(a.id, ch.platform, ch.channel)));
    const cards = await this.deps.cards.getMany(ids);
    // An alert its channel's open summary lists but that has no record was being folded when the
    // process stopped (the summary is written first): it folds again, into that summary.
    const listed = new Set<string>();
    const channels = new Map(alerts.flatMap((a) => this.channelsOf(a).filter((ch) => !cards.has(cardId(a.id, ch.platform, ch.channel))).map((ch) => [`${ch.platform}|${ch.channel}`, ch] as const)));
    for (const ch of channels.values()) {
      const summary = await this.deps.cards.openSummary(ch.platform, ch.channel);
      for (const id of summary?.alertIds ?? []) listed.add(cardId(id.toHexString(), ch.platform, ch.channel));
    }
    for (const alert of alerts) {
      for (const ch of this.channelsOf(alert)) {
        const id = cardId(alert.id, ch.platform, ch.channel);
        const card = cards.get(id) ?? null;
        const behind = !card
          ? alert.state !== 'resolved' && !alert.maintenance
          : card.state === 'posting' || (card.state === 'posted' && (card.renderedRev < alert.rev || this.mentions.owes(ch.platform, alert, card)));
        if (behind) {
          this.enqueue(ch.platform, ch.channel, alert.id, !card, !card && listed.has(id));
          queued++;
        } else if (card?.state === 'folded' && card.summaryId) {
          this.enqueue(ch.platform, ch.channel, SUMMARY + card.summaryId, false);
          // A channel that cannot edit may owe this alert a follow-up line.
          if (card.renderedRev < alert.rev && !this.canEdit(ch.platform)) this.enqueue(ch.platform, ch.channel, alert.id, false);
        }
      }
    }
    return queued;
  }

  /** Resolves when every queue is empty (tests and graceful stop). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Resolves when no queue is doing anything but waiting for time to pass. With a fake clock a
   * test then moves time on; this is how tests step through rate limits without wall-clock sleeps.
   */
  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((r) => this.settledWaiters.push(r));
  }

  /** No queue has work. */
  isIdle(): boolean {
    return [...this.queues.values()].every((q) => !q.running && q.items.length === 0);
  }

  private isSettled(): boolean {
    return [...this.queues.values()].every((q) => q.sleeping || (!q.running && q.items.length === 0));
  }

  private notify(): void {
    if (this.isSettled()) for (const w of this.settledWaiters.splice(0)) w();
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Stops taking work and waits (up to `graceMs`) for sends in flight, so none is cut off between
   * the platform's answer and its record. What is left stays in the database for the next start.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  private enqueueAlert(alert: Alert, fresh: boolean): void {
    for (const ch of this.channelsOf(alert)) this.enqueue(ch.platform, ch.channel, alert.id, fresh);
  }

  private channelsOf(alert: Alert): Array<{ platform: PlatformId; channel: string }> {
    return alertChannels(this.deps.directory, alert)
      .map((c) => ({ platform: c.platform as PlatformId, channel: channelId(c) }))
      .filter((c) => this.deps.adapters.has(c.platform));
  }

  /** `fresh`: a new alert (own card, or folded beyond `foldAfter`); `fold`: folded whatever the count. */
  private enqueue(platform: PlatformId, channel: string, item: string, fresh: boolean, fold = false): void {
    if (this.stopped) return;
    const key = `${platform}|${channel}`;
    let q = this.queues.get(key);
    if (!q) {
      const policy = ratePolicyOf(platform, this.deps.adapters.get(platform));
      q = { key, platform, channel, items: [], fresh: new Set(), fold: new Set(), again: false, running: false, sleeping: false, window: new SlidingWindow(policy) };
      this.queues.set(key, q);
    }
    if (fresh && !item.startsWith(SUMMARY) && !q.fresh.has(item) && !q.fold.has(item)) {
      if (fold || q.fresh.size >= ratePolicyOf(platform, this.deps.adapters.get(platform)).foldAfter) q.fold.add(item);
      else q.fresh.add(item);
    }
    if (q.running && q.items[0] === item) q.again = true;
    else if (!q.items.includes(item)) q.items.push(item);
    if (!q.running) void this.drain(q);
  }

  private async drain(q: ChannelQueue): Promise<void> {
    q.running = true;
    try {
      while (q.items.length && !this.stopped) {
        const item = q.items[0]!;
        q.again = false;
        let outcome: Outcome;
        try {
          outcome = await this.process(q, item);
        } catch (err) {
          // Database or render trouble: keep the item and try again shortly; never drop it.
          this.deps.log.warn({ err, channel: q.key, item }, 'card sync failed; will retry');
          outcome = { done: false, retryAfterMs: 5000 };
        }
        if (!outcome.done) {
          q.sleeping = true;
          this.notify();
          await this.sleep(outcome.retryAfterMs);
          q.sleeping = false;
          continue;
        }
        q.items.shift();
        q.fresh.delete(item);
        q.fold.delete(item);
        if (q.again) q.items.push(item);
      }
    } finally {
      q.running = false;
      q.sleeping = false;
      this.notify();
    }
  }

  private async process(q: ChannelQueue, item: string): Promise<Outcome> {
    if (item.startsWith(SUMMARY)) return this.processSummary(q, item.slice(SUMMARY.length));
    const alert = await this.deps.alerts.get(item);
    if (!alert) return DONE;
    const id = cardId(alert.id, q.platform, q.channel);
    const card = await this.deps.cards.get(id);
    const now = this.deps.clock.now();

    if (!card && q.fold.has(item)) return this.foldWaiting(q, alert, now);
    const editable = this.canEdit(q.platform, q);
    if (card?.state === 'folded' && !editable) return this.noEdit.changed(q, alert, card);
    if (card?.state === 'folded') {
      if (card.summaryId) this.enqueue(q.platform, q.channel, SUMMARY + card.summaryId, false);
      return DONE;
    }
    if (card?.state === 'failed') return DONE;
    if (card?.state === 'posted' && card.renderedRev >= alert.rev) return this.mentions.deliver(q, alert, card);
    if (!card && alert.state === 'resolved') return DONE; // resolved before its card went out: nothing to show
    // In a maintenance window: no card until the window ends (src/jobs/maintenance.ts announces it then).
    if (!card && alert.maintenance) return DONE;
    if (card?.state === 'posted' && !editable) return this.noEdit.changed(q, alert, card);

    const rendered = renderAlertCard(alert, this.context(alert, now));
    const base: CardDoc = card ?? {
      _id: id,
      kind: 'alert',
      alertId: new Types.ObjectId(alert.id),
      platform: q.platform,
      channel: q.channel,
      state: 'posting',
      renderedRev: 0,
      createdAt: now,
      updatedAt: now,
    };
    // Without edits, what people saw is this card's state: later changes are measured from it.
    const outcome = await this.send(q, base, rendered, alert.rev, card !== null, editable ? {} : { shownKey: stateSummary(rendered).key });
    // People a level @-mentions are notified by a message of their own: a card's edit notifies nobody.
    if (!outcome.done || !this.mentions.owes(q.platform, alert, card ?? undefined)) return outcome;
    const saved = await this.deps.cards.get(id);
    return saved ? this.mentions.deliver(q, alert, saved) : outcome;
  }

  /** False for adapters that cannot edit (robots, WeChat), and for a queue whose edit came back `unsupported`. */
  private canEdit(platform: PlatformId, q?: ChannelQueue): boolean {
    return this.deps.adapters.get(platform)?.capabilities.edit === true && !q?.noEdit;
  }

  /**
   * Posts or edits one card under the channel's rate limit and records the outcome. `stored`: the
   * card record is already in the database (a new one is written as `posting` before the post).
   * `extra` is recorded with a successful send.
   */
  private async send(q: ChannelQueue, card: CardDoc, rendered: Card, rev: number, stored: boolean, extra: Partial<CardDoc> = {}): Promise<Outcome> {
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
  private async postNew(q: ChannelQueue, card: Card, about: CardDoc): Promise<PostOutcome> {
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
  private async call<T>(q: ChannelQueue, op: 'post' | 'update', card: CardDoc, fn: () => Promise<SendResult<T>>): Promise<SendResult<T> | { kind: 'wait'; ms: number }> {
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
  private async foldWaiting(q: ChannelQueue, head: Alert, now: Date): Promise<Outcome> {
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
    this.enqueue(q.platform, q.channel, SUMMARY + summary._id, false);
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

  private async processSummary(q: ChannelQueue, summaryId: string): Promise<Outcome> {
    const summary = await this.deps.cards.get(summaryId);
    if (!summary) return DONE;
    if (!this.canEdit(q.platform, q)) return this.noEdit.summary(q, summary);
    const alerts = await this.deps.alerts.getMany((summary.alertIds ?? []).map((id) => id.toHexString()));
    const open = alerts.filter((a) => a.state !== 'resolved');
    const rendered = renderSummaryCard(open, this.summaryContext(alerts, this.deps.clock.now()));
    // Its revision is the number of changes folded into it; any enqueue means "show the latest".
    const outcome = await this.send(q, summary, rendered, summary.renderedRev + 1, true);
    if (outcome.done && open.length === 0 && alerts.length > 0) {
      const saved = await this.deps.cards.get(summaryId);
      if (saved) await this.deps.cards.save({ ...saved, closed: true });
    }
    return outcome;
  }

  private summaryContext(alerts: Alert[], now: Date): Omit<CardContext, 'members' | 'mutedUntil'> {
    const first = alerts[0];
    return first ? this.context(first, now) : { locale: this.deps.directory.config.locale, now, timeZone: this.deps.timeZone, teamName: '' };
  }

  private context(alert: Alert, now: Date): CardContext {
    const dir = this.deps.directory;
    const team = dir.team(alert.team);
    const memberIds = team?.members.length ? team.members : dir.config.members.map((m) => m.id);
    return {
      locale: team?.locale ?? dir.config.locale,
      now,
      timeZone: this.deps.timeZone,
      teamName: team?.name ?? alert.team,
      members: memberIds.flatMap((id) => {
        const m = dir.member(id);
        return m ? [{ id: m.id, name: m.name }] : [];
      }),
      mutedUntil: alert.mutedUntil && alert.mutedUntil > now ? alert.mutedUntil : undefined,
      remediation: this.deps.remediation?.(alert),
      mentions: [
        ...(alert.owner?.memberId ? mentionOf(dir.member(alert.owner.memberId)) : []),
        // Whom round-robin named and the people a level said to @-mention, while nobody has taken the alert.
        ...(alert.state === 'triggered'
          ? [...new Set([...(alert.assignee ? [alert.assignee.memberId] : []), ...(alert.escalation?.mentions ?? [])])].flatMap((id) => mentionOf(dir.member(id)))
          : []),
      ],
    };
  }
}
