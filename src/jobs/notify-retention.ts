import type { Agenda } from 'agenda';
import type { Clock } from '../core/clock.js';
import type { Notify } from '../notify/start-notify.js';

export const NOTIFY_RETENTION_JOB = 'notify-retention';

/**
 * Forgets finished outbox rows (`outboxlog`) after `days`, and used action links once no link of
 * that age can still be valid. Deleting by date is idempotent. The log must outlive any replay of
 * an escalation step (minutes to hours), which `days` does by far.
 */
export async function pruneNotify(notify: Pick<Notify, 'outbox' | 'uses'>, clock: Clock, days: number, linkTtlMs: number): Promise<void> {
  const now = clock.now().getTime();
  await notify.outbox.prune(new Date(now - days * 86_400_000));
  await notify.uses.prune(new Date(now - linkTtlMs - 86_400_000));
}

export async function scheduleNotifyRetention(agenda: Agenda, notify: Notify, clock: Clock, days: number, linkTtlMs: number): Promise<void> {
  agenda.define(NOTIFY_RETENTION_JOB, async () => pruneNotify(notify, clock, days, linkTtlMs));
  await agenda.every('1 hour', NOTIFY_RETENTION_JOB);
}
