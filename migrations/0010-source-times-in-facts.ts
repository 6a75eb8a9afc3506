import type { Document } from 'mongodb';
import { sourceDurations } from '../src/core/analytics.js';
import type { Migration } from './types.js';

/**
 * Analytics facts written before time to detect existed measured time to resolve from the receipt
 * and had no source times. This rewrites those fields of every fact from its alert (open ones in
 * `alerts`, resolved ones possibly in `alertarchive`), by `_id`, keeping what only the facts know
 * (the first claimer, "muted"). A fact whose alert is gone gets a time to detect of 0: with no
 * source start known, the receipt is the start, as for a source that gives none.
 *
 * Idempotent: the values are computed from the alert, so a second run writes the same ones.
 */
export const sourceTimesInFacts: Migration = {
  name: '0010-source-times-in-facts',
  async up(db) {
    const facts = db.collection<{ _id: string } & Document>('analyticsfacts');
    const projection = { firstSeenAt: 1, sourceStartedAt: 1, sourceEndedAt: 1, resolvedAt: 1 };
    for (const name of ['alerts', 'alertarchive']) {
      for await (const a of db.collection(name).find({}, { projection, batchSize: 1000 })) {
        if (!(a.firstSeenAt instanceof Date)) continue;
        const times = sourceDurations({
          firstSeenAt: a.firstSeenAt,
          ...(a.sourceStartedAt instanceof Date ? { sourceStartedAt: a.sourceStartedAt } : {}),
          ...(a.sourceEndedAt instanceof Date ? { sourceEndedAt: a.sourceEndedAt } : {}),
          ...(a.resolvedAt instanceof Date ? { resolvedAt: a.resolvedAt } : {}),
        });
        const $set: Document = { sourceStartedAt: times.startedAt, secondsToDetect: times.secondsToDetect };
        if (times.secondsToResolve !== undefined) $set.secondsToResolve = times.secondsToResolve;
        if (a.resolvedAt instanceof Date && a.sourceEndedAt instanceof Date) $set.sourceEndedAt = a.sourceEndedAt;
        // No upsert: an alert without a fact gets one from its next event or a rebuild.
        await facts.updateOne({ _id: String(a._id) }, { $set });
      }
    }
    await facts.updateMany({ secondsToDetect: { $exists: false } }, { $set: { secondsToDetect: 0 } });
  },
};
