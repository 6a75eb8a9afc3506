import type { Db, Document } from 'mongodb';
import { ARCHIVE_AFTER_MS, archiveResolved, ignoreDuplicates } from '../src/store/alert-archive.js';
import { writeGateOf } from '../src/store/write-gate.js';
import type { Migration } from './types.js';

const BATCH = 1000;

/**
 * The layout of decision 0006: one `timelines` document per alert (the rows of the old `timeline`
 * collection, grouped), and resolved alerts older than a day moved to `alertarchive`. Every alert
 * and every timeline entry is kept.
 *
 * Idempotent and cheap at 100,000 alerts: one pass over each old collection, writes in batches of
 * BATCH. A timeline document is written whole, so one already there (an interrupted earlier run)
 * is complete and skipped; the old collection is dropped only after every group is written.
 */
export const timelinesAndArchive: Migration = {
  name: '0003-timelines-and-archive',
  async up(db) {
    await moveTimelineRows(db);
    await archiveResolved(db, new Date(Date.now() - ARCHIVE_AFTER_MS));
  },
};

async function moveTimelineRows(db: Db): Promise<void> {
  const exists = (await db.listCollections({ name: 'timeline' }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) return;
  const byAlert = new Map<string, { alertId: unknown; entries: Document[] }>();
  for await (const row of db.collection('timeline').find({}, { batchSize: BATCH })) {
    const { _id, alertId, ...entry } = row;
    if (!alertId) continue;
    const key = String(alertId);
    const group = byAlert.get(key) ?? { alertId, entries: [] as Document[] };
    group.entries.push(entry);
    byAlert.set(key, group);
  }
  const timelines = db.collection('timelines');
  let batch: Document[] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    await writeGateOf(db).bulkWrite(timelines, batch.map((document) => ({ insertOne: { document } }))).catch(ignoreDuplicates);
    batch = [];
  };
  for (const { alertId, entries } of byAlert.values()) {
    // Stable sort: rows of the same instant keep the order they were written in.
    entries.sort((a, b) => (a.at as Date).getTime() - (b.at as Date).getTime());
    batch.push({ _id: alertId, entries });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await db.collection('timeline').drop();
}
