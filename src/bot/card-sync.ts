import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Directory } from '../config/directory.js';
import type { AlertEvent } from '../events.js';
import type { Logger } from '../log.js';
import type { AlertStore } from '../store/alerts.js';
import { cardId, type CardDoc, type CardStore } from '../store/cards.js';
import { Types } from 'mongoose';
import { alertCardContext, summaryCardContext } from './card-context.js';
import { CardFolding } from './card-folding.js';
import { CardQueues, DONE, SUMMARY, type ChannelQueue, type Outcome } from './card-queues.js';
import { CardSender } from './card-sender.js';
import { alertChannels, channelId } from './channels.js';
import type { ChatAdapter, PlatformId, SendResult } from './chat-adapter.js';
import { stateSummary } from './follow-ups.js';
import { MentionDelivery } from './mention-delivery.js';
import { NoEditDelivery } from './no-edit-delivery.js';
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
 *
 * Here: what each queued item needs (post, edit, fold, follow-up, mention). The parts: the queues
 * (card-queues.ts), the platform calls (card-sender.ts), folding (card-folding.ts), what a card
 * shows beside its alert (card-context.ts), and for channels that cannot edit, no-edit-delivery.ts.
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

export class CardSync {
  private readonly queues: CardQueues;
  private readonly sender: CardSender;
  private readonly folding: CardFolding;
  /** What channels that cannot edit get instead of edits (decision 0012). */
  private readonly noEdit: NoEditDelivery;
  /** The messages that @-mention people on channels whose cards are edited (decision 0020). */
  private readonly mentions: MentionDelivery;

