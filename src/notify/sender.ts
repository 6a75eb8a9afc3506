import type { Directory } from '../config/directory.js';
import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { pool } from '../core/pool.js';
import type { Locale } from '../bot/card.js';
import type { Logger } from '../log.js';
import type { AlertStore } from '../store/alerts.js';
import type { OutboxStore } from '../store/outbox.js';
import type { Channel, Delivery } from './channel.js';
import type { ActionLinks } from './links.js';
import type { OutboxMessage } from './message.js';
import { retry, type ChannelResult } from './result.js';
import { pageContent } from './texts.js';

export interface OutboxSenderDeps {
  outbox: OutboxStore;
  alerts: Pick<AlertStore, 'get' | 'addTimeline'>;
  directory: Directory;
  /** The config's default language (a team's `locale` wins). */
  locale: Locale;
  channels: ReadonlyMap<OutboxMessage['method'], Channel>;
  links?: ActionLinks;
  clock: Clock;
  log: Logger;
  /** A message still failing after this many attempts fails for good. */
  maxAttempts: number;
  /** How long a claimed row stays ours; a row still `sending` after it is due again (its sender died). */
  leaseMs?: number;
  /** Rows handled at once. */
  concurrency?: number;
  count?: (channel: string, provider: string, result: 'sent' | 'retry' | 'failed' | 'cancelled') => void;
  observeSeconds?: (channel: string, provider: string, seconds: number) => void;
}

export const DEFAULT_LEASE_MS = 120_000;
const BATCH = 100;

/** Exponential backoff after a failed attempt: 5 s, 10 s, 20 s … at most 5 min (or the provider's wait, if longer). */
export function backoffMs(attempts: number, providerWaitMs: number): number {
  return Math.max(providerWaitMs, Math.min(300_000, 5_000 * 2 ** Math.max(0, attempts - 1)));
}

/** A fallback row's `_id`: derived from the failed row, so running the fallback twice inserts it once. */
export const fallbackId = (row: Pick<OutboxMessage, '_id'>, method: string): string => `${row._id}>${method}`;

const METHOD_WORDS: Record<OutboxMessage['method'], string> = {
  dm: 'direct message',
  sms: 'SMS',
  voice: 'voice call',
  email: 'email',
  webhook: 'webhook',
  mention: 'mention',
};

/**
 * Drains the outbox: due rows go pending → sending (a lease) → sent | failed | cancelled, through
 * the row's channel. Every answer is recorded before the row leaves `outbox`: a retry moves
 * `dueAt` on with backoff, a permanent failure (or too many attempts) inserts the fallback row
 * first and then finishes; every final outcome is written on the alert's timeline (the delivery
 * receipt: who, how, the provider's id).
 *
 * `kick()` runs a pass at once (the escalation engine calls it after enqueueing); `start()` adds a
 * periodic pass and a timer for the next retry as a backstop. See docs/decisions/0009-outbox-sender.md.
 */
