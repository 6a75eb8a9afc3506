import type { Migration } from './types.js';

/** Every index dutybot queries by. No partial, sparse or TTL index: FerretDB 1.24 has none. */
export const indexes: Migration = {
  name: '0001-indexes',
  async up(db) {
    await db.collection('alerts').createIndexes([
      { key: { shortId: 1 }, name: 'shortId_unique', unique: true },
      { key: { state: 1, team: 1, _id: -1 }, name: 'state_team' },
      { key: { team: 1, _id: -1 }, name: 'team' },
    ]);
    await db.collection('timeline').createIndexes([{ key: { alertId: 1, at: 1 }, name: 'alert_at' }]);
    await db.collection('rawevents').createIndexes([
      { key: { receivedAt: 1 }, name: 'receivedAt' },
    ]);
  },
};
