import type { Migration } from './types.js';

/**
 * `outboxrefs`: a provider's short reference of an outbox row (an Aliyun voice call's 15-byte
 * OutId) → the row's `_id`, so the call's receipt finds its row (src/store/outbox.ts). Looked up by
 * `_id`; pruned by `at` with the rest of the outbox's history.
 */
export const outboxRefs: Migration = {
  name: '0011-outbox-refs',
  async up(db) {
    await db.collection('outboxrefs').createIndexes([{ key: { at: 1 }, name: 'at' }]);
  },
};