export class OutboxSender {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private interval: NodeJS.Timeout | undefined;
  private nextTimer: NodeJS.Timeout | undefined;
  /** Rows this process is working on: never claimed twice here (FerretDB's claim is not atomic). */
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: OutboxSenderDeps) {}

  /** Periodic backstop pass (unref'd: it never holds the process open). */
  start(intervalMs = 5_000): void {
    this.stopped = false;
    this.interval = setInterval(() => this.kick(), intervalMs);
    this.interval.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.interval = this.nextTimer = undefined;
    await this.running?.catch(() => {});
    await Promise.all([...this.deps.channels.values()].map((c) => c.close?.().catch(() => {})));
  }

  /** Wakes the sender now. Kicks during a pass make one more pass after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no pass is running (tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
  }

  /** One pass over every due row, now. Returns how many rows were handled. */
  async runOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const due = (await this.deps.outbox.due(now, BATCH)).filter((r) => !this.inFlight.has(r._id));
      if (due.length === 0) break;
      await pool(due, this.deps.concurrency ?? 8, (row) => this.deliver(row));
      handled += due.length;
      if (due.length < BATCH || this.stopped) break;
    }
    return handled;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.runOnce();
      } catch (err) {
        this.deps.log.error({ err }, 'outbox pass failed');
      }
    } while (this.again && !this.stopped);
    if (!this.stopped && this.interval) await this.armNext();
  }

  /** A timer for the next retry due before the periodic pass would see it. */
  private async armNext(): Promise<void> {
    const next = await this.deps.outbox.nextDueAt().catch(() => undefined);
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = undefined;
    if (!next || this.stopped) return;
    const wait = Math.max(0, next.getTime() - this.deps.clock.now().getTime());
    if (wait > 60_000) return;
    this.nextTimer = setTimeout(() => this.kick(), wait + 5);
    this.nextTimer.unref();
  }

  /** One row, start to recorded outcome. */
  async deliver(row: OutboxMessage): Promise<void> {
    if (this.inFlight.has(row._id)) return;
    this.inFlight.add(row._id);
    try {
      await this.deliverOwned(row);
    } catch (err) {
      // The row keeps its lease and comes back when it ends; nothing is lost.
      this.deps.log.error({ err, id: row._id }, 'outbox row could not be handled');
    } finally {
      this.inFlight.delete(row._id);
    }
  }

  private async deliverOwned(row: OutboxMessage): Promise<void> {
    const { outbox, clock } = this.deps;
    const now = clock.now();
    const claimed = await outbox.claim(row, new Date(now.getTime() + (this.deps.leaseMs ?? DEFAULT_LEASE_MS)));
    if (!claimed) return;
    // A replay of a row that already went out (its step run again after it left `outbox`), or a
    // row whose finish was cut short by a crash: drop it. First attempts check with a unique
    // insert (cheap everywhere); later ones, rare, with a lookup.
    const fresh = claimed.attempts === 1 ? await outbox.start(claimed, now) : !(await outbox.isFinished(claimed._id));
    if (!fresh) {
      await outbox.discard(claimed._id);
      return;
    }
    const channel = this.deps.channels.get(claimed.method);
    if (claimed.notice) return this.deliverNotice(claimed, channel, claimed.notice.text);
    const alert = await this.deps.alerts.get(claimed.alertId);
    if (!alert) return this.fail(claimed, undefined, 'none', `alert ${claimed.alertId} not found`, false);
    if (claimed.method === 'mention')
      return this.fail(claimed, alert, 'none', 'unsupported: a mention is part of the chat card, not an outbox message');
    if (claimed.level !== undefined && alert.state !== 'triggered') {
      const who = alert.owner?.name ?? alert.resolvedBy?.name;
      return this.finish(claimed, alert, 'cancelled', 'none', `${alert.state === 'resolved' ? 'resolved' : 'claimed'}${who ? ` by ${who}` : ''} before it went out`);
    }
    if (claimed.level !== undefined && alert.maintenance) {
      // Held by a maintenance window: its end restarts escalation from level 1 with new rows, so
      // this page would only repeat one of them.
      return this.finish(claimed, alert, 'cancelled', 'none', `maintenance window ${alert.maintenance.windowId} began before it went out`);
    }
    if (alert.mutedUntil && alert.mutedUntil > now && claimed.level !== undefined) {
      // Mute pauses paging: the row waits for the mute's end (that wait is not an attempt).
      await outbox.reschedule(claimed._id, alert.mutedUntil, 'alert muted', undefined, true);
      return;
    }
    if (!channel) return this.fail(claimed, alert, 'none', `no ${claimed.method} channel is configured (see notify: in dutybot.yaml)`);
    const member = claimed.memberId ? this.deps.directory.member(claimed.memberId) : undefined;
    if (claimed.memberId && !member) return this.fail(claimed, alert, channel.provider, `unknown member ${claimed.memberId}`);

    const delivery = this.prepare(claimed, alert, member, now);
    const provider = channel.providerFor?.(delivery) ?? channel.provider;
    // Before the call: its receipt may come back before the call's answer does.
    const ref = channel.receiptRef?.(delivery);
    if (ref) await outbox.rememberRef(ref, claimed._id, now);
    const t0 = performance.now();
    let result: ChannelResult;
    try {
      result = await channel.send(delivery);
    } catch (err) {
      result = retry(`unexpected: ${(err as Error)?.message ?? String(err)}`);
    }
    this.deps.observeSeconds?.(claimed.method, provider, (performance.now() - t0) / 1000);
    return this.settle(claimed, alert, provider, result);
  }

  /** A notice row (no alert): sent as is by a channel that carries plain text, with the same retries. */
  private async deliverNotice(claimed: OutboxMessage, channel: Channel | undefined, text: string): Promise<void> {
    const member = claimed.memberId ? this.deps.directory.member(claimed.memberId) : undefined;
    if (!member) return this.fail(claimed, undefined, 'none', `unknown member ${claimed.memberId}`, false);
    if (!channel?.sendNotice) return this.fail(claimed, undefined, 'none', `a notice cannot go by ${claimed.method}`, false);
    let result: ChannelResult;
    try {
      result = await channel.sendNotice(member, text);
    } catch (err) {
      result = retry(`unexpected: ${(err as Error)?.message ?? String(err)}`);
    }
    return this.settle(claimed, undefined, channel.provider, result);
  }

  private async settle(claimed: OutboxMessage, alert: Alert | undefined, provider: string, result: ChannelResult): Promise<void> {
    const { outbox, clock } = this.deps;
    const at = clock.now();
    if (result.kind === 'sent') {
      this.deps.count?.(claimed.method, provider, 'sent');
      await outbox.finish({ ...claimed, state: 'sent', receipt: result.receipt, provider, sentAt: at, finishedAt: at, lastError: undefined });
      if (alert) await this.note(alert, claimed, provider, `sent, receipt ${result.receipt}`, at);
      return;
    }
    if (result.kind === 'retry' && claimed.attempts < this.deps.maxAttempts) {
      this.deps.count?.(claimed.method, provider, 'retry');
      await outbox.reschedule(claimed._id, new Date(at.getTime() + backoffMs(claimed.attempts, result.afterMs)), result.error, provider);
      return;
    }
    const error = result.kind === 'retry' ? `gave up after ${claimed.attempts} attempts: ${result.error}` : result.error;
    return this.fail(claimed, alert, provider, error);
  }

  private prepare(row: OutboxMessage, alert: Alert, member: Delivery['member'], now: Date): Delivery {
    const team = this.deps.directory.team(row.teamId ?? alert.team);
    const locale: Locale = team?.locale ?? this.deps.locale;
    const personal = member && this.deps.links && row.method !== 'webhook';
    const linkToken = personal ? this.deps.links!.token(alert.id, member.id, now, row._id) : undefined;
    const link = linkToken ? `${this.deps.links!.publicUrl.replace(/\/+$/, '')}/l/${linkToken}` : undefined;
    return { row, alert, member, locale, content: pageContent(alert, locale, row.reason, link), linkToken };
  }

  /** Failed for good: the fallback row first (idempotent by its derived id), then the record. */
  private async fail(row: OutboxMessage, alert: Alert | undefined, provider: string, error: string, fallback = true): Promise<void> {
    const [next, ...rest] = row.fallback ?? [];
    if (fallback && next) {
      const { _id, method, state, dueAt, createdAt, attempts, lastError, receipt, provider: _p, sentAt, finishedAt, ...keep } = row;
      await this.deps.outbox.enqueue([{ ...keep, _id: fallbackId(row, next), method: next, fallback: rest, fallbackOf: row._id }], this.deps.clock.now());
    }
    await this.finish(row, alert, 'failed', provider, fallback && next ? `${error}; falling back to ${METHOD_WORDS[next]}` : error);
    if (fallback && next) this.kick();
  }

  private async finish(row: OutboxMessage, alert: Alert | undefined, state: 'failed' | 'cancelled', provider: string, error: string): Promise<void> {
    const at = this.deps.clock.now();
    this.deps.count?.(row.method, provider, state);
    await this.deps.outbox.finish({ ...row, state, provider, lastError: error, finishedAt: at });
    if (alert) await this.note(alert, row, provider, `${state === 'failed' ? 'failed' : 'cancelled'}: ${error}`, at);
    this.deps.log.info({ id: row._id, method: row.method, provider, state, error }, 'outbox message not delivered');
  }

  /** The delivery receipt on the alert's timeline: `SMS to 张三 via aliyun (escalation level 2): sent, receipt 9000…`. */
  private async note(alert: Alert, row: OutboxMessage, provider: string, outcome: string, at: Date): Promise<void> {
    const who = row.memberId
      ? (this.deps.directory.member(row.memberId)?.name ?? row.memberId)
      : row.hook
        ? `"${row.hook.name}"`
        : row.url
          ? new URL(row.url).host
          : (row.teamId ?? '');
    const via = provider === 'none' ? '' : ` via ${provider}`;
    const text = `${METHOD_WORDS[row.method]} to ${who}${via} (${row.reason}): ${outcome}`.slice(0, 500);
    await this.deps.alerts.addTimeline([
      { alertId: alert.id, at, kind: 'delivery', actor: { kind: 'system', name: 'dutybot', via: row.method }, text },
    ]);
  }
}