  constructor(private readonly deps: CardSyncDeps) {
    this.queues = new CardQueues({ adapters: deps.adapters, log: deps.log, sleep: deps.sleep, process: (q, item) => this.process(q, item) });
    this.sender = new CardSender(deps);
    this.folding = new CardFolding({ alerts: deps.alerts, cards: deps.cards, enqueue: (platform, channel, item, fresh) => this.queues.enqueue(platform, channel, item, fresh) });
    this.noEdit = new NoEditDelivery({
      alerts: deps.alerts,
      cards: deps.cards,
      clock: deps.clock,
      renderAlert: (alert, now) => renderAlertCard(alert, alertCardContext(deps, alert, now)),
      renderSummary: (alerts, now, since) => renderSummaryCard(alerts, summaryCardContext(deps, alerts, now), since),
      post: (q, card, about) => this.sender.postNew(q as ChannelQueue, card, about),
      enqueue: (q, item) => this.queues.enqueue(q.platform, q.channel, item, false),
      summaryItem: (id) => SUMMARY + id,
    });
    this.mentions = new MentionDelivery({
      cards: deps.cards,
      directory: deps.directory,
      clock: deps.clock,
      adapters: deps.adapters,
      renderAlert: (alert, now) => renderAlertCard(alert, alertCardContext(deps, alert, now)),
      call: (q, about, fn) => this.sender.call(q as ChannelQueue, 'post', about, fn),
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
          this.queues.enqueue(ch.platform, ch.channel, alert.id, !card, !card && listed.has(id));
          queued++;
        } else if (card?.state === 'folded' && card.summaryId) {
          this.queues.enqueue(ch.platform, ch.channel, SUMMARY + card.summaryId, false);
          // A channel that cannot edit may owe this alert a follow-up line.
          if (card.renderedRev < alert.rev && !this.canEdit(ch.platform)) this.queues.enqueue(ch.platform, ch.channel, alert.id, false);
        }
      }
    }
    return queued;
  }

  /** Resolves when every queue is empty (tests and graceful stop). */
  idle(): Promise<void> {
    return this.queues.idle();
  }

  /** Resolves when no queue is doing anything but waiting for time to pass (CardQueues.settled). */
  settled(): Promise<void> {
    return this.queues.settled();
  }

  /** No queue has work. */
  isIdle(): boolean {
    return this.queues.isIdle();
  }

  /** Stops taking work and waits (up to `graceMs`) for sends in flight (CardQueues.stop). */
  stop(graceMs = 5000): Promise<void> {
    return this.queues.stop(graceMs);
  }

  private enqueueAlert(alert: Alert, fresh: boolean): void {
    for (const ch of this.channelsOf(alert)) this.queues.enqueue(ch.platform, ch.channel, alert.id, fresh);
  }

  private channelsOf(alert: Alert): Array<{ platform: PlatformId; channel: string }> {
    return alertChannels(this.deps.directory, alert)
      .map((c) => ({ platform: c.platform as PlatformId, channel: channelId(c) }))
      .filter((c) => this.deps.adapters.has(c.platform));
  }

  private async process(q: ChannelQueue, item: string): Promise<Outcome> {
    if (item.startsWith(SUMMARY)) return this.processSummary(q, item.slice(SUMMARY.length));
    const alert = await this.deps.alerts.get(item);
    if (!alert) return DONE;
    const id = cardId(alert.id, q.platform, q.channel);
    const card = await this.deps.cards.get(id);
    const now = this.deps.clock.now();

    if (!card && q.fold.has(item)) return this.folding.fold(q, alert, now);
    const editable = this.canEdit(q.platform, q);
    if (card?.state === 'folded' && !editable) return this.noEdit.changed(q, alert, card);
    if (card?.state === 'folded') {
      if (card.summaryId) this.queues.enqueue(q.platform, q.channel, SUMMARY + card.summaryId, false);
      return DONE;
    }
    if (card?.state === 'failed') return DONE;
    if (card?.state === 'posted' && card.renderedRev >= alert.rev) return this.mentions.deliver(q, alert, card);
    if (!card && alert.state === 'resolved') return DONE; // resolved before its card went out: nothing to show
    // In a maintenance window: no card until the window ends (src/jobs/maintenance.ts announces it then).
    if (!card && alert.maintenance) return DONE;
    if (card?.state === 'posted' && !editable) return this.noEdit.changed(q, alert, card);

    const rendered = renderAlertCard(alert, alertCardContext(this.deps, alert, now));
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
    const outcome = await this.sender.send(q, base, rendered, alert.rev, card !== null, editable ? {} : { shownKey: stateSummary(rendered).key });
    // People a level @-mentions are notified by a message of their own: a card's edit notifies nobody.
    if (!outcome.done || !this.mentions.owes(q.platform, alert, card ?? undefined)) return outcome;
    const saved = await this.deps.cards.get(id);
    return saved ? this.mentions.deliver(q, alert, saved) : outcome;
  }

  /** False for adapters that cannot edit (robots, WeChat), and for a queue whose edit came back `unsupported`. */
  private canEdit(platform: PlatformId, q?: ChannelQueue): boolean {
    return this.deps.adapters.get(platform)?.capabilities.edit === true && !q?.noEdit;
  }

  private async processSummary(q: ChannelQueue, summaryId: string): Promise<Outcome> {
    const summary = await this.deps.cards.get(summaryId);
    if (!summary) return DONE;
    if (!this.canEdit(q.platform, q)) return this.noEdit.summary(q, summary);
    const alerts = await this.deps.alerts.getMany((summary.alertIds ?? []).map((id) => id.toHexString()));
    const open = alerts.filter((a) => a.state !== 'resolved');
    const rendered = renderSummaryCard(open, summaryCardContext(this.deps, alerts, this.deps.clock.now()));
    // Its revision is the number of changes folded into it; any enqueue means "show the latest".
    const outcome = await this.sender.send(q, summary, rendered, summary.renderedRev + 1, true);
    if (outcome.done && open.length === 0 && alerts.length > 0) {
      const saved = await this.deps.cards.get(summaryId);
      if (saved) await this.deps.cards.save({ ...saved, closed: true });
    }
    return outcome;
  }
}
