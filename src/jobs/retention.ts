import { writeGateOf } from '../store/write-gate.js';
import type { Agenda } from 'agenda';
import type { Clock } from '../core/clock.js';
import type { Deliveries } from '../store/deliveries.js';
import { ARCHIVE_AFTER_MS, archiveResolved } from '../store/alert-archive.js';
import type { Models } from '../store/models.js';

export const RETENTION_JOB = 'raw-event-retention';

/**
 * Deletes raw event copies older than the retention bound. A job, not a TTL index: FerretDB 1.24
 * has no TTL indexes. Deleting by date is idempotent, so a second run changes nothing.
 */
export async function pruneRawEvents(models: Models, clock: Clock, days: number): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - days * 86_400_000);
  return writeGateOf(models.RawEvent.db).deleteMatching(models.RawEvent.collection, { receivedAt: { $lt: cutoff } });
}

/** Chat redeliveries come within minutes (Slack retries, DingTalk after ~60 s); a day is plenty. */
export async function pruneDeliveries(deliveries: Deliveries, clock: Clock): Promise<number> {
  return deliveries.prune(new Date(clock.now().getTime() - 86_400_000));
}

/** Resolved alerts leave the hot `alerts` collection a day after they resolved (decision 0006). */
export async function archiveOldAlerts(models: Models, clock: Clock): Promise<number> {
  const db = models.Alert.db.db;
  if (!db) return 0;
  return archiveResolved(db, new Date(clock.now().getTime() - ARCHIVE_AFTER_MS));
}

export async function scheduleRetention(agenda: Agenda, models: Models, deliveries: Deliveries, clock: Clock, days: number): Promise<void> {
  agenda.define(RETENTION_JOB, async () => {
    await pruneRawEvents(models, clock, days);
    await pruneDeliveries(deliveries, clock);
    await archiveOldAlerts(models, clock);
  });
  await agenda.every('1 hour', RETENTION_JOB);
}
