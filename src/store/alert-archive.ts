import type { Db, Document } from 'mongodb';
import { writeGateOf } from './write-gate.js';

/**
 * A resolved alert stays in `alerts` for this long (its cards may still need their final edit;
 * card sync re-reads the last day at start), then moves to `alertarchive`.
 */
export const ARCHIVE_AFTER_MS = 86_400_000;

const BATCH = 1000;

/**
 * Moves alerts resolved before `before` from `alerts` to `alertarchive`. `alerts` then holds the
 * open alerts and the last day's resolved ones, whatever the history: the lists, counts and scans
 * that FerretDB cannot answer from an index stay as cheap in year three as on day one. Lookups by
 * id read `alerts` first, then the archive (src/store/alerts.ts), so an archived alert can still be
 * shown by `#12` or its id.
 *
 * Safe to run twice or after a crash half-way: copies go first (an alert already in the archive is
 * skipped), removals after, and a resolved alert never changes again. One scan of `alerts`, one
 * insert per BATCH alerts and deletes by `_id` (WriteGate.deleteIds, decision 0025: one `deleteMany` past 32,766
 * matches fails on FerretDB). Migration 0003 runs it.
 */
export async function archiveResolved(db: Db, before: Date): Promise<number> {
  const due = { state: 'resolved', resolvedAt: { $lt: before } };
  const archive = db.collection('alertarchive');
  const gate = writeGateOf(db);
  let batch: Document[] = [];
  const copied: unknown[] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    await gate.bulkWrite(archive, batch.map((document) => ({ insertOne: { document } }))).catch(ignoreDuplicates);
    copied.push(...batch.map((d) => d._id));
    batch = [];
  };
  for await (const doc of db.collection('alerts').find(due, { batchSize: BATCH })) {
    batch.push(doc);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  // Exactly the alerts copied: one resolved since the scan stays for the next run.
  await gate.deleteIds(db.collection('alerts'), copied);
  return copied.length;
}

/** A document written by an earlier, interrupted run is already there: that is success. */
export function ignoreDuplicates(err: unknown): void {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> };
  const errors = e.writeErrors ?? [];
  if (errors.length && errors.every((w) => w.code === 11000)) return;
  if (!errors.length && e.code === 11000) return;
  throw err;
}
