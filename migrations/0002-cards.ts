import type { Migration } from './types.js';

/** Chat cards (src/store/cards.ts) and deliveries already handled (src/store/deliveries.ts). */
export const cards: Migration = {
  name: '0002-cards',
  async up(db) {
    await db.collection('cards').createIndexes([
      { key: { alertId: 1 }, name: 'alertId' },
      { key: { state: 1 }, name: 'state' },
      { key: { kind: 1, platform: 1, channel: 1, closed: 1, createdAt: -1 }, name: 'summary_lookup' },
    ]);
    await db.collection('deliveries').createIndexes([{ key: { at: 1 }, name: 'at' }]);
  },
};
