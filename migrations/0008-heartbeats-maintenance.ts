import type { Migration } from './types.js';

/**
 * Heartbeats (`_id` = name) and maintenance windows (`_id` = id) are read by `_id` or whole at
 * start; the one other query, the windows not yet ended, gets an index on real MongoDB.
 */
export const heartbeatsMaintenance: Migration = {
  name: '0008-heartbeats-maintenance',
  async up(db) {
    await db.collection('maintenance').createIndexes([{ key: { state: 1 }, name: 'state' }]);
  },
};
