import type { Migration } from './types.js';

/**
 * The paging outbox (src/store/outbox.ts): `outbox` holds work still to do, looked up by due time;
 * `outboxlog` the finished rows (by alert, and by finish time for retention); `outboxstarts` the
 * ids whose first attempt began (replays are refused by its unique `_id`); `linkuses` the
 * personal action links already used (src/notify/links.ts).
 */
export const outbox: Migration = {
  name: '0005-outbox',
  async up(db) {
    await db.collection('outbox').createIndexes([{ key: { dueAt: 1 }, name: 'dueAt' }]);
    await db.collection('outboxlog').createIndexes([
      { key: { alertId: 1 }, name: 'alertId' },
      { key: { finishedAt: 1 }, name: 'finishedAt' },
    ]);
    await db.collection('outboxstarts').createIndexes([{ key: { at: 1 }, name: 'at' }]);
    await db.collection('linkuses').createIndexes([{ key: { at: 1 }, name: 'at' }]);
  },
};
